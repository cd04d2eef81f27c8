import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWebAclFiles, makeRequest, WafEngine } from '../../src/waf/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-waf-yaml-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env:
    Type: String
    Default: prod
  BlockedPath:
    Type: String
    Default: /admin
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  DenyList:
    Type: AWS::WAFv2::IPSet
    Properties:
      Name: !Sub '\${Env}-deny'
      Scope: REGIONAL
      IPAddressVersion: IPV4
      Addresses: [203.0.113.0/24]
  Acl:
    Type: AWS::WAFv2::WebACL
    Properties:
      Name: !Sub '\${Env}-acl'
      Scope: REGIONAL
      DefaultAction: { Allow: {} }
      VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: acl }
      Rules:
        - Name: deny-ips
          Priority: 0
          Action: { Block: {} }
          VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: deny }
          Statement:
            IPSetReferenceStatement:
              Arn: !GetAtt DenyList.Arn
        - Name: admin
          Priority: 1
          Action: !If [IsProd, { Block: {} }, { Count: {} }]
          VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: admin }
          Statement:
            ByteMatchStatement:
              SearchString: !Ref BlockedPath
              FieldToMatch: { UriPath: {} }
              PositionalConstraint: STARTS_WITH
              TextTransformations: [{ Priority: 0, Type: LOWERCASE }]
  Bucket:
    Type: AWS::S3::Bucket
`;

describe('YAML CloudFormation templates (src/cfn engine)', () => {
  it('resolves short-form tags, parameters, conditions and GetAtt references between WAFv2 resources', () => {
    const { acl, issues } = loadWebAclFiles([file('acl.yaml', TEMPLATE)]);
    expect(issues).toEqual([]);
    expect(acl!.name).toBe('prod-acl');
    const e = new WafEngine(acl!);
    expect(e.evaluate(makeRequest({ url: '/', clientIp: '203.0.113.5' })).terminatingRuleId).toBe('deny-ips');
    expect(e.evaluate(makeRequest({ url: '/ADMIN/users' }))).toMatchObject({
      action: 'BLOCK',
      terminatingRuleId: 'admin',
    });
    expect(e.evaluate(makeRequest({ url: '/shop' })).action).toBe('ALLOW');
  });
  it('compile errors name file:line:column and the JSON path', () => {
    const bad = TEMPLATE.replace('PositionalConstraint: STARTS_WITH', 'PositionalConstraint: BEGINS');
    const f = file('bad.yaml', bad);
    const { acl, issues } = loadWebAclFiles([f]);
    expect(acl).toBeUndefined();
    const line = bad.split('\n').findIndex((l) => l.includes('BEGINS')) + 1;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      file: `${f}:${line}:15`,
      line,
      path: 'Resources.Acl.Properties.Rules[1].Statement.ByteMatchStatement.PositionalConstraint',
    });
  });
  it('a value unknown before deployment and YAML syntax errors are located', () => {
    const f = file('unknown.yaml', TEMPLATE.replace('    Default: /admin\n', ''));
    const r = loadWebAclFiles([f]);
    expect(r.acl).toBeUndefined();
    expect(r.issues[0]!.message).toMatch(/^value not known before deployment: .*BlockedPath/);
    expect(r.issues[0]!.line).toBe(TEMPLATE.split('\n').findIndex((l) => l.includes('SearchString')));
    const g = file('syntax.yml', 'Resources:\n  Acl:\n    Type: AWS::WAFv2::WebACL\n    Properties: [unclosed\n');
    const s = loadWebAclFiles([g]);
    expect(s.acl).toBeUndefined();
    expect(s.issues[0]!.line).toBeGreaterThanOrEqual(4);
  });
});
