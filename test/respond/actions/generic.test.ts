import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { CreateSecurityGroupCommand, DescribeTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateUserCommand, IAMClient, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetBucketTaggingCommand, PutBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionContext } from '../../../src/respond/action.js';
import { validateParams } from '../../../src/respond/actions/define.js';
import { missingTags, resolveTagTarget, tagResource } from '../../../src/respond/actions/tag-resource.js';
import { notifyWebhook, slackBody, ticketBody, ticketWebhook } from '../../../src/respond/actions/webhook.js';
import { createActionContext } from '../../../src/respond/context.js';
import type { MotoServer } from '../../helpers/moto.js';
import {
  ACCOUNT,
  motoAvailable,
  params,
  planApplyReplan,
  REGION,
  type SdkConfig,
  startMotoContext,
} from './harness.js';

describe('generic decisions (pure)', () => {
  it('tag targets from ids and ARNs', () => {
    expect(resolveTagTarget('i-0abc123')).toEqual({ service: 'ec2', id: 'i-0abc123' });
    expect(resolveTagTarget('arn:aws:ec2:us-east-1:123456789012:instance/i-0abc')).toEqual({
      service: 'ec2',
      id: 'i-0abc',
    });
    expect(resolveTagTarget('arn:aws:s3:::logs')).toEqual({ service: 's3', bucket: 'logs' });
    expect(resolveTagTarget('arn:aws:iam::123456789012:user/ops/alice')).toEqual({
      service: 'iam',
      kind: 'user',
      name: 'alice',
    });
    expect(resolveTagTarget('arn:aws:lambda:us-east-1:123456789012:function:f')).toBeUndefined();
    expect(missingTags({ a: '1', b: '2' }, { a: '1', b: '3', c: '4' })).toEqual({ b: '3', c: '4' });
  });
  it('Slack body: header with severity, text, fields in sections of ≤10', () => {
    const p = params(notifyWebhook, {
      url: 'https://hooks.example/x',
      format: 'slack',
      title: 'Instance quarantined',
      text: 'i-0abc isolated',
      severity: 'HIGH',
      fields: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, i])),
    });
    const b = slackBody(p);
    expect(b.text).toBe('[HIGH] Instance quarantined\ni-0abc isolated');
    expect(b.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '[HIGH] Instance quarantined' } });
    expect((b.blocks[2] as { fields: unknown[] }).fields).toHaveLength(10);
    expect((b.blocks[3] as { fields: unknown[] }).fields).toHaveLength(2);
  });
  it('ticket bodies: Jira create-issue and GitHub issue shapes', () => {
    const base = {
      url: 'https://t.example/x',
      title: 'Public bucket',
      description: 'logs is public',
      fields: { bucket: 'logs' },
    };
    expect(ticketBody(params(ticketWebhook, { ...base, format: 'jira', projectKey: 'SEC', priority: 'High' }))).toEqual(
      {
        fields: {
          project: { key: 'SEC' },
          summary: 'Public bucket',
          description: 'logs is public\n\nbucket: logs',
          issuetype: { name: 'Task' },
          labels: ['vigil', 'security'],
          priority: { name: 'High' },
        },
      },
    );
    expect(ticketBody(params(ticketWebhook, { ...base, format: 'github', assignees: ['octo'] }))).toEqual({
      title: 'Public bucket',
      body: 'logs is public\n\n| Field | Value |\n|---|---|\n| bucket | logs |',
      labels: ['vigil', 'security'],
      assignees: ['octo'],
    });
    expect(validateParams(ticketWebhook, { ...base, format: 'jira' })).toEqual({
      ok: false,
      errors: ['ticket-webhook: parameter projectKey: projectKey is required for jira'],
    });
  });
});

describe('webhook actions against a local HTTP server', () => {
  let server: Server;
  let base: string;
  const received: { url: string; headers: IncomingHttpHeaders; body: unknown }[] = [];
  const ctx = createActionContext({ region: REGION, accountId: ACCOUNT });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(data) });
        if (req.url === '/fail') {
          res.writeHead(500).end('boom');
          return;
        }
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: received.length }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('notify-webhook: the plan shows the body; apply POSTs exactly it, env secrets expanded only on send', async () => {
    process.env.VIGIL_TEST_HOOK_URL = `${base}/hook`;
    process.env.VIGIL_TEST_TOKEN = 's3cr3t';
    const p = params(notifyWebhook, {
      url: `\${env:VIGIL_TEST_HOOK_URL}`,
      title: 'Bucket made private',
      fields: { bucket: 'logs' },
      headers: { authorization: `Bearer \${env:VIGIL_TEST_TOKEN}` },
    });
    const plan = await notifyWebhook.plan(p, ctx);
    expect(plan.target).toBe(`\${env:VIGIL_TEST_HOOK_URL}`);
    expect(JSON.stringify(plan)).not.toContain('s3cr3t');
    const call = plan.calls[0]!;
    expect(call.action).toBe('http:POST');
    expect(call.params.body).toEqual({
      source: 'vigil',
      title: 'Bucket made private',
      text: '',
      severity: null,
      fields: { bucket: 'logs' },
      link: null,
    });
    const results = await notifyWebhook.apply(plan, p, ctx);
    expect(results[0]).toMatchObject({ ok: true, response: { status: 201, body: { id: received.length } } });
    const got = received.at(-1)!;
    expect(got.url).toBe('/hook');
    expect(got.body).toEqual(call.params.body);
    expect(got.headers.authorization).toBe('Bearer s3cr3t');
    expect(got.headers['idempotency-key']).toBe((call.params.headers as Record<string, string>)['idempotency-key']);
  });

  it('ticket-webhook: GitHub payload POSTed; HTTP errors and unset env become CallResult errors', async () => {
    const p = params(ticketWebhook, { url: `${base}/repos/o/r/issues`, format: 'github', title: 'Key leaked' });
    const plan = await ticketWebhook.plan(p, ctx);
    const [ok] = await ticketWebhook.apply(plan, p, ctx);
    expect(ok!.ok).toBe(true);
    expect(received.at(-1)!.body).toEqual({ title: 'Key leaked', body: '', labels: ['vigil', 'security'] });

    const failing = params(ticketWebhook, { url: `${base}/fail`, format: 'github', title: 'x' });
    const [bad] = await ticketWebhook.apply(await ticketWebhook.plan(failing, ctx), failing, ctx);
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'HTTP500', message: expect.stringContaining('returned 500: boom') },
    });

    const noEnv = params(ticketWebhook, {
      url: `${base}/x`,
      format: 'github',
      title: 'x',
      headers: { authorization: `token \${env:VIGIL_UNSET_VAR_FOR_TEST}` },
    });
    const [env] = await ticketWebhook.apply(await ticketWebhook.plan(noEnv, ctx), noEnv, ctx);
    expect(env!.error).toEqual({
      code: 'EnvNotSet',
      message: 'environment variable VIGIL_UNSET_VAR_FOR_TEST (used in a header) is not set',
    });
  });
});

describe.skipIf(!motoAvailable())('tag-resource against moto_server', () => {
  let moto: MotoServer;
  let ctx: ActionContext;
  let config: SdkConfig;

  beforeAll(async () => {
    ({ moto, ctx, config } = await startMotoContext());
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it('EC2 security group, S3 bucket (existing tags merged), IAM user: tags read back', async () => {
    const ec2 = new EC2Client(config);
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'tagme', Description: 'x' }))).GroupId!;
    await planApplyReplan(tagResource, ctx, {
      resource: sg,
      tags: { 'vigil:finding': 'Recon:EC2/PortProbeUnprotectedPort' },
    });
    const t = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [sg] }] }));
    expect(t.Tags!.map((x) => [x.Key, x.Value])).toEqual([['vigil:finding', 'Recon:EC2/PortProbeUnprotectedPort']]);

    const s3 = new S3Client(config);
    await s3.send(new CreateBucketCommand({ Bucket: 'tagged' }));
    await s3.send(
      new PutBucketTaggingCommand({ Bucket: 'tagged', Tagging: { TagSet: [{ Key: 'owner', Value: 'data' }] } }),
    );
    await planApplyReplan(tagResource, ctx, { resource: 'arn:aws:s3:::tagged', tags: { quarantine: 'true' } });
    const bt = await s3.send(new GetBucketTaggingCommand({ Bucket: 'tagged' }));
    expect(Object.fromEntries(bt.TagSet!.map((x) => [x.Key, x.Value]))).toEqual({ owner: 'data', quarantine: 'true' });

    const iam = new IAMClient(config);
    await iam.send(new CreateUserCommand({ UserName: 'dave' }));
    await planApplyReplan(tagResource, ctx, {
      resource: 'arn:aws:iam::123456789012:user/dave',
      tags: { compromised: 'yes' },
    });
    expect((await iam.send(new ListUserTagsCommand({ UserName: 'dave' }))).Tags).toEqual([
      { Key: 'compromised', Value: 'yes' },
    ]);

    const lambda = await tagResource.plan(
      params(tagResource, { resource: 'arn:aws:lambda:us-east-1:123456789012:function:f', tags: { a: 'b' } }),
      ctx,
    );
    expect(lambda.blocked).toBe(
      'cannot tag arn:aws:lambda:us-east-1:123456789012:function:f: unsupported resource type',
    );
  });
});
