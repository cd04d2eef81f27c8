import { describe, expect, it } from 'vitest';
import { resolveTemplateText } from '../../../src/cfn/index.js';
import { codes, res, tpl } from './helpers.js';

const YAML = `AWSTemplateFormatVersion: 2010-09-09
Parameters:
  Open: {Type: String, Default: 'true'}
Conditions:
  IsOpen: !Equals [!Ref Open, 'true']
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 10.0.0.0/8
        - !If
          - IsOpen
          - IpProtocol: tcp
            FromPort: 443
            ToPort: 443
            CidrIp: 0.0.0.0/0
          - !Ref AWS::NoValue
      Tags:
        - Key: Name
          Value: !Sub '\${AWS::StackName}-sg'
`;

const JSON_TEXT = `{
  "Resources": {
    "Bucket": {
      "Type": "AWS::S3::Bucket",
      "DeletionPolicy": "Retain",
      "Properties": {
        "BucketName": {"Fn::Join": ["-", ["logs", {"Ref": "AWS::Region"}]]},
        "VersioningConfiguration": {
          "Status": "Enabled"
        }
      }
    }
  }
}`;

describe('source positions', () => {
  it('YAML: locate() returns each property line, through Fn::If branches and list items', () => {
    const t = tpl(YAML);
    const sg = res(t, 'Sg');
    expect(sg.location).toEqual({ file: 'test.yaml', line: 7, column: 3 });
    expect(sg.locate([])).toMatchObject({ line: 9 });
    expect(sg.locate(['GroupDescription'])).toMatchObject({ line: 10, column: 7 });
    expect(sg.locate(['SecurityGroupIngress'])).toMatchObject({ line: 11 });
    expect(sg.locate(['SecurityGroupIngress', 0, 'FromPort'])).toMatchObject({ line: 13, column: 11 });
    // Item 1 came from the true branch of !If: its properties keep their own lines.
    expect(sg.locate(['SecurityGroupIngress', 1, 'CidrIp'])).toMatchObject({ line: 21, column: 13 });
    expect(sg.locate(['Tags', 0, 'Value'])).toMatchObject({ line: 25 });
    // Missing paths fall back to the nearest located ancestor.
    expect(sg.locate(['SecurityGroupIngress', 0, 'Nope'])).toMatchObject({ line: 12 });
    expect(sg.locate(['Nope', 3])).toMatchObject({ line: 9 });
    expect(sg.properties.SecurityGroupIngress).toEqual([
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '10.0.0.0/8' },
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' },
    ]);
    expect(sg.properties.Tags).toEqual([{ Key: 'Name', Value: 'test-sg' }]);
  });

  it('NoValue-removed list items do not shift the positions of the remaining items', () => {
    const t = tpl(YAML, { parameters: { Open: 'false' } });
    const sg = res(t, 'Sg');
    expect(sg.properties.SecurityGroupIngress).toHaveLength(1);
    expect(sg.locate(['SecurityGroupIngress', 0, 'CidrIp'])).toMatchObject({ line: 15 });
    expect(sg.locate(['SecurityGroupIngress', 1, 'CidrIp'])).toMatchObject({ line: 11 });
  });

  it('JSON: positions come from the same parser', () => {
    const t = tpl(JSON_TEXT, {}, 't.json');
    const b = res(t, 'Bucket');
    expect(b.location).toEqual({ file: 't.json', line: 3, column: 5 });
    expect(b.deletionPolicy).toBe('Retain');
    expect(b.properties.BucketName).toBe('logs-us-east-1');
    expect(b.locate(['BucketName'])).toMatchObject({ line: 7, column: 9 });
    expect(b.locate(['VersioningConfiguration', 'Status'])).toMatchObject({ line: 9, column: 11 });
  });

  it('AWSTemplateFormatVersion stays a string (not a YAML 1.1 date); y/n stay strings; yes/no are booleans', () => {
    const t = tpl(
      'Resources:\n  R:\n    Type: AWS::Test::Thing\n    Properties: {A: y, B: n, C: yes, D: off, E: 0755}\n',
    );
    expect(res(t, 'R').properties).toEqual({ A: 'y', B: 'n', C: true, D: false, E: 493 });
    expect(codes(tpl(YAML))).toEqual([]);
  });
});

describe('located errors for bad templates', () => {
  it('syntax errors, duplicate keys, null keys, unknown tags', () => {
    const t = tpl(
      'Resources:\n  A:\n    Type: AWS::S3::Bucket\n  A:\n    Type: AWS::S3::Bucket\n  ? null\n  : x\n  B: !Bogus 1\n',
    );
    expect(t.issues.map((i) => `${i.code}@${i.location.line}:${i.location.column}`)).toEqual([
      'duplicate-key@4:3',
      'null-key@6:5',
      'unknown-tag@8:13',
      'bad-resource@8:3',
    ]);
    const s = tpl('Resources:\n  A: [unclosed\n');
    expect(s.issues[0]).toMatchObject({ code: 'yaml-syntax', severity: 'error' });
    expect(s.issues[0]?.location.line).toBeGreaterThanOrEqual(2);
  });

  it('JSON syntax errors, duplicate keys, YAML flow text, BOM/CRLF input', () => {
    const bad = tpl('{\n  "Resources": {\n    "A": {"Type": "AWS::S3::Bucket",}\n  }\n', {}, 'x.json');
    expect(bad.issues).toEqual([
      {
        location: { file: 'x.json', line: 3, column: 37 },
        severity: 'error',
        code: 'json-syntax',
        message: 'expected a quoted key, found "}"',
      },
    ]);
    const dup = tpl(
      '{"Resources": {\n  "A": {"Type": "AWS::S3::Bucket"},\n  "A": {"Type": "AWS::SNS::Topic"}\n}}',
      {},
      'd.json',
    );
    expect(dup.issues.map((i) => [i.code, i.location.line, i.message])).toEqual([
      ['duplicate-key', 3, 'duplicate key "A"'],
    ]);
    expect(res(dup, 'A').type).toBe('AWS::SNS::Topic');
    const flow = tpl(
      '{Resources: {A: {Type: AWS::S3::Bucket, Properties: {BucketName: !Ref AWS::Region}}}}',
      {},
      'f.template',
    );
    expect(res(flow, 'A').properties).toEqual({ BucketName: 'us-east-1' });
    expect(flow.issues).toEqual([]);
    const ok = tpl('\uFEFF{\r\n  "Resources": {\r\n    "A": {"Type": "AWS::S3::Bucket"}\r\n  }\r\n}\r\n', {}, 'y.json');
    expect(ok.issues).toEqual([]);
    expect(res(ok, 'A').location).toMatchObject({ line: 3, column: 5 });
  });

  it('empty files, multi-document YAML, non-mappings and missing Resources are rejected cleanly', () => {
    expect(codes(tpl(''))).toEqual(['missing-resources']);
    expect(codes(tpl('Resources: {}\n---\nResources: {}\n'))).toEqual(['multiple-documents']);
    expect(codes(tpl('- a\n- b\n'))).toEqual(['not-a-template']);
    expect(codes(tpl('Description: x\n'))).toEqual(['missing-resources']);
  });

  it('resource-level problems: bad logical id, missing Type, DependsOn to nothing, Serverless without transform', () => {
    const t = tpl(`Resources:
  my-bucket:
    Type: AWS::S3::Bucket
  NoType:
    Properties: {}
  Dep:
    Type: AWS::S3::Bucket
    DependsOn: [NoType, Ghost]
  Fn:
    Type: AWS::Serverless::Function
`);
    expect(t.issues.map((i) => `${i.code}@${i.location.line}`)).toEqual([
      'bad-logical-id@2',
      'bad-resource@4',
      'unresolved-ref@8',
      'unresolved-ref@8',
      'missing-transform@9',
    ]);
  });

  it('unknown resource attributes are errors, softened to warnings when a macro may rewrite the template', () => {
    const body = 'Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Description: not allowed here\n    Count: 3\n';
    const plain = tpl(body);
    expect(plain.issues.map((i) => `${i.severity}:${i.code}@${i.location.line}`)).toEqual([
      'error:unknown-resource-attribute@4',
      'error:unknown-resource-attribute@5',
    ]);
    const macro = tpl(`Transform: Count\n${body}`);
    expect(macro.issues.map((i) => `${i.severity}:${i.code}@${i.location.line}`)).toEqual([
      'warning:unknown-resource-attribute@5',
      'warning:unknown-resource-attribute@6',
      'warning:unsupported-transform@1',
    ]);
    expect(macro.issues[0]?.message).toMatch(/uses macro Count, which may rewrite it/);
  });

  it('hostile input: alias bombs, deep nesting and redefined anchors are bounded and reported', () => {
    let y = 'Metadata:\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++)
      y += `  a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    const bomb = tpl(`${y}Resources:\n  R: {Type: AWS::S3::Bucket, Metadata: {b: *a11}}\n`);
    expect(bomb.issues.map((i) => [i.code, i.message])).toEqual([['yaml-syntax', 'too many alias expansions']]);
    const deep = tpl(`${'['.repeat(20000)}${']'.repeat(20000)}`, {}, 'deep.json');
    expect(deep.issues.map((i) => i.message)).toEqual(['nesting deeper than 500 levels, found "["']);
    // An alias refers to the most recent definition of its anchor before it.
    const redef = tpl(
      'Resources:\n  A: {Type: &t AWS::S3::Bucket}\n  B: {Type: *t}\n  C: {Type: &t AWS::SNS::Topic}\n  D: {Type: *t}\n',
    );
    expect(redef.resources.map((r) => r.type)).toEqual([
      'AWS::S3::Bucket',
      'AWS::S3::Bucket',
      'AWS::SNS::Topic',
      'AWS::SNS::Topic',
    ]);
  });

  it('__proto__ / constructor keys are ordinary keys everywhere (properties, SAM Globals, ForEach, schema walk)', () => {
    const t = resolveTemplateText(
      `Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]
Globals:
  Function: {Environment: {Variables: {__proto__: g, constructor: c}}}
Resources:
  B:
    Type: AWS::S3::Bucket
    Properties: {__proto__: {polluted: true}, constructor: 1, VersioningConfiguration: {__proto__: x}}
  F:
    Type: AWS::Serverless::Function
    Properties:
      Handler: h
      Runtime: python3.12
      InlineCode: x
      Environment: {Variables: {__proto__: local}}
      Events: {E: {Type: constructor}}
  Fn::ForEach::L:
    - X
    - [a]
    - Q\${X}: {Type: AWS::SQS::Queue, Properties: {__proto__: 1}}
`,
      'proto.yaml',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const b = res(t, 'B').properties;
    expect(Object.keys(b)).toEqual(['__proto__', 'constructor', 'VersioningConfiguration']);
    expect(Object.getPrototypeOf(b)).toBe(Object.prototype);
    const env = (res(t, 'F').properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.getOwnPropertyDescriptor(env, '__proto__')?.value).toBe('local');
    expect(env.constructor).toBe('c');
    expect(t.issues.map((i) => i.code)).toEqual(
      expect.arrayContaining(['unknown-property', 'missing-required-property', 'sam-unsupported']),
    );
  });

  it('anchors, aliases and merge keys work', () => {
    const t = tpl(`Resources:
  A:
    Type: AWS::S3::Bucket
    Properties: &p
      BucketName: shared
      Tags: [{Key: a, Value: b}]
  B:
    Type: AWS::S3::Bucket
    Properties:
      <<: *p
      BucketName: own
`);
    expect(res(t, 'B').properties).toEqual({ BucketName: 'own', Tags: [{ Key: 'a', Value: 'b' }] });
    expect(res(t, 'B').locate(['BucketName'])).toMatchObject({ line: 11 });
  });
});
