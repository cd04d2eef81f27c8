import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ELASTIC } from '../../test/helpers/corpus.js';
import { ingestAll } from './run.js';
import type { LogRecord, ParseIssue } from './types.js';

const R53 = readFileSync(join(ELASTIC, 'route53_resolver_logs/test-route53.log'), 'utf8');
const R53_LINES = R53.split('\n').filter((l) => l.trim());

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-pipeline-'));
});

async function run(inputs: string[], opts = {}) {
  const records: LogRecord[] = [];
  const errors: ParseIssue[] = [];
  const result = await ingestAll(inputs, opts, { record: (r) => records.push(r), error: (e) => errors.push(e) });
  return { records, errors, stats: result.stats };
}

describe('ingestion pipeline', () => {
  it('sniffs gzip by magic bytes whatever the extension, and reads concatenated members', async () => {
    const half = Math.floor(R53_LINES.length / 2);
    const a = gzipSync(`${R53_LINES.slice(0, half).join('\n')}\n`);
    const b = gzipSync(`${R53_LINES.slice(half).join('\n')}\n`);
    const file = join(dir, 'dns-without-extension');
    writeFileSync(file, Buffer.concat([a, b]));
    const { records, errors, stats } = await run([file]);
    expect(errors).toEqual([]);
    expect(records).toHaveLength(R53_LINES.length);
    expect(stats.types).toEqual({ route53resolver: R53_LINES.length });
  });

  it('keeps the records before a gzip truncation and reports the truncation with an offset', async () => {
    const gz = gzipSync(`${R53_LINES.join('\n')}\n`.repeat(50));
    const file = join(dir, 'truncated.log.gz');
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const { records, errors } = await run([file]);
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(R53_LINES.length * 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.file).toBe(file);
    expect(errors[0]!.reason).toMatch(/truncated or corrupt gzip/);
    expect(errors[0]!.offset).toBeGreaterThan(0);
  });

  it('rejects empty, binary and unrecognised files with a reason, and goes on with the others', async () => {
    const empty = join(dir, 'empty.log');
    const binary = join(dir, 'garbage.bin');
    const other = join(dir, 'other.txt');
    const good = join(dir, 'good.log');
    writeFileSync(empty, '');
    writeFileSync(binary, Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x10, 0x7f, ...Array(200).fill(3)]));
    writeFileSync(other, 'hello world\nthis is not an AWS log\n');
    writeFileSync(good, R53);
    const { records, errors, stats } = await run([empty, binary, other, good]);
    expect(records).toHaveLength(R53_LINES.length);
    expect(errors.map((e) => [e.file, e.reason.split(':')[0]])).toEqual([
      [empty, 'empty file'],
      [binary, 'binary content'],
      [other, 'unrecognised log format (first line'],
    ]);
    expect(stats.filesRejected).toBe(3);
    expect(stats.errors).toBe(3);
  });

  it('rejects single garbage lines of a text log one by one instead of the whole file', async () => {
    const file = join(dir, 'some-garbage.log');
    writeFileSync(file, [R53_LINES[0], '\u0000\u0001\u0002 garbage \u0003', R53_LINES[1]].join('\n'));
    const { records, errors } = await run([file]);
    expect(records.map((r) => r.origin.line)).toEqual([1, 3]);
    expect(errors.map((e) => e.line)).toEqual([2]);
  });

  it('reports a missing input and still reads the rest', async () => {
    const good = join(dir, 'good2.log');
    writeFileSync(good, R53);
    const { records, errors } = await run([join(dir, 'nope.log'), good]);
    expect(records).toHaveLength(R53_LINES.length);
    expect(errors[0]!.reason).toMatch(/ENOENT/);
  });

  it('skips an over-long line without buffering it and reports its line number', async () => {
    const file = join(dir, 'long.log');
    const long = `{"query_name":"${'a'.repeat(300_000)}"}`;
    writeFileSync(file, [R53_LINES[0], long, R53_LINES[1]].join('\n'));
    const { records, errors } = await run([file], { maxLineLength: 100_000 });
    expect(records.map((r) => r.origin.line)).toEqual([1, 3]);
    expect(errors).toEqual([{ file, line: 2, reason: expect.stringMatching(/exceeds the 100000-character limit/) }]);
  });

  it('walks directories recursively in sorted order, skipping docs and digest folders', async () => {
    const root = join(dir, 'tree');
    mkdirSync(join(root, 'AWSLogs/111122223333/vpcdnsquerylogs/vpc-1/2026/11/01'), { recursive: true });
    mkdirSync(join(root, 'AWSLogs/111122223333/CloudTrail-Digest'), { recursive: true });
    writeFileSync(join(root, 'AWSLogs/111122223333/vpcdnsquerylogs/vpc-1/2026/11/01/b.log.gz'), gzipSync(R53));
    writeFileSync(join(root, 'AWSLogs/111122223333/vpcdnsquerylogs/vpc-1/2026/11/01/a.log'), R53);
    writeFileSync(join(root, 'AWSLogs/111122223333/CloudTrail-Digest/digest.json.gz'), gzipSync('{}'));
    writeFileSync(join(root, 'README.md'), '# not a log');
    const files: string[] = [];
    const { stats } = await ingestAll([root], {}, { fileDone: (r) => files.push(r.file) });
    expect(files.map((f) => f.slice(root.length + 1))).toEqual([
      'AWSLogs/111122223333/vpcdnsquerylogs/vpc-1/2026/11/01/a.log',
      'AWSLogs/111122223333/vpcdnsquerylogs/vpc-1/2026/11/01/b.log.gz',
    ]);
    expect(stats.records).toBe(2 * R53_LINES.length);
  });

  it('filters on event time with since/until (half-open) and counts parsed vs kept', async () => {
    const file = join(dir, 'time.log');
    writeFileSync(file, R53);
    const all = await run([file]);
    const times = all.records.map((r) => r.time).sort((a, b) => a - b);
    const mid = times[Math.floor(times.length / 2)]!;
    const { records, stats } = await run([file], { since: mid });
    expect(records.every((r) => r.time >= mid)).toBe(true);
    expect(records).toHaveLength(times.filter((t) => t >= mid).length);
    expect(stats.records).toBe(R53_LINES.length);
    expect(stats.kept).toBe(records.length);
    const before = await run([file], { until: mid });
    expect(before.records.length + records.length).toBe(R53_LINES.length);
  });

  it('parses the same records on worker threads as in-process', async () => {
    const files = [1, 2, 3].map((i) => {
      const f = join(dir, `par-${i}.log`);
      writeFileSync(f, R53);
      return f;
    });
    const seq = await ingestAll(files, {}, {}, { job: 'stats', workers: 1 });
    let ndjson = '';
    const par = await ingestAll(files, {}, { ndjson: (t) => void (ndjson += t) }, { job: 'ndjson', workers: 2 });
    expect(par.stats).toEqual(seq.stats);
    const lines = ndjson.trim().split('\n');
    expect(lines).toHaveLength(3 * R53_LINES.length);
    const first = JSON.parse(lines.find((l) => l.includes('"line":1}'))!) as Record<string, unknown>;
    expect(first._vigil).toMatchObject({ type: 'route53resolver', line: 1 });
    expect(first.query_name).toBe(JSON.parse(R53_LINES[0]!).query_name);
  });
});
