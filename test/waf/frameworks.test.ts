/**
 * The middleware and the Fastify plugin in the real frameworks (Express 5 and Fastify 5), not only through their
 * hook contracts: a blocked query gets the WAF's response, an allowed request reaches the route with the inserted
 * `x-amzn-waf-*` header, and an SQL injection in a parsed body is blocked with the custom response.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { wafFastify, wafMiddleware } from '../../src/waf/http.js';
import { loadWebAcl, WafEngine } from '../../src/waf/index.js';
import { doc } from './http-acl.js';

function engine(): WafEngine {
  const loaded = loadWebAcl([doc]);
  expect(loaded.issues).toEqual([]);
  return new WafEngine(loaded.acl!);
}

const XSS = '/hello?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E';
const SQLI = "id=1' OR '1'='1";

describe('Express 5 with wafMiddleware', () => {
  it('blocks, allows with the inserted header, and inspects a raw body', async () => {
    const app = express();
    app.use(express.raw({ type: '*/*' }));
    app.use(wafMiddleware(engine()));
    app.all('/hello', (req, res) => {
      res.json({ checked: req.headers['x-amzn-waf-checked'] ?? null });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const blocked = await fetch(`${base}${XSS}`);
      expect(blocked.status).toBe(403);
      const ok = await fetch(`${base}/hello?q=plain`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ checked: 'yes' });
      const sqli = await fetch(`${base}/hello`, {
        method: 'POST',
        body: SQLI,
        headers: { 'content-type': 'text/plain' },
      });
      expect(sqli.status).toBe(406);
      expect(await sqli.text()).toBe('denied by vigil');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('Fastify 5 with wafFastify', () => {
  it('blocks in onRequest, and inspects the parsed body in preHandler', async () => {
    for (const inspectBody of [false, true]) {
      const app = Fastify();
      await app.register(wafFastify(engine(), { inspectBody }));
      app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => done(null, body));
      app.all('/hello', async (req) => ({ checked: req.headers['x-amzn-waf-checked'] ?? null }));
      // inject() runs the whole Fastify request lifecycle (hooks, parsers, reply) without a socket.
      const blocked = await app.inject({ method: 'GET', url: XSS });
      expect(blocked.statusCode).toBe(403);
      const ok = await app.inject({ method: 'GET', url: '/hello?q=plain' });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ checked: 'yes' });
      const sqli = await app.inject({
        method: 'POST',
        url: '/hello',
        payload: SQLI,
        headers: { 'content-type': 'text/plain' },
      });
      // Only the preHandler variant sees the body; in onRequest the body is not read yet.
      expect(sqli.statusCode).toBe(inspectBody ? 406 : 200);
      await app.close();
    }
  });
});
