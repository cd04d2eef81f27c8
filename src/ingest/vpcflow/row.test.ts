import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ELASTIC } from '../../../test/helpers/corpus.js';
import { ipv4ToInt } from '../../core/ipv4.js';
import { createTextParser } from '../file-parse.js';
import type { LogRecord, ParseIssue } from '../types.js';
import { vpcFlowFormat } from './format.js';
import { Hot } from './layout.js';
import type { FlowRow } from './row.js';

const EXAMPLES = join(import.meta.dirname, '../../../examples');

/** What a row must agree on with the record built from the same line. */
function rowFacts(row: FlowRow): Record<string, unknown> {
  const h = row.hot;
  const present = (v: number) => (Number.isNaN(v) ? undefined : v);
  return {
    time: row.time,
    srcN: present(h[Hot.srcaddr]!) ?? -1,
    dstN: present(h[Hot.dstaddr]!) ?? -1,
    instanceId: row.instanceId,
    eni: row.eni,
    srcport: present(h[Hot.srcport]!),
    accept: h[Hot.action] === 1,
    line: row.line,
  };
}

function recordFacts(r: LogRecord): Record<string, unknown> {
  const f = r.fields;
  const addr = (v: unknown) => (typeof v === 'string' ? ipv4ToInt(v) : -1);
  return {
    time: r.time,
    srcN: addr(f.srcaddr),
    dstN: addr(f.dstaddr),
    instanceId: f['instance-id'],
    eni: f['interface-id'],
    srcport: f.srcport,
    accept: f.action === 'ACCEPT',
    line: (r.raw ?? '').trimEnd(),
  };
}

/** Parse `text` pushed in `chunks` pieces, once through records and once through rows. */
function bothPaths(text: string, cuts: number[] = []) {
  const pieces: string[] = [];
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    pieces.push(text.slice(at, c));
    at = c;
  }
  pieces.push(text.slice(at));
  const viaRecords: LogRecord[] = [];
  const recordErrors: ParseIssue[] = [];
  const a = createTextParser(
    vpcFlowFormat,
    { file: 'f.log' },
    { record: (r) => viaRecords.push(r), error: (e) => recordErrors.push(e) },
  );
  for (const p of pieces) a.push(p);
  a.end();
  const viaRows: LogRecord[] = [];
  const rowFactsList: Record<string, unknown>[] = [];
  const rowErrors: ParseIssue[] = [];
  const b = createTextParser(
    vpcFlowFormat,
    { file: 'f.log' },
    {
      record: (r) => viaRows.push(r),
      flow: (row) => {
        rowFactsList.push(rowFacts(row));
        viaRows.push(row.record());
      },
      error: (e) => rowErrors.push(e),
    },
  );
  for (const p of pieces) b.push(p);
  b.end();
  return { viaRecords, recordErrors, viaRows, rowErrors, rowFactsList };
}

function expectSame(text: string, cuts: number[] = []): number {
  const r = bothPaths(text, cuts);
  expect(r.viaRows).toEqual(r.viaRecords);
  expect(r.rowErrors).toEqual(r.recordErrors);
  const fromRecords = r.viaRecords.filter((x) => x.raw !== undefined).map(recordFacts);
  // Rows exist for every record read from a line (CloudWatch-wrapped messages too).
  expect(r.rowFactsList).toEqual(fromRecords.slice(0, r.rowFactsList.length));
  return r.viaRecords.length;
}

describe('VPC flow rows read in place give the records the record path gives', () => {
  it('on every Elastic fixture (v2–v5, ECS, Transit Gateway, TCP flags)', () => {
    const dir = join(ELASTIC, 'vpcflow');
    let n = 0;
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.log')))
      n += expectSame(readFileSync(join(dir, name), 'utf8'));
    expect(n).toBe(11);
  });

  it('on the bundled example flow logs and the file with invalid lines (same errors, same lines)', () => {
    const dir = join(EXAMPLES, 'AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/11/01');
    let n = 0;
    for (const name of readdirSync(dir)) n += expectSame(gunzipSync(readFileSync(join(dir, name))).toString('utf8'));
    expect(n).toBeGreaterThan(100);
    const bad = readFileSync(join(EXAMPLES, 'bad/vpcflow-with-invalid-lines.log'), 'utf8');
    expect(bothPaths(bad).rowErrors.length).toBeGreaterThan(0);
    expectSame(bad);
  });

  it('on edge cases: trailing blanks, CRLF, IPv6, absent values, bad addresses, headers mid-file, JSON-wrapped', () => {
    const text = [
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status flow-direction instance-id vpc-id tcp-flags',
      '5 111122223333 eni-0a1 10.0.0.1 203.0.113.5 443 51000 6 3 120 1700000000 1700000060 ACCEPT OK ingress i-0abc vpc-1 18  ',
      '5 111122223333 eni-0a1 2001:db8::1 10.0.0.1 443 51000 6 3 120 1700000000 1700000060 REJECT OK egress - vpc-1 2\r',
      '5 111122223333 eni-0a1 - - - - - - - 1700000000 1700000060 - NODATA - - - -',
      '5 111122223333 eni-0a1 10.0.0.256 1.2.3 0 0 17 1 1 - 1700000060 ACCEPT OK - - - -',
      '5 111122223333 eni-0a1 010.000.00.1 1.2.3.4.5 0 0 17 1 1 1700000000 1700000060 ACCEPT OK - - - -',
      '5 111122223333 eni-0a1 10.0.0.1 10.0.0.2 x 0 17 1 1 1700000000 1700000060 ACCEPT OK - - - -',
      '5 111122223333 eni-0a1 10.0.0.1 10.0.0.2 1 0 17 1 1 1700000000 1700000060 ACCEPT OK - - -',
      '2 111122223333 eni-0b2 10.0.0.9 198.51.100.7 22 60000 6 10 840 1700000100 1700000160 ACCEPT OK',
      'version srcaddr dstaddr',
      '2 10.0.0.1 10.0.0.2',
      '{"message":"2 10.0.0.3 10.0.0.4"}',
      '{"messageType":"DATA_MESSAGE","logEvents":[{"message":"2 10.0.0.5 10.0.0.6"},{"message":"2 x y z"}]}',
      '',
    ].join('\n');
    expect(expectSame(text)).toBe(8);
  });

  it('whatever the chunk boundaries (lines split across pushes)', () => {
    const text = readFileSync(join(ELASTIC, 'vpcflow/test-v5-all-fields.log'), 'utf8');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 8 }), (cuts) => {
        expectSame(text, cuts);
      }),
      { numRuns: 40 },
    );
  });
});
