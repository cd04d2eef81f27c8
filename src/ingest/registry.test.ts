import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CORPORA, ELASTIC } from '../../test/helpers/corpus.js';
import { FORMATS, sniffFormat } from './registry.js';
import type { LogType, SniffInput } from './types.js';

function sniffInput(path: string): SniffInput {
  const head = readFileSync(path, 'utf8').slice(0, 64 * 1024);
  const firstLine = head.split('\n').find((l) => l.trim().length > 0) ?? '';
  return { firstLine, head, path };
}

/** Elastic fixture folder → the type its files must be sniffed as. */
const ELASTIC_TYPES: Record<string, LogType> = {
  cloudtrail: 'cloudtrail',
  vpcflow: 'vpcflow',
  route53_resolver_logs: 'route53resolver',
  s3access: 's3access',
  waf: 'waf',
  guardduty: 'guardduty',
  elb_logs: 'alb',
};

describe('format registry', () => {
  it('has one format per log type', () => {
    expect(new Set(FORMATS.map((f) => f.type)).size).toBe(FORMATS.length);
  });

  it('sniffs every Elastic fixture and CloudTrail corpus file as its own type (content, not file name)', () => {
    const cases: [string, LogType][] = [];
    for (const [folder, type] of Object.entries(ELASTIC_TYPES)) {
      for (const f of readdirSync(join(ELASTIC, folder)).filter((f) => f.endsWith('.log'))) {
        cases.push([join(ELASTIC, folder, f), type]);
      }
    }
    for (const f of readdirSync(join(CORPORA, 'cloudtrail/stratus')).filter((f) => f.endsWith('.json'))) {
      cases.push([join(CORPORA, 'cloudtrail/stratus', f), 'cloudtrail']);
    }
    cases.push([join(CORPORA, 'cloudtrail/otrf/ec2_proxy_s3_exfiltration_2020-09-14011940.json'), 'cloudtrail']);
    const wrong: string[] = [];
    for (const [path, type] of cases) {
      // Rename the path so the S3-layout hints cannot help: content alone must decide.
      const got = sniffFormat({ ...sniffInput(path), path: 'input' })?.format.type;
      // Header-less custom VPC flow formats are not recognisable without configuration.
      if (got !== type && !(type === 'vpcflow' && got === undefined))
        wrong.push(`${path}: ${got ?? 'none'} (want ${type})`);
    }
    expect(wrong).toEqual([]);
    expect(cases.length).toBe(56);
  });

  it('no parser throws on random or mutated lines (every format, fast-check)', () => {
    const samples = [
      readFileSync(join(ELASTIC, 'elb_logs/test-alb.log'), 'utf8').split('\n')[0]!,
      readFileSync(join(ELASTIC, 's3access/test-s3-server-access.log'), 'utf8').split('\n')[0]!,
      readFileSync(join(ELASTIC, 'vpcflow/test-extra-samples.log'), 'utf8').split('\n')[0]!,
      readFileSync(join(ELASTIC, 'waf/test-waf.log'), 'utf8').split('\n')[0]!,
    ];
    const mutated = fc.tuple(fc.constantFrom(...samples), fc.nat(), fc.nat(), fc.string()).map(([s, a, b, ins]) => {
      const i = a % (s.length + 1);
      const j = Math.min(s.length, i + (b % 40));
      return s.slice(0, i) + ins + s.slice(j);
    });
    const line = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), mutated);
    fc.assert(
      fc.property(line, (text) => {
        for (const format of FORMATS) {
          const parser = format.open({ file: 'x', options: {} });
          const sink = { record: () => {}, error: () => {} };
          if (format.framing === 'json' && parser.value) {
            let v: unknown = text;
            try {
              v = JSON.parse(text);
            } catch {
              // not JSON: hand the raw string over
            }
            parser.value(v, { line: 1, index: undefined }, sink);
          } else if (text.trim().length > 0) {
            parser.line(text, 1, sink);
          }
          parser.end?.(sink);
        }
      }),
      { numRuns: 300 },
    );
  });
});
