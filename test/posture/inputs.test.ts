import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ParseIssue } from '../../src/ingest/types.js';
import { InventoryBuilder, loadInventory } from '../../src/posture/inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-posture-'));

// Shape of a Config snapshot file delivered to S3 (config-rules.md §1.2: ARN upper case, configuration an object).
const sgItem = {
  configurationItemVersion: '1.3',
  configurationItemCaptureTime: '2026-11-01T10:00:00.000Z',
  configurationStateId: 1,
  awsAccountId: '111122223333',
  configurationItemStatus: 'ResourceDiscovered',
  resourceType: 'AWS::EC2::SecurityGroup',
  resourceId: 'sg-0a1',
  resourceName: 'web',
  ARN: 'arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0a1',
  awsRegion: 'eu-west-1',
  tags: { Owner: 'ops' },
  relationships: [{ resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-1', name: 'Is contained in Vpc' }],
  configuration: { groupId: 'sg-0a1', ipPermissions: [] },
  supplementaryConfiguration: {},
};

describe('posture inputs', () => {
  it('reads a gzipped Config snapshot file and normalises the CI', () => {
    const f = join(dir, 'snap.json.gz');
    writeFileSync(
      f,
      gzipSync(JSON.stringify({ fileVersion: '1.0', configSnapshotId: 'x', configurationItems: [sgItem] })),
    );
    const issues: ParseIssue[] = [];
    const inv = loadInventory([f], (i) => issues.push(i));
    expect(issues).toEqual([]);
    expect(inv.items).toHaveLength(1);
    const ci = inv.items[0]!;
    expect(ci.arn).toBe(sgItem.ARN);
    expect(ci.relationships[0]).toEqual({
      resourceType: 'AWS::EC2::VPC',
      resourceId: 'vpc-1',
      resourceName: undefined,
      relationshipName: 'Is contained in Vpc',
    });
    expect(ci.tags).toEqual({ Owner: 'ops' });
    expect(inv.collectedTypes).toBeUndefined();
  });

  it('API form: configuration and supplementaryConfiguration values are JSON strings', () => {
    const b = new InventoryBuilder(() => {});
    b.addDocument(
      {
        configurationItems: [
          {
            accountId: '111122223333',
            arn: 'arn:aws:s3:::b1',
            resourceType: 'AWS::S3::Bucket',
            resourceId: 'b1',
            awsRegion: 'us-east-1',
            configuration: '{"name":"b1"}',
            supplementaryConfiguration: { BucketPolicy: '{"policyText":null}', AccessControlList: '{"grantList":[]}' },
            tags: [{ key: 'env', value: 'prod' }],
          },
        ],
      },
      'api.json',
    );
    const ci = b.build().items[0]!;
    expect(ci.configuration).toEqual({ name: 'b1' });
    expect(ci.supplementaryConfiguration.AccessControlList).toEqual({ grantList: [] });
    expect(ci.tags).toEqual({ env: 'prod' });
    expect(ci.awsAccountId).toBe('111122223333');
  });

  it('history: newest version wins; a deleted resource drops out', () => {
    const older = { ...sgItem, configuration: { groupId: 'sg-0a1', v: 1 } };
    const newer = { ...sgItem, configurationItemCaptureTime: '2026-11-02T00:00:00.000Z', configuration: { v: 2 } };
    const gone = { ...sgItem, resourceId: 'sg-dead', configurationItemStatus: 'ResourceDeleted' };
    const f = join(dir, 'history.json');
    writeFileSync(f, JSON.stringify({ fileVersion: '1.0', configurationItems: [newer, older, gone] }));
    const inv = loadInventory([f], () => {});
    expect(inv.items.map((i) => i.configuration)).toEqual([{ v: 2 }]);
    expect(inv.capturedAt).toBe('2026-11-02T00:00:00.000Z');
  });

  it('change notifications as JSON Lines (Lambda form and EventBridge envelope), bad lines located', () => {
    const n1 = { messageType: 'ConfigurationItemChangeNotification', configurationItem: sgItem };
    const n2 = {
      'detail-type': 'Config Configuration Item Change',
      source: 'aws.config',
      detail: {
        messageType: 'ConfigurationItemChangeNotification',
        configurationItem: { ...sgItem, resourceId: 'sg-2' },
      },
    };
    const n3 = {
      messageType: 'OversizedConfigurationItemChangeNotification',
      configurationItemSummary: { resourceType: 'AWS::EC2::Instance', resourceId: 'i-1' },
    };
    const f = join(dir, 'notes.jsonl');
    writeFileSync(f, `${JSON.stringify(n1)}\n{oops\n${JSON.stringify(n2)}\n${JSON.stringify(n3)}\n`);
    const issues: ParseIssue[] = [];
    const inv = loadInventory([f], (i) => issues.push(i));
    expect(inv.items.map((i) => i.resourceId).sort()).toEqual(['sg-0a1', 'sg-2']);
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({ file: f, line: 2 });
    expect(issues[0]!.reason).toMatch(/invalid JSON/);
    expect(issues[1]).toMatchObject({ line: 4 });
    expect(issues[1]!.reason).toMatch(/oversized change notification for AWS::EC2::Instance i-1/);
  });

  it('Vigil snapshot keeps collected types; bad items reported with their index, others kept', () => {
    const f = join(dir, 'vigil.json');
    writeFileSync(
      f,
      JSON.stringify({
        vigilSnapshot: 1,
        collectedAt: '2026-11-03T00:00:00.000Z',
        collectedTypes: ['AWS::EC2::SecurityGroup'],
        errors: [],
        configurationItems: [sgItem, { resourceType: 'AWS::EC2::VPC' }, { resourceId: 'x', awsAccountId: '1' }],
      }),
    );
    const issues: ParseIssue[] = [];
    const inv = loadInventory([f, join(dir, 'missing.json')], (i) => issues.push(i));
    expect(inv.items).toHaveLength(1);
    expect([...(inv.collectedTypes ?? [])]).toEqual(['AWS::EC2::SecurityGroup']);
    expect(inv.capturedAt).toBe('2026-11-03T00:00:00.000Z');
    expect(issues.map((i) => i.reason)).toEqual([
      'configuration item of type AWS::EC2::VPC has no resourceId (configurationItems[1])',
      'configuration item has no resourceType (configurationItems[2])',
      expect.stringMatching(/^cannot read: ENOENT/),
    ]);
  });

  it('rejects an unrelated JSON document and non-JSON text with a clear reason', () => {
    const issues: ParseIssue[] = [];
    const b = new InventoryBuilder((i) => issues.push(i));
    b.addText('{"hello":1}', 'a.json');
    b.addText('not json at all', 'b.txt');
    expect(issues[0]!.reason).toMatch(/not a Config snapshot/);
    expect(issues[1]).toMatchObject({ file: 'b.txt', line: 1 });
    expect(issues[1]!.reason).toMatch(/not valid JSON or JSON Lines/);
  });
});
