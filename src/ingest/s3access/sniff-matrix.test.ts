import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPORA, ELASTIC } from '../../../test/helpers/corpus.js';
import { cloudfrontFormat } from '../cloudfront/format.js';
import { guarddutyFormat } from '../guardduty/format.js';
import { networkFirewallFormat } from '../networkfirewall/format.js';
import type { LogFormat, SniffInput } from '../types.js';
import { wafFormat } from '../waf/format.js';
import { s3AccessFormat } from './format.js';

/**
 * Sniff precision across the S3 access / WAF / CloudFront / Network Firewall / GuardDuty formats: each must claim its
 * own samples and score exactly 0 on the others' and on every other corpus file (CloudTrail, VPC flow, ELB, Route 53).
 */
const FORMATS: LogFormat[] = [s3AccessFormat, wafFormat, cloudfrontFormat, networkFirewallFormat, guarddutyFormat];

const OWN: Record<string, string[]> = {
  s3access: [
    readFileSync(join(ELASTIC, 's3access/test-s3-server-access.log'), 'utf8'),
    '{"schema_version_id":"V_1_0","bucket_arn":"arn:aws:s3:::b","bucket_name":"b","request_time":"2025-06-02T14:03:11.123Z","remote_ip":"203.0.113.9"}',
  ],
  waf: [readFileSync(join(ELASTIC, 'waf/test-waf.log'), 'utf8')],
  cloudfront: [
    '#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query\n2024-05-14\t09:12:44\tFRA56-P7\t4312\t198.51.100.10\tGET\td111111abcdef8.cloudfront.net\t/\t200\t-\tcurl/8.0\t-\n',
    '2024-05-14\t09:12:44\tFRA56-P7\t4312\t198.51.100.10\tGET\td111111abcdef8.cloudfront.net\t/\t200\t-\tcurl/8.0\t-\n',
  ],
  networkfirewall: [
    '{"firewall_name":"fw","availability_zone":"us-east-1a","event_timestamp":"1601074865","event":{"timestamp":"2020-09-25T23:01:05.598481+0000","flow_id":1,"event_type":"alert","src_ip":"10.16.197.56","src_port":49157,"dest_ip":"10.16.197.55","dest_port":8883,"proto":"TCP","alert":{"action":"allowed","signature_id":2,"rev":0,"signature":"","category":"","severity":3}}}\n',
  ],
  guardduty: [
    readFileSync(join(ELASTIC, 'guardduty/test-guardduty.log'), 'utf8'),
    readFileSync(join(ELASTIC, 'guardduty/newer-log-version/test-guardduty.log'), 'utf8'),
  ],
};

function input(text: string, path = ''): SniffInput {
  const head = text.slice(0, 65536);
  return { firstLine: head.split('\n').find((l) => l.trim() !== '') ?? '', head, path };
}

describe('sniff precision (S3 access, WAF, CloudFront, Network Firewall, GuardDuty)', () => {
  it('each format claims its own samples (≥ 0.85) and no other format scores above 0', () => {
    for (const [type, samples] of Object.entries(OWN)) {
      for (const sample of samples) {
        for (const format of FORMATS) {
          const score = format.sniff(input(sample));
          if (format.type === type) expect(score, `${type} on its own sample`).toBeGreaterThanOrEqual(0.85);
          else expect(score, `${format.type} on a ${type} sample`).toBe(0);
        }
      }
    }
  });

  it('all five score 0 on the other corpora (CloudTrail arrays/NDJSON, VPC flow, ELB, Route 53)', () => {
    const mine = new Set(['s3access', 'waf', 'guardduty']);
    const files = (readdirSync(ELASTIC, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.log') && !mine.has(f.split('/')[0]!))
      .map((f) => join(ELASTIC, f));
    for (const dir of ['cloudtrail/stratus', 'cloudtrail/otrf']) {
      for (const f of readdirSync(join(CORPORA, dir))) if (f.endsWith('.json')) files.push(join(CORPORA, dir, f));
    }
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const sample = input(readFileSync(file, 'utf8'), file);
      for (const format of FORMATS) expect(format.sniff(sample), `${format.type} on ${file}`).toBe(0);
    }
  });
});
