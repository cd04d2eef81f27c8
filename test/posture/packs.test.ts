import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/posture/engine.js';
import { parseConformancePack } from '../../src/posture/packs/conformance.js';
import { PACKS, planPack, rollUp } from '../../src/posture/packs/index.js';
import { account, ci, NOW } from './helpers.js';

const sshOpen = ci('AWS::EC2::SecurityGroup', 'sg-1', {
  configuration: {
    groupName: 'x',
    ipPermissions: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: ['0.0.0.0/0'] }],
  },
});

describe('CIS AWS v4.0.1 pack (data)', () => {
  const plan = planPack(PACKS['cis-aws-4.0.1']!);
  it('every rule reference resolves; parameterised uses get their own ConfigRuleName', () => {
    expect(plan.errors).toEqual([]);
    expect(plan.rulesOf.get('5.3')).toEqual(['cis-aws-4.0.1-5.3-restricted-common-ports']);
    expect(plan.rulesOf.get('1.4')).toEqual(['iam-root-access-key-check']);
    // 5.3 and 5.4 share one selection (same rule, same parameters)
    expect(plan.controlsOf.get('cis-aws-4.0.1-5.3-restricted-common-ports')).toEqual(['5.3', '5.4']);
  });
  it('rolls evaluations up per control with a score; unmapped controls say why', () => {
    const items = [
      sshOpen,
      account({
        passwordPolicy: { MinimumPasswordLength: 16, PasswordReusePrevention: 5 },
        accountSummary: { AccountMFAEnabled: 1, AccountAccessKeysPresent: 0 },
      }),
    ];
    const { evaluations, errors } = evaluate({ items }, plan.selections, { now: NOW });
    expect(errors).toEqual([]);
    const r = rollUp(plan, evaluations);
    const c = (id: string) => r.controls.find((x) => x.id === id)!;
    expect(c('5.3').status).toBe('NON_COMPLIANT');
    expect(c('1.4').status).toBe('COMPLIANT');
    expect(c('1.5').status).toBe('COMPLIANT');
    expect(c('1.8').status).toBe('COMPLIANT');
    expect(c('1.9').status).toBe('NON_COMPLIANT');
    expect(c('1.13')).toMatchObject({ status: 'NOT_EVALUATED', note: 'no rule yet (AWS has no managed rule either)' });
    const pass = r.controls.filter((x) => x.status === 'COMPLIANT').length;
    const fail = r.controls.filter((x) => x.status === 'NON_COMPLIANT').length;
    expect(r.score).toBe(Math.round((pass / (pass + fail)) * 1000) / 10);
  });
});

describe('AWS conformance-pack templates', () => {
  const yaml = `
Parameters:
  RestrictedIncomingTrafficParamBlockedPort1:
    Default: '22'
    Type: String
  AccessKeysRotatedParamMaxAccessKeyAge:
    Default: ''
    Type: String
Conditions:
  accessKeysRotatedParamMaxAccessKeyAge:
    Fn::Not:
    - Fn::Equals:
      - ''
      - Ref: AccessKeysRotatedParamMaxAccessKeyAge
Resources:
  RestrictedIncomingTraffic:
    Properties:
      ConfigRuleName: my-common-ports
      InputParameters:
        blockedPort1:
          Ref: RestrictedIncomingTrafficParamBlockedPort1
      Scope:
        ComplianceResourceTypes:
        - AWS::EC2::SecurityGroup
      Source:
        Owner: AWS
        SourceIdentifier: RESTRICTED_INCOMING_TRAFFIC
    Type: AWS::Config::ConfigRule
  AccessKeysRotated:
    Properties:
      ConfigRuleName: access-keys-rotated
      InputParameters:
        maxAccessKeyAge: !If [accessKeysRotatedParamMaxAccessKeyAge, !Ref AccessKeysRotatedParamMaxAccessKeyAge, !Ref AWS::NoValue]
      Source:
        Owner: AWS
        SourceIdentifier: ACCESS_KEYS_ROTATED
    Type: AWS::Config::ConfigRule
  Process:
    Properties:
      ConfigRuleName: process-check
      Source:
        Owner: AWS
        SourceIdentifier: AWS_CONFIG_PROCESS_CHECK
    Type: AWS::Config::ConfigRule
  Custom:
    Properties:
      ConfigRuleName: my-lambda-rule
      Source:
        Owner: CUSTOM_LAMBDA
        SourceIdentifier: arn:aws:lambda:us-east-1:1:function:x
    Type: AWS::Config::ConfigRule
`;
  it('reads identifiers, Ref defaults, Fn::If/AWS::NoValue (long and short forms) and Scope', () => {
    const { selections, issues } = parseConformancePack(yaml, 'pack.yaml');
    expect(selections.map((s) => [s.configRuleName, s.rule.meta.name, s.params])).toEqual([
      ['my-common-ports', 'restricted-common-ports', { blockedPort1: '22' }],
      ['access-keys-rotated', 'access-keys-rotated', {}],
    ]);
    expect(selections[0]!.scope?.resourceTypes).toEqual(['AWS::EC2::SecurityGroup']);
    expect(issues).toEqual([
      'pack.yaml: Process (process-check): managed rule AWS_CONFIG_PROCESS_CHECK is not implemented; skipped',
      'pack.yaml: Custom (my-lambda-rule): custom rule (Owner CUSTOM_LAMBDA) skipped',
    ]);
    const { evaluations } = evaluate({ items: [sshOpen] }, selections, { now: NOW });
    expect(evaluations.find((e) => e.configRuleName === 'my-common-ports')!.annotation).toMatch(/blocked port 22/);
  });
  it('Scope by tag narrows the resources', () => {
    const { selections } = parseConformancePack(
      `Resources:
  R:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: ssh-prod
      Scope: { TagKey: env, TagValue: prod }
      Source: { Owner: AWS, SourceIdentifier: INCOMING_SSH_DISABLED }
`,
      'p.yaml',
    );
    const prod = { ...sshOpen, resourceId: 'sg-prod', tags: { env: 'prod' } };
    const { evaluations } = evaluate({ items: [sshOpen, prod] }, selections, { now: NOW });
    expect(evaluations.map((e) => e.resourceId)).toEqual(['sg-prod']);
  });
  it('bad templates are reported, not thrown', () => {
    expect(parseConformancePack('a: [', 'x.yaml').issues[0]).toMatch(/^x.yaml: not valid YAML\/JSON/);
    expect(parseConformancePack('{}', 'y.json').issues).toEqual(['y.json: no Resources section']);
    const r = parseConformancePack(
      'Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      InputParameters: { maxAccessKeyAge: { Ref: Missing } }\n      Source: { Owner: AWS, SourceIdentifier: ACCESS_KEYS_ROTATED }\n',
      'z.yaml',
    );
    expect(r.issues).toEqual(['z.yaml: R (R): Ref to unknown parameter Missing; skipped']);
  });
});
