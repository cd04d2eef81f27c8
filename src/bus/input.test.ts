import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPORA } from '../../test/helpers/corpus.js';
import { type DeliveryContext, InputShaper, type InputTransformer, validateTargetInput } from './input.js';
import { parseJsonPath, resolvePath } from './jsonpath.js';

/**
 * Expected bodies are the SQS message bodies AWS delivered (LocalStack's recorded AWS snapshots). The events are
 * rebuilt here with the snapshot's placeholder values (`date`, `<region>`, `<uuid:N>`) so outputs compare as is.
 */
const SNAPSHOT = join(CORPORA, 'eventbridge/localstack-patterns/snapshots/test_events_inputs.snapshot.json');
const available = existsSync(SNAPSHOT);
if (!available) console.warn(`missing ${SNAPSHOT}: skipping recorded input-transformer cases`);
const snapshot: Record<string, { 'recorded-content': Record<string, { Body: unknown }[]> }> = available
  ? JSON.parse(readFileSync(SNAPSHOT, 'utf8'))
  : {};
const PREFIX = 'tests/aws/services/events/test_events_inputs.py::';

const DETAIL = { command: 'update-account', payload: { acc_id: '0a787ecb-4015', sf_id: 'baz' } };
const DETAIL_DUPLICATED_KEY = {
  command: 'update-account',
  payload: { acc_id: '0a787ecb-4015', payload: { message: 'baz', id: '123' } },
};
const SPECIAL_DETAIL = { ...DETAIL, listsingle: ['HIGH'], listmulti: ['ACTIVE', 'INACTIVE'], valid: true };

function event(detail: unknown, id = '<uuid:2>'): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': 'core.update-account-command',
    source: 'core.update-account-command',
    account: '111111111111',
    time: 'date',
    region: '<region>',
    resources: [],
    detail,
  };
}

const ctx: DeliveryContext = {
  ruleArn: 'arn:<partition>:events:<region>:111111111111:rule/<bus-name>/<rule-name>',
  ruleName: '<rule-name>',
  ingestionTime: 'date',
};

function shape(target: Parameters<typeof validateTargetInput>[0], e: Record<string, unknown>): string {
  expect(validateTargetInput(target)).toBeUndefined();
  const r = new InputShaper(target).shape(e, ctx);
  if (!r.ok) throw new Error(r.error);
  return r.body;
}

/** SQS bodies are recorded parsed when they are JSON objects, raw otherwise. */
function expectBody(body: string, recorded: unknown): void {
  if (typeof recorded === 'string') expect(body).toBe(recorded);
  else expect(JSON.parse(body)).toEqual(recorded);
}

function recorded(test: string, key: string): unknown[] {
  return snapshot[`${PREFIX}${test}`]['recorded-content'][key].map((m) => m.Body);
}

describe('JSONPath subset', () => {
  it('parses dot steps with dashes, indexes and quoted brackets', () => {
    expect(parseJsonPath('$')).toEqual([]);
    expect(parseJsonPath('$.detail-type')).toEqual(['detail-type']);
    expect(parseJsonPath('$.resources[0]')).toEqual(['resources', 0]);
    expect(parseJsonPath("$.detail['a.b']")).toEqual(['detail', 'a.b']);
    expect(parseJsonPath('detail')).toBe('must start with $');
    expect(parseJsonPath('$..a')).toBe('empty step at position 1');
    expect(parseJsonPath('$.a.*')).toBe('wildcards are not supported');
  });

  it('resolves only existing paths', () => {
    const e = { a: { b: [1, { c: null }] } };
    expect(resolvePath(e, ['a', 'b', 1, 'c'])).toBeNull();
    expect(resolvePath(e, ['a', 'x'])).toBeUndefined();
    expect(resolvePath(e, ['a', 'b', 5])).toBeUndefined();
    expect(resolvePath(e, ['a', 'b', 'length'])).toBeUndefined();
  });
});

describe.skipIf(!available)('input shaping: AWS-recorded outputs', () => {
  it('InputPath', () => {
    expectBody(
      shape({ Id: 't', InputPath: '$.detail' }, event(DETAIL)),
      recorded('TestInputPath::test_put_events_with_input_path', 'message')[0],
    );
    expectBody(
      shape({ Id: 't', InputPath: '$.detail.payload' }, event(DETAIL)),
      recorded('TestInputPath::test_put_events_with_input_path_nested[event_detail0]', 'message')[0],
    );
    expectBody(
      shape({ Id: 't', InputPath: '$.detail.payload' }, event(DETAIL_DUPLICATED_KEY)),
      recorded('TestInputPath::test_put_events_with_input_path_nested[event_detail1]', 'message')[0],
    );
    expectBody(
      shape({ Id: 't', InputPath: '$.detail.payload.sf_id' }, event(DETAIL)),
      recorded('TestInputPath::test_put_events_with_input_path_max_level_depth', 'message')[0],
    );
  });

  it('two targets: one with InputPath, one with the whole event', () => {
    const e = event(DETAIL, '<uuid:3>');
    const test = 'TestInputPath::test_put_events_with_input_path_multiple_targets';
    expectBody(shape({ Id: 'a', InputPath: '$.detail' }, e), recorded(test, 'message-queue-1')[0]);
    expectBody(shape({ Id: 'b' }, e), recorded(test, 'message-queue-2')[0]);
  });

  const paths = { 'detail-type': '$.detail-type', timestamp: '$.time', command: '$.detail.command' };
  const missing = { ...paths, command: '$.detail.notinmessage' };

  it.each([
    '"Event of <detail-type> type, at time <timestamp>, info extracted from detail <command>"',
    '"{[/Check with special starting characters for event of <detail-type> type"',
  ])('string template %s', (template) => {
    const test = `TestInputTransformer::test_put_events_with_input_transformer_input_template_string[${template}]`;
    const t = (map: Record<string, string>): InputTransformer => ({ InputPathsMap: map, InputTemplate: template });
    expectBody(
      shape({ Id: 't', InputTransformer: t(paths) }, event(DETAIL)),
      recorded(test, 'custom-variables-match-all')[0],
    );
    expectBody(
      shape({ Id: 't', InputTransformer: t(missing) }, event(DETAIL)),
      recorded(test, 'custom-variables-not-match-all')[0],
    );
  });

  it('JSON template with unquoted variables (missing → "")', () => {
    const template = '{"detailType": <detail-type>,  "time": <timestamp>, "command": <command>}';
    const test = 'TestInputTransformer::test_put_events_with_input_transformer_input_template_json';
    const t = (map: Record<string, string>): InputTransformer => ({ InputPathsMap: map, InputTemplate: template });
    expectBody(
      shape({ Id: 't', InputTransformer: t(paths) }, event(DETAIL)),
      recorded(test, 'custom-variables-match-all')[0],
    );
    expectBody(
      shape({ Id: 't', InputTransformer: t(missing) }, event(DETAIL)),
      recorded(test, 'custom-variables-not-match-all')[0],
    );
  });

  it('reserved variables', () => {
    const test = 'TestInputTransformer::test_input_transformer_predefined_variables';
    const str =
      '"Message containing all pre defined variables <aws.events.rule-arn> <aws.events.rule-name> <aws.events.event.ingestion-time>"';
    expectBody(
      shape({ Id: 't', InputTransformer: { InputTemplate: str } }, event(DETAIL)),
      recorded(`${test}[${str}]`, 'messages')[0],
    );
    const json = '{"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}';
    const body = JSON.parse(shape({ Id: 't', InputTransformer: { InputTemplate: json } }, event(DETAIL)));
    // The recording replaced originalEvent.time with a placeholder.
    body.originalEvent.time = '<ingestion-time>';
    expect(body).toEqual(recorded(`${test}[${json}]`, 'messages')[0]);
  });

  const nested = {
    userId: '$.detail.payload.acc_id',
    payload: '$.detail.payload',
    systemstring: '$.detail.awsAccountId',
    listsingle: '$.detail.listsingle',
    listmulti: '$.detail.listmulti',
    valid: '$.detail.valid',
  };
  const nestedCases = Object.entries(snapshot)
    .filter(
      ([k, v]) =>
        k.startsWith(`${PREFIX}TestInputTransformer::test_input_transformer_nested_keys_replacement[`) &&
        v['recorded-content']['input-transformed-messages'],
    )
    .map(([k, v]) => ({
      template: k.slice(k.indexOf('[') + 1, -1).replaceAll('\\n', '\n'),
      body: v['recorded-content']['input-transformed-messages'][0].Body,
    }));

  it('covers the 14 recorded nested-key templates', () => {
    expect(nestedCases).toHaveLength(14);
  });

  it.each(nestedCases)('nested keys: $template', ({ template, body }) => {
    expectBody(
      shape({ Id: 't', InputTransformer: { InputPathsMap: nested, InputTemplate: template } }, event(SPECIAL_DETAIL)),
      body,
    );
  });

  it.each([
    '{"not_valid": "users-service/users/<payload>", "bod": <payload>}',
    '{"payload": "<payload>"}',
    '{"singlelistitem": "<listsingle>"}',
  ])('objects or lists inside a quoted JSON string make the delivery fail (AWS drops it): %s', (template) => {
    const r = new InputShaper({ Id: 't', InputTransformer: { InputPathsMap: nested, InputTemplate: template } }).shape(
      event(SPECIAL_DETAIL),
      ctx,
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^InputTransformer produced invalid JSON: /);
  });
});

describe('target input validation (PutTargets)', () => {
  it('rejects more than one input kind (AWS message)', () => {
    expect(
      validateTargetInput({ Id: 'target-1', InputPath: '$.detail', InputTransformer: { InputTemplate: '"x"' } }),
    ).toBe('Only one of Input, InputPath, or InputTransformer must be provided for target target-1.');
  });

  it('rejects undefined placeholders (AWS message)', () => {
    expect(
      validateTargetInput({
        Id: 'target-1',
        InputTransformer: {
          InputPathsMap: { 'detail-type': '$.detail-type' },
          InputTemplate: '"Event of <detail-type> type, with not defined key <notdefinedkey>"',
        },
      }),
    ).toBe('InputTemplate for target target-1 contains invalid placeholder notdefinedkey.');
  });

  it('rejects invalid Input JSON, paths and keys', () => {
    expect(validateTargetInput({ Id: 't', Input: '{bad' })).toBe('Input for target t is not valid JSON.');
    expect(validateTargetInput({ Id: 't', InputPath: 'detail' })).toBe(
      'InputPath for target t is not valid: must start with $.',
    );
    expect(
      validateTargetInput({ Id: 't', InputTransformer: { InputPathsMap: { 'a b': '$.x' }, InputTemplate: '"x"' } }),
    ).toBe('InputPathsMap for target t contains invalid key a b.');
  });

  it('delivers constant Input as given, and the whole event by default', () => {
    expect(shape({ Id: 't', Input: '{"fixed": true}' }, event(DETAIL))).toBe('{"fixed": true}');
    expect(JSON.parse(shape({ Id: 't' }, event(DETAIL)))).toEqual(event(DETAIL));
  });

  it('reserved event variables are JSON values only; a missing InputPath fails the delivery', () => {
    const r = new InputShaper({ Id: 't', InputTransformer: { InputTemplate: '"<aws.events.event.json>"' } }).shape(
      event(DETAIL),
      ctx,
    );
    expect(r).toEqual({
      ok: false,
      error: '<aws.events.event.json> can only be used as a JSON value in the InputTemplate',
    });
    const p = new InputShaper({ Id: 't', InputPath: '$.detail.nothing' }).shape(event(DETAIL), ctx);
    expect(p).toEqual({ ok: false, error: 'InputPath $.detail.nothing matched nothing in the event' });
  });
});
