import { describe, expect, it } from 'vitest';
import { detectRecords } from '../../src/detect/engine.js';
import { failsOn, visibleFindings } from '../../src/detect/run.js';
import { parseFilter } from '../../src/detect/suppress.js';
import { summarize, toAsff, toEventBridge, toJsonDocument, toJsonLines, toOcsf } from '../../src/report/findings.js';
import { formatFindingsTable } from '../../src/report/table.js';
import { ct, dns, flows, T0 } from './helpers.js';

const ssh = flows(
  Array.from({ length: 20 }, (_, i) => ({
    src: '203.0.113.45',
    dst: '10.0.0.20',
    sport: 40000 + i,
    dport: 22,
    at: T0 + i * 1000,
  })),
);
const mining = dns([{ name: 'pool.supportxmr.com', at: T0 + 60_000 }]);
const stop = ct(
  { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', requestParameters: { name: 'main' } },
  T0 + 120_000,
);
const res = detectRecords([...ssh, ...mining, stop]);
const [brute, btc, trail] = res.findings;

describe('finding JSON and exporters', () => {
  it('GuardDuty finding fields', () => {
    expect(res.findings.map((f) => f.type)).toEqual([
      'UnauthorizedAccess:EC2/SSHBruteForce',
      'CryptoCurrency:EC2/BitcoinTool.B!DNS',
      'Stealth:IAMUser/CloudTrailLoggingDisabled',
    ]);
    for (const f of res.findings) {
      for (const k of [
        'schemaVersion',
        'accountId',
        'region',
        'partition',
        'id',
        'arn',
        'type',
        'resource',
        'service',
        'severity',
        'createdAt',
        'updatedAt',
        'title',
        'description',
      ])
        expect(f).toHaveProperty(k);
      for (const k of [
        'serviceName',
        'detectorId',
        'action',
        'resourceRole',
        'eventFirstSeen',
        'eventLastSeen',
        'archived',
        'count',
      ])
        expect(f.service).toHaveProperty(k);
      expect(typeof f.severity).toBe('number');
      expect(f.explanation.records.length).toBeGreaterThan(0);
    }
    expect(brute!.service.action.actionType).toBe('NETWORK_CONNECTION');
    expect(btc!.service.action.actionType).toBe('DNS_REQUEST');
    expect(btc!.service.evidence?.threatIntelligenceDetails[0]?.threatListName).toBe('vigil-mining-pools');
  });

  it('jsonl: one finding per line; json: summary and findings', () => {
    const lines = toJsonLines(res.findings).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[1]!).type).toBe('CryptoCurrency:EC2/BitcoinTool.B!DNS');
    const doc = JSON.parse(toJsonDocument(res.findings));
    expect(doc.summary).toEqual({
      total: 3,
      archived: 0,
      bySeverity: { CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 2 },
      byType: {
        'UnauthorizedAccess:EC2/SSHBruteForce': 1,
        'CryptoCurrency:EC2/BitcoinTool.B!DNS': 1,
        'Stealth:IAMUser/CloudTrailLoggingDisabled': 1,
      },
    });
  });

  it('EventBridge: GuardDuty Finding envelope, deterministic id, source override', () => {
    const e = toEventBridge(btc!);
    expect(e).toMatchObject({
      version: '0',
      'detail-type': 'GuardDuty Finding',
      source: 'aws.guardduty',
      account: '111122223333',
      region: 'us-east-1',
      resources: [],
    });
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(toEventBridge(btc!).id).toBe(e.id);
    expect(e.time).toBe('2026-11-01T00:01:00Z');
    expect((e.detail as { id: string }).id).toBe(btc!.id);
    expect(toEventBridge(btc!, 'vigil.detect').source).toBe('vigil.detect');
  });

  it('OCSF Detection Finding 2004 with ATT&CK and cloud profile', () => {
    const o = toOcsf(btc!, '1.2.3');
    expect(o).toMatchObject({
      class_uid: 2004,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200401,
      severity_id: 4,
      severity: 'High',
      status_id: 1,
      cloud: { provider: 'AWS', region: 'us-east-1', account: { uid: '111122223333' } },
      metadata: { version: '1.3.0', product: { name: 'Vigil', version: '1.2.3' } },
    });
    const fi = o.finding_info as Record<string, unknown>;
    expect(fi.uid).toBe(btc!.id);
    expect(fi.types).toEqual(['CryptoCurrency:EC2/BitcoinTool.B!DNS']);
    expect(fi.attacks).toEqual([
      { tactic: { name: 'Impact' }, technique: { uid: 'T1496', name: 'Resource Hijacking' } },
    ]);
    expect(o.time).toBe(Date.parse(btc!.updatedAt));
    expect(toOcsf(trail!).severity_id).toBe(2);
  });

  it('ASFF with required fields, normalised severity and the action in PascalCase', () => {
    const a = toAsff(brute!);
    for (const k of [
      'SchemaVersion',
      'Id',
      'ProductArn',
      'GeneratorId',
      'AwsAccountId',
      'Types',
      'CreatedAt',
      'UpdatedAt',
      'Severity',
      'Title',
      'Description',
      'Resources',
    ])
      expect(a).toHaveProperty(k);
    expect(a.ProductArn).toBe('arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default');
    expect(a.Severity).toEqual({ Label: 'LOW', Normalized: 20, Original: '2' });
    expect(a.Types).toEqual(['TTPs/Credential Access/UnauthorizedAccess:EC2-SSHBruteForce']);
    expect(a.Resources).toEqual([
      { Type: 'AwsEc2Instance', Id: 'i-0123456789abcdef0', Partition: 'aws', Region: 'us-east-1' },
    ]);
    expect(
      (a.Action as { NetworkConnectionAction: { ConnectionDirection: string } }).NetworkConnectionAction
        .ConnectionDirection,
    ).toBe('INBOUND');
    expect(a.RecordState).toBe('ACTIVE');
  });

  it('table ends with counts by severity and type; --explain prints reasons and records', () => {
    const t = formatFindingsTable(res.findings, { explain: true });
    expect(t).toContain('Findings by severity:');
    expect(t).toMatch(/HIGH\s+1\nMEDIUM\s+0\nLOW\s+2/);
    expect(t).toMatch(/Findings by type:[\s\S]*CryptoCurrency:EC2\/BitcoinTool.B!DNS\s+1/);
    expect(t.trimEnd().endsWith('3 findings')).toBe(true);
    expect(t).toContain('why: query_name pool.supportxmr.com matches supportxmr.com');
    expect(t).toContain('records: <route53resolver>:1');
    expect(formatFindingsTable([])).toBe('No findings.\n');
  });

  it('min-severity, archived filtering and fail-on gating', () => {
    expect(visibleFindings(res.findings, 'HIGH').map((f) => f.type)).toEqual(['CryptoCurrency:EC2/BitcoinTool.B!DNS']);
    expect(failsOn(res.findings, 'HIGH')).toBe(true);
    expect(failsOn(res.findings, 'CRITICAL')).toBe(false);
    expect(failsOn(res.findings, undefined)).toBe(false);
    const archive = parseFilter(
      { Name: 'ok-mining', FindingCriteria: { Criterion: { type: { Eq: ['CryptoCurrency:EC2/BitcoinTool.B!DNS'] } } } },
      't',
    );
    const arch = detectRecords([...ssh, ...mining], { suppressions: [archive] }).findings;
    expect(visibleFindings(arch).map((f) => f.type)).toEqual(['UnauthorizedAccess:EC2/SSHBruteForce']);
    expect(visibleFindings(arch, undefined, true)).toHaveLength(2);
    expect(failsOn(arch, 'HIGH')).toBe(false);
    expect(summarize(arch).archived).toBe(1);
    expect(toOcsf(arch.find((f) => f.service.archived)!).status_id).toBe(3);
    expect(toAsff(arch.find((f) => f.service.archived)!).Workflow).toEqual({ Status: 'SUPPRESSED' });
  });
});
