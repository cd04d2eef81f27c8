import { join } from 'node:path';
import {
  CreateEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TagResourceCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  type BusTestServer,
  CREDS,
  REGION,
  recordedException,
  startTestServer,
  waitForLines,
} from './harness.js';

let t: BusTestServer;
let client: EventBridgeClient;

const clientFor = (credentials = CREDS) =>
  new EventBridgeClient({ region: REGION, endpoint: t.server.url, credentials, maxAttempts: 1 });

beforeAll(async () => {
  t = await startTestServer();
  client = clientFor();
});
afterAll(async () => {
  client.destroy();
  await t.close();
});

const EVENT = JSON.stringify({
  id: '1',
  source: 'vigil.test',
  'detail-type': 'Finding',
  account: ACCOUNT,
  time: '2026-11-29T00:00:00Z',
  region: REGION,
  resources: [],
  detail: { severity: 8 },
});

describe('EventBridge JSON 1.1 API with @aws-sdk/client-eventbridge', () => {
  it('creates a bus, a rule and a file target, and delivers a matching PutEvents entry', async () => {
    const bus = await client.send(new CreateEventBusCommand({ Name: 'security', Description: 'findings' }));
    expect(bus.EventBusArn).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:event-bus/security`);
    const described = await client.send(new DescribeEventBusCommand({ Name: 'security' }));
    expect(described).toMatchObject({ Name: 'security', Arn: bus.EventBusArn, Description: 'findings' });
    expect(described.CreationTime).toBeInstanceOf(Date);
    const buses = await client.send(new ListEventBusesCommand({}));
    expect(buses.EventBuses?.map((b) => b.Name)).toEqual(['default', 'security']);

    const pattern = '{"source": ["vigil.test"], "detail": {"severity": [{"numeric": [">=", 7]}]}}';
    const rule = await client.send(
      new PutRuleCommand({ Name: 'high', EventBusName: 'security', EventPattern: pattern, Description: 'sev>=7' }),
    );
    expect(rule.RuleArn).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:rule/security/high`);
    const out = join(t.dir, 'alerts.jsonl');
    const put = await client.send(
      new PutTargetsCommand({
        Rule: 'high',
        EventBusName: 'security',
        Targets: [{ Id: 'file', Arn: `file://${out}`, InputPath: '$.detail' }],
      }),
    );
    expect(put).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    expect((await client.send(new DescribeRuleCommand({ Name: 'high', EventBusName: 'security' }))).State).toBe(
      'ENABLED',
    );

    const events = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'security', Source: 'vigil.test', DetailType: 'Finding', Detail: '{"severity": 9}' },
          { EventBusName: 'security', Source: 'vigil.test', DetailType: 'Finding', Detail: '{"severity": 2}' },
          { EventBusName: 'security', Source: 'vigil.test', DetailType: 'Finding', Detail: '[1]' },
        ],
      }),
    );
    expect(events.FailedEntryCount).toBe(1);
    expect(events.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(events.Entries?.[2]).toEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
    const lines = await waitForLines(out, 1);
    expect(lines).toEqual([{ severity: 9 }]);
  });

  it('lists, disables, removes targets and deletes rules with AWS semantics', async () => {
    await client.send(new PutRuleCommand({ Name: 'r2', EventPattern: '{"source": ["x"]}' }));
    await client.send(new PutTargetsCommand({ Rule: 'r2', Targets: [{ Id: 't', Arn: `file://${t.dir}/r2.jsonl` }] }));
    expect((await client.send(new ListTargetsByRuleCommand({ Rule: 'r2' }))).Targets).toEqual([
      { Id: 't', Arn: `file://${t.dir}/r2.jsonl` },
    ]);
    await client.send(new DisableRuleCommand({ Name: 'r2' }));
    expect((await client.send(new ListRulesCommand({ NamePrefix: 'r' }))).Rules?.[0]).toMatchObject({
      Name: 'r2',
      State: 'DISABLED',
      EventBusName: 'default',
    });
    await expect(client.send(new DeleteRuleCommand({ Name: 'r2' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: "Rule can't be deleted since it has targets.",
    });
    await client.send(new RemoveTargetsCommand({ Rule: 'r2', Ids: ['t'] }));
    await client.send(new DeleteRuleCommand({ Name: 'r2' }));
    await expect(client.send(new DescribeRuleCommand({ Name: 'r2' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Rule r2 does not exist on EventBus default.',
    });
  });

  it('tags rules and buses', async () => {
    const arn = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/security`;
    await client.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'team', Value: 'secops' }] }));
    expect((await client.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([
      { Key: 'team', Value: 'secops' },
    ]);
    await expect(
      client.send(new ListTagsForResourceCommand({ ResourceARN: `arn:aws:events:${REGION}:${ACCOUNT}:rule/nope` })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Rule nope does not exist on EventBus default.',
    });
  });

  it('TestEventPattern: true/false, and AWS-recorded InvalidEventPatternException messages', async () => {
    const yes = await client.send(
      new TestEventPatternCommand({ EventPattern: '{"detail": {"severity": [8]}}', Event: EVENT }),
    );
    expect(yes.Result).toBe(true);
    const no = await client.send(
      new TestEventPatternCommand({ EventPattern: '{"source": ["aws.ec2"]}', Event: EVENT }),
    );
    expect(no.Result).toBe(false);
    for (const [name, pattern] of [
      ['int_nolist_EXC', '{"int": 42}'],
      ['content_numeric_EXC', '{"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}}'],
    ] as const) {
      const recorded = recordedException(name);
      await expect(
        client.send(new TestEventPatternCommand({ EventPattern: pattern, Event: EVENT })),
      ).rejects.toMatchObject({
        name: recorded.Code,
        message: recorded.MessageRaw,
        $metadata: { httpStatusCode: 400 },
      });
    }
    await expect(
      client.send(new TestEventPatternCommand({ EventPattern: '{"a": [1]}', Event: '"not an object"' })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: 'Parameter Event is not valid.' });
  });

  it('rejects bad or unknown credentials with AWS error names', async () => {
    const wrong = clientFor({ ...CREDS, secretAccessKey: 'not-the-right-secret-0000' });
    await expect(wrong.send(new ListEventBusesCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    const unknown = clientFor({ accessKeyId: 'AKIANOSUCHKEY000', secretAccessKey: 'whatever-secret-000' });
    await expect(unknown.send(new ListEventBusesCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
    const res = await fetch(t.server.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSEvents.ListEventBuses', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      __type: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
    wrong.destroy();
    unknown.destroy();
  });
});

describe('control-plane persistence', () => {
  it('restores buses, rules, targets and tags from the state file', async () => {
    const state = join(t.dir, 'persist.db');
    const first = await startTestServer(state);
    const c = new EventBridgeClient({ region: REGION, endpoint: first.server.url, credentials: CREDS, maxAttempts: 1 });
    await c.send(new CreateEventBusCommand({ Name: 'b1', Tags: [{ Key: 'k', Value: 'v' }] }));
    await c.send(
      new PutRuleCommand({ Name: 'r', EventBusName: 'b1', EventPattern: '{"source": ["s"]}', State: 'DISABLED' }),
    );
    await c.send(
      new PutTargetsCommand({
        Rule: 'r',
        EventBusName: 'b1',
        Targets: [{ Id: 'x', Arn: 'file:///tmp/x.jsonl', Input: '{"a":1}' }],
      }),
    );
    c.destroy();
    await first.close();

    const second = await startTestServer(state);
    expect(second.api.restoreProblems).toEqual([]);
    const reg = second.runtime.registry;
    expect(reg.describeRule({ Name: 'r', EventBusName: 'b1' })).toMatchObject({
      State: 'DISABLED',
      EventPattern: '{"source": ["s"]}',
    });
    expect(reg.listTargetsByRule({ Rule: 'r', EventBusName: 'b1' }).Targets).toEqual([
      { Id: 'x', Arn: 'file:///tmp/x.jsonl', Input: '{"a":1}' },
    ]);
    expect(second.api.call('ListTagsForResource', { ResourceARN: reg.busArn('b1') })).toEqual({
      Tags: [{ Key: 'k', Value: 'v' }],
    });
    await second.close();
  });
});
