import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ELASTIC } from '../../../test/helpers/corpus.js';
import { parseTextWith } from '../file-parse.js';
import type { SniffInput } from '../types.js';
import { networkFirewallFormat } from './format.js';

// No Elastic fixture exists for Network Firewall: these follow the shapes in the AWS Network Firewall Developer
// Guide ("Contents of a Network Firewall log") and logs.md §8.
const ALERT =
  '{"firewall_name":"egress-fw","availability_zone":"us-east-1a","event_timestamp":"1601074865","event":{"timestamp":"2020-09-25T23:01:05.598481+0000","flow_id":1111111111111111,"event_type":"alert","src_ip":"10.16.197.56","src_port":49157,"dest_ip":"10.16.197.55","dest_port":8883,"proto":"TCP","alert":{"action":"allowed","signature_id":2,"rev":0,"signature":"","category":"","severity":3}}}';
const NETFLOW =
  '{"firewall_name":"egress-fw","availability_zone":"us-east-1b","event_timestamp":"1601587565","event":{"timestamp":"2020-10-01T21:26:05.007515+0000","flow_id":1770453319291727,"event_type":"netflow","src_ip":"45.129.33.153","src_port":47047,"dest_ip":"172.31.16.139","dest_port":16463,"proto":"TCP","netflow":{"pkts":1,"bytes":60,"start":"2020-10-01T21:25:04.070479+0000","end":"2020-10-01T21:25:04.070479+0000","age":0,"min_ttl":241,"max_ttl":241},"tcp":{"tcp_flags":"02","syn":true}}}';
const TLS_BLOCK =
  '{"firewall_name":"egress-fw","availability_zone":"eu-west-1a","event_timestamp":"1718035210","aws_category":["Malware"],"event":{"tx_id":0,"app_proto":"tls","src_ip":"10.0.1.25","src_port":53422,"event_type":"alert","alert":{"severity":1,"signature_id":1000003,"rev":1,"signature":"Blocked SNI evil.example","action":"blocked","category":""},"flow_id":2094302458125312,"dest_ip":"192.0.2.80","proto":"TCP","tls":{"sni":"evil.example","version":"TLS 1.2","ja3":{"hash":"e7d705a3286e19ea42f587b344ee6865"},"ja3s":{}},"dest_port":443,"timestamp":"2024-06-10T16:00:10.123456+0000","direction":"to_server"}}';
const TLS_V6 =
  '{"firewall_name":"inspect-fw","availability_zone":"eu-west-1b","event_timestamp":"1718035211","event":{"timestamp":"2024-06-10T16:00:11.000001+0000","flow_id":99,"event_type":"tls","src_ip":"2001:db8:10::25","src_port":41000,"dest_ip":"2001:db8:ff::1","dest_port":443,"proto":"TCP","tls":{"subject":"CN=api.example.com","sni":"api.example.com","version":"TLS 1.3"},"tls_inspected":true}}';
/** No `event.timestamp`: the wrapper's epoch seconds are the only time. */
const NO_EVENT_TIME =
  '{"firewall_name":"egress-fw","availability_zone":"us-east-1a","event_timestamp":"1601074866","event":{"flow_id":3,"event_type":"netflow","src_ip":"10.0.0.9","dest_ip":"10.0.0.10","proto":"UDP"}}';

describe('Network Firewall logs — variants', () => {
  it('parses alert, netflow and TLS events, kept as written', () => {
    const lines = [ALERT, NETFLOW, TLS_BLOCK, TLS_V6, NO_EVENT_TIME];
    const { records, errors } = parseTextWith(networkFirewallFormat, lines.join('\n'), { file: 'nfw.log' });
    expect(errors).toEqual([]);
    expect(records.map((r) => r.fields)).toEqual(lines.map((l) => JSON.parse(l)));
    expect(records.map((r) => [new Date(r.time).toISOString(), r.sourceIp])).toEqual([
      ['2020-09-25T23:01:05.598Z', '10.16.197.56'],
      ['2020-10-01T21:26:05.007Z', '45.129.33.153'],
      ['2024-06-10T16:00:10.123Z', '10.0.1.25'],
      ['2024-06-10T16:00:11.000Z', '2001:db8:10::25'],
      ['2020-09-25T23:01:06.000Z', '10.0.0.9'], // event_timestamp fallback
    ]);
    expect(records.every((r) => r.actor === undefined && r.type === 'networkfirewall')).toBe(true);
    expect(records.map((r) => r.origin)).toEqual([1, 2, 3, 4, 5].map((line) => ({ file: 'nfw.log', line })));
    const tls = records[2]!.fields as { event: { alert: { action: string }; tls: { sni: string } } };
    expect(tls.event.alert.action).toBe('blocked');
    expect(tls.event.tls.sni).toBe('evil.example');
  });

  it('prefers event.timestamp over the wrapper time and honours its UTC offset', () => {
    const line = ALERT.replace('2020-09-25T23:01:05.598481+0000', '2020-09-25T18:01:05.5-0500');
    const { records } = parseTextWith(networkFirewallFormat, line);
    expect(records[0]!.time).toBe(Date.parse('2020-09-25T23:01:05.500Z'));
  });
});

describe('Network Firewall logs — bad input', () => {
  it('reports each bad line with file, line and reason and keeps the good lines', () => {
    const lines = [
      ALERT,
      '{"firewall_name":"fw","event_timestamp":"1601074865"}',
      '{"availability_zone":"us-east-1a","event":{"src_ip":"10.0.0.1"}}',
      ALERT.replace('2020-09-25T23:01:05.598481+0000', 'yesterday'),
      NO_EVENT_TIME.replace('"1601074866"', '"soon"'),
      '["firewall_name"]',
      '\u0000\u0002 binary \u00ff',
      ALERT.slice(0, 90),
      NETFLOW,
    ];
    const { records, errors } = parseTextWith(networkFirewallFormat, lines.join('\n'), { file: 'nfw.log' });
    expect(records.map((r) => r.origin.line)).toEqual([1, 9]);
    expect(errors.map((e) => [e.file, e.line])).toEqual([2, 3, 4, 5, 6, 7, 8].map((l) => ['nfw.log', l]));
    const shape = 'not a Network Firewall log record: expected firewall_name or event_timestamp and an event object';
    expect(errors.map((e) => e.reason)).toEqual([
      shape,
      shape,
      'invalid event time "yesterday"',
      'invalid event time "soon"',
      'expected a JSON object (Network Firewall log record)',
      expect.stringMatching(/^invalid JSON: /),
      expect.stringMatching(/^invalid JSON: /),
    ]);
  });

  it('never throws; every line yields exactly one record or one error (property)', () => {
    const base = [ALERT, NETFLOW, TLS_BLOCK, TLS_V6, NO_EVENT_TIME];
    const mutated = fc
      .tuple(fc.constantFrom(...base), fc.nat(), fc.nat(), fc.string({ maxLength: 8 }))
      .map(([line, a, b, ins]) => {
        const i = a % line.length;
        return line.slice(0, i) + ins + line.slice(Math.min(line.length, i + (b % 12)));
      });
    const shaped = fc
      .record({
        firewall_name: fc.jsonValue(),
        event_timestamp: fc.oneof(fc.jsonValue(), fc.nat().map(String)),
        event: fc.oneof(
          fc.jsonValue(),
          fc.record({ timestamp: fc.jsonValue(), src_ip: fc.jsonValue() }, { requiredKeys: [] }),
        ),
      })
      .map((v) => JSON.stringify(v));
    const anyLine = fc.oneof(mutated, shaped, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(fc.array(anyLine, { minLength: 1, maxLength: 8 }), (raw) => {
        const lines = raw.map((l) => l.replace(/[\r\n]/g, ' ')).filter((l) => l.trim() !== '');
        const { records, errors } = parseTextWith(networkFirewallFormat, lines.join('\n'));
        expect(errors.filter((e) => e.reason.startsWith('parser failure'))).toEqual([]);
        for (const r of records) expect(Number.isFinite(r.time)).toBe(true);
        const seen = [...records.map((r) => r.origin.line), ...errors.map((e) => e.line)].sort((x, y) => x! - y!);
        expect(seen).toEqual(lines.map((_, i) => i + 1));
      }),
      { numRuns: 300 },
    );
  });
});

describe('Network Firewall logs — sniffing', () => {
  it('is confident on real-shaped samples', () => {
    for (const line of [ALERT, NETFLOW, TLS_BLOCK, TLS_V6]) {
      expect(networkFirewallFormat.sniff({ firstLine: line, head: line, path: '' })).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('returns 0 for every other format in the corpus', () => {
    for (const { path, input } of otherFormatSamples()) expect(networkFirewallFormat.sniff(input), path).toBe(0);
  });
});

function otherFormatSamples(): { path: string; input: SniffInput }[] {
  const files = (readdirSync(ELASTIC, { recursive: true }) as string[]).filter((f) => f.endsWith('.log'));
  return files.map((f) => {
    const head = readFileSync(join(ELASTIC, f), 'utf8').slice(0, 65536);
    const firstLine = head.split('\n').find((l) => l.trim() !== '') ?? '';
    return { path: f, input: { firstLine, head, path: f } };
  });
}
