import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventParamsFor, loadMapping, resolveRemediation } from '../../../src/respond/index.js';

/** How a remediation target that receives a whole event gets its action's parameters (the mapping glue). */
const guardduty = (type: string, detail: Record<string, unknown> = {}) => ({
  version: '0',
  id: 'e1',
  'detail-type': 'GuardDuty Finding',
  source: 'aws.guardduty',
  account: '123456789012',
  region: 'us-east-1',
  detail: {
    type,
    resource: {
      resourceType: 'Instance',
      instanceDetails: { instanceId: 'i-0abc', networkInterfaces: [{ subnetId: 'subnet-1' }] },
    },
    service: {
      action: {
        actionType: 'NETWORK_CONNECTION',
        networkConnectionAction: { remoteIpDetails: { ipAddressV4: '198.51.100.77' } },
      },
    },
    ...detail,
  },
});

const configChange = (rule: string, compliance: string) => ({
  version: '0',
  id: 'c1',
  'detail-type': 'Config Rules Compliance Change',
  source: 'aws.config',
  account: '123456789012',
  region: 'us-east-1',
  detail: {
    configRuleName: rule,
    resourceId: 'my-bucket',
    resourceType: 'AWS::S3::Bucket',
    newEvaluationResult: { complianceType: compliance },
  },
});

describe('eventParamsFor', () => {
  it("the event's default action: its parameters from the mapping", () => {
    expect(eventParamsFor('ec2-nacl-deny-ip', guardduty('UnauthorizedAccess:EC2/SSHBruteForce'))).toEqual({
      ip: '198.51.100.77',
      subnetId: 'subnet-1',
    });
    expect(
      eventParamsFor(
        's3-block-public-access-bucket',
        configChange('s3-bucket-level-public-access-prohibited', 'NON_COMPLIANT'),
      ),
    ).toEqual({ bucket: 'my-bucket' });
  });

  it('another action than the default: read with a mapping entry for that action of the same kind', () => {
    expect(eventParamsFor('ec2-quarantine-instance', guardduty('UnauthorizedAccess:EC2/SSHBruteForce'))).toEqual({
      instanceId: 'i-0abc',
    });
  });

  it('says why when the mapping cannot help', () => {
    expect(eventParamsFor('dynamodb-enable-pitr', guardduty('UnauthorizedAccess:EC2/SSHBruteForce'))).toBe(
      "the mapping has no way to read dynamodb-enable-pitr's parameters from finding type UnauthorizedAccess:EC2/SSHBruteForce (its default action is ec2-nacl-deny-ip)",
    );
    expect(
      eventParamsFor(
        'ec2-quarantine-instance',
        configChange('s3-bucket-level-public-access-prohibited', 'NON_COMPLIANT'),
      ),
    ).toMatch(/^the mapping has no way to read ec2-quarantine-instance's parameters from Config rule s3-bucket-level/);
  });
});

describe('loadMapping (user overrides)', () => {
  it('replaces entries by key, removes defaults with null, keeps the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mapping-'));
    try {
      const file = join(dir, 'mapping.yaml');
      writeFileSync(
        file,
        `findingTypes:
  UnauthorizedAccess:EC2/SSHBruteForce:
    action: ec2-quarantine-instance
    params: { instanceId: $.detail.resource.instanceDetails.instanceId, snapshotVolumes: false }
configRules:
  s3-bucket-level-public-access-prohibited: null
`,
      );
      const m = loadMapping(file);
      const r = resolveRemediation(m, guardduty('UnauthorizedAccess:EC2/SSHBruteForce'));
      expect(r).toMatchObject({
        action: 'ec2-quarantine-instance',
        params: { instanceId: 'i-0abc', snapshotVolumes: false },
      });
      expect(
        resolveRemediation(m, configChange('s3-bucket-level-public-access-prohibited', 'NON_COMPLIANT')),
      ).toBeUndefined();
      expect(resolveRemediation(m, configChange('s3-bucket-versioning-enabled', 'NON_COMPLIANT'))?.action).toBe(
        's3-enable-versioning',
      );
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'findingTypes:\n  X: { action: nope }\n  Y: { params: {} }\nrules: {}\n');
      expect(() => loadMapping(bad)).toThrow(
        `--mapping ${bad}: findingTypes.X: unknown action "nope"; findingTypes.Y: needs an action (or null to remove the default); rules: unknown section (known: findingTypes, configRules)`,
      );
      writeFileSync(bad, 'findingTypes: [1');
      expect(() => loadMapping(bad)).toThrow(new RegExp(`^--mapping ${bad}: `));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
