import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUnknown, parseParameterFile, parseParameterOverride } from '../../../src/cfn/index.js';
import { tpl } from './helpers.js';

const TEMPLATE = `Parameters:
  Env: {Type: String, Default: dev, AllowedValues: [dev, prod]}
  Size: {Type: Number}
  Ids: {Type: 'List<Number>'}
  Zones: {Type: 'List<AWS::EC2::AvailabilityZone::Name>'}
  Secret: {Type: String, NoEcho: true}
Resources:
  R: {Type: AWS::Test::Thing}
`;

describe('parameter files', () => {
  it("CloudFormation's [{ParameterKey, ParameterValue}] format", () => {
    const r = parseParameterFile(
      JSON.stringify([
        { ParameterKey: 'Env', ParameterValue: 'prod' },
        { ParameterKey: 'Size', ParameterValue: 3 },
        { ParameterKey: 'Old', UsePreviousValue: true },
      ]),
      'p.json',
    );
    expect(r).toEqual({ values: { Env: 'prod', Size: '3' }, issues: [] });
  });

  it('the CLI deploy --parameter-overrides forms: "K=V" list, {"Parameters": {…}}, K=V words', () => {
    expect(parseParameterFile('["Env=prod", "Url=https://x/?a=b"]', 'p.json').values).toEqual({
      Env: 'prod',
      Url: 'https://x/?a=b',
    });
    expect(parseParameterFile('{"Parameters": {"Env": "prod", "Zones": ["a", "b"]}}', 'p.json').values).toEqual({
      Env: 'prod',
      Zones: 'a,b',
    });
    expect(parseParameterFile('# comment\nEnv=prod Size=2\nIds=1,2\n', 'p.txt').values).toEqual({
      Env: 'prod',
      Size: '2',
      Ids: '1,2',
    });
    expect(parseParameterOverride('A=b=c')).toEqual(['A', 'b=c']);
    expect(parseParameterOverride('=x')).toBeUndefined();
  });

  it('bad files yield located issues, never exceptions', () => {
    expect(parseParameterFile('[{"ParameterKey": "A"}', 'p.json').issues[0]).toMatchObject({
      code: 'bad-parameter-file',
      location: { file: 'p.json', line: 1 },
    });
    expect(parseParameterFile('[42]', 'p.json').issues[0]?.message).toMatch(/item 0/);
    expect(parseParameterFile('Env=prod\njunk\n', 'p.txt').issues[0]).toMatchObject({
      location: { line: 2 },
      message: '"junk" is not Key=Value',
    });
  });
});

describe('parameter values in a template', () => {
  it('files apply in order, --parameter overrides win, values are coerced by Type', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cfn-params-'));
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    writeFileSync(
      a,
      JSON.stringify([
        { ParameterKey: 'Env', ParameterValue: 'prod' },
        { ParameterKey: 'Size', ParameterValue: '5' },
      ]),
    );
    writeFileSync(b, JSON.stringify({ Parameters: { Size: '7', Ids: '1, 2,3', Zones: 'us-east-1a,us-east-1b' } }));
    const t = tpl(TEMPLATE, { parameterFiles: [a, b], parameters: { Ids: '4,5' } });
    expect(t.parameters.Env).toBe('prod');
    expect(t.parameters.Size).toBe(7);
    expect(t.parameters.Ids).toEqual([4, 5]);
    expect(t.parameters.Zones).toEqual(['us-east-1a', 'us-east-1b']);
    expect(isUnknown(t.parameters.Secret)).toBe(true);
    expect(t.parameterDeclarations?.Env?.source).toBe('file');
    expect(t.parameterDeclarations?.Ids?.source).toBe('override');
    expect(t.parameterDeclarations?.Secret).toMatchObject({ noEcho: true, source: 'none', location: { line: 6 } });
    expect(t.issues).toEqual([]);
  });

  it('reports values outside AllowedValues, non-numbers and undeclared keys', () => {
    const t = tpl(TEMPLATE, { parameters: { Env: 'qa', Size: 'big', Ids: '1,x', Extra: '1' } });
    expect(t.issues.map((i) => [i.code, i.location.line, i.severity])).toEqual([
      ['bad-parameter', 2, 'error'],
      ['bad-parameter', 3, 'error'],
      ['bad-parameter', 4, 'error'],
      ['unknown-parameter', 1, 'warning'],
    ]);
    expect(t.issues[0]?.message).toBe('value "qa" of parameter Env (override) is not in AllowedValues [dev, prod]');
  });

  it('unknown parameter types are errors; AWS-specific, list and SSM types are accepted', () => {
    const t = tpl(`Parameters:
  A: {Type: Boolean}
  B: {Type: 'List<AWS::EC2::Subnet::Id>', Default: 'subnet-1,subnet-2'}
  C: {Type: 'AWS::EC2::VPC::Id', Default: vpc-1}
  D: {Type: 'AWS::SSM::Parameter::Value<List<String>>', Default: /p}
  E: {Type: 'AWS::SSM::Parameter::Name', Default: /p}
Resources:
  R: {Type: AWS::Test::Thing}`);
    expect(t.issues.map((i) => [i.code, i.location.line, i.message])).toEqual([
      ['bad-parameter', 2, 'parameter A has Type Boolean, which CloudFormation does not know'],
    ]);
    expect(t.parameters.B).toEqual(['subnet-1', 'subnet-2']);
    expect(t.parameters.C).toBe('vpc-1');
    expect(t.parameters.E).toBe('/p');
  });

  it('an unreadable parameters file is an issue', () => {
    const t = tpl(TEMPLATE, { parameterFiles: ['/nonexistent/params.json'] });
    expect(t.issues[0]).toMatchObject({ code: 'bad-parameter-file', location: { file: '/nonexistent/params.json' } });
  });
});
