import { describe, expect, it } from 'vitest';
import { resourceSchema, schemaLoadMs } from '../../../src/cfn/index.js';
import { res, tpl } from './helpers.js';

describe('resource schemas from @aws-cdk/aws-service-spec', () => {
  it('resourceSchema(type): properties with types, required, create-only, identifier, attributes', () => {
    const b = resourceSchema('AWS::S3::Bucket');
    if (!b) throw new Error('AWS::S3::Bucket missing from the spec');
    expect(schemaLoadMs()).toBeGreaterThan(0);
    expect(b.primaryIdentifier).toEqual(['BucketName']);
    expect(b.attributes).toEqual(expect.arrayContaining(['Arn', 'DomainName', 'RegionalDomainName', 'WebsiteURL']));
    expect(b.properties.BucketEncryption?.type).toBe('BucketEncryption');
    expect(b.properties.Tags?.type).toBe('Array<Tag>');
    expect(b.createOnlyProperties).toContain('BucketName');
    expect(b.isStateful).toBe(true);
    expect(b.tagPropertyName).toBe('Tags');
    // Nested structure types are reachable.
    const rule = b.properties.BucketEncryption?.properties?.ServerSideEncryptionConfiguration;
    expect(rule).toMatchObject({ type: 'Array<ServerSideEncryptionRule>', required: true });
    // The spec does not carry writeOnlyProperties: undefined, never a misleading empty list.
    expect(b.writeOnlyProperties).toBeUndefined();

    const role = resourceSchema('AWS::IAM::Role');
    expect(role?.required).toEqual(['AssumeRolePolicyDocument']);
    expect(resourceSchema('AWS::Nope::Thing')).toBeUndefined();
    expect(resourceSchema('AWS::Serverless::Function')?.properties.CodeUri?.type).toMatch(/string \| /);
  });

  it('located warnings: unknown type, unknown (nested) property, missing required, wrong shape, bad GetAtt', () => {
    const t = tpl(
      `Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketNmae: typo
      VersioningConfiguration:
        Stauts: Enabled
      Tags: not-a-list
  Role:
    Type: AWS::IAM::Role
    Properties:
      Path: /
  Thing:
    Type: AWS::Made::Up
  Custom:
    Type: Custom::Anything
    Properties: {Whatever: 1}
  Out:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: !GetAtt Bucket.Nope
      Name: !GetAtt Custom.Free
      Description: !GetAtt Bucket.RegionalDomainName
`,
      { schemaCheck: true },
    );
    expect(t.issues.map((i) => `${i.severity}:${i.code}@${i.location.line}`)).toEqual([
      'warning:unknown-property@5',
      'error:missing-required-property@6',
      'warning:unknown-property@7',
      'warning:bad-property-type@8',
      'error:missing-required-property@9',
      'warning:unknown-resource-type@13',
      'warning:bad-getatt@22',
    ]);
    expect(t.issues[1]?.message).toBe('Bucket: required property VersioningConfiguration.Status is missing');
    expect(t.issues[6]?.message).toMatch(/^GetAtt Bucket.Nope: AWS::S3::Bucket has no attribute Nope \(has: Arn, /);
    expect(res(t, 'Bucket').properties.BucketNmae).toBe('typo'); // reported, still carried
  });

  it('Unknown values are never judged', () => {
    const t = tpl(
      `Parameters: {P: {Type: String}}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      Tags: !Ref P
      VersioningConfiguration: !If [C, {Status: Enabled}, !Ref AWS::NoValue]
Conditions:
  C: !Equals [!Ref P, x]`,
      { schemaCheck: true },
    );
    expect(t.issues).toEqual([]);
  });
});
