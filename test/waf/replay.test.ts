import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/ingest/types.js';
import { requestFromJson, requestFromRecord } from '../../src/waf/replay.js';

const origin = { file: 'x.log', line: 1 };

describe('requests rebuilt from log records (waf.md §9 offline replay limits)', () => {
  it('CloudFront: method, path, query and percent-encoded header fields', () => {
    const r: LogRecord = {
      type: 'cloudfront',
      time: 1_700_000_000_000,
      origin,
      fields: {
        'c-ip': '192.0.2.10',
        'cs-method': 'GET',
        'cs(Host)': 'd111111abcdef8.cloudfront.net',
        'cs-uri-stem': '/index.php',
        'cs-uri-query': 'id=1%20OR%201=1',
        'cs(User-Agent)': 'Mozilla/5.0%20(X11)',
        'cs(Cookie)': 'a=b',
        'x-edge-request-id': 'req-1',
      },
    };
    const out = requestFromRecord(r);
    expect('req' in out).toBe(true);
    if (!('req' in out)) return;
    expect(out.req).toMatchObject({
      clientIp: '192.0.2.10',
      method: 'GET',
      uriPath: '/index.php',
      queryString: 'id=1%20OR%201=1',
      requestId: 'req-1',
      time: 1_700_000_000_000,
    });
    expect(out.req.headers).toEqual([
      ['host', 'd111111abcdef8.cloudfront.net'],
      ['user-agent', 'Mozilla/5.0 (X11)'],
      ['cookie', 'a=b'],
    ]);
  });
  it('ALB: absolute URL with port and spaces in the logged request line', () => {
    const r: LogRecord = {
      type: 'alb',
      time: 0,
      origin,
      fields: {
        request: 'POST https://shop.example:443/a b?x=1 HTTP/1.1',
        'client:port': '[2001:db8::1]:5555',
        user_agent: 'curl/8',
      },
    };
    const out = requestFromRecord(r);
    if (!('req' in out)) throw new Error('expected a request');
    expect(out.req).toMatchObject({
      method: 'POST',
      uriPath: '/a b',
      queryString: 'x=1',
      clientIp: '2001:db8::1',
      httpVersion: 'HTTP/1.1',
    });
    expect(out.req.headers).toEqual([
      ['host', 'shop.example'],
      ['user-agent', 'curl/8'],
    ]);
  });
  it('WAF logs keep the logged decision; NLB records are skipped; bad JSONL requests are errors', () => {
    const waf = requestFromRecord({
      type: 'waf',
      time: 5,
      origin,
      fields: {
        action: 'BLOCK',
        terminatingRuleId: 'r1',
        ja3Fingerprint: 'abc',
        httpRequest: {
          clientIp: '198.51.100.1',
          country: 'DE',
          uri: '/x',
          args: 'a=1',
          httpMethod: 'PUT',
          headers: [{ name: 'Host', value: 'h' }],
        },
      },
    });
    if (!('req' in waf)) throw new Error('expected a request');
    expect(waf.logged).toEqual({ action: 'BLOCK', terminatingRuleId: 'r1' });
    expect(waf.req).toMatchObject({ country: 'DE', ja3: 'abc', method: 'PUT', queryString: 'a=1' });
    expect(requestFromRecord({ type: 'nlb', time: 0, origin, fields: {} })).toEqual({
      skip: 'log type nlb carries no HTTP request to replay',
    });
    expect(requestFromJson({ method: 'GET' })).toEqual({ error: 'request needs "url" (or "uri")' });
    expect(requestFromJson([])).toEqual({ error: 'expected a JSON object' });
  });
});
