import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { KmsConfigError } from './config-error.js';

/**
 * The root key seals every key material at rest (AES-256-GCM, the key and material IDs as AAD, so a sealed row
 * cannot be moved to another key). It comes from, in order: VIGIL_KMS_ROOT_KEY (64 hex or base64 of 32 bytes), a
 * root-key file that only its owner may read (mode 0600/0400), or — for a state file without either — a new file
 * `<state>.root-key` created with mode 0600. Without a state file the service is in-memory and uses a random key.
 */
export interface RootKeySource {
  key: Buffer;
  source: string;
  /** True when this call created the root-key file (the CLI tells the user). */
  created?: boolean;
}

export const ROOT_KEY_ENV = 'VIGIL_KMS_ROOT_KEY';

export function parseRootKey(text: string, where: string): Buffer {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (bytes.length !== 32) {
    throw new KmsConfigError(
      `${where}: the root key must be 32 bytes as 64 hex digits or base64 (got ${bytes.length} bytes)`,
    );
  }
  return bytes;
}

export function loadRootKey(opts: { env?: NodeJS.ProcessEnv; file?: string; stateFile?: string }): RootKeySource {
  const env = opts.env ?? process.env;
  const fromEnv = env[ROOT_KEY_ENV];
  if (fromEnv) return { key: parseRootKey(fromEnv, ROOT_KEY_ENV), source: `env:${ROOT_KEY_ENV}` };
  const file = opts.file ?? (opts.stateFile ? `${opts.stateFile}.root-key` : undefined);
  if (!file) return { key: randomBytes(32), source: 'ephemeral (in-memory state)' };
  if (!existsSync(file)) {
    if (opts.file) throw new KmsConfigError(`${file}: root key file does not exist`);
    const key = randomBytes(32);
    writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return { key, source: `file:${file}`, created: true };
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new KmsConfigError(
      `${file}: root key file is readable by group or others (mode ${mode.toString(8)}); run chmod 600 ${file}`,
    );
  }
  return { key: parseRootKey(readFileSync(file, 'utf8'), file), source: `file:${file}` };
}

const SEAL_VERSION = 1;

/** Seals and opens key material with keys derived from the root key (never the root key itself). */
export class Sealer {
  private readonly sealKey: Buffer;
  private readonly macKey: Buffer;
  constructor(root: Buffer) {
    this.sealKey = Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'vigil-kms material seal v1', 32));
    this.macKey = Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'vigil-kms fingerprint v1', 32));
  }

  seal(aad: string, plaintext: Buffer): Buffer {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, nonce);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([SEAL_VERSION]), nonce, body, cipher.getAuthTag()]);
  }

  open(aad: string, sealed: Buffer): Buffer {
    if (sealed[0] !== SEAL_VERSION || sealed.length < 29) throw new Error(`sealed material for ${aad} is corrupt`);
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, sealed.subarray(1, 13));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([decipher.update(sealed.subarray(13, sealed.length - 16)), decipher.final()]);
  }

  /** Keyed fingerprint: identifies imported material (re-import check) without storing a plain hash of it. */
  fingerprint(data: Buffer | string): string {
    return createHmac('sha256', this.macKey).update(data).digest('hex');
  }

  /** Value stored with the state so opening it with another root key fails clearly instead of at first use. */
  checkValue(): string {
    return this.fingerprint('vigil-kms root key check');
  }

  matches(check: string): boolean {
    const mine = Buffer.from(this.checkValue(), 'hex');
    const theirs = Buffer.from(check, 'hex');
    return mine.length === theirs.length && timingSafeEqual(mine, theirs);
  }
}
