import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ELASTIC, ecsGet, readExpected } from '../../../test/helpers/corpus.js';
import { splitHostPort } from '../../core/ip.js';
import { parseTextWith } from '../file-parse.js';
import type { LogFormat, LogRecord, ParseIssue, SniffInput } from '../types.js';
import { vpcFlowFormat } from '../vpcflow/format.js';
import { albConnectionFormat, albFormat, elbFormat, nlbFormat } from './format.js';

const FIXTURE = join(ELASTIC, 'elb_logs/test-alb.log');
const iso = (ms: number) => new Date(ms).toISOString();
const host = (v: unknown) => (typeof v === 'string' ? splitHostPort(v).host : undefined);
const port = (v: unknown) => (typeof v === 'string' ? splitHostPort(v).port : undefined);
const list = (sep: string) => (v: unknown) => (typeof v === 'string' ? v.split(sep) : undefined);
/** Elastic strips the outer quotes (or `\"` escapes) around the NLB ALPN list; we keep the token as written. */
const unquote = (v: unknown) => (typeof v === 'string' ? v.replace(/^\\?"/, '').replace(/\\?"$/, '') : undefined);

type Check = [label: string, ours: (r: LogRecord) => unknown, ecsPath: string];
const f =
  (name: string, map: (v: unknown) => unknown = (v) => v) =>
  (r: LogRecord) =>
    map(r.fields[name]);

/** Our native fields (through a small view where Elastic splits or reshapes) → where Elastic keeps the original. */
const CHECKS: Record<string, Check[]> = {
  alb: [
    ['type', f('type'), 'aws.elb.type'],
    ['elb', f('elb'), 'aws.elb.name'],
    ['client ip', f('client:port', host), 'source.ip'],
    ['client port', f('client:port', port), 'source.port'],
    ['target ip', f('target:port', host), 'aws.elb.backend.ip'],
    ['target port', f('target:port', port), 'aws.elb.backend.port'],
    ['request_processing_time', f('request_processing_time'), 'aws.elb.request_processing_time.sec'],
    ['target_processing_time', f('target_processing_time'), 'aws.elb.backend_processing_time.sec'],
    ['response_processing_time', f('response_processing_time'), 'aws.elb.response_processing_time.sec'],
    ['elb_status_code', f('elb_status_code'), 'http.response.status_code'],
    ['target_status_code', f('target_status_code'), 'aws.elb.backend.http.response.status_code'],
    ['received_bytes', f('received_bytes'), 'http.request.body.bytes'],
    ['sent_bytes', f('sent_bytes'), 'http.response.body.bytes'],
    ['request method', f('request', (v) => String(v).split(' ')[0]), 'http.request.method'],
    [
      'request url',
      f('request', (v) =>
        String(v)
          .replace(/^\S+ /, '')
          .replace(/ HTTP\/[\d.]+$/, ''),
      ),
      'url.original',
    ],
    ['request version', f('request', (v) => /HTTP\/([\d.]+)$/.exec(String(v))?.[1]), 'http.version'],
    ['user_agent', f('user_agent'), 'user_agent.original'],
    ['ssl_cipher', f('ssl_cipher'), 'aws.elb.ssl_cipher'],
    ['ssl_protocol', f('ssl_protocol'), 'aws.elb.ssl_protocol'],
    ['target_group_arn', f('target_group_arn'), 'aws.elb.target_group.arn'],
    ['trace_id', f('trace_id'), 'aws.elb.trace_id'],
    ['chosen_cert_arn', f('chosen_cert_arn'), 'aws.elb.chosen_cert.arn'],
    ['matched_rule_priority', f('matched_rule_priority'), 'aws.elb.matched_rule_priority'],
    ['request_creation_time', f('request_creation_time'), 'event.start'],
    ['actions_executed', f('actions_executed', list(',')), 'aws.elb.action_executed'],
    ['redirect_url', f('redirect_url'), 'aws.elb.redirect_url'],
    ['error_reason', f('error_reason'), 'aws.elb.error_reason'],
    ['target:port_list', f('target:port_list', list(' ')), 'aws.elb.target_port'],
    ['target_status_code_list', f('target_status_code_list', list(' ')), 'aws.elb.target_status_code'],
    ['classification', f('classification'), 'aws.elb.classification'],
    ['classification_reason', f('classification_reason'), 'aws.elb.classification_reason'],
    ['sourceIp', (r) => r.sourceIp, 'source.ip'],
  ],
  nlb: [
    ['type', f('type'), 'aws.elb.type'],
    ['elb', f('elb'), 'aws.elb.name'],
    ['listener', f('listener'), 'aws.elb.listener'],
    ['client ip', f('client:port', host), 'source.ip'],
    ['client port', f('client:port', port), 'source.port'],
    ['destination ip', f('destination:port', host), 'aws.elb.backend.ip'],
    ['destination port', f('destination:port', port), 'aws.elb.backend.port'],
    ['connection_time', f('connection_time'), 'aws.elb.connection_time.ms'],
    ['tls_handshake_time', f('tls_handshake_time'), 'aws.elb.tls_handshake_time.ms'],
    ['received_bytes', f('received_bytes'), 'source.bytes'],
    ['sent_bytes', f('sent_bytes'), 'destination.bytes'],
    ['chosen_cert_arn', f('chosen_cert_arn'), 'aws.elb.chosen_cert.arn'],
    ['tls_cipher', f('tls_cipher'), 'aws.elb.ssl_cipher'],
    ['tls_protocol_version', f('tls_protocol_version'), 'aws.elb.ssl_protocol'],
    ['domain_name', f('domain_name'), 'destination.domain'],
    ['alpn_fe_protocol', f('alpn_fe_protocol'), 'aws.elb.alpn_fe_protocol'],
    ['alpn_be_protocol', f('alpn_be_protocol'), 'aws.elb.alpn_be_protocol'],
    ['alpn_client_preference_list', f('alpn_client_preference_list', unquote), 'aws.elb.alpn_client_preference_list'],
    [
      'tls_connection_creation_time',
      f('tls_connection_creation_time', (v) => iso(Date.parse(`${v}Z`))),
      'aws.elb.tls_connection_creation_time',
    ],
    ['sourceIp', (r) => r.sourceIp, 'source.ip'],
  ],
  albconnection: [
    ['client_ip', f('client_ip'), 'client.ip'],
    ['client_port', f('client_port'), 'client.port'],
    ['listener_port', f('listener_port'), 'aws.elb.listener'],
    ['tls_protocol', f('tls_protocol'), 'aws.elb.ssl_protocol'],
    ['tls_cipher', f('tls_cipher'), 'aws.elb.ssl_cipher'],
    ['tls_handshake_latency', f('tls_handshake_latency'), 'aws.elb.tls_handshake_latency'],
    ['leaf_client_cert_subject', f('leaf_client_cert_subject'), 'aws.elb.leaf_client_cert_subject'],
    [
      'not before',
      f('leaf_client_cert_validity', (v) => (v ? iso(Date.parse(/NotBefore=([^;]+)/.exec(String(v))![1]!)) : v)),
      'aws.elb.leaf_client_cert_not_before',
    ],
    [
      'not after',
      f('leaf_client_cert_validity', (v) => (v ? iso(Date.parse(/NotAfter=([^;]+)/.exec(String(v))![1]!)) : v)),
      'aws.elb.leaf_client_cert_not_after',
    ],
    ['leaf_client_cert_serial_number', f('leaf_client_cert_serial_number'), 'aws.elb.leaf_client_cert_serial_number'],
    [
      'tls_verify_status',
      f('tls_verify_status', (v) => (v ? String(v).split(':')[0] : v)),
      'aws.elb.tls_verify_status',
    ],
    ['tls error code', f('tls_verify_status', (v) => (v ? String(v).split(':')[1] : v)), 'aws.elb.tls_error_code'],
    ['sourceIp', (r) => r.sourceIp, 'client.ip'],
  ],
};

describe('Elastic Load Balancing logs: Elastic conformance (mixed ALB / NLB / connection file)', () => {
  it('parses every record with zero errors, each as its own kind, matching the expected originals', () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const { records, errors } = parseTextWith(albFormat, text, { file: FIXTURE });
    expect(errors).toEqual([]);
    const expected = readExpected(FIXTURE).filter((d) => d !== null);
    expect(records).toHaveLength(expected.length);
    expect(records.map((r) => r.type)).toEqual([
      'alb',
      'alb',
      'nlb',
      'nlb',
      'nlb',
      'nlb',
      'albconnection',
      'albconnection',
      'albconnection',
      'alb',
    ]);
    let compared = 0;
    records.forEach((r, i) => {
      const doc = expected[i]!;
      expect(r.raw).toBe(ecsGet(doc, 'event.original'));
      expect(r.origin.line).toBe(i + 1);
      // Elastic keeps milliseconds; AWS writes microseconds (ALB) or whole seconds (NLB, UTC without a zone).
      expect(iso(r.time)).toBe(ecsGet(doc, '@timestamp'));
      for (const [label, ours, path] of CHECKS[r.type]!) {
        const want = ecsGet(doc, path);
        if (want === undefined) continue;
        compared++;
        const got = ours(r);
        // Elastic keeps a few `-` columns verbatim; we omit absent fields.
        if (want === '-') expect(got, `line ${i + 1} ${label}`).toBeUndefined();
        else if (typeof got === 'number') expect(got, `line ${i + 1} ${label}`).toBe(Number(want));
        else expect(got, `line ${i + 1} ${label}`).toEqual(want);
      }
    });
    expect(compared).toBeGreaterThan(150);
  });

  it('keeps the ALB trailing fields and -1 processing times of the fixture', () => {
    const { records } = parseTextWith(albFormat, readFileSync(FIXTURE, 'utf8'));
    const r = records[9]!;
    expect(r.fields).toMatchObject({
      type: 'http',
      'client:port': '127.0.0.1:57273',
      request_processing_time: -1,
      target_processing_time: -1,
      response_processing_time: -1,
      elb_status_code: 200,
      received_bytes: 0,
      sent_bytes: 272,
      request: '- http://internal-service-alb.example.com:80-/ ',
      request_creation_time: '2025-05-01T11:24:32.720000Z',
      conn_trace_id: 'TID_00000000000000000000000000000000',
    });
    for (const absent of ['target:port', 'target_status_code', 'user_agent', 'matched_rule_priority', 'classification'])
      expect(r.fields).not.toHaveProperty(absent);
    expect(records[1]!.fields).toMatchObject({ classification: 'Acceptable', classification_reason: 'SpaceInUri' });
    expect(records[8]!.fields).toEqual({
      time: '2024-11-29T13:45:24.599544Z',
      client_ip: '172.31.43.26',
      client_port: 58206,
      listener_port: 80,
      conn_trace_id: 'TID_16132ed0b4112148',
    });
    expect(records[4]!.fields.domain_name).toBe(
      '[oauthce.eu-central-1.XXXX.c1.XXXXX.com](https://oauthce.eu-central-1.xxxx.c1.xxxxx.com/)',
    );
  });
});

const ARN = 'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067';
const HTTPS =
  'https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 ' +
  `"GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ${ARN} ` +
  '"Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" ' +
  '1 2018-07-02T22:22:48.364000Z "authenticate,forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90';

describe('Elastic Load Balancing logs: variants', () => {
  it('ALB HTTPS line: every field typed, time, client IP', () => {
    const { records, errors } = parseTextWith(albFormat, HTTPS, { file: 'a.log' });
    expect(errors).toEqual([]);
    expect(records).toEqual([
      {
        type: 'alb',
        fields: {
          type: 'https',
          time: '2018-07-02T22:23:00.186641Z',
          elb: 'app/my-loadbalancer/50dc6c495c0c9188',
          'client:port': '192.168.131.39:2817',
          'target:port': '10.0.0.1:80',
          request_processing_time: 0.086,
          target_processing_time: 0.048,
          response_processing_time: 0.037,
          elb_status_code: 200,
          target_status_code: 200,
          received_bytes: 0,
          sent_bytes: 57,
          request: 'GET https://www.example.com:443/ HTTP/1.1',
          user_agent: 'curl/7.46.0',
          ssl_cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
          ssl_protocol: 'TLSv1.2',
          target_group_arn: ARN,
          trace_id: 'Root=1-58337281-1d84f3d73c47ec4e58577259',
          domain_name: 'www.example.com',
          chosen_cert_arn: 'arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012',
          matched_rule_priority: 1,
          request_creation_time: '2018-07-02T22:22:48.364000Z',
          actions_executed: 'authenticate,forward',
          'target:port_list': '10.0.0.1:80',
          target_status_code_list: '200',
          conn_trace_id: 'TID_1234abcd5678ef90',
        },
        time: Date.parse('2018-07-02T22:23:00.186Z'),
        sourceIp: '192.168.131.39',
        actor: undefined,
        origin: { file: 'a.log', line: 1 },
        raw: HTTPS,
      },
    ]);
  });

  it('ALB h2, grpcs, ws, wss, Lambda target, WAF block, IPv6 client, multi-target lists', () => {
    const lines = [
      HTTPS.replace('https ', 'h2 ').replace('HTTP/1.1', 'HTTP/2.0'),
      HTTPS.replace('https ', 'grpcs '),
      HTTPS.replace('https ', 'ws ').replace(' 200 200 ', ' 101 101 '),
      HTTPS.replace('https ', 'wss '),
      // Lambda target: no target:port; Lambda error reason
      HTTPS.replace('10.0.0.1:80 0.086', '- 0.086').replace(
        '"authenticate,forward" "-" "-" "10.0.0.1:80" "200"',
        '"forward" "-" "LambdaInvalidResponse" "-" "-"',
      ),
      // blocked by WAF: 403 from the load balancer, not dispatched, -1 times
      HTTPS.replace('10.0.0.1:80 0.086 0.048 0.037 200 200', '- -1 -1 -1 403 -').replace(
        '"authenticate,forward"',
        '"waf"',
      ),
      HTTPS.replace('192.168.131.39:2817', '2001:db8:85a3::8a2e:370:7334:52100'),
      HTTPS.replace('"10.0.0.1:80" "200"', '"10.0.0.1:80 10.0.0.2:80" "200 502"'),
    ];
    const { records, errors } = parseTextWith(albFormat, lines.join('\n'));
    expect(errors).toEqual([]);
    expect(records.map((r) => r.fields.type)).toEqual(['h2', 'grpcs', 'ws', 'wss', 'https', 'https', 'https', 'https']);
    expect(records.every((r) => r.type === 'alb')).toBe(true);
    expect(records[2]!.fields.elb_status_code).toBe(101);
    expect(records[4]!.fields).not.toHaveProperty('target:port');
    expect(records[4]!.fields.error_reason).toBe('LambdaInvalidResponse');
    expect(records[5]!.fields).toMatchObject({
      request_processing_time: -1,
      elb_status_code: 403,
      actions_executed: 'waf',
    });
    expect(records[5]!.fields).not.toHaveProperty('target_status_code');
    expect(records[6]!.sourceIp).toBe('2001:db8:85a3::8a2e:370:7334');
    expect(records[7]!.fields['target:port_list']).toBe('10.0.0.1:80 10.0.0.2:80');
  });

  it('ALB generations: 18-field (2016) lines are fine, unknown trailing fields go to _extra', () => {
    const old = HTTPS.split(' "www.example.com"')[0]!;
    const newer = `${HTTPS} "example.com" "/rewritten?x=1" "-"`;
    const { records, errors } = parseTextWith(albFormat, `${old}\n${newer}`);
    expect(errors).toEqual([]);
    expect(Object.keys(records[0]!.fields)).toHaveLength(18);
    expect(records[0]!.fields.trace_id).toBe('Root=1-58337281-1d84f3d73c47ec4e58577259');
    expect(records[1]!.fields._extra).toEqual(['example.com', '/rewritten?x=1', '-']);
    expect(records[1]!.fields.conn_trace_id).toBe('TID_1234abcd5678ef90');
  });

  it('ALB quoted fields keep escaped quotes and odd malformed requests', () => {
    const line = HTTPS.replace('"curl/7.46.0"', '"Mozilla \\"quoted\\" agent"').replace(
      '"GET https://www.example.com:443/ HTTP/1.1"',
      '"- https://www.example.com:443- "',
    );
    const { records, errors } = parseTextWith(albFormat, line);
    expect(errors).toEqual([]);
    expect(records[0]!.fields.user_agent).toBe('Mozilla "quoted" agent');
    expect(records[0]!.fields.request).toBe('- https://www.example.com:443- ');
  });

  it('an unknown ALB request type is still an ALB line when an app/ load balancer follows the time', () => {
    const { records, errors } = parseTextWith(albFormat, HTTPS.replace('https ', 'grpc '));
    expect(errors).toEqual([]);
    expect(records[0]!.type).toBe('alb');
    expect(records[0]!.fields.type).toBe('grpc');
  });

  it('Classic ELB: HTTP, HTTPS, TCP and SSL listeners, older 12-field lines, IPv6 client', () => {
    const lines = [
      '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -',
      '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.38.0" DHE-RSA-AES128-SHA TLSv1.2',
      '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.001069 0.000028 0.000041 - - 82 305 "- - - " "-" - -',
      '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.001065 0.000015 0.000023 - - 57 502 "- - - " "-" ECDHE-ECDSA-AES128-GCM-SHA256 TLSv1.2',
      '2014-03-04T12:00:00.000001Z old-lb 2001:db8::1:40000 - -1 -1 -1 504 0 0 0 "GET http://old.example.com:80/ HTTP/1.1"',
    ];
    const { records, errors } = parseTextWith(elbFormat, lines.join('\n'));
    expect(errors).toEqual([]);
    expect(records.every((r) => r.type === 'elb')).toBe(true);
    expect(records[0]!.fields).toEqual({
      timestamp: '2015-05-13T23:39:43.945958Z',
      elb: 'my-loadbalancer',
      'client:port': '192.168.131.39:2817',
      'backend:port': '10.0.0.1:80',
      request_processing_time: 0.000073,
      backend_processing_time: 0.001048,
      response_processing_time: 0.000057,
      elb_status_code: 200,
      backend_status_code: 200,
      received_bytes: 0,
      sent_bytes: 29,
      request: 'GET http://www.example.com:80/ HTTP/1.1',
      user_agent: 'curl/7.38.0',
    });
    expect(records[0]!.time).toBe(Date.parse('2015-05-13T23:39:43.945Z'));
    expect(records[1]!.fields.ssl_protocol).toBe('TLSv1.2');
    expect(records[2]!.fields.request).toBe('- - - ');
    expect(records[2]!.fields).not.toHaveProperty('elb_status_code');
    expect(records[3]!.fields.ssl_cipher).toBe('ECDHE-ECDSA-AES128-GCM-SHA256');
    expect(records[4]!.sourceIp).toBe('2001:db8::1');
    expect(records[4]!.fields).not.toHaveProperty('backend:port');
    expect(records[4]!.fields.request_processing_time).toBe(-1);
  });

  it('ALB connection log: with and without conn_trace_id, IPv6 client', () => {
    const lines = [
      '2024-10-04T17:05:15.514108Z 192.168.131.39 36280 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 4.036 "CN=client" NotBefore=2023-09-21T22:43:21Z;NotAfter=2026-06-17T22:43:21Z FEF257372D5C14D4 Success',
      '2024-10-04T17:05:16.000001Z 2001:db8::7 36281 443 TLSv1.3 TLS_AES_128_GCM_SHA256 0.012 "-" - - - TID_abc',
    ];
    const { records, errors } = parseTextWith(albConnectionFormat, lines.join('\n'));
    expect(errors).toEqual([]);
    expect(records[0]!.fields).toMatchObject({
      client_port: 36280,
      listener_port: 443,
      tls_handshake_latency: 4.036,
      leaf_client_cert_subject: 'CN=client',
      tls_verify_status: 'Success',
    });
    expect(records[0]!.fields).not.toHaveProperty('conn_trace_id');
    expect(records[1]!.sourceIp).toBe('2001:db8::7');
    expect(records[1]!.type).toBe('albconnection');
    expect(records[1]!.fields.conn_trace_id).toBe('TID_abc');
  });

  it('NLB TLS: zone-less UTC time, ALPN list kept as written, surplus fields in _extra', () => {
    const line =
      'tls 2.0 2020-04-01T08:51:42 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd 192.168.131.39:2817 10.0.0.1:80 5 2 98 246 - ' +
      'arn:aws:acm:us-east-2:671290407336:certificate/2a108f19 - ECDHE-RSA-AES128-SHA tlsv12 - example.com h2 h2 "h2","http/1.1" 2020-04-01T08:51:20';
    const { records, errors } = parseTextWith(nlbFormat, `${line}\n${line} newfield`);
    expect(errors).toEqual([]);
    const r = records[0]!;
    expect(r.type).toBe('nlb');
    expect(r.time).toBe(Date.UTC(2020, 3, 1, 8, 51, 42));
    expect(r.sourceIp).toBe('192.168.131.39');
    expect(r.fields).toMatchObject({
      type: 'tls',
      version: '2.0',
      connection_time: 5,
      tls_handshake_time: 2,
      alpn_client_preference_list: '"h2","http/1.1"',
      tls_connection_creation_time: '2020-04-01T08:51:20',
    });
    expect(r.fields).not.toHaveProperty('incoming_tls_alert');
    expect(records[1]!.fields._extra).toEqual(['newfield']);
  });

  it('one file mixing all four kinds: each line keeps its own kind, whichever format was chosen', () => {
    const text = readFileSync(FIXTURE, 'utf8').split('\n');
    const classic =
      '2015-05-13T23:39:43.945958Z my-lb 192.168.131.39:2817 10.0.0.1:80 0.1 0.1 0.1 200 200 0 29 "GET / HTTP/1.1" "-" - -';
    const mixed = [classic, text[0], text[2], text[6]].join('\n');
    for (const format of [albFormat, nlbFormat, albConnectionFormat, elbFormat]) {
      const { records, errors } = parseTextWith(format, mixed);
      expect(errors).toEqual([]);
      expect(records.map((r) => r.type)).toEqual(['elb', 'alb', 'nlb', 'albconnection']);
    }
  });
});

describe('Elastic Load Balancing logs: bad input', () => {
  it('reports each bad line with file, line and reason and parses the rest', () => {
    const lines = [
      HTTPS, // 1
      HTTPS.slice(0, 180), // 2: truncated inside a quoted field
      HTTPS.split(' "GET')[0], // 3: truncated between fields
      HTTPS.replace(' 0 57 ', ' zero 57 '), // 4
      HTTPS.replace('2018-07-02T22:23:00.186641Z', '2018-13-45T99:00:00Z'), // 5
      'hello world', // 6
      '\u0000\u0001\u00ff binary junk', // 7
      'tls 2.0 2018-12-20T02:59:40 net/x/y abc 1.2.3.4:5 6.7.8.9:10 5', // 8: NLB too short
      '2024-10-04T17:05:15.514108Z 192.168.131.39 36280', // 9: connection log, no listener port
      HTTPS, // 10
    ];
    const { records, errors } = parseTextWith(albFormat, lines.join('\n'), { file: 'bad.log' });
    expect(records.map((r) => r.origin.line)).toEqual([1, 10]);
    expect(errors.map((e) => [e.file, e.line])).toEqual([2, 3, 4, 5, 6, 7, 8, 9].map((l) => ['bad.log', l]));
    const reasons = errors.map((e) => e.reason);
    expect(reasons[0]).toMatch(/^unterminated quoted field/);
    expect(reasons[1]).toBe('expected at least 18 fields for an ALB access log line, got 12');
    expect(reasons[2]).toBe("invalid received_bytes 'zero' (expected a number or -)");
    expect(reasons[3]).toBe("invalid time '2018-13-45T99:00:00Z' (expected an ISO-8601 time)");
    expect(reasons[4]).toMatch(/^not an Elastic Load Balancing log line: 'hello world'/);
    expect(reasons[5]).toMatch(/^not an Elastic Load Balancing log line/);
    expect(reasons[6]).toBe('expected at least 22 fields for an NLB TLS log line, got 8');
    expect(reasons[7]).toBe('expected at least 11 fields for an ALB connection log line, got 3');
  });
});

describe('Elastic Load Balancing logs: property', () => {
  const samples = [...readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean), HTTPS];
  const mutated = fc
    .tuple(fc.constantFrom(...samples), fc.nat(), fc.nat(), fc.string({ maxLength: 12 }), fc.nat(3))
    .map(([line, a, b, s, op]) => {
      const i = a % (line.length + 1);
      const j = Math.min(line.length, i + (b % 30));
      if (op === 0) return line.slice(0, i) + s + line.slice(j);
      if (op === 1) return line.slice(0, i);
      if (op === 2) return line.slice(0, i) + line.slice(j);
      return `${line} ${s}`;
    });
  const anyLine = fc.oneof(mutated, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }));

  it('never throws; every non-blank line yields exactly one record or one error', () => {
    fc.assert(
      fc.property(fc.array(anyLine, { maxLength: 20 }), (lines) => {
        const parser = albFormat.open({ file: 'p', options: {} });
        lines.forEach((raw, i) => {
          const text = raw.replace(/[\r\n]/g, ' ');
          if (text.trim() === '') return;
          const got: (LogRecord | ParseIssue)[] = [];
          parser.line(text, i + 1, { record: (r) => got.push(r), error: (e) => got.push(e) });
          expect(got).toHaveLength(1);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('Elastic Load Balancing logs: sniff', () => {
  const input = (firstLine: string): SniffInput => ({ firstLine, head: firstLine, path: '' });
  const fixture = readFileSync(FIXTURE, 'utf8').split('\n');
  const classic =
    '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -';
  const OWN: [LogFormat, string[]][] = [
    [albFormat, [fixture[0]!, fixture[1]!, fixture[9]!, HTTPS]],
    [nlbFormat, [fixture[2]!, fixture[5]!]],
    [albConnectionFormat, [fixture[6]!, fixture[8]!]],
    [elbFormat, [classic]],
  ];

  it('each kind claims its own lines (≥ 0.9) and the other three score 0', () => {
    for (const [own, lines] of OWN) {
      for (const line of lines) {
        for (const [format] of OWN) {
          const score = format.sniff(input(line));
          if (format === own) expect(score, `${format.type}: ${line.slice(0, 40)}`).toBeGreaterThanOrEqual(0.9);
          else expect(score, `${format.type} on ${own.type}`).toBe(0);
        }
      }
    }
  });

  it('all four score 0 on the other formats’ samples, and VPC flow scores 0 on ELB lines', () => {
    const others = [
      'vpcflow/test-extra-samples.log',
      'vpcflow/test-tcp-flag-sequence.log',
      'vpcflow/test-tgw-samples.log',
      'vpcflow/test-with-message-field.log',
      'route53_resolver_logs/test-route53.log',
      's3access/test-s3-server-access.log',
      'waf/test-waf.log',
      'guardduty/test-guardduty.log',
      'cloudtrail/test-console-login-json.log',
    ];
    for (const rel of others) {
      const first = readFileSync(join(ELASTIC, rel), 'utf8').split('\n')[0]!;
      for (const [format] of OWN) expect(format.sniff(input(first)), `${format.type} on ${rel}`).toBe(0);
    }
    for (const [, lines] of OWN) for (const line of lines) expect(vpcFlowFormat.sniff(input(line))).toBe(0);
  });
});
