import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Peer, peerMissing, sendRaw, startPeer } from '../../bench/waf-peer.js';
import { loadWebAcl, makeRequest, managedGroupsWebAcl, WafEngine } from '../../src/waf/index.js';

// nginx + ModSecurity + OWASP CRS (Debian) as a real peer: a handful of clear-cut requests on which both WAFs must
// agree (the full side-by-side corpus comparison is `npm run bench:waf`).
const missing = peerMissing();
if (missing) {
  if (process.env.VIGIL_REQUIRE_INTEGRATION === '1') throw new Error(`nginx+ModSecurity peer required: ${missing}`);
  console.warn(
    `SKIP waf ModSecurity integration: ${missing} (apt-get install nginx libnginx-mod-http-modsecurity modsecurity-crs)`,
  );
}

const UA = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0';

const CASES: [title: string, method: string, url: string, body: string | undefined, blocked: boolean][] = [
  ['plain page', 'GET', '/products/12?color=red&size=m', undefined, false],
  ['search words', 'GET', '/search?q=rock+and+roll', undefined, false],
  ['form post', 'POST', '/contact', 'name=Ann&msg=Hello+there', false],
  ['UNION SELECT', 'GET', '/item?id=1%20UNION%20SELECT%20password%20FROM%20users--', undefined, true],
  ['tautology', 'GET', "/login?user=admin'%20OR%20'1'='1", undefined, true],
  ['script tag', 'GET', '/?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E', undefined, true],
  ['path traversal', 'GET', '/download?file=../../../../etc/passwd', undefined, true],
  ['shell injection in body', 'POST', '/ping', 'host=127.0.0.1%3Bcat%20/etc/passwd', true],
  ['PHP code', 'GET', '/?x=%3C%3Fphp%20system(%24_GET%5Bc%5D)%3B', undefined, true],
];

function raw(method: string, url: string, body: string | undefined): Buffer {
  const head = [`${method} ${url} HTTP/1.1`, 'Host: shop.example.com', `User-Agent: ${UA}`, 'Accept: text/html'];
  if (body !== undefined)
    head.push('Content-Type: application/x-www-form-urlencoded', `Content-Length: ${Buffer.byteLength(body)}`);
  head.push('Connection: close');
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body ?? ''}`);
}

describe.skipIf(missing !== undefined)('Vigil managed groups and nginx + ModSecurity + CRS agree', () => {
  let peer: Peer;
  beforeAll(async () => {
    peer = await startPeer({ paranoia: 1 });
  }, 60_000);
  afterAll(() => peer?.stop());
  const { acl } = loadWebAcl([managedGroupsWebAcl('m')]);
  const engine = new WafEngine(acl!);
  it.each(CASES)('%s', async (_t, method, url, body, blocked) => {
    const status = await sendRaw(peer.port, raw(method, url, body));
    expect(status).toBe(blocked ? 403 : 200);
    const d = engine.evaluate(
      makeRequest({
        url,
        method,
        headers: { host: 'shop.example.com', 'user-agent': UA, accept: 'text/html' },
        ...(body !== undefined ? { body } : {}),
      }),
    );
    expect(d.action).toBe(blocked ? 'BLOCK' : 'ALLOW');
  });
});
