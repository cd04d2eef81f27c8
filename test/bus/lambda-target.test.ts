import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/bus/aws-targets.js';
import { loadBusConfig } from '../../src/bus/config.js';
import { classifyLambdaError, LambdaTarget } from '../../src/bus/lambda-target.js';
import { Outbox } from '../../src/bus/outbox.js';
import { EventBusRegistry } from '../../src/bus/registry.js';
import { BusRuntime } from '../../src/bus/runtime.js';
import { createInvoker, type TargetInvoker } from '../../src/bus/targets.js';
import { hasCommand, integrationAvailable } from '../helpers/integration.js';
import { type MotoServer, startMoto } from '../helpers/moto.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012'; // moto's default account
const CREDS = { accessKeyId: 'AKIAMOTOTEST0002', secretAccessKey: 'moto-secret-key-0000' };
const RULE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:rule/findings`;
const ENTRY = { Source: 'vigil.test', DetailType: 'Finding', Detail: '{"severity": 8}' };
const ZIP = Buffer.from(
  // A one-file zip (index.js: exports.handler=async(e)=>e), built once with Python's zipfile; moto stores it only.
  'UEsDBBQAAAAAAAAAIQBArSWpGwAAABsAAAAIAAAAaW5kZXguanNleHBvcnRzLmhhbmRsZXI9YXN5bmMoZSk9PmVQSwECFAMUAAAAAAAAACEAQK0lqRsAAAAbAAAACAAAAAAAAAAAAAAAgAEAAAAAaW5kZXguanNQSwUGAAAAAAEAAQA2AAAAQQAAAAAA',
  'base64',
);

function runtimeWith(targets: Record<string, unknown>[], endpoint?: string): BusRuntime {
  const registry = new EventBusRegistry({ account: ACCOUNT, region: REGION });
  if (endpoint) registry.aws.endpoint = endpoint;
  registry.putRule({ Name: 'findings', EventPattern: '{"source": ["vigil.test"]}' });
  registry.putTargets({ Rule: 'findings', Targets: targets as never });
  return new BusRuntime({ registry, outbox: new Outbox(), retry: { baseMs: 1, capMs: 2 } });
}

describe('classifyLambdaError (EventBridge: retriable or not, DLQ ERROR_CODE)', () => {
  it.each([
    ['ResourceNotFoundException', 404, false, 'NO_RESOURCE'],
    ['AccessDeniedException', 403, false, 'NO_PERMISSIONS'],
    ['UnrecognizedClientException', 403, false, 'NO_PERMISSIONS'],
    ['CredentialsProviderError', undefined, false, 'NO_PERMISSIONS'],
    ['TooManyRequestsException', 429, true, 'THROTTLING'],
    ['ResourceConflictException', 409, true, 'THROTTLING'],
    ['ServiceException', 500, true, 'SDK_CLIENT_ERROR'],
    ['EC2UnexpectedException', 502, true, 'SDK_CLIENT_ERROR'],
    ['TimeoutError', undefined, true, 'TIMEOUT'],
    ['ECONNREFUSED', undefined, true, 'SDK_CLIENT_ERROR'],
    ['RequestTooLargeException', 413, false, 'SDK_CLIENT_ERROR'],
    ['InvalidRequestContentException', 400, false, 'SDK_CLIENT_ERROR'],
  ] as const)('%s (HTTP %s) → retriable %s, %s', (name, status, retriable, code) => {
    const r = classifyLambdaError(name, status, 'why');
    expect(r).toEqual({
      ok: false,
      retriable,
      code,
      message: `lambda ${name}${status ? ` (HTTP ${status})` : ''}: why`,
    });
  });
});

/** A socket-level recorder: what the target really puts on the wire, and a scripted Lambda error answer. */
describe('LambdaTarget request on the wire', () => {
  let server: Server;
  let endpoint: string;
  const seen: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }[] = [];
  let answer: { status: number; type?: string; body: string } = { status: 202, body: '' };
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString('utf8');
      });
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(answer.status, {
          'content-type': 'application/json',
          ...(answer.type ? { 'x-amzn-errortype': answer.type } : {}),
        });
        res.end(answer.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    endpoint = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends the shaped input as an asynchronous (Event) Invoke of the qualified function, SigV4-signed', async () => {
    seen.length = 0;
    answer = { status: 202, body: '' };
    const arn = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:quarantine:live`;
    const target: TargetInvoker = new LambdaTarget(arn, { endpoint, credentials: CREDS });
    const r = await target.invoke('{"severity":8}', {
      ruleArn: RULE_ARN,
      ruleName: 'findings',
      targetId: 't',
      eventId: 'e',
      attempt: 0,
    });
    expect(r).toEqual({ ok: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe('POST');
    expect(decodeURIComponent(seen[0]!.url!)).toBe(`/2015-03-31/functions/${arn}/invocations`);
    expect(seen[0]!.headers['x-amz-invocation-type']).toBe('Event');
    expect(seen[0]!.headers.authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${CREDS.accessKeyId}/\\d{8}/eu-west-1/lambda/aws4_request`),
    );
    expect(seen[0]!.body).toBe('{"severity":8}');
  });

  it.each([
    [429, 'TooManyRequestsException', { retriable: true, code: 'THROTTLING' }],
    [403, 'AccessDeniedException', { retriable: false, code: 'NO_PERMISSIONS' }],
    [503, 'ServiceException', { retriable: true, code: 'SDK_CLIENT_ERROR' }],
  ] as const)('maps an HTTP %s %s answer', async (status, type, expected) => {
    answer = { status, type, body: JSON.stringify({ Type: 'User', message: `scripted ${type}` }) };
    const target: TargetInvoker = new LambdaTarget(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:f`, {
      endpoint,
      credentials: CREDS,
    });
    const r = await target.invoke('{}', { ruleArn: RULE_ARN, ruleName: 'r', targetId: 't', eventId: 'e', attempt: 0 });
    expect(r).toMatchObject({ ok: false, ...expected });
    expect(r.ok ? '' : r.message).toContain(`scripted ${type}`);
  });
});

describe('Lambda ARN mapped to a local handler (offline, bus config aws.lambdaHandlers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-lambda-local-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the module handler instead of calling AWS; relative paths are relative to the config file', async () => {
    const out = join(dir, 'calls.jsonl');
    writeFileSync(
      join(dir, 'quarantine.mjs'),
      `import { appendFileSync } from 'node:fs';\nexport async function handler(event, context) {\n  appendFileSync(${JSON.stringify(out)}, JSON.stringify({ event, arn: context.invokedFunctionArn }) + '\\n');\n}\n`,
    );
    const fn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:quarantine`;
    const yaml = [
      'bus:',
      '  aws:',
      '    endpoint: http://127.0.0.1:9',
      '    lambdaHandlers:',
      `      "${fn}": "module:./quarantine.mjs#handler"`,
      '      "arn:aws:sqs:us-east-1:1:q": "module:./x.mjs"',
      `      "${fn}-2": "arn:aws:lambda:${REGION}:${ACCOUNT}:function:other"`,
      '  rules:',
      '    - Name: findings',
      '      EventPattern: { source: [vigil.test] }',
      '      Targets:',
      `        - { Id: fix, Arn: "${fn}:prod", InputPath: $.detail }`,
    ].join('\n');
    const registry = new EventBusRegistry({ account: ACCOUNT, region: REGION });
    const loaded = loadBusConfig(registry, yaml, join(dir, 'vigil.yaml'));
    expect(loaded.issues).toEqual([
      {
        where: `${join(dir, 'vigil.yaml')}:6: bus.aws.lambdaHandlers`,
        reason: 'arn:aws:sqs:us-east-1:1:q is not a Lambda function ARN',
      },
      {
        where: `${join(dir, 'vigil.yaml')}:7: bus.aws.lambdaHandlers`,
        reason: `${fn}-2 must map to a local target (module:, command: or file:)`,
      },
    ]);
    expect(registry.aws).toEqual({
      endpoint: 'http://127.0.0.1:9',
      lambdaHandlers: { [fn]: `module:${join(dir, 'quarantine.mjs')}#handler` },
    });
    const runtime = new BusRuntime({ registry, outbox: new Outbox(), retry: { baseMs: 1, capMs: 2 } });
    runtime.putEvents([ENTRY]);
    await runtime.drain();
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([{ event: { severity: 8 }, arn: `module:${join(dir, 'quarantine.mjs')}#handler` }]);
    expect(runtime.outbox.metrics().map((m) => [m.name, m.value])).toEqual([['Invocations', 1]]);
  });

  it('refuses a mapping to another Lambda ARN (no loops) and a malformed function ARN', () => {
    const fn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:a`;
    const deps = {
      publish: () => undefined,
      aws: { lambdaHandlers: { [fn]: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:b` } },
    };
    expect(createInvoker({ Id: 't', Arn: fn }, deps)).toMatch(/must map to a local target/);
    expect(createInvoker({ Id: 't', Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:x` }, deps)).toBe(
      `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:x is not a Lambda function ARN`,
    );
  });
});

const available = integrationAvailable('moto_server', hasCommand('moto_server', ['--help']));

/**
 * Against moto_server. Without a Docker daemon moto cannot run function code, but it still processes the Invoke: it
 * answers 202 to an Event invocation of an existing function and writes one log stream per invocation to
 * /aws/lambda/<name> (saying it could not start Docker) — that stream is how these tests see the invocation
 * arrive. The payload itself is not observable in moto; the wire test above checks it.
 */
describe.skipIf(!available)('Lambda targets against moto_server', () => {
  let moto: MotoServer;
  let fnArn: string;
  const sdk = () => ({ endpoint: moto.endpoint, region: REGION, credentials: CREDS });
  const json = async (service: string, target: string, input: Record<string, unknown>, type: string) => {
    const url = new URL(`${moto.endpoint}/`);
    const body = JSON.stringify(input);
    const headers = signRequest(
      { method: 'POST', url, headers: { 'content-type': type, 'x-amz-target': target }, body },
      service,
      REGION,
      CREDS,
    );
    const res = await fetch(url, { method: 'POST', headers, body });
    return JSON.parse(await res.text()) as Record<string, unknown>;
  };
  const logStreams = async (fn: string) =>
    (
      (await json(
        'logs',
        'Logs_20140328.DescribeLogStreams',
        { logGroupName: `/aws/lambda/${fn}` },
        'application/x-amz-json-1.1',
      )) as { logStreamNames?: unknown; logStreams?: { logStreamName: string }[] }
    ).logStreams ?? [];

  beforeAll(async () => {
    moto = await startMoto();
    const role = await new IAMClient(sdk()).send(
      new CreateRoleCommand({ RoleName: 'vigil-lambda', AssumeRolePolicyDocument: '{}' }),
    );
    const fn = await new LambdaClient(sdk()).send(
      new CreateFunctionCommand({
        FunctionName: 'quarantine',
        Runtime: 'nodejs20.x',
        Role: role.Role!.Arn!,
        Handler: 'index.handler',
        Code: { ZipFile: ZIP },
        Publish: true,
      }),
    );
    fnArn = fn.FunctionArn!;
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('invokes an existing function and its $LATEST qualifier (202 accepted; moto records one invocation per event)', async () => {
    const runtime = runtimeWith(
      [
        { Id: 'fn', Arn: fnArn },
        { Id: 'latest', Arn: `${fnArn}:$LATEST` },
      ],
      moto.endpoint,
    );
    process.env.AWS_ACCESS_KEY_ID = CREDS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDS.secretAccessKey;
    try {
      runtime.putEvents([ENTRY, ENTRY]);
      await runtime.drain();
    } finally {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
    const metrics = runtime.outbox.metrics().map((m) => [m.targetId, m.name, m.value]);
    expect(metrics.sort()).toEqual([
      ['fn', 'Invocations', 2],
      ['latest', 'Invocations', 2],
    ]);
    expect(await logStreams('quarantine')).toHaveLength(4);
  });

  it('sends an invocation of a missing function or version straight to the DLQ with NO_RESOURCE', async () => {
    const dlq = join(mkdtempSync(join(tmpdir(), 'vigil-lambda-dlq-')), 'dlq.jsonl');
    const missing = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:does-not-exist`;
    const runtime = runtimeWith(
      [
        { Id: 'gone', Arn: missing, DeadLetterConfig: { Arn: `file://${dlq}` } },
        { Id: 'badver', Arn: `${fnArn}:7`, InputPath: '$.detail', DeadLetterConfig: { Arn: `file://${dlq}` } },
      ],
      moto.endpoint,
    );
    process.env.AWS_ACCESS_KEY_ID = CREDS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDS.secretAccessKey;
    try {
      runtime.putEvents([ENTRY]);
      await runtime.drain();
    } finally {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
    const letters = readFileSync(dlq, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { body: string; attributes: Record<string, string> })
      .sort((a, b) => a.attributes.TARGET_ARN!.localeCompare(b.attributes.TARGET_ARN!));
    expect(letters).toHaveLength(2);
    expect(letters.map((l) => l.attributes.TARGET_ARN)).toEqual([`${fnArn}:7`, missing].sort());
    for (const l of letters) {
      expect(l.attributes).toMatchObject({ RULE_ARN, ERROR_CODE: 'NO_RESOURCE', RETRY_ATTEMPTS: '0' });
      expect(l.attributes.ERROR_MESSAGE).toMatch(/^lambda ResourceNotFoundException \(HTTP 404\): Function not found/);
    }
    expect(JSON.parse(letters.find((l) => l.attributes.TARGET_ARN === `${fnArn}:7`)!.body)).toEqual({ severity: 8 });
    expect(runtime.outbox.metrics().filter((m) => m.name === 'InvocationsSentToDLQ')).toHaveLength(2);
  });
});
