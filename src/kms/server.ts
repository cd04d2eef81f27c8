import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type AwsJsonRequest, protocolError, type RunningAwsJsonServer, startAwsJsonServer } from '../core/awsjson.js';
import type { CredentialStore } from './credentials.js';
import { KmsError } from './errors.js';
import { type Principal, principalFromArn } from './principal.js';
import type { KmsService } from './service.js';
import { parseAuthorization, verifySigV4 } from './sigv4.js';

/**
 * The KMS wire protocol (kms.md §1): `POST /`, `X-Amz-Target: TrentService.<Operation>`, JSON 1.1 bodies with
 * base64 blobs and epoch-second timestamps, errors as `{"__type","message"}` plus `x-amzn-ErrorType` (the protocol
 * plumbing is shared with the bus: src/core/awsjson.ts).
 * With credentials, every request must carry a valid SigV4 signature for service `kms`; the signed region is the
 * request's region. Without credentials (dev mode) any or no signature is accepted and the caller is the account
 * root of the default account.
 */

export interface KmsServerOptions {
  service: KmsService;
  credentials?: CredentialStore;
  host?: string;
  port?: number;
  /** Largest accepted request body (bytes). */
  maxBodyBytes?: number;
  /** Called after each request (method, operation, status, ms) — the CLI logs it. */
  onRequest?: (info: { op: string; status: number; ms: number; error?: string }) => void;
}

export type RunningKmsServer = RunningAwsJsonServer;

/** Resolve the caller: verified SigV4 credentials, or dev mode's account root. */
function authenticate(r: AwsJsonRequest, opts: KmsServerOptions): { principal: Principal; region: string } {
  const svc = opts.service;
  const headers = r.headers;
  if (!opts.credentials) {
    let region = svc.region;
    const auth = headers.authorization?.[0];
    if (auth) {
      try {
        const signed = parseAuthorization(auth).region;
        if (REGION.test(signed)) region = signed;
      } catch {
        // Dev mode accepts any signature, even a malformed one.
      }
    }
    return { principal: principalFromArn(`arn:${svc.partition}:iam::${svc.account}:root`)!, region };
  }
  const creds = opts.credentials;
  const result = verifySigV4(
    { method: r.req.method ?? 'POST', url: r.req.url ?? '/', headers, body: r.body },
    (akid) => creds.get(akid),
    { now: svc.now() },
  );
  // The signed region names state (keys are per region) and audit-file directories: only region-shaped names.
  if (!REGION.test(result.region))
    throw new KmsError('InvalidSignatureException', 'Credential should be scoped to a valid region. ');
  return { principal: creds.get(result.accessKeyId)!.principal, region: result.region };
}

const REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d{1,2}$/;

export function startKmsServer(opts: KmsServerOptions): Promise<RunningKmsServer> {
  return startAwsJsonServer({
    targetPrefix: 'TrentService.',
    serviceName: 'kms',
    host: opts.host,
    port: opts.port,
    maxBodyBytes: opts.maxBodyBytes ?? 1024 * 1024,
    onRequest: opts.onRequest,
    authenticate: (r) => authenticate(r, opts),
    dispatch: (op, input, { principal, region }, r) =>
      opts.service.call(op, input, {
        region,
        principal,
        sourceIp: (r.req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        userAgent: String(r.req.headers['user-agent'] ?? ''),
        requestId: r.requestId,
      }),
    toError: (err) =>
      err instanceof KmsError
        ? { type: err.type, message: err.message, status: err.status }
        : (protocolError(err) ?? { type: 'KMSInternalException', message: (err as Error).message, status: 500 }),
  });
}

/**
 * Serve the KMS API on another AWS JSON server's port (`vigil bus serve --kms`): requests whose `X-Amz-Target`
 * starts with `TrentService.` go to KMS, everything else to the server's own handler. The KMS handler is the one
 * `startKmsServer` builds (same protocol code, SigV4, errors); its own listening socket is closed at once, since
 * src/core/awsjson.ts offers no listener-only constructor. Returns a function that undoes the mount.
 */
export async function mountKms(host: Server, opts: Omit<KmsServerOptions, 'host' | 'port'>): Promise<() => void> {
  const kms = await startKmsServer({ ...opts, host: '127.0.0.1', port: 0 });
  const kmsHandler = kms.server.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
  await new Promise<void>((r) => kms.server.close(() => r()));
  const own = host.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  const route = (req: IncomingMessage, res: ServerResponse) => {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith('TrentService.')) kmsHandler(req, res);
    else for (const l of own) l.call(host, req, res);
  };
  host.removeAllListeners('request');
  host.on('request', route);
  return () => {
    host.off('request', route);
    for (const l of own) host.on('request', l);
  };
}
