import { describe, expect, it } from 'vitest';
import { parseAddress, parsePorts } from '../../src/netfw/address.js';
import { parseRules } from '../../src/netfw/parse.js';
import type { ContentMatch } from '../../src/netfw/types.js';
import { addrSetHas, defaultVars, portSetHas, resolveAddress, resolvePorts } from '../../src/netfw/vars.js';

function one(text: string) {
  const p = parseRules(text, 't.rules');
  expect(p.issues).toEqual([]);
  expect(p.rules).toHaveLength(1);
  return p.rules[0]!;
}

function errorOf(text: string) {
  const p = parseRules(text, 't.rules');
  expect(p.rules).toHaveLength(0);
  expect(p.issues).toHaveLength(1);
  return p.issues[0]!;
}

describe('Suricata rule parser', () => {
  it('parses header, metadata fields and content with modifiers (ET sid 2013028 shape)', () => {
    const r = one(
      'alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ET POLICY curl User-Agent Outbound"; flow:established,to_server; ' +
        'http.user_agent; content:"curl/"; nocase; startswith; fast_pattern; reference:url,curl.se; classtype:attempted-recon; ' +
        'sid:2013028; rev:7; metadata:created_at 2011_06_14, updated_at 2023_03_01;)',
    );
    expect(r.action).toBe('alert');
    expect(r.proto).toBe('http');
    expect([r.sourceAddr, r.sourcePort, r.direction, r.destAddr, r.destPort]).toEqual([
      '$HOME_NET',
      'any',
      '->',
      '$EXTERNAL_NET',
      'any',
    ]);
    expect(r.sid).toBe(2013028);
    expect(r.rev).toBe(7);
    expect(r.gid).toBe(1);
    expect(r.msg).toBe('ET POLICY curl User-Agent Outbound');
    expect(r.classtype).toBe('attempted-recon');
    expect(r.references).toEqual(['url,curl.se']);
    expect(r.metadata).toEqual(['created_at 2011_06_14', 'updated_at 2023_03_01']);
    expect(r.flow).toEqual({ established: true, toServer: true });
    const c = r.matches[0] as ContentMatch;
    expect(c).toMatchObject({
      kind: 'content',
      buffer: 'http.user_agent',
      bytes: 'curl/',
      nocase: true,
      startswith: true,
    });
    expect(c.fastPattern).toBe(true);
    expect([...r.buffers]).toEqual(['http.user_agent']);
    expect(r.options.map((o) => o.name)).toEqual([
      'msg',
      'flow',
      'http.user_agent',
      'content',
      'nocase',
      'startswith',
      'fast_pattern',
      'reference',
      'classtype',
      'sid',
      'rev',
      'metadata',
    ]);
    expect(r.options[0]!.column).toBe(48);
  });

  it('decodes hex bytes, escapes and negation in content, and legacy buffer modifiers', () => {
    const r = one(
      'alert tcp any any -> any 80 (msg:"a \\"q\\" \\; b"; content:"GET|20 2f|x\\;y"; http_method; content:!"|0d 0a|"; distance:0; within:4; sid:1;)',
    );
    expect(r.msg).toBe('a "q" ; b');
    const [a, b] = r.matches as ContentMatch[];
    expect(a!.bytes).toBe('GET /x;y');
    expect(a!.buffer).toBe('http.method');
    expect(b!.negated).toBe(true);
    expect(b!.bytes).toBe('\r\n');
    expect(b!).toMatchObject({ distance: 0, within: 4, buffer: 'pkt_data' });
  });

  it('sticky buffers with transforms (generated allowlist rule) and pcre buffer flags', () => {
    const r = one(
      'pass tls $HOME_NET any -> $EXTERNAL_NET any (ssl_state:client_hello; tls.sni; dotprefix; content:".amazon.com"; nocase; endswith; msg:"matching TLS allowlisted FQDNs"; priority:1; flow:to_server, established; sid:1; rev:1;)',
    );
    expect(r.priority).toBe(1);
    expect(r.matches[0]).toMatchObject({ buffer: 'tls.sni', transforms: ['dotprefix'], bytes: '.amazon.com' });
    const p = one('alert http any any -> any any (pcre:"/\\/admin\\.php\\?id=\\d+/Ui"; sid:5;)');
    expect(p.matches[0]).toMatchObject({
      kind: 'pcre',
      buffer: 'http.uri',
      flags: 'Ui',
      source: '\\/admin\\.php\\?id=\\d+',
    });
  });

  it('flowbits, noalert, threshold and detection_filter', () => {
    const r = one(
      'alert tcp any any -> any any (flowbits:set,a|b; flowbits:noalert; threshold:type limit, track by_src, count 1, seconds 60; sid:9;)',
    );
    expect(r.flowbits).toEqual([
      { op: 'set', names: ['a', 'b'] },
      { op: 'noalert', names: [] },
    ]);
    expect(r.noalert).toBe(true);
    expect(r.thresholds).toEqual([{ keyword: 'threshold', type: 'limit', track: 'by_src', count: 1, seconds: 60 }]);
    const d = one('alert tcp any any -> any any (detection_filter:track by_dst, count 5, seconds 10; sid:10;)');
    expect(d.thresholds[0]).toEqual({ keyword: 'detection_filter', track: 'by_dst', count: 5, seconds: 10 });
  });

  it('commented-out rules parse as disabled; comments and continuation lines', () => {
    const p = parseRules(
      '# a comment (with parens)\n#alert ip any any -> any any (msg:"off"; sid:2;)\n\nalert ip any any -> \\\n any any (sid:3;)\n',
      'f.rules',
    );
    expect(p.issues).toEqual([]);
    expect(p.disabled.map((r) => [r.sid, r.enabled, r.line])).toEqual([[2, false, 2]]);
    expect(p.rules.map((r) => [r.sid, r.line, r.destAddr])).toEqual([[3, 4, 'any']]);
  });

  it.each([
    ['alert tcp any any -> any any (msg:"x"; rev:1;)', 1, 'rule has no sid'],
    ['alert tcp any any -> any any (msg:"x"; sid:1)', 40, 'option "sid" is not terminated by ";"'],
    ['alert tcp any any >> any any (sid:1;)', 19, 'invalid direction ">>" (expected -> or <>)'],
    ['alrt tcp any any -> any any (sid:1;)', 1, 'unknown action "alrt"'],
    ['alert tcp [1.2.3.4,!5.6.7.8 any -> any any (sid:1;)', 11, 'unclosed "[" in header'],
    ['alert tcp 1.2.3.400 any -> any any (sid:1;)', 11, 'source address: invalid address "1.2.3.400"'],
    ['alert tcp any 70000 -> any any (sid:1;)', 15, 'source port: port out of range in "70000"'],
    ['alert tcp any any -> any any (nocase; sid:1;)', 31, '"nocase" needs a preceding content'],
    ['alert tcp any any -> any any (content:"|0g|"; sid:1;)', 31, 'content: invalid hex digit "g" in |…|'],
    ['alert tcp any any -> any any (foo:bar; sid:1;)', 31, 'unknown keyword "foo"'],
    [
      'alert tcp any any -> any any (flow:to_server,to_client; sid:1;)',
      31,
      'flow cannot be both to_server and to_client',
    ],
    ['alert tcp any any -> any any (threshold:type limit, count 1, seconds 6; sid:1;)', 31, 'threshold needs a track'],
    ['alert tcp any any -> any any (sid:1; sid:x;)', 38, 'sid must be an integer'],
  ])('located error: %s', (text, column, reason) => {
    const e = errorOf(`  ${text}`);
    expect(e).toMatchObject({ file: 't.rules', line: 1, column: column + 2, severity: 'error', reason });
  });

  it('keeps parsing after a bad rule, and commented-out rule problems are warnings', () => {
    const p = parseRules(
      'alert tcp any any -> any any (sid:1;)\nbogus line here ()\n# alert tcp any any -> any any (rev:1;)\nalert udp any any -> any any (sid:2;)',
      'x',
    );
    expect(p.rules.map((r) => r.sid)).toEqual([1, 2]);
    expect(p.issues.map((i) => [i.line, i.severity])).toEqual([
      [2, 'error'],
      [3, 'warning'],
    ]);
    expect(p.failed).toBe(1);
    expect(p.failedDisabled).toBe(1);
  });
});

describe('addresses, ports and variables', () => {
  const vars = defaultVars({ address: { HOME_NET: '[10.0.0.0/16,fd00::/8]' } });

  it('resolves groups with negation, ranges and variables', () => {
    const p = parseAddress('[$HOME_NET,!10.0.5.0/24,192.168.1.1-192.168.1.3]');
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    const r = resolveAddress(p.node, vars);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(addrSetHas(r.set, '10.0.4.9')).toBe(true);
    expect(addrSetHas(r.set, '10.0.5.9')).toBe(false);
    expect(addrSetHas(r.set, '192.168.1.3')).toBe(true);
    expect(addrSetHas(r.set, '192.168.1.4')).toBe(false);
    expect(addrSetHas(r.set, 'fd12::1')).toBe(true);
    expect(addrSetHas(r.set, '2001:db8::1')).toBe(false);
  });

  it('EXTERNAL_NET is the complement of HOME_NET; nested groups', () => {
    const ext = resolveAddress({ kind: 'var', name: 'EXTERNAL_NET' }, vars);
    expect(ext.ok && addrSetHas(ext.set, '8.8.8.8')).toBe(true);
    expect(ext.ok && addrSetHas(ext.set, '10.0.0.1')).toBe(false);
    const nested = parseAddress('[1.1.1.1,[2.2.2.0/24,![2.2.2.2]]]');
    expect(nested.ok).toBe(true);
    if (!nested.ok) return;
    const r = resolveAddress(nested.node, vars);
    expect(r.ok && [addrSetHas(r.set, '2.2.2.3'), addrSetHas(r.set, '2.2.2.2')]).toEqual([true, false]);
  });

  it('ports: ranges, open ranges, negation and port variables', () => {
    const p = parsePorts('[$HTTP_PORTS,1024:,!8080]');
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    const r = resolvePorts(p.node, vars);
    expect(r).toEqual({
      ok: true,
      set: [
        [80, 80],
        [1024, 8079],
        [8081, 65535],
      ],
    });
    expect(r.ok && portSetHas(r.set, 8080)).toBe(false);
    const lo = parsePorts(':1023');
    expect(lo.ok && resolvePorts(lo.node, vars)).toEqual({ ok: true, set: [[0, 1023]] });
  });

  it('reports undefined and self-referencing variables', () => {
    expect(resolveAddress({ kind: 'var', name: 'NOPE' }, vars)).toEqual({
      ok: false,
      reason: 'address variable $NOPE is not defined',
    });
    const loop = defaultVars({ address: { A: '$B', B: '[$A]' } });
    expect(resolveAddress({ kind: 'var', name: 'A' }, loop)).toEqual({
      ok: false,
      reason: 'variable $A refers to itself',
    });
  });
});
