import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './http.js';

/**
 * The AWS JSON 1.1 wire protocol shared by Vigil's AWS-compatible servers (EventBridge `AWSEvents.*`, KMS
 * `TrentService.*`): `POST /` with `X-Amz-Target: <Prefix>.<Operation>`, a JSON object body, answers with
 * `Content-Type: application/x-amz-json-1.1` and `x-amzn-RequestId`; errors as `{"__type": name, "message": text}`
 * with the HTTP status and `x-amzn-ErrorType` (botocore reads `__type`, the JS SDK either). Blobs go out as base64
 * and timestamps as epoch seconds, as the protocol encodes them. Each service supplies its authentication (SigV4
 * against its credential store), its operations and its error types; everything else lives here.
 */

/** An error as the protocol reports it. */
export interface AwsJsonError {
  type: string;
  message: string;
  status: number;
}

/** What a service sees of one request. */
export interface AwsJsonRequest {
  req: IncomingMessage;
  body: Buffer;
  /** Lower-case header name → every value (as SigV4 canonicalisation needs them). */
  headers: Record<string, string[]>;
  requestId: string;
  op: string;
}

export interface AwsJsonServiceOptions<Auth> {
  /** `AWSEvents.`, `TrentService.` … */
  targetPrefix: string;
  /** Named in the `GET /healthz` answer. */
  serviceName: string;
  host?: string;
  port?: number;
  /** Largest accepted request body (bytes); larger ones get SerializationException with HTTP 413. */
  maxBodyBytes: number;
  /** Verify the caller before the body is parsed (a bad signature wins over bad JSON, as on AWS). */
  authenticate(r: AwsJsonRequest): Auth;
  /** Run one operation. */
  dispatch(op: string, input: Record<string, unknown>, auth: Auth, r: AwsJsonRequest): unknown | Promise<unknown>;
  /** The service's view of a thrown value (its own error classes; anything else is an internal error). */
  toError(err: unknown): AwsJsonError;
  /** Called after each request — the CLIs log it. */
  onRequest?: (info: { op: string; status: number; ms: number; error?: string }) => void;
}

export interface RunningAwsJsonServer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Thrown by the protocol layer itself; services map it in `toError` (see `protocolError`). */
export class AwsJsonProtocolError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/** The protocol's own errors keep their type and status; returns undefined for anything else. */
export function protocolError(err: unknown): AwsJsonError | undefined {
  return err instanceof AwsJsonProtocolError ? { type: err.type, message: err.message, status: err.status } : undefined;
}

/** Blobs become base64 and Dates epoch seconds before serialising (Buffer#toJSON would build a number array). */
export function toWire(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toWire(v);
  return out;
}

export function encodeAwsJson(value: unknown): string {
  return JSON.stringify(toWire(value ?? {}));
}

/** Every header with all its values, for SigV4 verification. */
export function headersOf(req: IncomingMessage): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) if (values) headers[name] = values;
  return headers;
}

/** The request body as a JSON object (empty body = `{}`), or SerializationException. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsJsonProtocolError('SerializationException', 'Request body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new AwsJsonProtocolError('SerializationException', 'Request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

export function sendAwsJson(
  res: ServerResponse,
  status: number,
  body: string,
  requestId: string,
  errorType?: string,
): void {
  const headers: Record<string, string | number> = {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(body);
}

export function sendAwsJsonError(res: ServerResponse, e: AwsJsonError, requestId: string): void {
  sendAwsJson(res, e.status, JSON.stringify({ __type: e.type, message: e.message }), requestId, e.type);
}

async function handle<Auth>(req: IncomingMessage, res: ServerResponse, o: AwsJsonServiceOptions<Auth>): Promise<void> {
  const requestId = randomUUID();
  const started = performance.now();
  let op = '-';
  const done = (status: number, error?: string) =>
    o.onRequest?.({ op, status, ms: performance.now() - started, error });
  try {
    if (req.method === 'GET' && (req.url === '/healthz' || req.url === '/ping')) {
      sendAwsJson(res, 200, JSON.stringify({ status: 'ok', service: o.serviceName }), requestId);
      done(200);
      return;
    }
    const limit = o.maxBodyBytes;
    const body = await readBody(
      req,
      limit,
      () => new AwsJsonProtocolError('SerializationException', `Request body is larger than ${limit} bytes`, 413),
    );
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(o.targetPrefix)) {
      throw new AwsJsonProtocolError('UnknownOperationException', '');
    }
    op = target.slice(o.targetPrefix.length);
    const r: AwsJsonRequest = { req, body, headers: headersOf(req), requestId, op };
    const auth = o.authenticate(r);
    const output = await o.dispatch(op, parseJsonObject(body), auth, r);
    sendAwsJson(res, 200, encodeAwsJson(output), requestId);
    done(200);
  } catch (err) {
    const e = o.toError(err);
    if (!res.headersSent) sendAwsJsonError(res, e, requestId);
    done(e.status, e.type);
  }
}

/** Listen on host:port (0 = a free port) and serve the protocol. */
export function startAwsJsonServer<Auth>(o: AwsJsonServiceOptions<Auth>): Promise<RunningAwsJsonServer> {
  const server = createServer((req, res) => {
    handle(req, res, o).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
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
