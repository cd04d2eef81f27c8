/**
 * `Detector.flowDirections` lets the engine skip flow detectors for records of other directions. It must be a pure
 * shortcut: every detector run without its declaration (called for every record) gives the same findings and keeps
 * the same state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_DETECTORS } from '../../src/detect/detectors/index.js';
import { detectRecords } from '../../src/detect/engine.js';
import { type FlowSpec, flows, MIN, T0 } from './helpers.js';

const FLOW_DETECTORS = ALL_DETECTORS.filter((d) => d.meta.dataSources.includes('vpcflow'));
const UNDECLARED = FLOW_DETECTORS.map((d) => ({ ...d, flowDirections: undefined }));

const LOCAL = ['10.0.0.20', '10.0.0.21', '172.16.4.9'];
const REMOTE = ['203.0.113.9', '198.51.100.7', '8.8.8.8', '45.9.20.1', '2001:db8::5', '10.9.9.9'];
const PORTS = [22, 25, 53, 80, 123, 443, 853, 1900, 3389, 5985, 8080, 9200, 0];

const spec = fc.record({
  localSrc: fc.boolean(),
  local: fc.constantFrom(...LOCAL),
  remote: fc.constantFrom(...REMOTE),
  lport: fc.oneof(fc.constantFrom(...PORTS), fc.integer({ min: 1024, max: 65535 })),
  rport: fc.oneof(fc.constantFrom(...PORTS), fc.integer({ min: 1024, max: 65535 })),
  proto: fc.constantFrom(6, 17, 1, 47),
  packets: fc.integer({ min: 1, max: 400 }),
  bytes: fc.integer({ min: 40, max: 3_000_000 }),
  dt: fc.integer({ min: 0, max: 20_000 }),
  accept: fc.boolean(),
  flags: fc.constantFrom(2, 16, 18, 19),
});
type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

function toFlows(xs: Spec[]): FlowSpec[] {
  let at = T0;
  return xs.map((x) => {
    at += x.dt;
    const [src, dst] = x.localSrc ? [x.local, x.remote] : [x.remote, x.local];
    const [sport, dport] = x.localSrc ? [x.lport, x.rport] : [x.rport, x.lport];
    return {
      src,
      dst,
      sport,
      dport,
      proto: x.proto,
      packets: x.packets,
      bytes: x.bytes,
      at,
      action: x.accept ? 'ACCEPT' : 'REJECT',
      flags: x.flags,
    };
  });
}

/** Findings and per-table state counts: equal only if the skipped calls would have done nothing. */
function outcome(records: ReturnType<typeof flows>, detectors: typeof FLOW_DETECTORS) {
  const res = detectRecords(records, { detectors });
  return { findings: JSON.parse(JSON.stringify(res.findings)), states: res.stats.evictions.states };
}

describe('flowDirections only skips calls that would do nothing', () => {
  it('on random flows in every direction (inbound, outbound, internal, unknown)', () => {
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 300 }), (xs) => {
        const records = flows(toFlows(xs));
        expect(outcome(records, FLOW_DETECTORS)).toEqual(outcome(records, UNDECLARED));
      }),
      { numRuns: 60 },
    );
  });

  it('on attack-shaped traffic in both directions (scans, probes, floods, brute force)', () => {
    const fs: FlowSpec[] = [];
    for (let i = 0; i < 60; i++) {
      const at = T0 + i * 1000;
      fs.push({ src: '10.0.0.20', dst: '203.0.113.9', sport: 40000 + i, dport: 1 + i, at, packets: 1, flags: 2 });
      fs.push({ src: '198.51.100.7', dst: '10.0.0.20', sport: 50000 + i, dport: 22, at, packets: 3, flags: 2 });
      fs.push({ src: `45.9.20.${i}`, dst: '10.0.0.21', sport: 53, dport: 4444, at, proto: 17, bytes: 3_000_000 });
      fs.push({ src: '10.0.0.21', dst: `203.0.113.${i}`, sport: 45000, dport: 22, at: at + MIN, packets: 2 });
    }
    const records = flows(fs);
    const a = outcome(records, FLOW_DETECTORS);
    expect(a.findings.length).toBeGreaterThan(2);
    expect(a).toEqual(outcome(records, UNDECLARED));
  });
});
