import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPORA } from '../../test/helpers/corpus.js';
import { BusApiError } from './errors.js';
import { entrySize, preparePutEvents } from './put-events.js';
import { EventBusRegistry } from './registry.js';
import { nextFireTime, parseSchedule } from './schedule.js';

const SNAP_DIR = join(CORPORA, 'eventbridge/localstack-patterns/snapshots');
const available = existsSync(SNAP_DIR);
if (!available) console.warn(`missing ${SNAP_DIR}: skipping AWS-recorded message checks`);
function recordedError(file: string, test: string, key: string): { Code: string; Message: string } {
  const snap = JSON.parse(readFileSync(join(SNAP_DIR, file), 'utf8'));
  const prefix = `tests/aws/services/events/${file.replace('.snapshot.json', '.py')}::`;
  return snap[prefix + test]['recorded-content'][key].Error;
}

function apiError(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof BusApiError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('no error');
}

const PATTERN = JSON.stringify({
  source: ['core.update-account-command'],
  'detail-type': ['core.update-account-command'],
  detail: { command: ['update-account'] },
});
const DETAIL = JSON.stringify({ command: 'update-account', payload: { acc_id: '0a787ecb-4015', sf_id: 'baz' } });

function registry(): EventBusRegistry {
  return new EventBusRegistry({
    account: '111111111111',
    region: 'us-east-1',
    now: () => new Date('2024-05-01T00:00:00Z'),
  });
}

describe('event buses', () => {
  it('creates, lists, describes and deletes buses with AWS errors', () => {
    const r = registry();
    expect(r.createEventBus({ Name: 'ops', Description: 'test bus' })).toEqual({
      EventBusArn: 'arn:aws:events:us-east-1:111111111111:event-bus/ops',
      Description: 'test bus',
    });
    expect(r.listEventBuses({ NamePrefix: 'op' }).EventBuses.map((b) => b.Name)).toEqual(['ops']);
    expect(r.describeEventBus({ Name: 'arn:aws:events:us-east-1:111111111111:event-bus/ops' })).toMatchObject({
      Name: 'ops',
    });
    expect(apiError(() => r.createEventBus({ Name: 'ops' }))).toEqual({
      code: 'ResourceAlreadyExistsException',
      message: 'Event bus ops already exists.',
    });
    expect(apiError(() => r.deleteEventBus({ Name: 'default' }))).toEqual({
      code: 'ValidationException',
      message: 'Cannot delete event bus default.',
    });
    r.deleteEventBus({ Name: 'ops' });
    expect(apiError(() => r.describeEventBus({ Name: 'ops' }))).toEqual({
      code: 'ResourceNotFoundException',
      message: 'Event bus ops does not exist.',
    });
  });

  it('pages with Limit / NextToken', () => {
    const r = registry();
    for (let i = 0; i < 5; i++) r.createEventBus({ Name: `bus-${i}` });
    const first = r.listEventBuses({ NamePrefix: 'bus-', Limit: 3 });
    expect(first.EventBuses.map((b) => b.Name)).toEqual(['bus-0', 'bus-1', 'bus-2']);
    const second = r.listEventBuses({ NamePrefix: 'bus-', Limit: 3, NextToken: first.NextToken });
    expect(second.EventBuses.map((b) => b.Name)).toEqual(['bus-3', 'bus-4']);
    expect(second.NextToken).toBeUndefined();
  });
});

describe('rules', () => {
  it('puts, describes, disables and routes', () => {
    const r = registry();
    r.createEventBus({ Name: 'ops' });
    expect(r.putRule({ Name: 'r1', EventBusName: 'ops', EventPattern: PATTERN })).toEqual({
      RuleArn: 'arn:aws:events:us-east-1:111111111111:rule/ops/r1',
    });
    expect(r.putRule({ Name: 'r0', EventPattern: PATTERN }).RuleArn).toBe(
      'arn:aws:events:us-east-1:111111111111:rule/r0',
    );
    expect(r.describeRule({ Name: 'r1', EventBusName: 'ops' })).toEqual({
      Name: 'r1',
      Arn: 'arn:aws:events:us-east-1:111111111111:rule/ops/r1',
      EventPattern: PATTERN,
      State: 'ENABLED',
      EventBusName: 'ops',
      CreatedBy: '111111111111',
    });
    const event = {
      source: 'core.update-account-command',
      'detail-type': 'core.update-account-command',
      detail: JSON.parse(DETAIL),
    };
    expect(r.matchingRules('ops', event).map((x) => x.name)).toEqual(['r1']);
    r.disableRule({ Name: 'r1', EventBusName: 'ops' });
    expect(r.describeRule({ Name: 'r1', EventBusName: 'ops' }).State).toBe('DISABLED');
    expect(r.matchingRules('ops', event)).toEqual([]);
    r.enableRule({ Name: 'r1', EventBusName: 'ops' });
    expect(r.matchingRules('ops', event).map((x) => x.name)).toEqual(['r1']);
  });

  it('rejects invalid patterns with AWS message and location', () => {
    const r = registry();
    expect(apiError(() => r.putRule({ Name: 'bad', EventPattern: '{"int": 42}' }))).toEqual({
      code: 'InvalidEventPatternException',
      message:
        'Event pattern is not valid. Reason: "int" must be an object or an array\n at [Source: (String)"{"int": 42}"; line: 1, column: 11]',
    });
  });

  it('validates names, states and the presence of a pattern or schedule', () => {
    const r = registry();
    expect(apiError(() => r.putRule({ Name: 'bad name!', EventPattern: PATTERN })).message).toBe(
      "1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
    );
    expect(apiError(() => r.putRule({ Name: 'x', EventPattern: PATTERN, State: 'ON' })).message).toBe(
      "1 validation error detected: Value 'ON' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]",
    );
    expect(apiError(() => r.putRule({ Name: 'x' })).message).toBe(
      'Parameter(s) EventPattern or ScheduleExpression must be specified.',
    );
  });

  it.skipIf(!available)('AWS-recorded rule errors', () => {
    const r = registry();
    r.createEventBus({ Name: 'custom' });
    const rec = recordedError(
      'test_events_schedule.snapshot.json',
      'TestScheduleRate::tests_put_rule_with_schedule_custom_event_bus',
      'put-rule-with-custom-event-bus-error',
    );
    expect(
      apiError(() => r.putRule({ Name: 's', EventBusName: 'custom', ScheduleExpression: 'rate(1 minute)' })),
    ).toEqual({
      code: rec.Code,
      message: rec.Message,
    });
    const notFound = recordedError(
      'test_events.snapshot.json',
      'TestEventRule::test_describe_nonexistent_rule',
      'describe-not-existing-rule-error',
    );
    expect(apiError(() => r.describeRule({ Name: '<rule-name>' }))).toEqual({
      code: notFound.Code,
      message: notFound.Message,
    });
    r.putRule({ Name: 'with-targets', EventPattern: PATTERN });
    r.putTargets({ Rule: 'with-targets', Targets: [{ Id: 't1', Arn: 'arn:aws:sqs:us-east-1:111111111111:q' }] });
    const del = recordedError(
      'test_events.snapshot.json',
      'TestEventRule::test_delete_rule_with_targets',
      'delete-rule-with-targets-error',
    );
    expect(apiError(() => r.deleteRule({ Name: 'with-targets' }))).toEqual({ code: del.Code, message: del.Message });
  });

  it('keeps targets when a rule is updated; read-only CloudTrail management events need the special state', () => {
    const r = registry();
    const ct = { source: ['aws.s3'] };
    r.putRule({ Name: 'plain', EventPattern: JSON.stringify(ct) });
    r.putRule({
      Name: 'all',
      EventPattern: JSON.stringify(ct),
      State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
    });
    r.putTargets({ Rule: 'plain', Targets: [{ Id: 't', Arn: 'arn:aws:sqs:us-east-1:111111111111:q' }] });
    r.putRule({ Name: 'plain', EventPattern: JSON.stringify(ct), Description: 'updated' });
    expect(r.listTargetsByRule({ Rule: 'plain' }).Targets).toHaveLength(1);
    const readOnly = {
      source: 'aws.s3',
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { readOnly: true, eventCategory: 'Management' },
    };
    const write = { ...readOnly, detail: { readOnly: false, eventCategory: 'Management' } };
    expect(r.matchingRules(undefined, readOnly).map((x) => x.name)).toEqual(['all']);
    expect(r.matchingRules(undefined, write).map((x) => x.name)).toEqual(['all', 'plain']);
  });
});

describe('targets', () => {
  it.skipIf(!available)('AWS-recorded PutTargets validation errors', () => {
    const r = registry();
    r.putRule({ Name: 'r', EventPattern: PATTERN });
    const arn = 'arn:aws:sqs:us-east-1:111111111111:q';
    const badId = recordedError(
      'test_events.snapshot.json',
      'TestEventTarget::test_put_target_id_validation',
      'put-targets-invalid-id-error',
    );
    expect(apiError(() => r.putTargets({ Rule: 'r', Targets: [{ Id: '!@#$@!#$', Arn: arn }] }))).toEqual({
      code: badId.Code,
      message: badId.Message,
    });
    const longId = recordedError(
      'test_events.snapshot.json',
      'TestEventTarget::test_put_target_id_validation',
      'put-targets-length-error',
    );
    const id = longId.Message.match(/Value '([^']+)'/)?.[1] ?? '';
    expect(
      apiError(() => r.putTargets({ Rule: 'r', Targets: [{ Id: `${id}${'x'.repeat(65 - id.length)}`, Arn: arn }] }))
        .message,
    ).toBe(longId.Message.replace(id, `${id}${'x'.repeat(65 - id.length)}`));
    const limit = recordedError(
      'test_events.snapshot.json',
      'TestEventTarget::test_add_exceed_fife_targets_per_rule',
      'put-targets-client-error',
    );
    const six = Array.from({ length: 6 }, (_, i) => ({ Id: `t${i}`, Arn: arn }));
    expect(apiError(() => r.putTargets({ Rule: 'r', Targets: six }))).toEqual({
      code: limit.Code,
      message: limit.Message,
    });
    const both = recordedError(
      'test_events_inputs.snapshot.json',
      'test_put_event_input_path_and_input_transformer',
      'duplicated-input-operations-error',
    );
    expect(
      apiError(() =>
        r.putTargets({
          Rule: 'r',
          Targets: [{ Id: 'target-1', Arn: arn, InputPath: '$.detail', InputTransformer: { InputTemplate: '{}' } }],
        }),
      ),
    ).toEqual({ code: both.Code, message: both.Message.replace('<target-id>', 'target-1') });
  });

  it('puts, lists, finds by target and removes targets', () => {
    const r = registry();
    r.putRule({ Name: 'a', EventPattern: PATTERN });
    r.putRule({ Name: 'b', EventPattern: PATTERN });
    const arn = 'arn:aws:sqs:us-east-1:111111111111:q';
    r.putTargets({ Rule: 'a', Targets: [{ Id: 't', Arn: arn, RetryPolicy: { MaximumRetryAttempts: 3 } }] });
    r.putTargets({ Rule: 'b', Targets: [{ Id: 't', Arn: arn }] });
    expect(r.listTargetsByRule({ Rule: 'a' })).toEqual({
      Targets: [{ Id: 't', Arn: arn, RetryPolicy: { MaximumRetryAttempts: 3 } }],
    });
    expect(r.listRuleNamesByTarget({ TargetArn: arn })).toEqual({ RuleNames: ['a', 'b'] });
    r.removeTargets({ Rule: 'a', Ids: ['t'] });
    expect(r.listTargetsByRule({ Rule: 'a' })).toEqual({ Targets: [] });
    r.deleteRule({ Name: 'a' });
    expect(r.listRules().Rules.map((x) => x.Name)).toEqual(['b']);
  });

  it('checks retry policy bounds with model messages', () => {
    const r = registry();
    r.putRule({ Name: 'r', EventPattern: PATTERN });
    expect(
      apiError(() =>
        r.putTargets({
          Rule: 'r',
          Targets: [{ Id: 't', Arn: 'x', RetryPolicy: { MaximumRetryAttempts: 200, MaximumEventAgeInSeconds: 30 } }],
        }),
      ).message,
    ).toBe(
      "2 validation errors detected: Value '200' at 'targets.1.member.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 185; Value '30' at 'targets.1.member.retryPolicy.maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60",
    );
  });
});

describe('schedule expressions', () => {
  // Valid and invalid expressions as recorded against AWS (LocalStack's validated tests).
  it.each([
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(1 hour)',
    'rate(2 days)',
    'cron(0 2 ? * SAT *)',
    'cron(0 12 * * ? *)',
    'cron(5,35 14 * * ? *)',
    'cron(15 10 ? * 6L 2002-2005)',
    'cron(0 2 ? * SAT#3 *)',
    'cron(* * ? * SAT#3 *)',
    'cron(0/5 5 ? JAN 1-5 2022)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0 8 1 * ? *)',
    'cron(0/15 * * * ? *)',
    'cron(0/30 0-2 ? * MON-FRI *)',
  ])('accepts %s', (s) => {
    expect(parseSchedule(s)).toBeDefined();
  });

  it.each([
    'rate(10 seconds)',
    'rate(10 years)',
    'rate(1 minutes)',
    'rate(1 hours)',
    'rate(1 days)',
    'rate(10 minute)',
    'rate(10 hour)',
    'rate(10 day)',
    'rate()',
    'rate(10)',
    'rate(10 minutess)',
    'rate(foo minutes)',
    'rate(0 minutes)',
    'rate(-10 minutes)',
    'rate(10 MINUTES)',
    'rate( 10 minutes )',
    ' rate(10 minutes)',
    'cron(0 1 * * * *)',
    'cron(7 20 * * NOT *)',
    'cron(INVALID)',
    'cron(0 dummy ? * MON-FRI *)',
    'cron(71 8 1 * ? *)',
  ])('rejects %j (Parameter ScheduleExpression is not valid.)', (s) => {
    expect(parseSchedule(s)).toBeUndefined();
    const r = registry();
    expect(apiError(() => r.putRule({ Name: 's', ScheduleExpression: s })).message).toBe(
      'Parameter ScheduleExpression is not valid.',
    );
  });

  it('computes next fire times in UTC', () => {
    const at = (s: string) => Date.parse(s);
    const iso = (n: number | undefined) => (n === undefined ? undefined : new Date(n).toISOString());
    expect(
      iso(nextFireTime(parseSchedule('rate(5 minutes)')!, at('2024-05-01T00:07:00Z'), at('2024-05-01T00:00:00Z'))),
    ).toBe('2024-05-01T00:10:00.000Z');
    expect(iso(nextFireTime(parseSchedule('cron(0 18 ? * MON-FRI *)')!, at('2024-05-03T18:00:00Z')))).toBe(
      '2024-05-06T18:00:00.000Z',
    );
    expect(iso(nextFireTime(parseSchedule('cron(0 2 ? * SAT#3 *)')!, at('2024-05-01T00:00:00Z')))).toBe(
      '2024-05-18T02:00:00.000Z',
    );
    expect(
      iso(nextFireTime(parseSchedule('cron(15 10 ? * 6L 2002-2005)')!, at('2024-01-01T00:00:00Z'))),
    ).toBeUndefined();
    expect(iso(nextFireTime(parseSchedule('cron(0 8 L * ? *)')!, at('2024-02-01T00:00:00Z')))).toBe(
      '2024-02-29T08:00:00.000Z',
    );
    expect(iso(nextFireTime(parseSchedule('cron(0 9 15W * ? *)')!, at('2024-06-01T00:00:00Z')))).toBe(
      '2024-06-14T09:00:00.000Z',
    );
  });
});

describe('PutEvents', () => {
  const entry = { Source: 'core.update-account-command', DetailType: 'core.update-account-command', Detail: DETAIL };

  it('builds the envelope in AWS key order', () => {
    const r = registry();
    const [res] = preparePutEvents(r, [{ ...entry, Time: new Date('2024-05-01T10:11:12.345Z') }], {
      newId: () => 'id-1',
    });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(Object.keys(res.event)).toEqual([
      'version',
      'id',
      'detail-type',
      'source',
      'account',
      'time',
      'region',
      'resources',
      'detail',
    ]);
    expect(res.event).toMatchObject({
      id: 'id-1',
      time: '2024-05-01T10:11:12Z',
      account: '111111111111',
      resources: [],
    });
  });

  it.skipIf(!available)('AWS-recorded per-entry and request errors', () => {
    const r = registry();
    const snap = JSON.parse(readFileSync(join(SNAP_DIR, 'test_events.snapshot.json'), 'utf8'));
    const rec = (test: string, key: string) =>
      snap[`tests/aws/services/events/test_events.py::TestEvents::${test}`]['recorded-content'][key];
    const entryError = (e: object) => {
      const [res] = preparePutEvents(r, [e]);
      return res.ok ? undefined : { ErrorCode: res.ErrorCode, ErrorMessage: res.ErrorMessage };
    };
    expect(entryError({ DetailType: 'x', Detail: DETAIL })).toEqual(
      rec('test_put_events_without_source', 'put-events').Entries[0],
    );
    expect(entryError({ Source: 'x', Detail: DETAIL })).toEqual(
      rec('test_put_event_without_detail_type', 'put-events').Entries[0],
    );
    expect(entryError({ Source: 'x', DetailType: 'y' })).toEqual(
      rec('test_put_event_without_detail', 'put-events').Entries[0],
    );
    for (const [kind, detail] of [
      ['STRING', 'plain string'],
      ['ARRAY', '["a"]'],
      ['MALFORMED_JSON', '{"a": '],
      ['SERIALIZED_STRING', JSON.stringify(DETAIL)],
    ]) {
      expect(entryError({ Source: 'x', DetailType: 'y', Detail: detail })).toEqual(
        rec(`test_put_event_malformed_detail[${kind}]`, 'put-events').Entries[0],
      );
    }
    // Recorded with the 256 KiB limit of the time.
    const big = {
      ...entry,
      DetailType: 'core.update-account-command',
      Detail: JSON.stringify({ payload: ['p'.repeat(256 * 1024 - 17)] }),
    };
    expect(apiError(() => preparePutEvents(r, [big], { maxRequestBytes: 256 * 1024 })).message).toBe(
      rec('test_put_event_with_too_big_detail', 'put-events-too-big-detail-error').Error.Message,
    );
    expect(preparePutEvents(r, [big])[0].ok).toBe(true);
    // LocalStack sent Python's json.dumps layout.
    const pyDetail = '{"command": "update-account", "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}}';
    const eleven = Array.from({ length: 11 }, () => ({ ...entry, Detail: pyDetail, EventBusName: '<bus-name>' }));
    r.createEventBus({ Name: 'bus-name' });
    expect(apiError(() => preparePutEvents(r, eleven)).message).toBe(
      rec('test_put_events_exceed_limit_ten_entries[custom]', 'put-events-exceed-limit-error').Error.Message,
    );
  });

  it('counts entry size the AWS way and rejects unknown buses', () => {
    expect(entrySize({ Source: 'é', DetailType: 'ab', Detail: '{}', Resources: ['r1'], Time: 0 })).toBe(
      2 + 2 + 2 + 2 + 14,
    );
    expect(apiError(() => preparePutEvents(registry(), [{ ...entry, EventBusName: 'nope' }]))).toEqual({
      code: 'ResourceNotFoundException',
      message: 'Event bus nope does not exist.',
    });
  });
});
