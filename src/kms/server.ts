import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../core/http.js';
import type { CredentialStore } from './credentials.js';
import { KmsError } from './errors.js';
import { type Principal, principalFromArn } from './principal.js';
import type { KmsService } from './service.js';
import { parseAuthorization, verifySigV4 } from './sigv4.js';

/**
 * The KMS wire protocol (kms.md §1): `POST /`, `X-Amz-Target: TrentService.<Operation>`, JSON 1.1 bodies with
 * base64 blobs and epoch-second timestamps, errors as `{"__type","message"}` plus `x-amzn-ErrorType`.
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

export interface RunningKmsServer {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'TrentService.';

/** Blobs become base64 strings before serialising (Buffer#toJSON would build a number array first). */
function toWire(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toWire(v);
    return out;
  }
  return value;
}

function jsonBody(value: unknown): string {
  return JSON.stringify(toWire(value));
}

function send(res: ServerResponse, status: number, body: string, requestId: string, errorType?: string): void {
  const headers: Record<string, string | number> = {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(body);
}

function sendError(res: ServerResponse, err: KmsError, requestId: string): void {
  send(res, err.status, JSON.stringify({ __type: err.type, message: err.message }), requestId, err.type);
}

/** Resolve the caller: verified SigV4 credentials, or dev mode's account root. */
function authenticate(
  req: IncomingMessage,
  body: Buffer,
  opts: KmsServerOptions,
): { principal: Principal; region: string } {
  const svc = opts.service;
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) if (values) headers[name] = values;
  if (!opts.credentials) {
    let region = svc.region;
    const auth = headers.authorization?.[0];
    if (auth) {
      try {
        region = parseAuthorization(auth).region || region;
      } catch {
        // Dev mode accepts any signature, even a malformed one.
      }
    }
    return { principal: principalFromArn(`arn:${svc.partition}:iam::${svc.account}:root`)!, region };
  }
  const creds = opts.credentials;
  const result = verifySigV4(
    { method: req.method ?? 'POST', url: req.url ?? '/', headers, body },
    (akid) => creds.get(akid),
    { now: svc.now() },
  );
  return { principal: creds.get(result.accessKeyId)!.principal, region: result.region };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: KmsServerOptions): Promise<void> {
  const requestId = randomUUID();
  const started = performance.now();
  let op = '-';
  const done = (status: number, error?: string) =>
    opts.onRequest?.({ op, status, ms: performance.now() - started, error });
  try {
    if (req.method === 'GET' && (req.url === '/healthz' || req.url === '/ping')) {
      send(res, 200, JSON.stringify({ status: 'ok', service: 'kms' }), requestId);
      done(200);
      return;
    }
    const limit = opts.maxBodyBytes ?? 1024 * 1024;
    const body = await readBody(
      req,
      limit,
      () => new KmsError('SerializationException', `Request body is larger than ${limit} bytes`, 413),
    );
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
      throw new KmsError('UnknownOperationException', '');
    }
    op = target.slice(TARGET_PREFIX.length);
    const { principal, region } = authenticate(req, body, opts);
    let input: Record<string, unknown> = {};
    if (body.length > 0) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw new KmsError('SerializationException', 'Request body is not valid JSON');
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new KmsError('SerializationException', 'Request body must be a JSON object');
      input = parsed as Record<string, unknown>;
    }
    const output = await opts.service.call(op, input, {
      region,
      principal,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      userAgent: String(req.headers['user-agent'] ?? ''),
      requestId,
    });
    send(res, 200, jsonBody(output), requestId);
    done(200);
  } catch (err) {
    const e = err instanceof KmsError ? err : new KmsError('KMSInternalException', (err as Error).message, 500);
    if (!res.headersSent) sendError(res, e, requestId);
    done(e.status, e.type);
  }
}

export function startKmsServer(opts: KmsServerOptions): Promise<RunningKmsServer> {
  const server = createServer((req, res) => {
    handle(req, res, opts).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const { port, address } = server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      resolve({
        server,
        port,
        url: `http://${host}:${port}`,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}
