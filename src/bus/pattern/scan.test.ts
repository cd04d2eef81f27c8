import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import JSON5 from 'json5';
import { describe, expect, it } from 'vitest';
import { patternObject } from '../../../test/bus/pattern-arbitraries.js';
import { CORPORA } from '../../../test/helpers/corpus.js';
import { compilePattern } from './compile.js';
import { PatternIndex } from './compiled.js';
import { parseEvent } from './flatten.js';
import { parseJsonStrict } from './json.js';
import { comparableNumber } from './numbers.js';
import { matches } from './reference.js';
import { isValidJson } from './scan.js';
import type { Pattern } from './types.js';

/**
 * The field-selective scanner (`PatternIndex.matchJson`) against the parsing paths: for random event texts and
 * random patterns it must select exactly what `match(parseEvent(text))` selects (duplicate keys, number literals),
 * and — wherever JSON.parse keeps the same information (no duplicate keys, numbers float64 represents exactly) —
 * what `match(JSON.parse(text))` selects. Invalid texts get parseEvent's error, and its validity verdict equals
 * JSON.parse's.
 */

/** A generated JSON text; `plain` when JSON.parse loses nothing the matchers use. */
interface Gen {
  text: string;
  plain: boolean;
}

const ws = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n  ');

/** Strings: the pattern universe (so patterns hit) plus escapes-worthy text. */
const rawStrings = fc.constantFrom(
  'x',
  'xy',
  'yx',
  'X',
  'XY',
  '',
  'ab',
  'aXb',
  '10.0.0.1',
  '2001:db8::1',
  'ß',
  'SS',
  'a"b',
  'back\\slash',
  'tab\there',
  'nul\u0000',
  '😀',
  'lone\ud800',
  'é/ü',
);

const SHORT: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** Encode a string as a JSON literal, choosing per character between raw, short escape and \u escape. */
function encode(s: string, choices: readonly number[]): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const code = s.charCodeAt(i);
    const choice = choices[i % choices.length]!;
    const mustEscape = ch === '"' || ch === '\\' || code < 32;
    const hex = code.toString(16).padStart(4, '0');
    if (choice === 0 && !mustEscape) out += ch;
    else if (choice === 1 && SHORT[ch]) out += SHORT[ch];
    else out += `\\u${choice === 2 ? hex.toUpperCase() : hex}`;
  }
  return `${out}"`;
}

const encodedString = (base: fc.Arbitrary<string>) =>
  fc
    .tuple(base, fc.array(fc.constantFrom(0, 0, 0, 1, 2, 3), { minLength: 1, maxLength: 6 }))
    .map(([s, c]) => ({ value: s, text: encode(s, c) }));

/** Numbers of the pattern universe in other spellings, plus ones float64 cannot represent. */
const numberTexts = fc.constantFrom(
  '0',
  '-0',
  '0.0',
  '-0.0E-2',
  '0e5',
  '1',
  '1.0',
  '1e0',
  '10e-1',
  '0.1E1',
  '5',
  '5.000',
  '10',
  '1e1',
  '1.0E+1',
  '100e-1',
  '1.5',
  '15e-1',
  '0.15e1',
  '-3',
  '-3.0',
  '-3e0',
  '300',
  '3e2',
  '3.00E+2',
  '300.000',
  '12345678901234567890',
  '9007199254740993',
  '0.30000000000000004',
  '1e400',
  '-1e400',
  '1e-400',
  '123456789012345678901234567890e-10',
);

const scalar: fc.Arbitrary<Gen> = fc.oneof(
  { weight: 3, arbitrary: encodedString(rawStrings).map((s) => ({ text: s.text, plain: true })) },
  {
    weight: 3,
    arbitrary: numberTexts.map((t) => ({ text: t, plain: comparableNumber(t) !== undefined })),
  },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null').map((t) => ({ text: t, plain: true })) },
);

const keys = encodedString(fc.constantFrom('a', 'b', 'c', 'x', 'y', 'z', 'a.x', 'b.x', 'd'));

const { value: jsonValue } = fc.letrec<{ value: Gen; array: Gen; object: Gen }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'json' },
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: tie('array') },
    { weight: 2, arbitrary: tie('object') },
  ),
  array: fc.array(fc.tuple(ws, tie('value'), ws), { maxLength: 4, depthIdentifier: 'json' }).map((items) => ({
    text: `[${items.map(([a, v, b]) => a + v.text + b).join(',')}]`,
    plain: items.every(([, v]) => v.plain),
  })),
  object: fc
    .array(fc.tuple(ws, keys, ws, ws, tie('value'), ws), { maxLength: 4, depthIdentifier: 'json' })
    .map((entries) => {
      const names = entries.map(([, k]) => k.value);
      return {
        text: `{${entries.map(([a, k, b, c, v, d]) => `${a}${k.text}${b}:${c}${v.text}${d}`).join(',')}}`,
        plain: new Set(names).size === names.length && entries.every(([, , , , v]) => v.plain),
      };
    }),
}));

/** Root objects: duplicates of the pattern fields are frequent on purpose. */
const eventText: fc.Arbitrary<Gen> = fc
  .tuple(
    ws,
    fc.array(fc.tuple(ws, encodedString(fc.constantFrom('a', 'b', 'c', 'a.x', 'd')), ws, jsonValue), {
      minLength: 1,
      maxLength: 5,
    }),
    ws,
  )
  .map(([lead, entries, trail]) => {
    const names = entries.map(([, k]) => k.value);
    return {
      text: `${lead}{${entries.map(([a, k, b, v]) => `${a}${k.text}${b}:${v.text}`).join(',')}}${trail}`,
      plain: new Set(names).size === names.length && entries.every(([, , , v]) => v.plain),
    };
  });

function tryCompile(p: Record<string, unknown>): Pattern | undefined {
  try {
    return compilePattern(p);
  } catch {
    return undefined;
  }
}

function jsonParses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const RUNS = Number(process.env.VIGIL_FC_RUNS ?? 400);

describe('matchJson (field-selective scanner) vs the parsing paths (fast-check)', () => {
  it('selects what match(parseEvent(text)) and the reference matcher select, and what match(JSON.parse) selects when JSON.parse loses nothing', () => {
    let plainCompared = 0;
    fc.assert(
      fc.property(fc.array(patternObject, { minLength: 1, maxLength: 8 }), eventText, (rawPatterns, ev) => {
        const compiled = rawPatterns.map(tryCompile);
        const index = new PatternIndex<number>();
        compiled.forEach((p, i) => {
          if (p) index.add(i, p);
        });
        const parsed = parseEvent(ev.text);
        if (!parsed.ok) throw new Error(`${parsed.error}\n${ev.text}`);
        const check = () => {
          const scanned = index.matchJson(ev.text);
          if (!scanned.ok) throw new Error(`${scanned.error}\n${ev.text}`);
          expect(scanned.ids).toEqual(index.match(parsed.event));
          expect(scanned.ids).toEqual(
            compiled.flatMap((p, i) => (p && index.has(i) && matches(p, parsed.event) ? [i] : [])),
          );
          if (ev.plain) {
            plainCompared++;
            expect(scanned.ids).toEqual(index.match(JSON.parse(ev.text)));
          }
        };
        check();
        // Removing patterns prunes the path trie the scanner walks.
        compiled.forEach((_, i) => {
          if (i % 2 === 0) index.remove(i);
        });
        check();
      }),
      { numRuns: RUNS },
    );
    expect(plainCompared).toBeGreaterThan(RUNS / 10);
  });

  it('has generators that exercise duplicates, escapes, odd numbers and hits', () => {
    const sample = fc.sample(fc.tuple(patternObject, eventText), { numRuns: 400, seed: 11 });
    let hits = 0;
    for (const [raw, ev] of sample) {
      const p = tryCompile(raw);
      if (p && matches(p, (parseEvent(ev.text) as { ok: true; event: unknown }).event)) hits++;
    }
    const texts = sample.map(([, ev]) => ev.text);
    expect(hits).toBeGreaterThan(30);
    expect(texts.filter((t) => /\\u[0-9a-fA-F]{4}/.test(t)).length).toBeGreaterThan(40);
    expect(texts.filter((t) => /\d[eE]/.test(t)).length).toBeGreaterThan(40);
    expect(sample.filter(([, ev]) => !ev.plain).length).toBeGreaterThan(40);
    expect(texts.filter((t) => t.includes('[[')).length).toBeGreaterThan(5);
  });

  it('rejects exactly the texts parseEvent rejects, with its message, and validates like JSON.parse', () => {
    const mutated = fc
      .tuple(eventText, fc.nat(), fc.constantFrom('delete', 'insert', 'truncate', 'replace'), fc.string())
      .map(([ev, at, op, s]) => {
        const i = at % (ev.text.length + 1);
        const junk = s.length > 0 ? s : ',';
        switch (op) {
          case 'delete':
            return ev.text.slice(0, i) + ev.text.slice(i + 1);
          case 'insert':
            return ev.text.slice(0, i) + junk + ev.text.slice(i);
          case 'truncate':
            return ev.text.slice(0, i);
          default:
            return ev.text.slice(0, i) + junk + ev.text.slice(i + junk.length);
        }
      });
    const index = new PatternIndex<number>();
    index.add(0, { a: [{ exists: true }] });
    index.add(1, { a: { x: ['x'] }, b: [{ prefix: '' }] });
    let invalid = 0;
    fc.assert(
      fc.property(mutated, (text) => {
        const parsed = parseEvent(text);
        const scanned = index.matchJson(text);
        if (parsed.ok) {
          expect(scanned).toEqual({ ok: true, ids: index.match(parsed.event) });
        } else {
          invalid++;
          expect(scanned).toEqual({ ok: false, error: parsed.error });
        }
        expect(isValidJson(text)).toBe(jsonParses(text));
        expect(isValidJson(text)).toBe(parseJsonStrict(text).ok);
      }),
      { numRuns: RUNS * 2 },
    );
    expect(invalid).toBeGreaterThan(RUNS / 4);
  });
});

describe('matchJson edge cases', () => {
  const index = new PatternIndex();
  index.add('num', { a: [300] });
  index.add('range', { a: [{ numeric: ['>', 0, '<', 1000] }] });
  index.add('big', '{"a": [12345678901234567890]}');
  index.add('str', { b: { c: ['x'] } });
  index.add('emoji', { e: ['😀'] });
  index.add('zero', { z: [0] });
  index.add('null', { n: [null] });
  index.add('arr', { o: { p: [1], q: [2] } });
  const ids = (text: string) => {
    const r = index.matchJson(text);
    if (!r.ok) throw new Error(r.error);
    return r.ids;
  };

  it('compares numbers as EventBridge does: by float64 value, or by literal text when not representable', () => {
    expect(ids('{"a": 3.00e+2}')).toEqual(['num', 'range']);
    expect(ids('{"a": 12345678901234567890}')).toEqual(['big']);
    // JSON.parse would round this to the same float as the literal above; the literal text tells them apart.
    expect(ids('{"a": 12345678901234567891}')).toEqual([]);
    expect(ids('{"z": -0}')).toEqual(['zero']);
    expect(ids('{"z": 0e10}')).toEqual(['zero']);
    expect(ids('{"a": 1e400}')).toEqual([]);
  });

  it('decodes escapes in keys and values, surrogate pairs included; dotted keys join like nesting', () => {
    expect(ids('{"\\u0062": {"\\u0063": "\\u0078"}}')).toEqual(['str']);
    expect(ids('{"b.c": "x"}')).toEqual(['str']);
    expect(ids('{"e": "\\ud83d\\ude00"}')).toEqual(['emoji']);
    expect(ids('{"e": "\\uD83D\\uDE00"}')).toEqual(['emoji']);
    expect(ids('{"e": "😀"}')).toEqual(['emoji']);
  });

  it('sees every value of a duplicate key (AWS reads a stream), and null only as null', () => {
    expect(ids('{"b": {"c": "y"}, "b": {"c": "x"}, "b": 1}')).toEqual(['str']);
    expect(ids('{"a": "300", "a": 300}')).toEqual(['num', 'range']);
    expect(ids('{"n": null}')).toEqual(['null']);
    expect(ids('{"n": "null"}')).toEqual([]);
  });

  it('keeps fields of objects in an array apart, and skips whatever no pattern reads', () => {
    expect(ids('{"o": [{"p": 1, "q": 3}, {"p": 5, "q": 2}]}')).toEqual([]);
    expect(ids('{"o": [{"p": 1, "q": 3}, {"p": 1, "q": 2}]}')).toEqual(['arr']);
    expect(ids('{"o": [[{"p": 1}], [{"q": 2}]], "g": [[1, [2, {"x": [true, false, null, "s"]}]], {}, []]}')).toEqual(
      [],
    );
    expect(ids('{"o": {"p": [1, 1], "q": [[2]]}, "skip": {"deep": [[[[[[{"a": 300}]]]]]]}}')).toEqual(['arr']);
  });

  it('handles deep nesting: skipped parts without recursion, read parts like the tree parser', () => {
    const deep = (n: number, inner: string) => `${'['.repeat(n)}${inner}${']'.repeat(n)}`;
    // 100,000 levels overflow the tree parser's stack; the skipper does not recurse.
    expect(ids(`{"skip": ${deep(100_000, '1')}, "a": 300}`)).toEqual(['num', 'range']);
    const read = `{"a": ${deep(500, '300')}, "o": ${deep(300, '{"p": [[1]], "q": 2}')}}`;
    expect(ids(read)).toEqual(['num', 'range', 'arr']);
    expect(index.match((parseEvent(read) as { ok: true; event: unknown }).event)).toEqual(['num', 'range', 'arr']);
    // Invalid and too deep for the tree parser to locate the error: still an error result, never a throw.
    expect(index.matchJson(`{"skip": ${deep(100_000, '1')}`)).toEqual({
      ok: false,
      error: 'Event JSON is not valid (nested too deeply to locate the error)',
    });
    expect(index.matchJson(`{"skip": ${deep(50, '1')}`)).toEqual(parseEvent(`{"skip": ${deep(50, '1')}`));
  });

  it('gives parseEvent’s error text for invalid JSON and non-object roots', () => {
    for (const bad of ['', '[]', '"x"', '{"a": 1,}', '{"a": 01}', '{"a": 1} x', '{"a": "\u0001"}', "{'a': 1}"]) {
      const parsed = parseEvent(bad);
      expect(parsed.ok, bad).toBe(false);
      expect(index.matchJson(bad), bad).toEqual({ ok: false, error: (parsed as { error: string }).error });
    }
    expect(index.matchJson('[]')).toEqual({ ok: false, error: 'Event must be a JSON object' });
  });
});

const DIR = join(CORPORA, 'eventbridge/localstack-patterns');
const available = existsSync(DIR);
if (!available) console.warn(`eventbridge corpus missing at ${DIR}: skipping scanner corpus tests`);

describe.skipIf(!available)('matchJson on the AWS-recorded corpus (localstack-patterns)', () => {
  const cases = available
    ? readdirSync(DIR)
        .filter((f) => f.endsWith('.json5') && !f.includes('_EXC'))
        .sort()
        .map((f) => {
          const c = JSON5.parse(readFileSync(join(DIR, f), 'utf8')) as { Event: unknown; EventPattern: unknown };
          return { stem: f.slice(0, -'.json5'.length), event: c.Event, pattern: c.EventPattern };
        })
    : [];

  it('every match and no-match case gives the recorded result from the event text (compact and pretty)', () => {
    expect(cases).toHaveLength(117);
    for (const c of cases) {
      const index = new PatternIndex();
      index.add(c.stem, c.pattern as object);
      const expected = c.stem.endsWith('_NEG') ? [] : [c.stem];
      for (const text of [JSON.stringify(c.event), JSON.stringify(c.event, null, 2)]) {
        expect(index.matchJson(text), c.stem).toEqual({ ok: true, ids: expected });
      }
    }
  });

  it('all corpus patterns in one index: matchJson selects what match(parseEvent) selects, per event', () => {
    const index = new PatternIndex();
    for (const c of cases) index.add(c.stem, c.pattern as object);
    const texts = [
      ...cases.map((c) => JSON.stringify(c.event)),
      readFileSync(join(DIR, 'complex_multi_key_event.json'), 'utf8'),
      readFileSync(join(DIR, 'test_payloads/large_complex_payload.json'), 'utf8'),
    ];
    let selected = 0;
    for (const text of texts) {
      const parsed = parseEvent(text);
      if (!parsed.ok) throw new Error(parsed.error);
      const expected = index.match(parsed.event);
      selected += expected.length;
      expect(index.matchJson(text)).toEqual({ ok: true, ids: expected });
    }
    expect(selected).toBeGreaterThan(66);
  });
});
