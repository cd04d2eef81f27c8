/**
 * CloudTrail public keys in `ListPublicKeys` shape. `Value` is the DER PKCS#1 RSAPublicKey, base64 in JSON (a JSON
 * protocol blob; the AWS CLI prints it as it came over the wire, and its validator base64-decodes it itself).
 * A Value that was base64-encoded twice (as some scripts do when re-encoding SDK output) is accepted too.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describeError, VigilError } from '../core/errors.js';
import { formatDisplay, parseInstant } from './time.js';

export interface PublicKeyEntry {
  fingerprint: string;
  /** DER PKCS#1 RSAPublicKey bytes. */
  der: Buffer;
  validityStart: number;
  validityEnd: number;
}

/** A set of public keys, filtered by validity overlap exactly like ListPublicKeys(StartTime, EndTime). */
export interface PublicKeySource {
  /** Keys whose validity overlaps [start, end]; keyed by fingerprint. */
  keysBetween(start: number, end: number): Promise<Map<string, PublicKeyEntry>>;
  /** Where the keys come from, for messages. */
  readonly description: string;
}

/** Decode a `Value` given as base64(DER) or base64(base64(DER)). DER of a SEQUENCE starts with 0x30. */
export function decodeKeyValue(value: string | Uint8Array): Buffer | undefined {
  let bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.from(value);
  for (let round = 0; round < 2; round++) {
    if (bytes.length > 0 && bytes[0] === 0x30) return bytes;
    const text = bytes.toString('latin1').trim();
    if (!/^[A-Za-z0-9+/=\s]+$/.test(text)) return undefined;
    bytes = Buffer.from(text, 'base64');
  }
  return bytes.length > 0 && bytes[0] === 0x30 ? bytes : undefined;
}

/** The `Value` as CloudTrail's wire format and `aws cloudtrail list-public-keys` output carry it: base64(DER). */
export function encodeKeyValue(der: Buffer): string {
  return der.toString('base64');
}

/** Vigil's fingerprint for its own keys: lowercase hex MD5 of the DER PKCS#1 public key (32 hex characters). */
export function fingerprintOf(der: Buffer): string {
  return createHash('md5').update(der).digest('hex');
}

export interface KeyFileIssue {
  index: number;
  reason: string;
}

/**
 * Parse ListPublicKeys JSON (`{"PublicKeyList": [...]}`, or a bare array). Bad entries are reported and skipped,
 * never fatal, so one corrupt key does not hide the others.
 */
export function parsePublicKeyList(text: string, file: string): { keys: PublicKeyEntry[]; issues: KeyFileIssue[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new VigilError(`${file}: not JSON (${describeError(err)}); expected ListPublicKeys output`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { PublicKeyList?: unknown } | null)?.PublicKeyList;
  if (!Array.isArray(list)) throw new VigilError(`${file}: expected {"PublicKeyList": [...]} (ListPublicKeys output)`);
  const keys: PublicKeyEntry[] = [];
  const issues: KeyFileIssue[] = [];
  for (let index = 0; index < list.length; index++) {
    const e = list[index] as Record<string, unknown> | null;
    if (!e || typeof e !== 'object') {
      issues.push({ index, reason: 'not an object' });
      continue;
    }
    if (typeof e.Fingerprint !== 'string' || !e.Fingerprint) {
      issues.push({ index, reason: 'Fingerprint missing' });
      continue;
    }
    const der = typeof e.Value === 'string' ? decodeKeyValue(e.Value) : undefined;
    if (!der) {
      issues.push({ index, reason: `Value of key ${e.Fingerprint} is not base64 DER` });
      continue;
    }
    const validityStart = parseInstant(e.ValidityStartTime);
    const validityEnd = parseInstant(e.ValidityEndTime);
    if (Number.isNaN(validityStart) || Number.isNaN(validityEnd)) {
      issues.push({ index, reason: `key ${e.Fingerprint}: ValidityStartTime/ValidityEndTime missing or invalid` });
      continue;
    }
    keys.push({ fingerprint: e.Fingerprint, der, validityStart, validityEnd });
  }
  return { keys, issues };
}

/** ListPublicKeys semantics: a key is returned when its validity window overlaps the requested range. */
export function overlaps(k: PublicKeyEntry, start: number, end: number): boolean {
  return k.validityStart <= end && k.validityEnd >= start;
}

export class StaticKeySource implements PublicKeySource {
  constructor(
    private readonly keys: PublicKeyEntry[],
    readonly description: string,
  ) {}
  async keysBetween(start: number, end: number): Promise<Map<string, PublicKeyEntry>> {
    const out = new Map<string, PublicKeyEntry>();
    for (const k of this.keys) if (overlaps(k, start, end)) out.set(k.fingerprint, k);
    return out;
  }
}

/** Load a ListPublicKeys JSON file; problems with single entries go to `onIssue`. */
export async function loadPublicKeyFile(
  file: string,
  onIssue: (message: string) => void = () => {},
): Promise<StaticKeySource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new VigilError(`cannot read public keys ${file}: ${describeError(err)}`);
  }
  const { keys, issues } = parsePublicKeyList(text, file);
  for (const i of issues) onIssue(`${file}: PublicKeyList[${i.index}]: ${i.reason} (skipped)`);
  return new StaticKeySource(keys, file);
}

/** The CLI's error when a range has no key at all (it aborts the whole run). */
export function noKeysMessage(start: number, end: number): string {
  return `No public keys found between ${formatDisplay(start)} and ${formatDisplay(end)}`;
}

const keyObjects = new WeakMap<PublicKeyEntry, KeyObject | Error>();

/** The entry as a usable RSA key, or the error that loading it gave (cached). */
export function keyObject(k: PublicKeyEntry): KeyObject | Error {
  let o = keyObjects.get(k);
  if (!o) {
    try {
      o = createPublicKey({ key: k.der, format: 'der', type: 'pkcs1' });
    } catch (err) {
      o = err instanceof Error ? err : new Error(String(err));
    }
    keyObjects.set(k, o);
  }
  return o;
}

/** ListPublicKeys JSON for keys (what `vigil trail keygen` prints and the local endpoint serves). */
export function toPublicKeyListJson(keys: PublicKeyEntry[], timeFormat: 'iso' | 'epoch' = 'iso'): object {
  const t = (ms: number) => (timeFormat === 'iso' ? formatDisplay(ms) : ms / 1000);
  return {
    PublicKeyList: keys.map((k) => ({
      Value: encodeKeyValue(k.der),
      ValidityStartTime: t(k.validityStart),
      ValidityEndTime: t(k.validityEnd),
      Fingerprint: k.fingerprint,
    })),
  };
}
