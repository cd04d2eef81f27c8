import { createServer, type IncomingMessage, type Server } from 'node:http';

/**
 * An HTTP proxy in front of moto_server that answers one EC2 operation with AWS's throttling error (HTTP 503,
 * `RequestLimitExceeded`, the EC2 Query error shape) and forwards everything else: a real SDK call failing the way
 * AWS fails under load, so retries and dead-lettering are exercised end to end.
 */
export interface ThrottleProxy {
  endpoint: string;
  /** Requests answered with the throttling error. */
  throttled: number;
  close(): Promise<void>;
}

const THROTTLED = `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>5d2c6a1c-0000-4000-8000-000000000000</RequestID></Response>`;

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startThrottleProxy(upstream: string, operation: string): Promise<ThrottleProxy> {
  const state = { throttled: 0 };
  const server: Server = createServer(async (req, res) => {
    const data = await body(req);
    if (data.toString('utf8').includes(`Action=${operation}&`)) {
      state.throttled++;
      res.writeHead(503, { 'content-type': 'text/xml' });
      res.end(THROTTLED);
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
    const r = await fetch(`${upstream}${req.url}`, {
      method: req.method,
      headers,
      ...(data.length > 0 ? { body: data } : {}),
    });
    const out = Buffer.from(await r.arrayBuffer());
    const back: Record<string, string> = {};
    r.headers.forEach((v, k) => {
      if (k !== 'content-encoding' && k !== 'transfer-encoding' && k !== 'content-length') back[k] = v;
    });
    res.writeHead(r.status, back);
    res.end(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get throttled() {
      return state.throttled;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
