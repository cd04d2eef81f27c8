import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXED_HEADERS, fillPath, HttpTarget, parseRetryAfter, SlackTarget, slackMessage } from './http-target.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A local HTTP server answering with the scripted handler; records every request. */
async function serve(handler: (req: Seen, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen };
}

const ctx = { ruleArn: 'arn:aws:events:us-east-1:1:rule/r', ruleName: 'r', targetId: 't', eventId: 'e', attempt: 1 };

describe('HttpTarget (API destination semantics)', () => {
  it('sends the fixed headers, path/query/header parameters and basic auth', async () => {
    const { url, seen } = await serve((_, res) => res.writeHead(200).end());
    const t = new HttpTarget(`${url}/orders/*/items/*`, {
      method: 'PUT',
      httpParameters: {
        PathParameterValues: ['a b', 'x'],
        QueryStringParameters: { q: '1' },
        HeaderParameters: { 'X-Team': 'sec' },
      },
      connection: {
        AuthorizationType: 'BASIC',
        AuthParameters: { BasicAuthParameters: { Username: 'u', Password: 'p' } },
      },
    });
    expect(await t.invoke('{"a":1}', ctx)).toEqual({ ok: true });
    const [req] = seen;
    expect(req.method).toBe('PUT');
    expect(req.url).toBe('/orders/a%20b/items/x?q=1');
    expect(req.body).toBe('{"a":1}');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(req.headers['x-team']).toBe('sec');
    for (const [k, v] of Object.entries(FIXED_HEADERS)) expect(req.headers[k.toLowerCase()]).toBe(v);
  });

  it('API key auth and invocation parameters', async () => {
    const { url, seen } = await serve((_, res) => res.writeHead(204).end());
    const t = new HttpTarget(url, {
      connection: {
        AuthorizationType: 'API_KEY',
        AuthParameters: {
          ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'secret' },
          InvocationHttpParameters: { QueryStringParameters: [{ Key: 'src', Value: 'vigil' }] },
        },
      },
    });
    expect(await t.invoke('{}', ctx)).toEqual({ ok: true });
    expect(seen[0].headers['x-api-key']).toBe('secret');
    expect(seen[0].url).toBe('/?src=vigil');
  });

  it('retries only 429 and 5xx; Retry-After (seconds or date) is passed on; negative stops retrying', async () => {
    const statuses = [
      [500, undefined],
      [429, '7'],
      [503, '-1'],
      [400, '5'],
      [404, undefined],
    ] as const;
    let i = 0;
    const { url } = await serve((_, res) => {
      const [status, after] = statuses[i++];
      res.writeHead(status, after ? { 'Retry-After': after } : {}).end();
    });
    const t = new HttpTarget(url);
    expect(await t.invoke('{}', ctx)).toEqual({
      ok: false,
      retriable: true,
      code: 'HTTP_ERROR',
      message: `${url}: HTTP 500`,
    });
    expect(await t.invoke('{}', ctx)).toMatchObject({ retriable: true, code: 'THROTTLING', retryAfterMs: 7000 });
    expect(await t.invoke('{}', ctx)).toMatchObject({ retriable: true, stopRetrying: true });
    expect(await t.invoke('{}', ctx)).toMatchObject({ retriable: false, code: 'HTTP_ERROR' });
    expect(await t.invoke('{}', ctx)).toMatchObject({ retriable: false, code: 'NO_RESOURCE' });
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT'))).toBe(60_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });

  it('times out (retriable TIMEOUT)', async () => {
    const { url } = await serve((_, res) => setTimeout(() => res.writeHead(200).end(), 500));
    const t = new HttpTarget(url, { timeoutMs: 50 });
    expect(await t.invoke('{}', ctx)).toMatchObject({ ok: false, retriable: true, code: 'TIMEOUT' });
  });

  it('OAuth client credentials: fetches a token, caches it, refreshes it after a 401', async () => {
    let tokens = 0;
    let rejectNext = false;
    const { url, seen } = await serve((req, res) => {
      if (req.url.startsWith('/token')) {
        tokens++;
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ access_token: `tok${tokens}`, expires_in: 3600 }));
        return;
      }
      if (rejectNext && req.headers.authorization === 'Bearer tok1') {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200).end();
    });
    const t = new HttpTarget(`${url}/hook`, {
      connection: {
        AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
        AuthParameters: {
          OAuthParameters: {
            AuthorizationEndpoint: `${url}/token`,
            HttpMethod: 'POST',
            ClientParameters: { ClientID: 'id', ClientSecret: 'sec' },
            OAuthHttpParameters: { BodyParameters: [{ Key: 'scope', Value: 'events' }] },
          },
        },
      },
    });
    expect(await t.invoke('{}', ctx)).toEqual({ ok: true });
    expect(await t.invoke('{}', ctx)).toEqual({ ok: true });
    expect(tokens).toBe(1);
    const tokenReq = seen.find((s) => s.url === '/token');
    expect(tokenReq?.body).toBe('grant_type=client_credentials&scope=events');
    expect(tokenReq?.headers.authorization).toBe(`Basic ${Buffer.from('id:sec').toString('base64')}`);
    rejectNext = true;
    expect(await t.invoke('{}', ctx)).toEqual({ ok: true });
    expect(tokens).toBe(2);
    expect(seen.at(-1)?.headers.authorization).toBe('Bearer tok2');
  });

  it('rate-limits per destination by delaying calls', async () => {
    const { url } = await serve((_, res) => res.writeHead(200).end());
    let now = 0;
    const waits: number[] = [];
    const t = new HttpTarget(url, {
      ratePerSecond: 2,
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    for (let i = 0; i < 4; i++) await t.invoke('{}', ctx);
    expect(waits).toEqual([500, 500]);
  });

  it('refuses CONNECT and TRACE', async () => {
    const t = new HttpTarget('http://127.0.0.1:9', { method: 'TRACE' });
    expect(await t.invoke('{}', ctx)).toMatchObject({ ok: false, retriable: false });
  });

  it('fills path placeholders in order', () => {
    expect(fillPath('https://x/*/y/*', ['1'])).toBe('https://x/1/y/*');
  });
});

describe('Slack target', () => {
  it('sends a concise Block Kit summary of an event', async () => {
    const { url, seen } = await serve((_, res) => res.writeHead(200).end('ok'));
    const event = {
      version: '0',
      id: 'e1',
      'detail-type': 'GuardDuty Finding',
      source: 'aws.guardduty',
      account: '123456789012',
      region: 'us-east-1',
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1'],
      detail: { title: 'SSH brute force against i-1', severity: 8 },
    };
    expect(await new SlackTarget(url).invoke(JSON.stringify(event), ctx)).toEqual({ ok: true });
    const msg = JSON.parse(seen[0].body);
    expect(msg.text).toBe('SSH brute force against i-1 (aws.guardduty)');
    expect(msg.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'SSH brute force against i-1' },
    });
    expect(msg.blocks[1].fields.map((f: { text: string }) => f.text)).toEqual([
      '*Source:* aws.guardduty',
      '*Type:* GuardDuty Finding',
      '*Severity:* 8',
      '*Account/Region:* 123456789012 / us-east-1',
      '*Rule:* r',
    ]);
    expect(msg.blocks[2].elements[0].text).toBe('`arn:aws:ec2:us-east-1:123456789012:instance/i-1`');
  });

  it('sends transformed (non-event) input as text', () => {
    expect(slackMessage('"Instance i-1 is stopped"', 'r').text).toBe('"Instance i-1 is stopped"');
  });
});
