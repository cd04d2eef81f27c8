/** CloudFormation's drift comparison rules (specs/cloudformation.md §10.4–10.5), one rule per case. */
import { describe, expect, it } from 'vitest';
import { canonicalPolicy, diff, dropPaths, project } from '../../src/drift/compare.js';
import type { PropertyDifference } from '../../src/drift/types.js';

const SG = 'AWS::EC2::SecurityGroup';
const d = (type: string, expected: Record<string, unknown>, actual: Record<string, unknown>) => {
  const out: PropertyDifference[] = [];
  for (const k of Object.keys(expected)) diff(type, [k], expected[k], actual[k], out);
  return out;
};
const rule = (port: number, cidr: string) => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port, CidrIp: cidr });

describe('drift comparison', () => {
  it('compares only properties set in the template (AWS defaults and unset properties do not count)', () => {
    expect(
      d(
        'AWS::S3::Bucket',
        { BucketName: 'b', VersioningConfiguration: { Status: 'Enabled' } },
        {
          BucketName: 'b',
          VersioningConfiguration: { Status: 'Enabled', MfaDelete: 'Disabled' },
          BucketEncryption: { ServerSideEncryptionConfiguration: [] },
        },
      ),
    ).toEqual([]);
  });

  it('a property set in the template and gone is REMOVE; a changed scalar is NOT_EQUAL with JSON text values', () => {
    expect(
      d(
        'AWS::S3::Bucket',
        { BucketName: 'b', VersioningConfiguration: { Status: 'Enabled' } },
        {
          BucketName: 'b',
          VersioningConfiguration: { Status: 'Suspended' },
        },
      ),
    ).toEqual([
      {
        PropertyPath: '/VersioningConfiguration/Status',
        ExpectedValue: '"Enabled"',
        ActualValue: '"Suspended"',
        DifferenceType: 'NOT_EQUAL',
      },
    ]);
    expect(d('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: 'l' } }, {})).toEqual([
      {
        PropertyPath: '/LoggingConfiguration',
        ExpectedValue: '{"DestinationBucketName":"l"}',
        ActualValue: 'null',
        DifferenceType: 'REMOVE',
      },
    ]);
  });

  it('numbers equal numeric strings and booleans equal "true"/"false"', () => {
    expect(
      d(
        'AWS::RDS::DBInstance',
        { AllocatedStorage: '20', MultiAZ: 'false', PubliclyAccessible: true, Port: '05432' },
        { AllocatedStorage: 20, MultiAZ: false, PubliclyAccessible: 'true', Port: 5432 },
      ),
    ).toEqual([]);
    expect(d('AWS::RDS::DBInstance', { AllocatedStorage: '20' }, { AllocatedStorage: 30 })[0]).toMatchObject({
      PropertyPath: '/AllocatedStorage',
      ExpectedValue: '"20"',
      ActualValue: '30',
      DifferenceType: 'NOT_EQUAL',
    });
  });

  it('SecurityGroupIngress is a set: order does not matter, an extra rule is ADD at its actual index', () => {
    const expected = { SecurityGroupIngress: [rule(443, '10.0.0.0/8'), rule(80, '10.0.0.0/8')] };
    expect(d(SG, expected, { SecurityGroupIngress: [rule(80, '10.0.0.0/8'), rule(443, '10.0.0.0/8')] })).toEqual([]);
    expect(
      d(SG, expected, {
        SecurityGroupIngress: [rule(80, '10.0.0.0/8'), rule(22, '0.0.0.0/0'), rule(443, '10.0.0.0/8')],
      }),
    ).toEqual([
      {
        PropertyPath: '/SecurityGroupIngress/1',
        ExpectedValue: 'null',
        ActualValue: JSON.stringify(rule(22, '0.0.0.0/0')),
        DifferenceType: 'ADD',
      },
    ]);
    expect(d(SG, expected, { SecurityGroupIngress: [rule(443, '10.0.0.0/8')] })).toEqual([
      {
        PropertyPath: '/SecurityGroupIngress/1',
        ExpectedValue: JSON.stringify(rule(80, '10.0.0.0/8')),
        ActualValue: 'null',
        DifferenceType: 'REMOVE',
      },
    ]);
  });

  it('a set item equals an actual item with extra default fields; duplicates count (multiset)', () => {
    const exp = { SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: '22', ToPort: '22', CidrIp: '10.0.0.0/8' }] };
    expect(d(SG, exp, { SecurityGroupIngress: [{ ...rule(22, '10.0.0.0/8'), Description: '' }] })).toEqual([]);
    const two = { SecurityGroupIngress: [rule(22, '10.0.0.0/8'), rule(22, '10.0.0.0/8')] };
    expect(d(SG, two, { SecurityGroupIngress: [rule(22, '10.0.0.0/8')] }).map((x) => x.DifferenceType)).toEqual([
      'REMOVE',
    ]);
  });

  it('Tags compare as a set paired by Key: a changed value is NOT_EQUAL at /Tags/<i>/Value', () => {
    const tags = [
      { Key: 'env', Value: 'prod' },
      { Key: 'team', Value: 'core' },
    ];
    expect(d('AWS::S3::Bucket', { Tags: tags }, { Tags: [tags[1], tags[0]] })).toEqual([]);
    expect(
      d(
        'AWS::S3::Bucket',
        { Tags: tags },
        {
          Tags: [
            { Key: 'team', Value: 'core' },
            { Key: 'env', Value: 'dev' },
            { Key: 'x', Value: 'y' },
          ],
        },
      ),
    ).toEqual([
      { PropertyPath: '/Tags/0/Value', ExpectedValue: '"prod"', ActualValue: '"dev"', DifferenceType: 'NOT_EQUAL' },
      { PropertyPath: '/Tags/2', ExpectedValue: 'null', ActualValue: '{"Key":"x","Value":"y"}', DifferenceType: 'ADD' },
    ]);
  });

  it('ordered lists (insertionOrder true) compare by position', () => {
    const ks = [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ];
    expect(
      d('AWS::DynamoDB::Table', { KeySchema: ks }, { KeySchema: [ks[1], ks[0]] }).map((x) => x.PropertyPath),
    ).toEqual([
      '/KeySchema/0/AttributeName',
      '/KeySchema/0/KeyType',
      '/KeySchema/1/AttributeName',
      '/KeySchema/1/KeyType',
    ]);
  });

  it('policy documents compare semantically: text vs object, URL-encoding, one value vs a list, order', () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        { Effect: 'Deny', Principal: { AWS: '*' }, Action: ['s3:GetObject', 's3:PutObject'] },
      ],
    };
    const live = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Principal: { AWS: ['*'] }, Action: ['s3:PutObject', 's3:GetObject'] },
        { Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
      ],
    };
    expect(canonicalPolicy(doc)).toEqual(canonicalPolicy(encodeURIComponent(JSON.stringify(live))));
    expect(d('AWS::IAM::Role', { AssumeRolePolicyDocument: doc }, { AssumeRolePolicyDocument: live })).toEqual([]);
    const widened = structuredClone(live);
    widened.Statement[0]!.Action.push('s3:DeleteObject');
    expect(d('AWS::IAM::Role', { AssumeRolePolicyDocument: doc }, { AssumeRolePolicyDocument: widened })).toHaveLength(
      1,
    );
    expect(
      d(
        'AWS::IAM::Role',
        { Policies: [{ PolicyName: 'p', PolicyDocument: JSON.stringify(doc) }] },
        {
          Policies: [{ PolicyName: 'p', PolicyDocument: live }],
        },
      ),
    ).toEqual([]);
  });

  it('write-only paths are dropped (with the pointer of each dropped value)', () => {
    const dropped: string[] = [];
    const props = {
      BlockDeviceMappings: [{ DeviceName: '/dev/sda1', NoDevice: {} }, { DeviceName: '/dev/sdb' }],
      AdditionalInfo: 'x',
      InstanceType: 't3.micro',
    };
    const out = dropPaths(props, ['AdditionalInfo', 'BlockDeviceMappings/*/NoDevice'], dropped);
    expect(out).toEqual({
      BlockDeviceMappings: [{ DeviceName: '/dev/sda1' }, { DeviceName: '/dev/sdb' }],
      InstanceType: 't3.micro',
    });
    expect(dropped.sort()).toEqual(['/AdditionalInfo', '/BlockDeviceMappings/0/NoDevice']);
    expect(props.AdditionalInfo).toBe('x');
  });

  it('ActualProperties shows the actual values of the compared paths only', () => {
    expect(project({ A: { B: 1 }, C: 2 }, { A: { B: 3, X: 9 }, C: 2, D: 4 })).toEqual({ A: { B: 3 }, C: 2 });
  });
});
