import { describe, expect, it } from 'vitest';
import { ACCOUNT, account, ci, one } from '../helpers.js';

const sg = (id: string, ipPermissions: unknown[], extra: Record<string, unknown> = {}) =>
  ci('AWS::EC2::SecurityGroup', id, { configuration: { groupId: id, groupName: id, ipPermissions, ...extra } });

// Config CI serialisation: ipv4Ranges objects plus ipRanges plain strings (config-rules.md §1.3).
const open = (proto: string, from: number, to: number, cidr = '0.0.0.0/0') =>
  cidr.includes(':')
    ? { ipProtocol: proto, fromPort: from, toPort: to, ipv6Ranges: [{ cidrIpv6: cidr }], ipv4Ranges: [], ipRanges: [] }
    : { ipProtocol: proto, fromPort: from, toPort: to, ipv4Ranges: [{ cidrIp: cidr }], ipRanges: [cidr] };

describe('restricted-ssh (INCOMING_SSH_DISABLED)', () => {
  it('NON_COMPLIANT for 22 from 0.0.0.0/0, naming the permission', () => {
    const e = one('restricted-ssh', [sg('sg-1', [open('tcp', 443, 443), open('tcp', 22, 22)])], 'sg-1');
    expect(e.complianceType).toBe('NON_COMPLIANT');
    expect(e.identifier).toBe('INCOMING_SSH_DISABLED');
    expect(e.annotation).toBe('ingress tcp port 22 from 0.0.0.0/0 includes SSH port 22');
    expect(e.evidence[0]!.path).toBe('configuration.ipPermissions[1]');
  });
  it('a range containing 22, IPv6 ::/0 and protocol -1 also fail (Config semantics, not Guard FromPort=ToPort)', () => {
    expect(one('restricted-ssh', [sg('a', [open('tcp', 0, 65535)])], 'a').complianceType).toBe('NON_COMPLIANT');
    expect(one('restricted-ssh', [sg('b', [open('tcp', 22, 22, '::/0')])], 'b').annotation).toMatch(/::\/0/);
    expect(one('restricted-ssh', [sg('c', [{ ipProtocol: '-1', ipRanges: ['0.0.0.0/0'] }])], 'c').complianceType).toBe(
      'NON_COMPLIANT',
    );
  });
  it('COMPLIANT for 22 from a private range, or UDP 22 from anywhere', () => {
    expect(one('restricted-ssh', [sg('a', [open('tcp', 22, 22, '10.0.0.0/8')])], 'a').complianceType).toBe('COMPLIANT');
    expect(one('restricted-ssh', [sg('b', [open('udp', 22, 22)])], 'b').complianceType).toBe('COMPLIANT');
  });
  it('accepts the SDK PascalCase shape too', () => {
    const sdk = ci('AWS::EC2::SecurityGroup', 's', {
      configuration: {
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      },
    });
    expect(one('restricted-ssh', [sdk], 's').complianceType).toBe('NON_COMPLIANT');
  });
});

describe('restricted-common-ports (RESTRICTED_INCOMING_TRAFFIC)', () => {
  it('defaults block 20, 21, 3389, 3306, 4333', () => {
    const e = one('restricted-common-ports', [sg('a', [open('tcp', 3300, 3400)])], 'a');
    expect(e.complianceType).toBe('NON_COMPLIANT');
    expect(e.annotation).toBe('ingress tcp ports 3300-3400 from 0.0.0.0/0 includes blocked port 3389');
    expect(one('restricted-common-ports', [sg('b', [open('tcp', 443, 443)])], 'b').complianceType).toBe('COMPLIANT');
  });
  it('blockedPortN parameters replace the defaults (string InputParameters accepted)', () => {
    const items = [sg('a', [open('tcp', 443, 443)])];
    expect(one('restricted-common-ports', items, 'a', { blockedPort1: '443' }).annotation).toMatch(/blocked port 443/);
  });
  it('a bad parameter is an error, not a silent default', () => {
    expect(() => one('restricted-common-ports', [sg('a', [])], 'a', { blockedPort1: 'ssh' })).toThrow(
      /blockedPort1 must be an integer/,
    );
    expect(() => one('restricted-common-ports', [sg('a', [])], 'a', { blockedPort9: '1' })).toThrow(
      /unknown parameter/,
    );
  });
});

describe('vpc-sg-open-only-to-authorized-ports', () => {
  it('authorized TCP ports and ranges pass; others fail', () => {
    const items = [sg('a', [open('tcp', 443, 443), open('tcp', 1020, 1022)]), sg('b', [open('tcp', 8080, 8080)])];
    const p = { authorizedTcpPorts: '443,1020-1025' };
    expect(one('vpc-sg-open-only-to-authorized-ports', items, 'a', p).complianceType).toBe('COMPLIANT');
    const b = one('vpc-sg-open-only-to-authorized-ports', items, 'b', p);
    expect(b.complianceType).toBe('NON_COMPLIANT');
    expect(b.annotation).toMatch(/tcp port 8080 .* not within the authorized tcp ports/);
  });
  it('restricted sources are out of scope', () => {
    expect(
      one('vpc-sg-open-only-to-authorized-ports', [sg('a', [open('tcp', 1, 100, '10.1.0.0/16')])], 'a').complianceType,
    ).toBe('COMPLIANT');
  });
});

describe('vpc-default-security-group-closed', () => {
  it('default group with rules fails, empty passes, other groups not applicable', () => {
    const d1 = ci('AWS::EC2::SecurityGroup', 'sg-d1', {
      configuration: {
        groupName: 'default',
        ipPermissions: [{ ipProtocol: '-1' }],
        ipPermissionsEgress: [{ ipProtocol: '-1' }],
      },
    });
    const d2 = ci('AWS::EC2::SecurityGroup', 'sg-d2', {
      configuration: { groupName: 'default', ipPermissions: [], ipPermissionsEgress: [] },
    });
    const items = [d1, d2, sg('web', [])];
    expect(one('vpc-default-security-group-closed', items, 'sg-d1').annotation).toBe(
      'default security group has 1 inbound and 1 outbound rules',
    );
    expect(one('vpc-default-security-group-closed', items, 'sg-d2').complianceType).toBe('COMPLIANT');
    expect(one('vpc-default-security-group-closed', items, 'web').complianceType).toBe('NOT_APPLICABLE');
  });
});

describe('eip-attached', () => {
  it('associated passes, unassociated fails with its address', () => {
    const a = ci('AWS::EC2::EIP', 'eipalloc-1', {
      configuration: {
        allocationId: 'eipalloc-1',
        publicIp: '198.51.100.7',
        instanceId: 'i-1',
        associationId: 'eipassoc-1',
      },
    });
    const b = ci('AWS::EC2::EIP', 'eipalloc-2', {
      configuration: { allocationId: 'eipalloc-2', publicIp: '198.51.100.8' },
    });
    expect(one('eip-attached', [a, b], 'eipalloc-1').annotation).toBe('attached (instance i-1)');
    const e = one('eip-attached', [a, b], 'eipalloc-2');
    expect(e.complianceType).toBe('NON_COMPLIANT');
    expect(e.annotation).toBe('Elastic IP 198.51.100.8 is not associated');
  });
});

describe('encrypted-volumes', () => {
  const vol = (id: string, c: Record<string, unknown>) =>
    ci('AWS::EC2::Volume', id, { configuration: { attachments: [{ instanceId: 'i-1' }], ...c } });
  it('encrypted, unencrypted, wrong key, unattached', () => {
    const items = [
      vol('v1', { encrypted: true, kmsKeyId: 'arn:aws:kms:eu-west-1:1:key/k1' }),
      vol('v2', { encrypted: false }),
      ci('AWS::EC2::Volume', 'v3', { configuration: { attachments: [], encrypted: false } }),
    ];
    expect(one('encrypted-volumes', items, 'v1').complianceType).toBe('COMPLIANT');
    expect(one('encrypted-volumes', items, 'v2').complianceType).toBe('NON_COMPLIANT');
    expect(one('encrypted-volumes', items, 'v3').complianceType).toBe('NOT_APPLICABLE');
    expect(one('encrypted-volumes', items, 'v1', { kmsId: 'k2' }).annotation).toMatch(/not k2/);
    expect(one('encrypted-volumes', items, 'v1', { kmsId: 'k1' }).complianceType).toBe('COMPLIANT');
  });
});

describe('ec2-ebs-encryption-by-default', () => {
  it('per-region facts; missing facts are INSUFFICIENT_DATA', () => {
    expect(
      one(
        'ec2-ebs-encryption-by-default',
        [account({ ebsEncryptionByDefault: { 'eu-west-1': true, 'us-east-1': false } })],
        ACCOUNT,
      ).annotation,
    ).toBe('EBS encryption by default is disabled in us-east-1');
    expect(
      one('ec2-ebs-encryption-by-default', [account({ ebsEncryptionByDefault: { 'eu-west-1': true } })], ACCOUNT)
        .complianceType,
    ).toBe('COMPLIANT');
    // no account CI at all: one is synthesised from the other items, with no facts
    expect(one('ec2-ebs-encryption-by-default', [ci('AWS::EC2::VPC', 'vpc-1')], ACCOUNT).complianceType).toBe(
      'INSUFFICIENT_DATA',
    );
  });
});

describe('vpc-flow-logs-enabled', () => {
  const vpc = ci('AWS::EC2::VPC', 'vpc-1', { configuration: { vpcId: 'vpc-1' } });
  const fl = (traffic: string, status = 'ACTIVE') =>
    ci('AWS::EC2::FlowLog', `fl-${traffic}`, {
      configuration: { flowLogId: `fl-${traffic}`, resourceId: 'vpc-1', trafficType: traffic, flowLogStatus: status },
    });
  it('flow log items are joined to the VPC; trafficType parameter honoured', () => {
    expect(one('vpc-flow-logs-enabled', [vpc, fl('REJECT')], 'vpc-1').complianceType).toBe('COMPLIANT');
    expect(one('vpc-flow-logs-enabled', [vpc, fl('REJECT')], 'vpc-1', { trafficType: 'ALL' }).annotation).toBe(
      'no active flow log with traffic type ALL for vpc-1',
    );
    expect(
      one('vpc-flow-logs-enabled', [vpc], 'vpc-1', {}, ['AWS::EC2::VPC', 'AWS::EC2::FlowLog']).complianceType,
    ).toBe('NON_COMPLIANT');
  });
  it('flow logs not collected → INSUFFICIENT_DATA, not NON_COMPLIANT', () => {
    expect(one('vpc-flow-logs-enabled', [vpc], 'vpc-1', {}, ['AWS::EC2::VPC']).complianceType).toBe(
      'INSUFFICIENT_DATA',
    );
  });
});

describe('ec2-instance-no-public-ip / ec2-imdsv2-check', () => {
  const i1 = ci('AWS::EC2::Instance', 'i-1', {
    configuration: { publicIpAddress: '203.0.113.5', metadataOptions: { httpTokens: 'optional' } },
  });
  const i2 = ci('AWS::EC2::Instance', 'i-2', {
    configuration: { state: { name: 'running' }, metadataOptions: { httpTokens: 'required' } },
  });
  const i3 = ci('AWS::EC2::Instance', 'i-3', { configuration: {} });
  it('public IP', () => {
    expect(one('ec2-instance-no-public-ip', [i1, i2], 'i-1').annotation).toBe('instance has public IP 203.0.113.5');
    expect(one('ec2-instance-no-public-ip', [i1, i2], 'i-2').complianceType).toBe('COMPLIANT');
    expect(one('ec2-instance-no-public-ip', [i3], 'i-3').annotation).toBe('instance state not recorded');
  });
  it('IMDSv2', () => {
    expect(one('ec2-imdsv2-check', [i1, i2, i3], 'i-1').annotation).toBe('HttpTokens is optional (IMDSv1 allowed)');
    expect(one('ec2-imdsv2-check', [i1, i2, i3], 'i-2').complianceType).toBe('COMPLIANT');
    expect(one('ec2-imdsv2-check', [i1, i2, i3], 'i-3').complianceType).toBe('INSUFFICIENT_DATA');
  });
});

describe('ebs-snapshot-public-restorable-check', () => {
  it('group all is public', () => {
    const s1 = ci('AWS::EC2::Snapshot', 'snap-1', {
      supplementaryConfiguration: { CreateVolumePermissions: [{ group: 'all' }] },
    });
    const s2 = ci('AWS::EC2::Snapshot', 'snap-2', {
      supplementaryConfiguration: { CreateVolumePermissions: [{ userId: '444455556666' }] },
    });
    expect(one('ebs-snapshot-public-restorable-check', [s1, s2], ACCOUNT).annotation).toBe(
      '1 snapshot(s) restorable by anyone: snap-1',
    );
    expect(one('ebs-snapshot-public-restorable-check', [s2], ACCOUNT).complianceType).toBe('COMPLIANT');
  });
});

describe('required-tags', () => {
  it('tag1Key defaults to CostCenter; values restrict when given', () => {
    const a = ci('AWS::S3::Bucket', 'a', { tags: { CostCenter: 'x1' } });
    const b = ci('AWS::S3::Bucket', 'b', { tags: {} });
    expect(one('required-tags', [a, b], 'a').complianceType).toBe('COMPLIANT');
    expect(one('required-tags', [a, b], 'b').annotation).toBe('missing tag CostCenter');
    expect(one('required-tags', [a, b], 'a', { tag1Value: 'x2,x3' }).annotation).toBe(
      'tag CostCenter=x1 is not one of x2, x3',
    );
    expect(one('required-tags', [a, b], 'a', { tag2Key: 'Owner' }).annotation).toBe('missing tag Owner');
  });
  it('out-of-scope types are not evaluated', () => {
    expect(() => one('required-tags', [ci('AWS::IAM::User', 'u')], 'u')).toThrow(/got 0/);
  });
});
