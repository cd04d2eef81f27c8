import { createHash, createHmac } from 'node:crypto';
import { canonicalRequest, signingKey } from '../kms/sigv4.js';
import type { DeadLetterAttributes } from './runtime.js';
import type { InvokeResult, TargetInvoker } from './targets.js';

/**
 * SQS and SNS targets (and SQS dead-letter queues) over the services' own wire protocols, signed with SigV4 using
 * the KMS module's canonical-request and signing-key functions (no extra SDK packages). Endpoint: the AWS SDK's
 * conventions `AWS_ENDPOINT_URL_SQS` / `AWS_ENDPOINT_URL_SNS`, then `AWS_ENDPOINT_URL`, then the public endpoint.
 * Credentials: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (the static part of the SDK chain).
 */

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** AWS settings of a bus (the `aws:` section of its config): where SQS/SNS/Lambda targets and SQS DLQs are called. */
export interface BusAwsSettings {
  /** Endpoint for every AWS service the bus calls (e.g. a moto_server or LocalStack); overrides the environment. */
  endpoint?: string;
  /** Lambda function ARN (with or without qualifier) → a local target (`module:…#handler`, `command:…`) for offline use. */
  lambdaHandlers?: Record<string, string>;
}

export interface AwsClientConfig {
  credentials?: AwsCredentials;
  /** Endpoint override per service (`sqs`, `sns`) or for all. */
  endpoint?: string;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
}

export function envCredentials(env: NodeJS.ProcessEnv): AwsCredentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return env.AWS_SESSION_TOKEN
    ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN }
    : { accessKeyId, secretAccessKey };
}

export function awsEndpoint(service: string, region: string, cfg: AwsClientConfig = {}): string {
  const env = cfg.env ?? process.env;
  return (
    cfg.endpoint ??
    env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] ??
    env.AWS_ENDPOINT_URL ??
    `https://${service}.${region}.amazonaws.com`
  ).replace(/\/+$/, '');
}

/** Sign a request with SigV4 (Authorization header); returns the headers to send. */
export function signRequest(
  req: { method: string; url: URL; headers: Record<string, string>; body: string },
  service: string,
  region: string,
  creds: AwsCredentials,
  now = Date.now(),
): Record<string, string> {
  const amzDate = new Date(now).toISOString().replace(/[-:]|\.\d{3}/g, '');
  const headers: Record<string, string> = { ...req.headers, host: req.url.host, 'x-amz-date': amzDate };
  if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
  const lower: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = [v];
  const signed = Object.keys(lower).sort();
  const payloadHash = createHash('sha256').update(req.body).digest('hex');
  const canonical = canonicalRequest(
    { method: req.method, url: `${req.url.pathname}${req.url.search}`, headers: lower, body: Buffer.from(req.body) },
    signed,
    payloadHash,
  );
  const scope = `${amzDate.slice(0, 8)}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join(
    '\n',
  );
  const signature = createHmac('sha256', signingKey(creds.secretAccessKey, amzDate.slice(0, 8), region, service))
    .update(stringToSign)
    .digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  return headers;
}

interface ParsedArn {
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const m = /^arn:[^:]+:([^:]+):([^:]*):([^:]*):(.+)$/.exec(arn);
  return m ? { service: m[1]!, region: m[2]!, account: m[3]!, resource: m[4]! } : undefined;
}

/** Errors AWS services return that are worth retrying. */
const RETRIABLE = /Throttl|RequestLimitExceeded|ServiceUnavailable|InternalError|InternalFailure|TooManyRequests/;

async function call(
  service: string,
  region: string,
  cfg: AwsClientConfig,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ ok: true; text: string } | { ok: false; result: InvokeResult }> {
  const creds = cfg.credentials ?? envCredentials(cfg.env ?? process.env);
  if (!creds) {
    return {
      ok: false,
      result: {
        ok: false,
        retriable: false,
        code: 'NO_PERMISSIONS',
        message: 'no AWS credentials (AWS_ACCESS_KEY_ID)',
      },
    };
  }
  const url = new URL(`${awsEndpoint(service, region, cfg)}${path}`);
  const signed = signRequest({ method: 'POST', url, headers, body }, service, region, creds, (cfg.now ?? Date.now)());
  let res: Response;
  try {
    res = await (cfg.fetch ?? fetch)(url, {
      method: 'POST',
      headers: signed,
      body,
      signal: AbortSignal.timeout(cfg.timeoutMs ?? 5000),
    });
  } catch (err) {
    return {
      ok: false,
      result: { ok: false, retriable: true, code: 'SDK_CLIENT_ERROR', message: (err as Error).message },
    };
  }
  const text = await res.text();
  if (res.ok) return { ok: true, text };
  // JSON protocols name the error in __type, Query/XML ones in <Code>.
  const code =
    /"__type"\s*:\s*"(?:[^"#]*#)?([^"]+)"/.exec(text)?.[1] ??
    /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ??
    String(res.status);
  const message = /"message"\s*:\s*"([^"]*)"/i.exec(text)?.[1] ?? /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? '';
  const retriable = res.status >= 500 || res.status === 429 || RETRIABLE.test(code);
  const kind = retriable
    ? 'THROTTLING'
    : /NonExistent|NotFound|DoesNotExist/.test(code)
      ? 'NO_RESOURCE'
      : /AccessDenied|Authoriz|Signature|Token/.test(code)
        ? 'NO_PERMISSIONS'
        : 'SDK_CLIENT_ERROR';
  return {
    ok: false,
    result: {
      ok: false,
      retriable,
      code: kind,
      message: `${service} ${code} (HTTP ${res.status})${message ? `: ${message}` : ''}`,
    },
  };
}

/** SQS SendMessage (JSON protocol); queue URL derived from the queue ARN. */
export async function sqsSendMessage(
  arn: string,
  body: string,
  opts: { groupId?: string; attributes?: Record<string, string> },
  cfg: AwsClientConfig = {},
): Promise<InvokeResult> {
  const a = parseArn(arn);
  if (a?.service !== 'sqs')
    return { ok: false, retriable: false, code: 'NO_RESOURCE', message: `not an SQS ARN: ${arn}` };
  const request: Record<string, unknown> = {
    QueueUrl: `${awsEndpoint('sqs', a.region, cfg)}/${a.account}/${a.resource}`,
    MessageBody: body,
  };
  if (opts.groupId) request.MessageGroupId = opts.groupId;
  if (opts.attributes) {
    request.MessageAttributes = Object.fromEntries(
      Object.entries(opts.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
    );
  }
  const r = await call(
    'sqs',
    a.region,
    cfg,
    '/',
    { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
    JSON.stringify(request),
  );
  return r.ok ? { ok: true } : r.result;
}

/** SNS Publish (Query protocol). */
export async function snsPublish(arn: string, message: string, cfg: AwsClientConfig = {}): Promise<InvokeResult> {
  const a = parseArn(arn);
  if (a?.service !== 'sns')
    return { ok: false, retriable: false, code: 'NO_RESOURCE', message: `not an SNS ARN: ${arn}` };
  const form = new URLSearchParams({ Action: 'Publish', Version: '2010-03-31', TopicArn: arn, Message: message });
  const r = await call(
    'sns',
    a.region,
    cfg,
    '/',
    { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    form.toString(),
  );
  return r.ok ? { ok: true } : r.result;
}

export class SqsTarget implements TargetInvoker {
  constructor(
    private readonly arn: string,
    private readonly groupId: string | undefined,
    private readonly cfg: AwsClientConfig = {},
  ) {}
  invoke(body: string): Promise<InvokeResult> {
    return sqsSendMessage(this.arn, body, { groupId: this.groupId }, this.cfg);
  }
}

export class SnsTarget implements TargetInvoker {
  constructor(
    private readonly arn: string,
    private readonly cfg: AwsClientConfig = {},
  ) {}
  invoke(body: string): Promise<InvokeResult> {
    return snsPublish(this.arn, body, this.cfg);
  }
}

/** Send a dead letter to an SQS queue with AWS's message attributes; true or why not. */
export async function sqsDeadLetter(
  arn: string,
  body: string,
  attributes: DeadLetterAttributes,
  cfg: AwsClientConfig = {},
): Promise<true | string> {
  const r = await sqsSendMessage(arn, body, { attributes: { ...attributes } }, cfg);
  return r.ok ? true : r.message;
}
