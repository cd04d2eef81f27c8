import { describe, expect, it } from 'vitest';
import { asffResourceType, fingerprint, toAsff, toOcsf } from '../../src/posture/report/index.js';
import { ci, run } from './helpers.js';

const sg = ci('AWS::EC2::SecurityGroup', 'sg-1', {
  arn: 'arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1',
  configuration: { ipPermissions: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: ['0.0.0.0/0'] }] },
});
const [e] = run('restricted-ssh', [sg]);

describe('posture report projections', () => {
  it('OCSF Compliance Finding 2003', () => {
    const o = JSON.parse(JSON.stringify(toOcsf(e!, '1.2.3')));
    expect(o).toMatchObject({
      class_uid: 2003,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200301,
      severity_id: 4,
      severity: 'High',
      metadata: { product: { name: 'Vigil', version: '1.2.3' }, version: '1.3.0' },
      cloud: { provider: 'AWS', region: 'eu-west-1', account: { uid: '111122223333' } },
    });
    expect(o.time).toBe(Date.parse(e!.orderingTimestamp));
    expect(o.compliance).toMatchObject({
      control: 'INCOMING_SSH_DISABLED',
      status_id: 3,
      status: 'Fail',
      status_detail: 'ingress tcp port 22 from 0.0.0.0/0 includes SSH port 22',
      standards: ['cis-aws-4.0.1'],
      requirements: ['cis-aws-4.0.1:5.3', 'cis-aws-4.0.1:5.4'],
    });
    expect(o.finding_info.uid).toBe(fingerprint(e!));
    expect(o.resources[0]).toEqual({ uid: sg.arn, name: 'sg-1', type: 'AWS::EC2::SecurityGroup', region: 'eu-west-1' });
    expect(o.remediation.references).toEqual(['AWS-DisableIncomingSSHOnPort22']);
  });
  it('ASFF with a deterministic id', () => {
    const a = JSON.parse(JSON.stringify(toAsff(e!)));
    expect(a.Id).toBe(toAsff(run('restricted-ssh', [sg])[0]!).Id);
    expect(a.Id).toMatch(/^vigil-incoming_ssh_disabled-111122223333-eu-west-1-[0-9a-f]{16}$/);
    expect(a).toMatchObject({
      SchemaVersion: '2018-10-08',
      ProductArn: 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default',
      GeneratorId: 'INCOMING_SSH_DISABLED',
      Severity: { Label: 'HIGH' },
      Compliance: { Status: 'FAILED' },
      Resources: [{ Type: 'AwsEc2SecurityGroup', Id: sg.arn, Region: 'eu-west-1' }],
    });
    expect(asffResourceType('AWS::::Account')).toBe('AwsAccount');
    expect(asffResourceType('AWS::RDS::DBInstance')).toBe('AwsRdsDbInstance');
    expect(asffResourceType('AWS::EC2::VPC')).toBe('AwsEc2Vpc');
    expect(asffResourceType('AWS::S3::Bucket')).toBe('AwsS3Bucket');
    expect(asffResourceType('AWS::DynamoDB::Table')).toBe('AwsDynamoDbTable');
  });
});
