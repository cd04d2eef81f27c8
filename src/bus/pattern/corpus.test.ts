import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import JSON5 from 'json5';
import { describe, expect, it } from 'vitest';
import { CORPORA } from '../../../test/helpers/corpus.js';
import { compilePattern, PatternError } from './compile.js';
import { PatternIndex } from './compiled.js';
import { explain } from './explain.js';
import { parseEvent } from './flatten.js';
import { matches } from './reference.js';

/**
 * AWS-verified TestEventPattern cases (LocalStack's recorded AWS snapshots): 66 match, 51 `_NEG`, 38 `_EXC`.
 * Patterns are sent as the JSON text LocalStack sent (Python's json.dumps layout), so the recorded Jackson
 * line/column can be compared too.
 */
const DIR = join(CORPORA, 'eventbridge/localstack-patterns');
const available = existsSync(DIR);
if (!available) console.warn(`eventbridge corpus missing at ${DIR}: skipping pattern conformance tests`);

interface Case {
  stem: string;
  event: Record<string, unknown>;
  pattern: unknown;
  expected: boolean | 'error';
}

function loadCases(): Case[] {
  if (!available) return [];
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json5'))
    .sort()
    .map((f) => {
      const stem = f.slice(0, -'.json5'.length);
      const c = JSON5.parse(readFileSync(join(DIR, f), 'utf8')) as {
        Event: Record<string, unknown>;
        EventPattern: unknown;
      };
      const expected = stem.endsWith('_EXC') ? 'error' : !stem.endsWith('_NEG');
      return { stem, event: c.Event, pattern: c.EventPattern, expected };
    });
}

/** Python's json.dumps(value): ", " and ": " separators, non-ASCII escaped. */
function pythonJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pythonJson).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${pythonJson(k)}: ${pythonJson(x)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

type Snapshot = Record<string, { 'recorded-content': Record<string, unknown> }>;
const snapshot: Snapshot = available
  ? JSON.parse(readFileSync(join(DIR, 'snapshots/test_events_patterns.snapshot.json'), 'utf8'))
  : {};
const KEY = 'tests/aws/services/events/test_events_patterns.py::TestEventPattern::';

interface AwsError {
  Code: string;
  Message: string;
  MessageRaw?: string;
}

function recordedError(stem: string): AwsError {
  const rec = snapshot[`${KEY}test_event_pattern[${stem}]`]['recorded-content'][stem] as {
    exception_message: { Error: AwsError };
  };
  return rec.exception_message.Error;
}

/** `line:column` of every Jackson location suffix in a message. */
function locations(message: string): string[] {
  return [...message.matchAll(/; line: (\d+), column: (\d+)\]/g)].map((m) => `${m[1]}:${m[2]}`);
}

const cases = loadCases();
let fullRawCompared = 0;

describe.skipIf(!available)('EventBridge pattern corpus (AWS-recorded)', () => {
  it('has the documented 66 match / 51 no-match / 38 invalid cases', () => {
    expect(cases.filter((c) => c.expected === true)).toHaveLength(66);
    expect(cases.filter((c) => c.expected === false)).toHaveLength(51);
    expect(cases.filter((c) => c.expected === 'error')).toHaveLength(38);
  });

  describe.each(cases.filter((c) => c.expected !== 'error'))('$stem', (c) => {
    const text = pythonJson(c.pattern);
    it('reference matcher', () => {
      expect(matches(text, c.event)).toBe(c.expected);
    });
    it('compiled index', () => {
      const index = new PatternIndex();
      index.add(c.stem, text);
      expect(index.match(c.event)).toEqual(c.expected ? [c.stem] : []);
    });
    it('event given as JSON text (ParsedEvent)', () => {
      const parsed = parseEvent(JSON.stringify(c.event));
      if (!parsed.ok) throw new Error(parsed.error);
      expect(matches(text, parsed.event)).toBe(c.expected);
      const index = new PatternIndex();
      index.add(c.stem, text);
      expect(index.match(parsed.event)).toEqual(c.expected ? [c.stem] : []);
    });
    it('explain agrees', () => {
      const e = explain(text, c.event);
      expect(e.matched).toBe(c.expected);
      if (e.matched) expect(e.fields.length).toBeGreaterThan(0);
      else expect(e.failures.length).toBeGreaterThan(0);
    });
  });

  describe.each(cases.filter((c) => c.expected === 'error'))('$stem', (c) => {
    it('is rejected with the recorded AWS message and location', () => {
      const text = pythonJson(c.pattern);
      const recorded = recordedError(c.stem);
      let error: unknown;
      try {
        compilePattern(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PatternError);
      const pe = error as PatternError;
      expect(pe.code).toBe(recorded.Code);
      expect(pe.message).toBe(recorded.Message);
      expect(locations(pe.rawMessage)).toEqual(locations(recorded.MessageRaw ?? ''));
      // Where LocalStack did not rewrite the echoed source, the whole raw message is identical.
      if (recorded.MessageRaw?.includes(`(String)"${text}"`)) {
        fullRawCompared++;
        expect(pe.rawMessage).toBe(recorded.MessageRaw);
      }
    });
    it('is rejected by the index and by the object form too', () => {
      expect(() => new PatternIndex().add('x', pythonJson(c.pattern))).toThrow(PatternError);
      expect(() => compilePattern(c.pattern as object)).toThrow(recordedError(c.stem).Message);
    });
  });

  it('compares the full raw message (with the echoed source) wherever LocalStack left the source intact', () => {
    expect(fullRawCompared).toBeGreaterThanOrEqual(25);
  });

  it('all valid corpus patterns in one index select exactly what the reference selects, per event', () => {
    const valid = cases.filter((c) => c.expected !== 'error');
    const compiled = new Map(valid.map((c) => [c.stem, compilePattern(pythonJson(c.pattern))]));
    const index = new PatternIndex();
    for (const c of valid) index.add(c.stem, compiled.get(c.stem)!);
    for (const c of valid) {
      const expected = valid.filter((p) => matches(compiled.get(p.stem)!, c.event)).map((p) => p.stem);
      expect(index.match(c.event)).toEqual(expected);
      expect(expected.includes(c.stem)).toBe(c.expected);
    }
  });

  it('complex_multi_key_event: duplicate keys in the pattern text, last one wins (match)', () => {
    const event = readFileSync(join(DIR, 'complex_multi_key_event.json'), 'utf8');
    const pattern = readFileSync(join(DIR, 'complex_multi_key_event_pattern.json'), 'utf8');
    const parsed = parseEvent(event);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(matches(pattern, parsed.event)).toBe(true);
    const index = new PatternIndex();
    index.add('multi', pattern);
    expect(index.match(parsed.event)).toEqual(['multi']);
    // The surviving condition is the anything-but; the earlier prefix "us-" would have rejected eu-central-1.
    expect(explain(pattern, parsed.event).fields.map((f) => f.operator)).toEqual(['anything-but']);
  });

  it('invalid JSON patterns give Jackson messages with location (recorded)', () => {
    const recorded = Object.entries(snapshot).filter(([k]) => k.startsWith(`${KEY}test_invalid_json_event_pattern[`));
    expect(recorded).toHaveLength(4);
    for (const [key, value] of recorded) {
      const text = key.slice(`${KEY}test_invalid_json_event_pattern[`.length, -1);
      const error = (value['recorded-content']['invalid-pattern'] as { Error: AwsError }).Error;
      let thrown: unknown;
      try {
        compilePattern(text);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, text).toBeInstanceOf(PatternError);
      expect((thrown as PatternError).rawMessage).toBe(error.Message);
    }
  });

  it('the recorded large event parses and routes', () => {
    const text = readFileSync(join(DIR, 'test_payloads/large_complex_payload.json'), 'utf8');
    const parsed = parseEvent(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const event = JSON.parse(text) as { source: string; 'detail-type': string };
    const pattern = { source: [event.source], 'detail-type': [event['detail-type']] };
    expect(matches(pattern, parsed.event)).toBe(true);
    expect(matches({ source: [{ 'anything-but': event.source }] }, parsed.event)).toBe(false);
  });
});
