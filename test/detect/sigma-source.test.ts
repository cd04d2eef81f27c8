/**
 * Sigma rules as a detection source (issue 4 §2): matches and correlations become GuardDuty-model findings with
 * the rule id, title, level-derived severity and the matched fields and values as the explanation.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { findingIdFor } from '../../src/detect/finding.js';
import { runDetection } from '../../src/detect/run.js';
import { camelTitle, LEVEL_SEVERITY, levelSeverity } from '../../src/detect/sources/sigma.js';
import type { Finding } from '../../src/detect/types.js';
import { CORPORA } from '../helpers/corpus.js';

const RULES = join(CORPORA, 'sigma/rules-aws');
const STRATUS = join(CORPORA, 'cloudtrail/stratus');

/** Rule title → {id, level} read from the corpus YAML (the expected values come from the rules themselves). */
function ruleIndex(): Map<string, { id: string; level: keyof typeof LEVEL_SEVERITY }> {
  const out = new Map<string, { id: string; level: keyof typeof LEVEL_SEVERITY }>();
  const dir = join(RULES, 'cloudtrail');
  for (const f of readdirSync(dir)) {
    const doc = parseYaml(readFileSync(join(dir, f), 'utf8')) as { title: string; id: string; level: string };
    out.set(doc.title, { id: doc.id, level: doc.level as keyof typeof LEVEL_SEVERITY });
  }
  return out;
}

/** Stratus technique file → Sigma rule titles expected to fire on it (and nothing else from Sigma). */
const EXPECTED: Record<string, string[]> = {
  'aws.defense-evasion.cloudtrail-stop.json': ['AWS CloudTrail Important Change'],
  'aws.defense-evasion.cloudtrail-delete.json': ['AWS CloudTrail Important Change'],
  'aws.defense-evasion.vpc-remove-flow-logs.json': ['AWS VPC Flow Logs Deleted'],
  'aws.persistence.iam-backdoor-user.json': ['AWS IAM Backdoor Users Keys'],
  'aws.initial-access.console-login-without-mfa.json': ['AWS Successful Console Login Without MFA'],
  'aws.execution.ssm-send-command.json': ['Potential Malicious Usage of CloudTrail System Manager'],
  'aws.exfiltration.ec2-share-ebs-snapshot.json': ['AWS Snapshot Backup Exfiltration'],
  'aws.exfiltration.rds-share-snapshot.json': [],
};

const sigmaOnly = (findings: Finding[]) => findings.filter((f) => f.type.startsWith('Sigma:'));

describe('Sigma matches as findings', () => {
  const rules = ruleIndex();

  it.each(Object.entries(EXPECTED))('%s', async (file, titles) => {
    const run = await runDetection([join(STRATUS, file)], { sigma: [RULES], builtin: false });
    expect(run.sources.sigma?.rules).toBe(57);
    expect(run.sources.sigma?.errors).toBe(0);
    const found = sigmaOnly(run.result.findings);
    expect(found.map((f) => f.title).sort()).toEqual([...titles].sort());
    for (const f of found) {
      const rule = rules.get(f.title)!;
      expect(f.type).toBe(`Sigma:aws.cloudtrail/${camelTitle(f.title)}`);
      expect(f.severity).toBe(LEVEL_SEVERITY[rule.level]);
      const ev = f.explanation.evidence as {
        sigma: { id: string; title: string; level: string; logsource: Record<string, string> };
        selections: { identifier: string; values: { field: string; actual: unknown }[] }[];
      };
      expect(ev.sigma.id).toBe(rule.id);
      expect(ev.sigma.level).toBe(rule.level);
      expect(ev.sigma.logsource).toEqual({ product: 'aws', service: 'cloudtrail' });
      expect(ev.selections.length).toBeGreaterThan(0);
      expect(f.explanation.detector).toBe('sigma');
      expect(f.explanation.reason).toContain(rule.id);
      expect(f.explanation.records[0]!.file).toBe(join(STRATUS, file));
      // The rule's own selection fields are in the explanation with the record's values.
      const record = JSON.parse(readFileSync(join(STRATUS, file), 'utf8')) as { Records?: unknown[] } | unknown[];
      const events = (Array.isArray(record) ? record : (record.Records ?? [record])) as Record<string, unknown>[];
      const names = new Set(events.map((e) => e.eventName));
      const eventNameValue = ev.selections.flatMap((s) => s.values).find((v) => v.field === 'eventName')?.actual;
      if (eventNameValue !== undefined) expect(names.has(eventNameValue)).toBe(true);
      expect(f.resource.resourceType).toBe('AccessKey');
      expect((f.service.action as { actionType: string }).actionType).toBe('AWS_API_CALL');
    }
  });

  it('runs beside the built-in detectors and maps levels onto GuardDuty bands', async () => {
    const run = await runDetection([join(STRATUS, 'aws.defense-evasion.cloudtrail-stop.json')], { sigma: [RULES] });
    const types = run.result.findings.map((f) => f.type);
    expect(types).toContain('Stealth:IAMUser/CloudTrailLoggingDisabled');
    expect(types).toContain('Sigma:aws.cloudtrail/AWSCloudTrailImportantChange');
    expect([1, 2, 5, 8, 9]).toEqual(
      ['informational', 'low', 'medium', 'high', 'critical'].map((l) => levelSeverity(l as 'low')),
    );
    expect(levelSeverity(undefined)).toBe(5);
  });

  it('gives the same deterministic ids on every run and aggregates repeats into one finding', async () => {
    const file = join(STRATUS, 'aws.discovery.ec2-download-user-data.json');
    const a = await runDetection([file], { sigma: [RULES], builtin: false });
    const b = await runDetection([file], { sigma: [RULES], builtin: false });
    expect(a.result.findings.map((f) => f.id)).toEqual(b.result.findings.map((f) => f.id));
    const misuse = a.result.findings.find((f) => f.title === 'AWS STS AssumeRole Misuse')!;
    expect(misuse.service.count).toBeGreaterThan(1);
    expect(misuse.explanation.recordCount).toBe(misuse.service.count);
    expect(misuse.id).toBe(findingIdFor(misuse.accountId, misuse.region, misuse.type, keyOf(misuse)));
  });
});

/** Recompute the finding key the Sigma source uses: rule id | caller ARN | source IP of the first record. */
function keyOf(f: Finding): string {
  const ev = f.explanation.evidence as { sigma: { id: string } };
  const { file, index } = f.explanation.records[0]!;
  const doc = JSON.parse(readFileSync(file, 'utf8')) as
    | Record<string, unknown>[]
    | { Records: Record<string, unknown>[] };
  const events = Array.isArray(doc) ? doc : doc.Records;
  const e = events[index ?? 0] as { userIdentity: { arn: string }; sourceIPAddress: string };
  return `${ev.sigma.id}|${e.userIdentity.arn}|${e.sourceIPAddress}`;
}

describe('Sigma findings with --state and --suppress', () => {
  it('a second run over the same records updates the same finding in the state file', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vigil-sigma-state-'));
    const state = join(d, 'state.db');
    const file = join(STRATUS, 'aws.defense-evasion.cloudtrail-stop.json');
    const a = await runDetection([file], { sigma: [RULES], builtin: false, state });
    const b = await runDetection([file], { sigma: [RULES], builtin: false, state });
    expect(a.result.stats.newFindings).toBe(1);
    expect(b.result.stats).toMatchObject({ newFindings: 0, updatedFindings: 1 });
    expect(b.result.findings[0]!.id).toBe(a.result.findings[0]!.id);
    expect(b.result.findings[0]!.service.count).toBe(2);
  });

  it('suppression rules archive Sigma findings by type and severity like any other', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vigil-sigma-suppress-'));
    const rule = join(d, 'suppress.yaml');
    writeFileSync(
      rule,
      'Name: known-trail-changes\nAction: ARCHIVE\nRank: 1\nFindingCriteria:\n  Criterion:\n    type: { Eq: ["Sigma:aws.cloudtrail/AWSCloudTrailImportantChange"] }\n    severity: { Lt: 7 }\n',
    );
    const run = await runDetection([join(STRATUS, 'aws.defense-evasion.cloudtrail-stop.json')], {
      sigma: [RULES],
      suppress: [rule],
    });
    const sigma = run.result.findings.find((f) => f.type.startsWith('Sigma:'))!;
    expect(sigma.service.archived).toBe(true);
    expect(sigma.explanation.archivedBy).toBe('known-trail-changes');
    const builtin = run.result.findings.find((f) => f.type === 'Stealth:IAMUser/CloudTrailLoggingDisabled')!;
    expect(builtin.service.archived).toBe(false);
  });
});

describe('Sigma on other log types', () => {
  it('a category: dns rule on Route 53 Resolver logs: DNS_REQUEST finding on the querying instance', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vigil-sigma-dns-'));
    writeFileSync(
      join(d, 'dns.yml'),
      'title: Mining pool lookup\nid: 7a1f4d2c-5b6e-4f70-8a91-b2c3d4e5f601\nlogsource: { category: dns }\ndetection:\n  sel: { query|contains: .supportxmr.com }\n  condition: sel\nlevel: critical\ntags: [attack.impact, attack.t1496]\n',
    );
    const q = (name: string, port: number) =>
      JSON.stringify({
        version: '1.100000',
        account_id: '111122223333',
        region: 'eu-west-1',
        vpc_id: 'vpc-1',
        query_timestamp: '2026-11-01T00:05:00Z',
        query_name: `${name}.`,
        query_type: 'A',
        query_class: 'IN',
        rcode: 'NOERROR',
        answers: [],
        srcaddr: '10.0.1.5',
        srcport: String(port),
        transport: 'UDP',
        srcids: { instance: 'i-0aaaaaaaaaaaaaaa1' },
      });
    writeFileSync(join(d, 'r53.log'), `${q('pool.supportxmr.com', 1)}\n${q('example.com', 2)}\n`);
    const run = await runDetection([join(d, 'r53.log')], { sigma: [join(d, 'dns.yml')], builtin: false });
    expect(run.result.findings).toHaveLength(1);
    const f = run.result.findings[0]!;
    expect(f.type).toBe('Sigma:dns/MiningPoolLookup');
    expect(f.severity).toBe(9);
    expect([f.accountId, f.region]).toEqual(['111122223333', 'eu-west-1']);
    expect(f.resource).toMatchObject({
      resourceType: 'Instance',
      instanceDetails: { instanceId: 'i-0aaaaaaaaaaaaaaa1' },
    });
    expect(f.service.action).toEqual({
      actionType: 'DNS_REQUEST',
      dnsRequestAction: { domain: 'pool.supportxmr.com', protocol: 'UDP', blocked: false },
    });
    expect(f.service.additionalInfo).toMatchObject({
      sigma: {
        ruleId: '7a1f4d2c-5b6e-4f70-8a91-b2c3d4e5f601',
        level: 'critical',
        tags: ['attack.impact', 'attack.t1496'],
      },
    });
    // The rule's field (query) is mapped to the native field and both appear in the explanation.
    expect(f.explanation.reason).toContain('"pool.supportxmr.com."');
  });
});

describe('Sigma correlations as findings', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-sigma-corr-'));
    writeFileSync(
      join(dir, 'rules.yml'),
      `title: IAM user listing
id: 0f6b3c1e-1c1a-4b55-9a10-3a4f1d1e0a01
name: iam_list_users
status: test
logsource: { product: aws, service: cloudtrail }
detection:
  selection: { eventSource: iam.amazonaws.com, eventName: ListUsers }
  condition: selection
level: low
---
title: Repeated IAM user listing
id: 0f6b3c1e-1c1a-4b55-9a10-3a4f1d1e0a02
name: repeated_listing
status: test
correlation:
  type: event_count
  rules: [iam_list_users]
  group-by: [userIdentity.arn]
  timespan: 5m
  condition: { gte: 3 }
level: high
`,
    );
    const ev = (user: string, i: number) => ({
      eventVersion: '1.09',
      userIdentity: {
        type: 'IAMUser',
        arn: `arn:aws:iam::111122223333:user/${user}`,
        accessKeyId: 'AKIAEXAMPLE',
        accountId: '111122223333',
      },
      eventTime: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString().replace('.000Z', 'Z'),
      eventSource: 'iam.amazonaws.com',
      eventName: 'ListUsers',
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.7',
      recipientAccountId: '111122223333',
    });
    const records = [ev('alice', 0), ev('bob', 0), ev('alice', 1), ev('alice', 2)];
    writeFileSync(join(dir, 'trail.json'), JSON.stringify({ Records: records }));
  });

  it('event_count fires once for the group that meets the condition; base matches are not reported alone', async () => {
    const run = await runDetection([join(dir, 'trail.json')], { sigma: [join(dir, 'rules.yml')], builtin: false });
    expect(run.sources.sigma).toMatchObject({ rules: 1, correlations: 1, errors: 0 });
    const found = run.result.findings;
    expect(found.map((f) => f.type)).toEqual(['Sigma:correlation/repeated_listing']);
    const f = found[0]!;
    expect(f.severity).toBe(8);
    expect(f.accountId).toBe('111122223333');
    const ev = f.explanation.evidence as { correlation: Record<string, unknown>; events: unknown[] };
    expect(ev.correlation).toMatchObject({
      type: 'event_count',
      group: { 'userIdentity.arn': 'arn:aws:iam::111122223333:user/alice' },
      value: 3,
      eventCount: 3,
    });
    expect(f.explanation.records.map((r) => r.index)).toEqual([0, 2, 3]);
    expect(f.service.eventFirstSeen).toBe('2026-11-01T00:00:00.000Z');
    expect(f.service.eventLastSeen).toBe('2026-11-01T00:02:00.000Z');
    expect(f.resource.resourceType).toBe('AccessKey');
  });
});
