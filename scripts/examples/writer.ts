import { gzipSync } from 'node:zlib';
import type { LogType } from '../../src/ingest/types.js';

/** A generated value with the planted scenarios it belongs to (empty for benign traffic). */
export interface Tagged<T> {
  value: T;
  scenarios?: readonly string[];
}

/** Where a scenario's records are: line numbers for text/JSON-lines files, record indexes for CloudTrail files. */
export interface EvidenceRef {
  file: string;
  type: LogType;
  /** 1-based line numbers (header lines count, as a parser reports them). */
  lines?: number[];
  /** 0-based indexes into `{"Records":[…]}`. */
  records?: number[];
  /** CloudTrail `eventID`s, aligned with `records` (or with `lines` for NDJSON exports). */
  eventIDs?: string[];
}

export interface FileEntry {
  path: string;
  /** The log type a parser should detect, or `bad` for the deliberately malformed inputs. */
  type: LogType | 'bad';
  /** Records in the file (header and comment lines excluded). */
  records: number;
  /** Size on disk. */
  bytes: number;
  gzip: boolean;
}

/**
 * Collects the example files in memory (path → bytes) with an inventory and the scenario evidence, so the
 * generator can write them atomically and the test can compare them with the committed copy without touching disk.
 */
export class ExampleWriter {
  readonly files = new Map<string, Buffer>();
  readonly inventory: FileEntry[] = [];
  readonly evidence = new Map<string, EvidenceRef[]>();

  /** Text lines (a header first when the format has one), newline-terminated, optionally gzip. */
  lines(path: string, type: LogType, header: readonly string[], rows: readonly Tagged<string>[], gzip: boolean): void {
    const text = `${[...header, ...rows.map((r) => r.value)].join('\n')}\n`;
    rows.forEach((r, i) => {
      this.tag(r.scenarios, path, type, { line: header.length + i + 1 });
    });
    this.put(path, type, Buffer.from(text, 'utf8'), rows.length, gzip);
  }

  /** One JSON object per line (Route 53 Resolver, WAF, Network Firewall, NDJSON exports). */
  jsonLines(path: string, type: LogType, rows: readonly Tagged<object>[], gzip: boolean): void {
    this.lines(
      path,
      type,
      [],
      rows.map((r) => ({ value: JSON.stringify(r.value), scenarios: r.scenarios })),
      gzip,
    );
    // CloudTrail exports: keep the eventIDs beside the line numbers (same order) so tests can match them.
    for (const r of rows) {
      const id = eventIdOf(r.value);
      if (id) for (const s of r.scenarios ?? []) (this.lastRef(s, path).eventIDs ??= []).push(id);
    }
  }

  /** A CloudTrail S3 delivery file: one `{"Records":[…]}` document, gzip. */
  cloudTrail(path: string, records: readonly Tagged<Record<string, unknown>>[]): void {
    const text = JSON.stringify({ Records: records.map((r) => r.value) });
    records.forEach((r, i) => {
      for (const s of r.scenarios ?? []) {
        const ref = this.ref(s, path, 'cloudtrail');
        (ref.records ??= []).push(i);
        (ref.eventIDs ??= []).push(String(r.value.eventID));
      }
    });
    this.put(path, 'cloudtrail', Buffer.from(text, 'utf8'), records.length, true);
  }

  /** Bytes written as given (the malformed examples). */
  raw(path: string, type: LogType | 'bad', data: Buffer, records: number, gzip: boolean): void {
    this.files.set(path, data);
    this.inventory.push({ path, type, records, bytes: data.length, gzip });
  }

  /** A documentation file (README, scenarios.json): not part of the inventory. */
  doc(path: string, text: string): void {
    this.files.set(path, Buffer.from(text, 'utf8'));
  }

  private put(path: string, type: LogType, data: Buffer, records: number, gzip: boolean): void {
    if (this.files.has(path)) throw new Error(`example file written twice: ${path}`);
    const bytes = gzip ? deterministicGzip(data) : data;
    this.files.set(path, bytes);
    this.inventory.push({ path, type, records, bytes: bytes.length, gzip });
  }

  private tag(scenarios: readonly string[] | undefined, path: string, type: LogType, at: { line: number }): void {
    for (const s of scenarios ?? []) (this.ref(s, path, type).lines ??= []).push(at.line);
  }

  private ref(scenario: string, path: string, type: LogType): EvidenceRef {
    let refs = this.evidence.get(scenario);
    if (!refs) this.evidence.set(scenario, (refs = []));
    let ref = refs.find((r) => r.file === path);
    if (!ref) refs.push((ref = { file: path, type }));
    return ref;
  }

  private lastRef(scenario: string, path: string): EvidenceRef {
    const ref = this.evidence.get(scenario)?.find((r) => r.file === path);
    if (!ref) throw new Error(`no evidence for ${scenario} in ${path}`);
    return ref;
  }
}

function eventIdOf(value: object): string | undefined {
  const v = value as Record<string, unknown>;
  if (typeof v.eventID === 'string') return v.eventID;
  const detail = v.detail as Record<string, unknown> | undefined;
  return detail && typeof detail.eventID === 'string' ? detail.eventID : undefined;
}

/**
 * gzip with no embedded name or mtime (zlib writes mtime 0) and the OS byte pinned to 3 (Unix), so the header is
 * identical on every platform. The deflate stream itself can differ between zlib builds (e.g. SIMD hashing), which
 * is why the staleness test compares decompressed content.
 */
export function deterministicGzip(data: Buffer): Buffer {
  const out = gzipSync(data, { level: 9 });
  out[9] = 3;
  return out;
}
