import { describe, expect, it } from 'vitest';
import { eventParamsFor } from '../../../src/respond/index.js';

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
