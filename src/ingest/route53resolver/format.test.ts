import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ELASTIC, ecsGet, readExpected } from '../../../test/helpers/corpus.js';
import { parseTextWith } from '../file-parse.js';
import { route53ResolverFormat } from './format.js';

const LOG = join(ELASTIC, 'route53_resolver_logs/test-route53.log');

describe('Route 53 Resolver query logs', () => {
  it('parses the Elastic fixture with zero errors and matches the expected native values', () => {
    const { records, errors } = parseTextWith(route53ResolverFormat, readFileSync(LOG, 'utf8'), { file: LOG });
    expect(errors).toEqual([]);
    const expected = readExpected(LOG).filter((d) => d !== null);
    expect(records).toHaveLength(expected.length);
    records.forEach((r, i) => {
      const doc = expected[i]!;
      const f = r.fields;
      expect(f.vpc_id).toBe(ecsGet(doc, 'aws.vpc_id'));
      expect(f.account_id).toBe(ecsGet(doc, 'cloud.account.id'));
      expect(f.region).toBe(ecsGet(doc, 'cloud.region'));
      expect(f.query_type).toBe(ecsGet(doc, 'dns.question.type'));
      expect(f.rcode).toBe(ecsGet(doc, 'dns.response_code'));
      // ECS strips the trailing dot of the FQDN.
      expect(String(f.query_name).replace(/\.$/, '')).toBe(ecsGet(doc, 'dns.question.name'));
      expect(r.sourceIp).toBe(ecsGet(doc, 'source.ip'));
      expect(Number(f.srcport)).toBe(ecsGet(doc, 'source.port'));
      expect(new Date(r.time).toISOString()).toBe(ecsGet(doc, '@timestamp'));
      expect(r.origin.line).toBe(i + 1);
    });
  });

  it('reports bad lines with file, line and reason and keeps the rest', () => {
    const good = readFileSync(LOG, 'utf8').split('\n')[0]!;
    const text = [good, '{"query_name":', 'garbage', '{"foo":1}', good].join('\n');
    const { records, errors } = parseTextWith(route53ResolverFormat, text, { file: 'x.log' });
    expect(records.map((r) => r.origin.line)).toEqual([1, 5]);
    expect(errors.map((e) => [e.file, e.line])).toEqual([
      ['x.log', 2],
      ['x.log', 3],
      ['x.log', 4],
    ]);
    expect(errors[0]!.reason).toMatch(/invalid JSON/);
    expect(errors[2]!.reason).toMatch(/missing query_name/);
  });
});
