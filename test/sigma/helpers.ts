import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { LogRecord } from '../../src/ingest/types.js';
import { mergeCollections, parseSigmaText } from '../../src/sigma/parse.js';
import type { SigmaCollection } from '../../src/sigma/types.js';
import { CORPORA } from '../helpers/corpus.js';

export const SIGMA_RULES = join(CORPORA, 'sigma/rules-aws/cloudtrail');
export const SPEC_CORRELATION = join(CORPORA, 'sigma/spec-correlation');
export const STRATUS = join(CORPORA, 'cloudtrail/stratus');
export const OTRF = join(CORPORA, 'cloudtrail/otrf/ec2_proxy_s3_exfiltration_2020-09-14011940.json');

/**
 * Minimal CloudTrail records for tests, until the CloudTrail parser lands: the native record as `fields`, the
 * event time from `eventTime`.
 */
export function cloudtrailRecord(
  fields: Record<string, unknown>,
  file: string,
  line: number,
  index?: number,
): LogRecord {
  const record: LogRecord = {
    type: 'cloudtrail',
    fields,
    time: typeof fields.eventTime === 'string' ? Date.parse(fields.eventTime) : Number.NaN,
    origin: { file, line, ...(index === undefined ? {} : { index }) },
  };
  if (typeof fields.sourceIPAddress === 'string') record.sourceIp = fields.sourceIPAddress;
  return record;
}

/** A Stratus file: a JSON array of CloudTrail records. */
export function loadStratus(file: string): LogRecord[] {
  const path = join(STRATUS, file);
  const records = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>[];
  return records.map((r, i) => cloudtrailRecord(r, basename(path), 1, i));
}

export function stratusFiles(): string[] {
  return readdirSync(STRATUS)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** The OTRF NDJSON file, Logstash extras removed. */
export function loadOtrf(): LogRecord[] {
  const lines = readFileSync(OTRF, 'utf8').split('\n');
  const out: LogRecord[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const r = JSON.parse(line) as Record<string, unknown>;
    delete r['@timestamp'];
    delete r['@version'];
    out.push(cloudtrailRecord(r, basename(OTRF), i + 1));
  });
  return out;
}

export function loadSigmaDir(dir: string): SigmaCollection {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort();
  return mergeCollections(files.map((f) => parseSigmaText(readFileSync(join(dir, f), 'utf8'), join(dir, f))));
}

/** A one-rule document around a detection block (YAML text, indented by the caller as a `detection:` body). */
export function ruleText(detection: string, extra = ''): string {
  const body = detection
    .trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return `title: Test rule\nid: 11111111-2222-4333-8444-555555555555\nlogsource:\n  product: aws\n  service: cloudtrail\n${extra}detection:\n${body}\n`;
}
