/**
 * The domain index decides a name rule by the lookup alone (plus its header) instead of re-running its content
 * matcher. Reference: the same rules split into consecutive groups of fewer than 32 rules, which are not indexed, so
 * every rule goes through the generic `ruleMatches`; groups in order with equal labels decide exactly like one group.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CompiledRule, compileForEval, decide, type EvalPolicy } from '../../src/netfw/evaluate.js';
import { type Observation, observationsOf, withStableShape } from '../../src/netfw/observe.js';
import { parseRules, valueEnd } from '../../src/netfw/parse.js';
import { defaultVars } from '../../src/netfw/vars.js';

const vars = defaultVars({ address: { HOME_NET: '[10.0.0.0/16]' } });
const origin = { file: 'x.log', line: 1 };
const LABELS = ['a', 'b', 'c', 'd'];
const BASES = ['ex.com', 'b.ex.com', 'a.b.ex.com', 'ex.org', 'x.io', 'ex'];

const label = fc.constantFrom(...LABELS);
/** Names over a small alphabet so random rules and names meet: `a.b.ex.com`, `A.Ex.com`, `ex.org` … */
const name = fc
  .tuple(fc.array(label, { maxLength: 2 }), fc.constantFrom(...BASES), fc.boolean())
  .map(([pre, base, upper]) => {
    const n = [...pre, base].join('.');
    return upper ? n.replace(/^./, (c) => c.toUpperCase()).replace('ex', 'Ex') : n;
  });

const ruleArb = fc.record({
  action: fc.constantFrom('alert', 'drop', 'pass', 'reject'),
  kind: fc.constantFrom('tls', 'dns', 'http'),
  header: fc.constantFrom(
    'any any -> any any',
    '$HOME_NET any -> $EXTERNAL_NET any',
    '$HOME_NET any -> any 443',
    'any any <> 10.0.0.0/24 any',
  ),
  name,
  suffix: fc.boolean(),
  nocase: fc.boolean(),
  priority: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  noalert: fc.boolean(),
});

const BUFFER: Record<string, string> = { tls: 'tls.sni', dns: 'dns.query', http: 'http.host' };

type RuleSpec = typeof ruleArb extends fc.Arbitrary<infer T> ? T : never;

function ruleText(r: RuleSpec, sid: number) {
  const content = r.suffix
    ? `${BUFFER[r.kind]}; dotprefix; content:".${r.name}";${r.nocase ? ' nocase;' : ''} endswith;`
    : `${BUFFER[r.kind]}; content:"${r.name}"; startswith;${r.nocase ? ' nocase;' : ''} endswith;`;
  const prio = r.priority === undefined ? '' : ` priority:${r.priority};`;
  const noalert = r.noalert ? ' flowbits:noalert;' : '';
  return `${r.action} ${r.kind} ${r.header} (${content} msg:"r${sid}";${prio}${noalert} sid:${sid};)`;
}

const obsArb = fc.record({
  kind: fc.constantFrom('tls', 'dns', 'http'),
  name,
  src: fc.constantFrom('10.0.1.5', '10.0.0.9', '203.0.113.7', undefined),
  dst: fc.constantFrom('198.51.100.1', '10.0.0.3', undefined),
  dstPort: fc.constantFrom(443, 53, 80, undefined),
});

function observation(o: typeof obsArb extends fc.Arbitrary<infer T> ? T : never): Observation {
  const common = { time: 0, origin, logType: 't', src: o.src, dst: o.dst, dstPort: o.dstPort, proto: 6 };
  const raw: Observation =
    o.kind === 'tls'
      ? { ...common, kind: 'tls', sni: o.name }
      : o.kind === 'dns'
        ? { ...common, kind: 'dns', query: o.name, proto: 17 }
        : { ...common, kind: 'http', host: o.name, uri: '/' };
  return withStableShape(raw);
}

function policy(groups: CompiledRule[][], order: EvalPolicy['ruleOrder']): EvalPolicy {
  return {
    statelessGroups: [],
    statelessDefault: ['aws:forward_to_sfe'],
    statefulGroups: groups.map((rules) => ({ label: 'g', rules })),
    ruleOrder: order,
    statefulDefault: order === 'STRICT_ORDER' ? ['aws:drop_established', 'aws:alert_established'] : [],
  };
}

describe('domain index fast path', () => {
  it('decides exactly like the generic matcher (random name rules, headers, cases; both rule orders)', () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { minLength: 40, maxLength: 90 }),
        fc.array(obsArb, { minLength: 1, maxLength: 20 }),
        fc.constantFrom('DEFAULT_ACTION_ORDER', 'STRICT_ORDER'),
        (rs, os, order) => {
          const text = rs.map((r, i) => ruleText(r, i + 1)).join('\n');
          const parsed = parseRules(text, 'p.rules');
          expect(parsed.issues).toEqual([]);
          const { compiled, notEvaluable } = compileForEval(parsed.rules, vars, 'g');
          expect(notEvaluable).toEqual([]);
          // The index holds every rule except case-sensitive ones with upper-case names (those stay generic).
          const indexable = rs.filter((r) => r.nocase || r.name === r.name.toLowerCase()).length;
          expect(compiled.filter((c) => c.nameKey).length).toBe(indexable);
          const chunks: CompiledRule[][] = [];
          for (let i = 0; i < compiled.length; i += 31) chunks.push(compiled.slice(i, i + 31));
          const indexed = policy([compiled], order);
          const generic = policy(chunks, order);
          for (const o of os) {
            const ob = observation(o);
            expect(decide(indexed, ob)).toEqual(decide(generic, ob));
          }
        },
      ),
      { numRuns: 60, seed: 13 },
    );
  });

  it('observationsOf gives every observation of a kind the same property order', () => {
    const rec = (fields: Record<string, unknown>) =>
      ({ type: 'route53resolver', time: 1, origin: { file: 'q.log', line: 1 }, fields }) as never;
    const a = observationsOf(rec({ query_name: 'a.example.', srcaddr: '10.0.0.1' }))[0];
    const b = observationsOf(rec({ query_name: 'b.example.', srcport: 5353, query_type: 'A' }))[0];
    expect(Object.keys(a as object)).toEqual(Object.keys(b as object));
    expect(a).toMatchObject({ kind: 'dns', query: 'a.example', src: '10.0.0.1', dstPort: 53, proto: 17 });
    expect(b).toMatchObject({ kind: 'dns', query: 'b.example', srcPort: 5353, qtype: 'A' });
    expect(b?.src).toBeUndefined();
  });
});

describe('option value scanning', () => {
  /** The plain scan: `\` escapes the next character, the first unescaped `;` ends the value. */
  function reference(line: string, i: number, end: number): number {
    while (i < end) {
      const ch = line.charCodeAt(i);
      if (ch === 59) break;
      i += ch === 92 ? 2 : 1;
    }
    return Math.min(i, end);
  }

  it('valueEnd (indexOf + backslash-run parity) finds the same end as a character scan', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', '\\', ';', ' ', '"', '|'), { maxLength: 30 }).map((a) => a.join('')),
        fc.nat(30),
        fc.nat(30),
        (line, a, b) => {
          const start = Math.min(a, line.length);
          const end = Math.max(start, Math.min(b, line.length));
          const got = valueEnd(line, start, end);
          const want = reference(line, start, end);
          // Both mean "not terminated" when they reach end.
          expect(Math.min(got, end)).toBe(want);
        },
      ),
      { numRuns: 2000, seed: 7 },
    );
  });
});
