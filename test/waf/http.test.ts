import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWafProxy, wafFastify, wafMiddleware } from '../../src/waf/http.js';
import { loadWebAcl, WafEngine } from '../../src/waf/index.js';
import { doc } from './http-acl.js';

function listen(server: Server): Promise<number> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
}

let upstream: Server;
let proxy: Server;
let mw: Server;
let proxyPort = 0;
let mwPort = 0;
const logs: Record<string, unknown>[] = [];
const seen: { headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  const { acl } = loadWebAcl([doc]);
  const engine = new WafEngine(acl!);
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`upstream ok ${req.url}`);
    });
  });
  const upPort = await listen(upstream);
  const p = await startWafProxy(engine, {
    upstream: `http://127.0.0.1:${upPort}`,
    port: 0,
    onLog: (r) => logs.push(r),
  });
  proxy = p.server;
  proxyPort = p.port;
  const handler = wafMiddleware(engine);
  mw = createServer((req, res) =>
    handler(req, res, () => {
      res.writeHead(200);
      res.end(`app ${req.headers['x-amzn-waf-checked']}`);
    }),
  );
  mwPort = await listen(mw);
});
afterAll(() => {
  for (const s of [upstream, proxy, mw]) s?.close();
});

describe('reverse proxy (waf.md §13)', () => {
  it('forwards allowed requests with x-amzn-waf- headers and the full body', async () => {
    const r = await fetch(`http://127.0.0.1:${proxyPort}/hello?q=1`, { method: 'POST', body: 'name=alice' });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('upstream ok /hello?q=1');
    const last = seen.at(-1)!;
    expect(last.headers['x-amzn-waf-checked']).toBe('yes');
    expect(last.body).toBe('name=alice');
  });
  it('blocks with the custom response and writes a WAF log record', async () => {
    const r = await fetch(`http://127.0.0.1:${proxyPort}/form`, { method: 'POST', body: "user=x'%20OR%20'1'%3D'1" });
    expect(r.status).toBe(406);
    expect(await r.text()).toBe('denied by vigil');
    expect(logs.at(-1)).toMatchObject({ action: 'BLOCK', terminatingRuleId: 'sqli-body', responseCodeSent: 406 });
  });
  it('answers a Challenge without token with 202', async () => {
    const r = await fetch(`http://127.0.0.1:${proxyPort}/login`);
    expect(r.status).toBe(202);
  });
});

describe('Node http middleware', () => {
  it('blocks XSS in query arguments with 403 and passes clean requests', async () => {
    const bad = await fetch(`http://127.0.0.1:${mwPort}/?q=%3Cscript%3Ealert(1)%3C/script%3E`);
    expect(bad.status).toBe(403);
    const ok = await fetch(`http://127.0.0.1:${mwPort}/?q=hello`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('app yes');
  });
});

/**
 * Fastify is not a dependency, so the plugin runs under a small host that follows Fastify's contract for what the
 * plugin touches: register(plugin, opts, done), addHook(name, (request, reply, done)), request.raw, reply.code/
 * header/send. Requests are real HTTP requests through a Node server.
 */
describe('Fastify plugin (wafFastify)', () => {
  async function host(plugin: ReturnType<typeof wafFastify>, body?: (req: IncomingMessage) => unknown) {
    const hooks: { name: string; fn: Parameters<Parameters<typeof plugin>[0]['addHook']>[1] }[] = [];
    plugin({ addHook: (name, fn) => hooks.push({ name, fn }) }, {}, () => {});
    expect((plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')]).toBe(true);
    const server = createServer((raw, res) => {
      const reply = {
        status: 200,
        headers: {} as Record<string, string>,
        code(s: number) {
          this.status = s;
          return this;
        },
        header(n: string, v: string) {
          this.headers[n] = v;
          return this;
        },
        send(p?: unknown) {
          res.writeHead(this.status, this.headers);
          res.end(String(p ?? ''));
        },
      };
      const req = { raw, body: body?.(raw) };
      hooks[0]!.fn(req, reply, () => reply.send(`app ${raw.headers['x-amzn-waf-checked']} ${hooks[0]!.name}`));
    });
    return { server, port: await listen(server) };
  }
  it('onRequest: blocks XSS with 403, passes clean requests with inserted headers', async () => {
    const { acl } = loadWebAcl([doc]);
    const { server, port } = await host(wafFastify(new WafEngine(acl!)));
    try {
      expect((await fetch(`http://127.0.0.1:${port}/?q=%3Cscript%3Ealert(1)%3C/script%3E`)).status).toBe(403);
      const ok = await fetch(`http://127.0.0.1:${port}/?q=hi`);
      expect([ok.status, await ok.text()]).toEqual([200, 'app yes onRequest']);
    } finally {
      server.close();
    }
  });
  it('preHandler with inspectBody: the custom block response for SQLi in the body', async () => {
    const { acl } = loadWebAcl([doc]);
    const { server, port } = await host(wafFastify(new WafEngine(acl!), { inspectBody: true }), (raw) =>
      decodeURIComponent(raw.headers['x-test-body'] as string),
    );
    try {
      const r = await fetch(`http://127.0.0.1:${port}/`, {
        headers: { 'x-test-body': encodeURIComponent("u=x' OR '1'='1") },
      });
      expect([r.status, await r.text()]).toEqual([406, 'denied by vigil']);
    } finally {
      server.close();
    }
  });
  it('fails closed (503) or open on an evaluation failure, never throwing', async () => {
    const { acl } = loadWebAcl([doc]);
    const broken = new WafEngine(acl!);
    broken.evaluate = () => {
      throw new Error('boom');
    };
    for (const [failOpen, status] of [
      [false, 503],
      [true, 200],
    ] as const) {
      const { server, port } = await host(wafFastify(broken, { failOpen }));
      try {
        expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(status);
      } finally {
        server.close();
      }
    }
  });
});
