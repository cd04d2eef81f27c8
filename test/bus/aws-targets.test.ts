import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/bus/aws-targets.js';
import { Outbox } from '../../src/bus/outbox.js';
import { EventBusRegistry } from '../../src/bus/registry.js';
import { BusRuntime } from '../../src/bus/runtime.js';
import { hasCommand, integrationAvailable } from '../helpers/integration.js';
import { type MotoServer, startMoto } from '../helpers/moto.js';

const available = integrationAvailable('moto_server', hasCommand('moto_server', ['--help']));
const REGION = 'us-east-1';
const ACCOUNT = '123456789012'; // moto's default account
const CREDS = { accessKeyId: 'AKIAMOTOTEST0001', secretAccessKey: 'moto-secret-key-0000' };
let moto: MotoServer;

/** A signed call to moto (the same signer the targets use). */
async function aws(service: string, headers: Record<string, string>, body: string): Promise<string> {
  const url = new URL(`${moto.endpoint}/`);
  const signed = signRequest({ method: 'POST', url, headers, body }, service, REGION, CREDS);
  const res = await fetch(url, { method: 'POST', headers: signed, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${service} ${res.status}: ${text}`);
  return text;
}
const sqs = async (op: string, input: Record<string, unknown>) =>
  JSON.parse(
    await aws(
      'sqs',
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${op}` },
      JSON.stringify(input),
    ),
  ) as Record<string, unknown>;
const sns = (params: Record<string, string>) =>
  aws(
    'sns',
    { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    new URLSearchParams({ Version: '2010-03-31', ...params }).toString(),
  );

async function createQueue(name: string): Promise<{ url: string; arn: string }> {
  const r = await sqs('CreateQueue', { QueueName: name });
  return { url: r.QueueUrl as string, arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}` };
}

type Message = { Body: string; MessageAttributes?: Record<string, { StringValue: string }> };
async function receive(url: string): Promise<Message[]> {
  const r = await sqs('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] });
  return (r.Messages as Message[] | undefined) ?? [];
}

function runtimeWith(targets: Record<string, unknown>[]): BusRuntime {
  const registry = new EventBusRegistry({ account: ACCOUNT, region: REGION });
  registry.putRule({ Name: 'findings', EventPattern: '{"source": ["vigil.test"]}' });
  registry.putTargets({ Rule: 'findings', Targets: targets as never });
  return new BusRuntime({ registry, outbox: new Outbox(), retry: { baseMs: 1, capMs: 2 } });
}
const ENTRY = { Source: 'vigil.test', DetailType: 'Finding', Detail: '{"severity": 8}' };

describe.skipIf(!available)('SQS and SNS targets, SQS dead-letter queue (moto_server)', () => {
  beforeAll(async () => {
    moto = await startMoto();
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    process.env.AWS_ACCESS_KEY_ID = CREDS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDS.secretAccessKey;
  });
  afterAll(async () => {
    for (const k of ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) delete process.env[k];
    await moto?.stop();
  });

  it('delivers the event to an SQS queue', async () => {
    const q = await createQueue('vigil-target');
    const runtime = runtimeWith([{ Id: 'q', Arn: q.arn }]);
    const put = runtime.putEvents([ENTRY]);
    await runtime.drain();
    const [msg] = await receive(q.url);
    expect(JSON.parse(msg!.Body)).toMatchObject({
      id: (put.Entries[0] as { EventId: string }).EventId,
      source: 'vigil.test',
      'detail-type': 'Finding',
      detail: { severity: 8 },
    });
    expect(runtime.outbox.metrics()).toEqual([
      { ruleArn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/findings`, targetId: 'q', name: 'Invocations', value: 1 },
    ]);
  });

  it('sends a failed delivery to an SQS DLQ with AWS message attributes', async () => {
    const dlq = await createQueue('vigil-dlq');
    const missing = `arn:aws:sqs:${REGION}:${ACCOUNT}:does-not-exist`;
    const runtime = runtimeWith([
      { Id: 'gone', Arn: missing, InputPath: '$.detail', DeadLetterConfig: { Arn: dlq.arn } },
    ]);
    runtime.putEvents([ENTRY]);
    await runtime.drain();
    const [msg] = await receive(dlq.url);
    expect(JSON.parse(msg!.Body)).toEqual({ severity: 8 });
    const attrs = Object.fromEntries(Object.entries(msg!.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
    expect(attrs).toMatchObject({
      RULE_ARN: `arn:aws:events:${REGION}:${ACCOUNT}:rule/findings`,
      TARGET_ARN: missing,
      ERROR_CODE: 'NO_RESOURCE',
      RETRY_ATTEMPTS: '0',
    });
    expect(attrs.ERROR_MESSAGE).toMatch(/QueueDoesNotExist|NonExistentQueue/);
    expect(runtime.outbox.metrics().find((m) => m.name === 'InvocationsSentToDLQ')?.value).toBe(1);
  });

  it('publishes to an SNS topic (fanned out to a subscribed queue)', async () => {
    const q = await createQueue('vigil-sns-sub');
    const topicXml = await sns({ Action: 'CreateTopic', Name: 'vigil-alerts' });
    const topicArn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(topicXml)![1]!;
    await sns({ Action: 'Subscribe', TopicArn: topicArn, Protocol: 'sqs', Endpoint: q.arn });
    const runtime = runtimeWith([{ Id: 'topic', Arn: topicArn, Input: '{"alert": "high"}' }]);
    runtime.putEvents([ENTRY]);
    await runtime.drain();
    const [msg] = await receive(q.url);
    expect(JSON.parse(JSON.parse(msg!.Body).Message)).toEqual({ alert: 'high' });
  });
});
