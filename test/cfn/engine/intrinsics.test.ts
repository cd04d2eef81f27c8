import { describe, expect, it } from 'vitest';
import { cidrSubnets, isUnknown, type Unknown } from '../../../src/cfn/index.js';
import { codes, props, res, tpl } from './helpers.js';

const PARAMS = `
Parameters:
  Env: {Type: String, Default: prod}
  Port: {Type: Number, Default: 443}
  Subnets: {Type: CommaDelimitedList, Default: "a, b,c"}
  NoDefault: {Type: String}
  Ami: {Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: /aws/service/ami}
Mappings:
  RegionMap:
    us-east-1: {Ami: ami-1, Azs: [x, y]}
    eu-west-1: {Ami: ami-2}
`;

const U = (v: unknown): Unknown => {
  expect(isUnknown(v)).toBe(true);
  return v as Unknown;
};

describe('short-form tags and long forms', () => {
  it('every short-form tag becomes its long form and resolves', () => {
    const p = props(
      `      A: !Ref Env
      B: !Sub '\${Env}-\${AWS::Region}'
      C: !Join ['-', [a, !Ref Env]]
      D: !Select [1, !Split [',', 'x,y,z']]
      E: !FindInMap [RegionMap, !Ref 'AWS::Region', Ami]
      F: !Base64 hello
      G: !Cidr ['10.0.0.0/16', 2, 8]
      H: !If [IsProd, yes-prod, not-prod]
      I: !GetAZs ''
      J: !ImportValue SharedVpc
      K: !GetAtt Other.Arn
      L: !GetAtt [Other, Arn]
      M: !Length [a, b, c]
      N: !ToJsonString {k: !Ref Env}
      O: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}
      P: {"Fn::Sub": "literal"}`,
      `${PARAMS}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [a, a]]
  Either: !Or [!Condition NotProd, !Equals [a, b]]`,
      { azs: ['us-east-1a', 'us-east-1b'] },
    );
    expect(p.A).toBe('prod');
    expect(p.B).toBe('prod-us-east-1');
    expect(p.C).toBe('a-prod');
    expect(p.D).toBe('y');
    expect(p.E).toBe('ami-1');
    expect(p.F).toBe('aGVsbG8=');
    expect(p.G).toEqual(['10.0.0.0/24', '10.0.1.0/24']);
    expect(p.H).toBe('yes-prod');
    expect(p.I).toEqual(['us-east-1a', 'us-east-1b']);
    expect(U(p.J).reason).toMatch(/ImportValue SharedVpc/);
    expect(U(p.K).ref).toEqual({ logicalId: 'Other', attribute: 'Arn' });
    expect(U(p.L).expr).toEqual({ 'Fn::GetAtt': ['Other', 'Arn'] });
    expect(p.M).toBe(3);
    expect(p.N).toBe('{"k":"prod"}');
    expect(U(p.O).reason).toMatch(/macro/);
    expect(p.P).toBe('literal');
  });

  it('conditions evaluate with And/Or/Not/Condition', () => {
    const t = tpl(`${PARAMS}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [a, a]]
  Either: !Or [!Condition NotProd, !Equals [a, b]]
  PortIs443: !Equals [!Ref Port, '443']
  Unk: !Equals [!Ref NoDefault, x]
  UnkAnd: !And [!Condition Unk, !Condition NotProd]
  UnkOr: !Or [!Condition Unk, !Condition IsProd]
Resources:
  Other: {Type: AWS::S3::Bucket}`);
    expect(t.conditions).toEqual({
      IsProd: true,
      NotProd: false,
      Both: true,
      Either: false,
      PortIs443: true,
      Unk: 'unknown',
      UnkAnd: false, // false ∧ unknown = false (Kleene)
      UnkOr: true, // true ∨ unknown = true
    });
    expect(t.issues).toEqual([]);
  });

  it('GetAtt short form splits at the first dot only', () => {
    const p = props('      A: !GetAtt Db.Endpoint.Address', '', {});
    expect(U(p.A).ref).toEqual({ logicalId: 'Db', attribute: 'Endpoint.Address' });
  });
});

// Other resource referenced by the props() helper templates.
const OTHER = '\n  Other: {Type: AWS::S3::Bucket}\n  Db: {Type: AWS::RDS::DBInstance}';

describe('Ref and pseudo parameters', () => {
  it('pseudo parameters come from options, with documented defaults', () => {
    const body = `      Account: !Ref AWS::AccountId
      Region: !Ref AWS::Region
      Partition: !Ref AWS::Partition
      Suffix: !Ref AWS::URLSuffix
      Stack: !Ref AWS::StackName
      StackId: !Ref AWS::StackId
      Arns: !Ref AWS::NotificationARNs`;
    const d = props(body);
    expect(d).toMatchObject({
      Account: '123456789012',
      Region: 'us-east-1',
      Partition: 'aws',
      Suffix: 'amazonaws.com',
    });
    expect(d.Stack).toBe('test');
    expect(d.StackId).toBe(
      'arn:aws:cloudformation:us-east-1:123456789012:stack/test/00000000-0000-0000-0000-000000000000',
    );
    expect(d.Arns).toEqual([]);
    const cn = props(body, '', { region: 'cn-north-1', accountId: '111122223333', stackName: 'prod-net' });
    expect(cn).toMatchObject({
      Account: '111122223333',
      Region: 'cn-north-1',
      Partition: 'aws-cn',
      Suffix: 'amazonaws.com.cn',
    });
    expect(cn.Stack).toBe('prod-net');
    expect(props(body, '', { region: 'us-gov-west-1' }).Partition).toBe('aws-us-gov');
  });

  it('Ref to a resource is symbolic; Ref to an undefined name is a located error', () => {
    const t = tpl(`Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument: !Ref Missing`);
    const p = res(t, 'Policy').properties;
    expect(U(p.Bucket).ref).toEqual({ logicalId: 'Bucket' });
    expect(U(p.PolicyDocument).reason).toMatch(/undefined name Missing/);
    expect(t.issues).toHaveLength(1);
    expect(t.issues[0]).toMatchObject({
      code: 'unresolved-ref',
      severity: 'error',
      location: { file: 'test.yaml', line: 8, column: 28 },
    });
  });

  it('parameters: defaults, Number and list coercion, SSM values and missing values are Unknown', () => {
    const t = tpl(`${PARAMS}\nResources:\n  R: {Type: AWS::Test::Thing}`);
    expect(t.parameters.Env).toBe('prod');
    expect(t.parameters.Port).toBe(443);
    expect(t.parameters.Subnets).toEqual(['a', 'b', 'c']);
    expect(U(t.parameters.NoDefault).reason).toMatch(/no value/);
    expect(U(t.parameters.Ami).reason).toMatch(/SSM parameter "\/aws\/service\/ami"/);
    expect(t.parameterDeclarations?.Env).toMatchObject({ type: 'String', source: 'default', noEcho: false });
    expect(t.parameterDeclarations?.NoDefault?.source).toBe('none');
  });
});

describe('Fn::Sub', () => {
  it('resolves parameters, pseudo parameters and variables; a !-escaped variable stays literal', () => {
    const p = props(
      `      A: !Sub 'arn:\${AWS::Partition}:s3:::\${Env}-logs/\${!NotAVar}'
      B: !Sub ['\${Name}.\${AWS::URLSuffix}', {Name: !Ref Env}]
      C: !Sub
        - 'x-\${Port}'
        - {}`,
      PARAMS,
    );
    expect(p.A).toBe(`arn:aws:s3:::prod-logs/\${NotAVar}`);
    expect(p.B).toBe('prod.amazonaws.com');
    expect(p.C).toBe('x-443');
  });

  it('references to resources and attributes stay symbolic, with the known parts substituted', () => {
    const t = tpl(`Resources:${OTHER}
  R:
    Type: AWS::Test::Thing
    Properties:
      A: !Sub 'arn:aws:s3:::\${Other}/*'
      B: !Sub '\${Db.Endpoint.Address}:\${AWS::Region}'`);
    const p = res(t, 'R').properties;
    expect(U(p.A).expr).toEqual({ 'Fn::Sub': `arn:aws:s3:::\${Other}/*` });
    expect(U(p.A).ref).toEqual({ logicalId: 'Other' });
    expect(U(p.B).expr).toEqual({ 'Fn::Sub': `\${Db.Endpoint.Address}:us-east-1` });
    expect(U(p.B).ref).toEqual({ logicalId: 'Db', attribute: 'Endpoint.Address' });
    expect(t.issues).toEqual([]);
  });
});

describe('Join, Select, Split, FindInMap, Base64, GetAZs', () => {
  it('Join with an unknown part is Unknown and keeps the resolved parts', () => {
    const t = tpl(`Resources:${OTHER}
  R:
    Type: AWS::Test::Thing
    Properties:
      A: !Join ['', ['arn:aws:s3:::', !Ref Other, '/*']]`);
    const a = U(res(t, 'R').properties.A);
    expect(a.ref).toEqual({ logicalId: 'Other' });
    expect((a.expr as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1][0]).toBe('arn:aws:s3:::');
  });

  it('Select from a list parameter and from GetAZs; out-of-range index is a located error', () => {
    const t = tpl(
      `${PARAMS}
Resources:
  R:
    Type: AWS::Test::Thing
    Properties:
      A: !Select [2, !Ref Subnets]
      B: !Select ['0', !GetAZs {Ref: 'AWS::Region'}]
      C: !Select [0, !GetAZs eu-west-1]
      D: !Select [5, [a, b]]`,
      { azs: { 'us-east-1': ['use1-az1', 'use1-az2'] } },
    );
    const p = res(t, 'R').properties;
    expect(p.A).toBe('c');
    expect(p.B).toBe('use1-az1');
    expect(U(p.C).reason).toMatch(/availability zones of eu-west-1/);
    expect(U(p.D).reason).toMatch(/out of range/);
    expect(t.issues.map((i) => [i.code, i.location.line])).toEqual([['bad-intrinsic', 20]]);
  });

  it('FindInMap with DefaultValue, unknown keys, missing keys', () => {
    const t = tpl(`${PARAMS}
Resources:
  R:
    Type: AWS::Test::Thing
    Properties:
      A: !FindInMap [RegionMap, eu-west-1, Azs, {DefaultValue: [z]}]
      B: !FindInMap [RegionMap, !Ref NoDefault, Ami]
      C: !FindInMap [RegionMap, !Ref AWS::Region, Azs]
      D: !FindInMap [RegionMap, eu-west-1, Nope]
      E: !FindInMap [NoSuchMap, a, b]`);
    const p = res(t, 'R').properties;
    expect(p.A).toEqual(['z']);
    expect(U(p.B).reason).toMatch(/unknown key/);
    expect(p.C).toEqual(['x', 'y']);
    expect(isUnknown(p.D)).toBe(true);
    expect(isUnknown(p.E)).toBe(true);
    expect(t.issues.map((i) => [i.code, i.severity, i.location.line])).toEqual([
      ['bad-findinmap', 'error', 20],
      ['unresolved-ref', 'error', 21],
    ]);
  });

  it('Base64 of a Sub; Split then Join round trip', () => {
    const p = props(
      `      A: !Base64 {"Fn::Sub": "#!/bin/bash\\necho \${Env}"}
      B: !Join ['|', !Split [',', 'a,b,,c']]`,
      PARAMS,
    );
    expect(Buffer.from(p.A as string, 'base64').toString()).toBe('#!/bin/bash\necho prod');
    expect(p.B).toBe('a|b||c');
  });
});

describe('Fn::Cidr', () => {
  // Values from the Fn::Cidr examples in the CloudFormation User Guide.
  it('IPv4: six /27s from a /24 (user guide example)', () => {
    expect(cidrSubnets('192.168.0.0/24', 6, 5)).toEqual([
      '192.168.0.0/27',
      '192.168.0.32/27',
      '192.168.0.64/27',
      '192.168.0.96/27',
      '192.168.0.128/27',
      '192.168.0.160/27',
    ]);
  });
  it('IPv6 /64s from a VPC /56; host bits of the block are ignored', () => {
    expect(cidrSubnets('2600:1f16:abc:de00::/56', 3, 64)).toEqual([
      '2600:1f16:abc:de00::/64',
      '2600:1f16:abc:de01::/64',
      '2600:1f16:abc:de02::/64',
    ]);
    expect(cidrSubnets('10.0.3.7/16', 2, 12)).toEqual(['10.0.0.0/20', '10.0.16.0/20']);
  });
  it('rejects impossible requests with a reason', () => {
    expect(cidrSubnets('10.0.0.0/24', 9, 5)).toEqual({ error: '10.0.0.0/24 holds only 8 subnets of /27, 9 asked' });
    expect(cidrSubnets('10.0.0.0/24', 1, 9)).toMatchObject({ error: expect.stringMatching(/larger than/) });
    expect(cidrSubnets('nope', 1, 8)).toMatchObject({ error: expect.stringMatching(/not a CIDR/) });
    const t = tpl(
      'Resources:\n  R:\n    Type: AWS::Test::Thing\n    Properties:\n      A: !Cidr [10.0.0.0/24, 300, 2]',
    );
    expect(t.issues[0]).toMatchObject({ code: 'bad-intrinsic', location: { line: 5 } });
  });
});

describe('Fn::If and AWS::NoValue', () => {
  const HEAD = `${PARAMS}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  Unk: !Equals [!Ref NoDefault, x]`;
  it('chooses the branch; NoValue removes the property or list item', () => {
    const p = props(
      `      A: !If [IsProd, !Ref AWS::NoValue, kept]
      B: [one, !If [IsProd, !Ref AWS::NoValue, two], three]
      C: !If [IsProd, {Enabled: true}, {Enabled: false}]`,
      HEAD,
    );
    expect('A' in p).toBe(false);
    expect(p.B).toEqual(['one', 'three']);
    expect(p.C).toEqual({ Enabled: true });
  });

  it('an unknown condition yields an Unknown whose expr holds both resolved branches', () => {
    const p = props('      A: !If [Unk, !Ref Env, !Ref AWS::NoValue]', HEAD);
    const a = U(p.A);
    expect(a.reason).toMatch(/condition Unk/);
    expect(a.expr).toEqual({ 'Fn::If': ['Unk', 'prod', { Ref: 'AWS::NoValue' }] });
  });

  it('condition errors are located: undefined condition, cycles, bad arity', () => {
    const t = tpl(`Conditions:
  A: !Condition B
  B: !Condition A
  C: !Equals [x]
  Is-Bad: !Equals [a, a]
Resources:
  R:
    Type: AWS::Test::Thing
    Condition: Nope
    Properties:
      P: !If [AlsoNope, 1, 2]`);
    expect(t.conditions).toEqual({ A: 'unknown', B: 'unknown', C: 'unknown', 'Is-Bad': true });
    expect(t.issues.map((i) => `${i.code}@${i.location.line}`)).toEqual([
      'condition-cycle@3', // where the cycle closes (B refers back to A)
      'bad-condition@4',
      'bad-condition@5', // name with '-' (cfn-lint E8001)
      'undefined-condition@9',
      'undefined-condition@11',
    ]);
    expect(res(t, 'R').condition).toEqual({ name: 'Nope', value: 'unknown' });
  });
});

describe('bad intrinsic shapes', () => {
  it('are reported with file:line:col and never throw', () => {
    const t = tpl(`Resources:
  R:
    Type: AWS::Test::Thing
    Properties:
      A: !Join [only-one]
      B: !Select [x, [1]]
      C: !Sub [1, 2, 3]
      D: !GetAtt NoDot
      E: {"Fn::Nope": 1}
      F: !Ref [a]
      G: !If [1, 2]`);
    expect(t.issues.map((i) => `${i.code}@${i.location.line}`)).toEqual([
      'bad-intrinsic@5',
      'bad-intrinsic@6',
      'bad-intrinsic@7',
      'bad-intrinsic@8',
      'bad-intrinsic@9',
      'bad-intrinsic@10',
      'bad-intrinsic@11',
    ]);
    for (const v of Object.values(res(t, 'R').properties)) expect(isUnknown(v)).toBe(true);
    expect(codes(t)).not.toContain('crash');
  });
});
