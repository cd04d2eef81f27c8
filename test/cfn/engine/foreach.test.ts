import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUnknown, resolveTemplateText } from '../../../src/cfn/index.js';
import { CORPORA, corpusAvailable } from '../../helpers/corpus.js';
import { codes, res, tpl } from './helpers.js';

describe('Fn::ForEach (AWS::LanguageExtensions)', () => {
  it('expands resources, keys with dollar and ampersand placeholders, Ref and Sub of the identifier, nested loops in Outputs', () => {
    const t = tpl(`Transform: AWS::LanguageExtensions
Parameters:
  Names: {Type: CommaDelimitedList, Default: 'a-1,b-2'}
Resources:
  Fn::ForEach::Queues:
    - Name
    - !Ref Names
    - Queue&{Name}:
        Type: AWS::SQS::Queue
        Properties:
          QueueName: !Sub 'q-\${Name}'
          Tags:
            - Key: name
              Value: !Ref Name
Outputs:
  Fn::ForEach::Out:
    - Name
    - [a1, b2]
    - Fn::ForEach::Attr:
        - Attr
        - [Arn, QueueName]
        - Queue\${Name}\${Attr}:
            Value: !GetAtt [!Sub 'Queue\${Name}', !Ref Attr]
`);
    expect(codes(t)).toEqual([]);
    expect(t.resources.map((r) => r.logicalId)).toEqual(['Queuea1', 'Queueb2']);
    const q = res(t, 'Queueb2');
    expect(q.properties).toEqual({ QueueName: 'q-b-2', Tags: [{ Key: 'name', Value: 'b-2' }] });
    // Positions come from the loop's fragment.
    expect(q.location.line).toBe(8);
    expect(q.locate(['Tags', 0, 'Value']).line).toBe(14);
    expect(Object.keys(t.outputs)).toEqual(['Queuea1Arn', 'Queuea1QueueName', 'Queueb2Arn', 'Queueb2QueueName']);
    const v = t.outputs.Queueb2Arn;
    expect(isUnknown(v) && v.ref).toEqual({ logicalId: 'Queueb2', attribute: 'Arn' });
  });

  it('without the transform, or over an unknown collection, the loop is reported and not expanded', () => {
    const body = `Parameters: {P: {Type: CommaDelimitedList}}
Resources:
  Fn::ForEach::L:
    - X
    - !Ref P
    - B\${X}: {Type: AWS::S3::Bucket}
`;
    const noTransform = tpl(body);
    expect(noTransform.issues.map((i) => [i.code, i.location.line])).toEqual([['missing-transform', 2]]);
    expect(noTransform.resources).toEqual([]);
    const unknownList = tpl(`Transform: AWS::LanguageExtensions\n${body}`);
    expect(unknownList.issues.map((i) => [i.code, i.severity, i.location.line])).toEqual([
      ['unsupported-feature', 'warning', 4],
    ]);
    expect(unknownList.issues[0]?.message).toMatch(/parameter P has no value/);
  });

  const have = corpusAvailable();
  it.skipIf(!have)('corpus ForEach samples expand', () => {
    const f = join(CORPORA, 'cfn/templates/aws-samples/CloudFormation/fn-foreach-s3-outputs.yaml');
    const t = resolveTemplateText(readFileSync(f, 'utf8'), f, { schemaCheck: false });
    expect(t.issues).toEqual([]);
    expect(t.resources.map((r) => [r.logicalId, r.deletionPolicy])).toEqual([
      ['S3BucketA', 'Retain'],
      ['S3BucketB', 'Retain'],
      ['S3BucketC', 'Retain'],
    ]);
    expect(Object.keys(t.outputs)).toEqual(['S3BucketAArn', 'S3BucketBArn', 'S3BucketCArn']);
  });
});
