import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { type AwsClientConfig, awsEndpoint, envCredentials, parseArn } from './aws-targets.js';
import type { InvokeResult, TargetInvoker } from './targets.js';

/**
 * Lambda targets: `arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]`, invoked the way EventBridge does
 * it — asynchronously (InvocationType `Event`), so "delivered" means Lambda accepted the event (HTTP 202), not that
 * the function succeeded. Endpoint and credentials follow the SQS/SNS targets (bus `aws.endpoint`, then
 * `AWS_ENDPOINT_URL_LAMBDA`, `AWS_ENDPOINT_URL`; static credentials from config or the environment, else the SDK's
 * default chain). The SDK's own retries are off: the bus's retry policy decides.
 */

export const LAMBDA_ARN = /^arn:[^:]+:lambda:[^:]+:\d{12}:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9$_-]+)?$/;

/** Lambda API error names that will not fix themselves by retrying. */
const NO_RESOURCE = new Set(['ResourceNotFoundException']);
const NO_PERMISSIONS = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'MissingAuthenticationTokenException',
  'CredentialsProviderError',
  'KMSAccessDeniedException',
]);
/** Retriable, reported as THROTTLING: Lambda's throttles and "not ready yet" states. */
const THROTTLED = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'EC2ThrottledException',
  'ResourceConflictException',
  'ResourceNotReadyException',
]);

/**
 * EventBridge's view of a failed Invoke: retriable or not, and the DLQ ERROR_CODE. Throttling, 429, 5xx and network
 * failures are retried; a missing function (NO_RESOURCE) or a permission problem (NO_PERMISSIONS) goes straight to
 * the dead-letter queue, as do other 4xx (bad payload, too large).
 */
export function classifyLambdaError(name: string, status: number | undefined, message: string): InvokeResult {
  const text = `lambda ${name}${status ? ` (HTTP ${status})` : ''}${message ? `: ${message}` : ''}`;
  if (NO_RESOURCE.has(name)) return { ok: false, retriable: false, code: 'NO_RESOURCE', message: text };
  if (NO_PERMISSIONS.has(name) || status === 401 || status === 403) {
    return { ok: false, retriable: false, code: 'NO_PERMISSIONS', message: text };
  }
  if (THROTTLED.has(name) || status === 429) return { ok: false, retriable: true, code: 'THROTTLING', message: text };
  if (name === 'TimeoutError' || name === 'AbortError' || /timed? ?out/i.test(message)) {
    return { ok: false, retriable: true, code: 'TIMEOUT', message: text };
  }
  if (status === undefined || status >= 500) {
    // No HTTP status: the request never got an answer (connection refused, reset) — worth another try.
    return { ok: false, retriable: true, code: 'SDK_CLIENT_ERROR', message: text };
  }
  return { ok: false, retriable: false, code: 'SDK_CLIENT_ERROR', message: text };
}

const clients = new Map<string, LambdaClient>();

function clientFor(region: string, cfg: AwsClientConfig): LambdaClient {
  const endpoint = awsEndpoint('lambda', region, cfg);
  const creds = cfg.credentials ?? envCredentials(cfg.env ?? process.env);
  const key = `${region}\u0000${endpoint}\u0000${creds?.accessKeyId ?? ''}\u0000${creds?.secretAccessKey ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    client = new LambdaClient({
      region,
      endpoint,
      maxAttempts: 1,
      requestHandler: { requestTimeout: cfg.timeoutMs ?? 5000, connectionTimeout: cfg.timeoutMs ?? 5000 },
      ...(creds ? { credentials: creds } : {}),
    });
    clients.set(key, client);
  }
  return client;
}

export class LambdaTarget implements TargetInvoker {
  private readonly region: string;

  constructor(
    readonly arn: string,
    private readonly cfg: AwsClientConfig = {},
  ) {
    this.region = parseArn(arn)?.region ?? 'us-east-1';
  }

  async invoke(body: string): Promise<InvokeResult> {
    try {
      const out = await clientFor(this.region, this.cfg).send(
        new InvokeCommand({ FunctionName: this.arn, InvocationType: 'Event', Payload: Buffer.from(body, 'utf8') }),
      );
      const status = out.StatusCode ?? out.$metadata.httpStatusCode;
      if (status === 202) return { ok: true };
      return {
        ok: false,
        retriable: false,
        code: 'SDK_CLIENT_ERROR',
        message: `lambda answered HTTP ${status} to an Event invocation (expected 202)`,
      };
    } catch (err) {
      const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      return classifyLambdaError(e.name ?? 'Error', e.$metadata?.httpStatusCode, e.message ?? String(err));
    }
  }
}
