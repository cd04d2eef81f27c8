import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonFramer, WRAPPER_KEYS } from './json-framing.js';

interface Framed {
  value: unknown;
  line: number;
  index: number | undefined;
  wrapperKey: string | undefined;
  envelope: Record<string, unknown> | undefined;
}

interface Result {
  values: Framed[];
  errors: { line: number; reason: string }[];
}

interface Limits {
  max?: number;
  fast?: number;
}

function frame(chunks: string | string[], limits: Limits = {}): Result {
  const values: Framed[] = [];
  const errors: { line: number; reason: string }[] = [];
  const framer = new JsonFramer(
    {
      value: (value, line, index, wrapperKey, envelope) => values.push({ value, line, index, wrapperKey, envelope }),
      error: (line, reason) => errors.push({ line, reason }),
    },
    limits.max,
    limits.fast,
  );
  for (const c of typeof chunks === 'string' ? [chunks] : chunks) framer.push(c);
  framer.end();
  return { values, errors };
}

/** Values only, as [value, line, index] triples. */
function triples(r: Result): [unknown, number, number | undefined][] {
  return r.values.map((v) => [v.value, v.line, v.index]);
}

function splitAt(text: string, cuts: number[]): string[] {
  const out: string[] = [];
  let prev = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out.push(text.slice(prev, c));
    prev = c;
  }
  out.push(text.slice(prev));
  return out;
}

function chunksOf(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** What the framer must produce for a sequence of valid documents: arrays and wrappers unwrapped one level. */
function expectedValues(docs: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const doc of docs) {
    if (Array.isArray(doc)) {
      out.push(...doc);
      continue;
    }
    if (doc !== null && typeof doc === 'object') {
      const obj = doc as Record<string, unknown>;
      const key = Object.keys(obj).find((k) => WRAPPER_KEYS.has(k) && Array.isArray(obj[k]));
      if (key !== undefined) {
        out.push(...(obj[key] as unknown[]));
        continue;
      }
    }
    out.push(doc);
  }
  return out;
}

const REC_A = { eventVersion: '1.08', eventName: 'A', q: 'say \\"hi\\" {not [a bracket', n: 1 };
const REC_B = { eventVersion: '1.08', eventName: 'B', nested: { list: [1, { x: '}' }], empty: {} }, t: true };
const REC_C = {
  eventVersion: '1.09',
  eventName: 'C',
  esc: 'back\\\\slash\\',
  quote: '"',
  nl: 'a\nb',
  u: '\u00e9\u2028',
};

/** Inputs covering every shape, used for the chunk-boundary sweeps. */
const SAMPLES: Record<string, string> = {
  ndjson: [REC_A, REC_B, REC_C].map((r) => JSON.stringify(r)).join('\n'),
  crlfBom: `\ufeff${[REC_A, REC_B].map((r) => JSON.stringify(r)).join('\r\n')}\r\n`,
  prettyArray: JSON.stringify([REC_A, REC_B, REC_C], null, 3),
  recordsLine: JSON.stringify({ Records: [REC_A, REC_B, REC_C] }),
  recordsPretty: JSON.stringify({ Records: [REC_A, REC_B, REC_C] }, null, 2),
  subscription: JSON.stringify({
    messageType: 'DATA_MESSAGE',
    owner: '111122223333',
    logGroup: 'ct',
    logEvents: [{ id: '1', timestamp: 1, message: JSON.stringify(REC_A) }],
  }),
  concatenated: `${JSON.stringify({ Records: [REC_A] })}${JSON.stringify(REC_B)} ${JSON.stringify([REC_C])}`,
  exportLines: `2024-05-01T12:00:00.000Z ${JSON.stringify(REC_A)}\n2024-05-01T12:00:01.000Z ${JSON.stringify(REC_B)}\n`,
  badLines: [
    JSON.stringify(REC_A),
    'garbage here',
    '{"eventVersion":"1.08","cut',
    JSON.stringify(REC_B),
    '{"a":1,}',
  ].join('\n'),
  truncatedTail: `${JSON.stringify({ Records: [REC_A, REC_B] }).slice(0, -20)}`,
};

describe('JsonFramer — shapes', () => {
  it('frames NDJSON with line numbers and no index', () => {
    const r = frame(SAMPLES.ndjson!);
    expect(r.errors).toEqual([]);
    expect(triples(r)).toEqual([
      [REC_A, 1, undefined],
      [REC_B, 2, undefined],
      [REC_C, 3, undefined],
    ]);
  });

  it('handles a BOM and CRLF line endings', () => {
    const r = frame(SAMPLES.crlfBom!);
    expect(r.errors).toEqual([]);
    expect(triples(r)).toEqual([
      [REC_A, 1, undefined],
      [REC_B, 2, undefined],
    ]);
  });

  it('frames a pretty-printed bare array element by element, each with the line it starts on', () => {
    const text = SAMPLES.prettyArray!;
    const r = frame(text);
    expect(r.errors).toEqual([]);
    const lines = text.split('\n');
    const starts = lines.map((l, i) => [l, i + 1] as const).filter(([l]) => l === '   {');
    expect(triples(r)).toEqual([
      [REC_A, starts[0]![1], 0],
      [REC_B, starts[1]![1], 1],
      [REC_C, starts[2]![1], 2],
    ]);
  });

  it('unwraps {"Records":[…]} on one line and pretty-printed, with the same values and indexes', () => {
    const one = frame(SAMPLES.recordsLine!);
    const pretty = frame(SAMPLES.recordsPretty!);
    expect(one.errors).toEqual([]);
    expect(pretty.errors).toEqual([]);
    expect(one.values.map((v) => [v.value, v.index, v.wrapperKey])).toEqual([
      [REC_A, 0, 'Records'],
      [REC_B, 1, 'Records'],
      [REC_C, 2, 'Records'],
    ]);
    expect(pretty.values.map((v) => [v.value, v.index, v.wrapperKey])).toEqual(
      one.values.map((v) => [v.value, v.index, v.wrapperKey]),
    );
    expect(one.values.every((v) => v.line === 1)).toBe(true);
    // Pretty: each record carries the line its opening brace is on.
    const lines = SAMPLES.recordsPretty!.split('\n');
    for (const v of pretty.values) expect(lines[v.line - 1]).toBe('    {');
  });

  it('passes the wrapper scalar members as the envelope (fast path and streamed path)', () => {
    const text = SAMPLES.subscription!;
    const expectedEnv = { messageType: 'DATA_MESSAGE', owner: '111122223333', logGroup: 'ct' };
    for (const limits of [{}, { fast: 16 }]) {
      const r = frame(text, limits);
      expect(r.errors).toEqual([]);
      expect(r.values).toHaveLength(1);
      expect(r.values[0]!.wrapperKey).toBe('logEvents');
      expect(r.values[0]!.envelope).toEqual(expectedEnv);
    }
  });

  it('unwraps every wrapper key and only the outermost level', () => {
    for (const key of WRAPPER_KEYS) {
      const r = frame(JSON.stringify({ [key]: [{ a: 1 }, { b: 2 }] }));
      expect(r.values.map((v) => [v.value, v.wrapperKey])).toEqual([
        [{ a: 1 }, key],
        [{ b: 2 }, key],
      ]);
    }
    const nested = { Records: [{ Records: [REC_A] }, { Events: [REC_B] }] };
    for (const text of [JSON.stringify(nested), JSON.stringify(nested, null, 2)]) {
      const r = frame(text);
      expect(r.errors).toEqual([]);
      expect(r.values.map((v) => v.value)).toEqual(nested.Records);
    }
    // An array inside an array is one value.
    expect(frame('[[1,2],[3]]').values.map((v) => v.value)).toEqual([[1, 2], [3]]);
  });

  it('treats a wrapper key whose value is not an array as an ordinary member', () => {
    const doc = { Records: null, eventVersion: '1.0' };
    for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 2)]) {
      const r = frame(text);
      expect(r.errors).toEqual([]);
      expect(r.values.map((v) => [v.value, v.index])).toEqual([[doc, undefined]]);
    }
  });

  it('yields nothing for an empty wrapper, an empty array or an empty input', () => {
    for (const text of ['{"Records":[]}', '{\n  "Records": []\n}', '[]', '[\n]', '', '\n\n  \n', '\ufeff']) {
      expect(frame(text)).toEqual({ values: [], errors: [] });
    }
  });

  it('frames concatenated documents on one line (Firehose) and across lines', () => {
    const r = frame(SAMPLES.concatenated!);
    expect(r.errors).toEqual([]);
    expect(r.values.map((v) => [v.value, v.line, v.index, v.wrapperKey])).toEqual([
      [REC_A, 1, 0, 'Records'],
      [REC_B, 1, undefined, undefined],
      [REC_C, 1, 0, undefined],
    ]);
    const many = Array.from({ length: 500 }, (_, i) =>
      JSON.stringify({ messageType: 'DATA_MESSAGE', logEvents: [{ i }] }),
    );
    const big = frame(many.join(''));
    expect(big.errors).toEqual([]);
    expect(big.values.map((v) => v.value)).toEqual(many.map((_, i) => ({ i })));
  });

  it('accepts CloudWatch Logs export lines (<ISO timestamp> <JSON>) and passes the timestamp as the envelope', () => {
    const r = frame(SAMPLES.exportLines!);
    expect(r.errors).toEqual([]);
    expect(r.values.map((v) => [v.value, v.line, v.envelope])).toEqual([
      [REC_A, 1, { timestamp: '2024-05-01T12:00:00.000Z' }],
      [REC_B, 2, { timestamp: '2024-05-01T12:00:01.000Z' }],
    ]);
    // Offsets, no fraction, tab separator, a wrapper after the timestamp; the timestamp does not leak to the next line.
    const text = [
      '2024-05-01T12:00:00+02:00 {"a":1}',
      '2024-05-01T12:00:00Z\t{"Records":[{"b":2}]}',
      '{"c":3}',
      '2024-05-01T12:00 [{"d":4}]',
    ].join('\n');
    const r2 = frame(text);
    expect(r2.errors).toEqual([]);
    expect(r2.values.map((v) => [v.value, v.envelope])).toEqual([
      [{ a: 1 }, { timestamp: '2024-05-01T12:00:00+02:00' }],
      [{ b: 2 }, { timestamp: '2024-05-01T12:00:00Z' }],
      [{ c: 3 }, undefined],
      [{ d: 4 }, { timestamp: '2024-05-01T12:00' }],
    ]);
  });

  it('reports export-like lines whose message is not JSON', () => {
    const r = frame('2024-05-01T12:00:00.000Z CWL CONTROL MESSAGE\n{"a":1}\n2024-05-01 {"b":2}');
    expect(r.values.map((v) => [v.value, v.line])).toEqual([[{ a: 1 }, 2]]);
    expect(r.errors).toEqual([
      { line: 1, reason: "not JSON: unexpected '2' at start of line" },
      { line: 3, reason: "not JSON: unexpected '2' at start of line" },
    ]);
  });

  it('keeps escapes intact: escaped quotes and backslashes, brackets inside strings', () => {
    const tricky = [
      { s: '\\' },
      { s: '\\"' },
      { s: '"}]' },
      { s: '\\\\"\\\\' },
      { '{': '[', ']': '}' },
      { s: '\u0000\u001f\ud83d\ude00' },
    ];
    for (const text of [
      tricky.map((t) => JSON.stringify(t)).join('\n'),
      JSON.stringify(tricky, null, 1),
      JSON.stringify({ Records: tricky }, null, 1),
    ]) {
      const r = frame(text);
      expect(r.errors).toEqual([]);
      expect(r.values.map((v) => v.value)).toEqual(tricky);
      // And at every chunk boundary.
      for (let i = 1; i < text.length; i++) {
        expect(frame([text.slice(0, i), text.slice(i)]).values.map((v) => v.value)).toEqual(tricky);
      }
    }
  });
});

describe('JsonFramer — chunk boundaries', () => {
  for (const [name, text] of Object.entries(SAMPLES)) {
    it(`${name}: any two-way split, and one character at a time, give the one-push result`, () => {
      for (const limits of [{}, { fast: 8 }]) {
        const whole = frame(text, limits);
        for (let i = 1; i < text.length; i++) expect(frame([text.slice(0, i), text.slice(i)], limits)).toEqual(whole);
        expect(frame([...text], limits)).toEqual(whole);
      }
    });
  }

  it('the incremental path gives the same values as the fast path', () => {
    for (const [name, text] of Object.entries(SAMPLES)) {
      if (name === 'badLines' || name === 'truncatedTail') continue;
      expect(triples(frame(text, { fast: 4 })), name).toEqual(triples(frame(text)));
    }
  });
});

describe('JsonFramer — bad input', () => {
  it('reports bad NDJSON lines with line numbers and keeps every good line', () => {
    const good = JSON.stringify(REC_A);
    const text = [
      good,
      'garbage here',
      '{"eventVersion":"1.08","userIdentity":{"type":"IAMUser"',
      good,
      '{"a":1,}',
      '\u0000\u0001binary\u00ff',
      good,
      '{"a":tru}',
      '{"cut": "inside a string',
      good,
      '{"a":1} trailing',
      good,
    ].join('\n');
    const r = frame(text);
    expect(r.values.map((v) => [v.value, v.line])).toEqual([
      [REC_A, 1],
      [REC_A, 4],
      [REC_A, 7],
      [REC_A, 10],
      [{ a: 1 }, 11],
      [REC_A, 12],
    ]);
    expect(r.errors.map((e) => e.line)).toEqual([2, 3, 5, 6, 8, 9, 11]);
    expect(r.errors[0]!.reason).toBe("not JSON: unexpected 'g' at start of line");
    expect(r.errors[1]!.reason).toBe('truncated JSON: document not closed before line 4, which starts a new one');
    expect(r.errors[2]!.reason).toBe("invalid JSON: expected a member name, found '}'");
    expect(r.errors[3]!.reason).toBe('not JSON: unexpected byte 0x00 at start of line');
    expect(r.errors[4]!.reason).toMatch(/^invalid JSON: /);
    expect(r.errors[5]!.reason).toBe('truncated JSON: document not closed before line 10, which starts a new one');
    expect(r.errors[6]!.reason).toBe("not JSON: unexpected 't' after a JSON value");
  });

  it('a line cut right after a comma or colon is caught at the next line, which is still read', () => {
    for (const cut of ['{"a":1,', '{"a":', '{"a":1', '{"a":{"b":[1,']) {
      const r = frame(`${cut}\n{"ok":2}\n2024-01-01T00:00:00Z {"ok":3}\n`);
      expect(
        r.values.map((v) => [v.value, v.line]),
        cut,
      ).toEqual([
        [{ ok: 2 }, 2],
        [{ ok: 3 }, 3],
      ]);
      expect(r.errors, cut).toEqual([
        { line: 1, reason: 'truncated JSON: document not closed before line 2, which starts a new one' },
      ]);
    }
  });

  it('a document cut off at the end of the input (truncated gzip) keeps the records before the cut', () => {
    const recs = [REC_A, REC_B, REC_C];
    const line = JSON.stringify({ Records: recs });
    const cut = line.slice(0, line.indexOf('"C"'));
    const r = frame(cut, { fast: 16 });
    expect(r.values.map((v) => v.value)).toEqual([REC_A, REC_B]);
    expect(r.errors).toEqual([{ line: 1, reason: 'truncated JSON: unexpected end of input inside record 2' }]);
    // Single line within the fast-path limit: the same records once the line is known to be incomplete.
    expect(frame(cut).values.map((v) => v.value)).toEqual([REC_A, REC_B]);
    const pretty = JSON.stringify({ Records: recs }, null, 2);
    const pcut = frame(pretty.slice(0, pretty.indexOf('"C"')));
    expect(pcut.values.map((v) => v.value)).toEqual([REC_A, REC_B]);
    expect(pcut.errors).toHaveLength(1);
    expect(pcut.errors[0]!.reason).toBe('truncated JSON: unexpected end of input inside record 2');
    // Cut inside the root object before any wrapper, and between records.
    expect(frame('{"eventVersion":"1.0","a":').errors).toEqual([
      { line: 1, reason: 'truncated JSON: unexpected end of input' },
    ]);
    expect(frame('[{"a":1},\n').errors).toEqual([
      { line: 1, reason: "truncated JSON: unexpected end of input (array not closed with ']')" },
    ]);
    expect(frame('{"Records":[{"a":1}]').errors).toEqual([
      { line: 1, reason: 'truncated JSON: unexpected end of input after the records array' },
    ]);
  });

  it('a record larger than the maximum is reported and skipped without stopping the rest', () => {
    const big = { eventVersion: '1.0', pad: 'x'.repeat(500), nested: [{ s: '\\"]}' }] };
    const small = { eventVersion: '1.0', ok: true };
    const limits = { max: 200, fast: 100 };
    const inputs = [
      JSON.stringify({ Records: [small, big, small] }),
      JSON.stringify({ Records: [small, big, small] }, null, 2),
      JSON.stringify([small, big, small]),
      [small, big, small].map((r) => JSON.stringify(r)).join('\n'),
    ];
    for (const text of inputs) {
      for (const chunks of [[text], chunksOf(text, 7), chunksOf(text, 64)]) {
        const r = frame(chunks, limits);
        expect(r.values.map((v) => v.value)).toEqual([small, small]);
        expect(r.errors).toHaveLength(1);
        expect(r.errors[0]!.reason).toMatch(/larger than 200 characters; skipped$/);
      }
    }
    // A scalar member too large for the limit, then the document goes on.
    const r = frame(`[${JSON.stringify('y'.repeat(300))}, 1]\n{"a":2}`, limits);
    expect(r.values.map((v) => v.value)).toEqual([1, { a: 2 }]);
    expect(r.errors.map((e) => e.reason)).toEqual(['record 0 larger than 200 characters; skipped']);
  });

  it('counts lines correctly around skipped and broken documents', () => {
    const pretty = JSON.stringify({ eventVersion: '1', pad: ['a'.repeat(120), 'b'.repeat(120)] }, null, 2);
    const text = `${pretty}\n{"ok":1}\n{"bad":\n{"ok":2}\n`;
    const r = frame(text, { max: 100, fast: 50 });
    const okLine = pretty.split('\n').length + 1;
    expect(r.values.map((v) => [v.value, v.line])).toEqual([
      [{ ok: 1 }, okLine],
      [{ ok: 2 }, okLine + 2],
    ]);
    expect(r.errors.map((e) => e.line)).toEqual([1, okLine + 1]);
  });

  it('a pretty-printed document with a syntax error is one error; the next document is still read', () => {
    const text = '{\n  "a": 1\n  "b": 2\n}\n{"c":3}\n';
    const r = frame(text);
    expect(r.values.map((v) => [v.value, v.line])).toEqual([[{ c: 3 }, 5]]);
    expect(r.errors).toEqual([
      { line: 1, reason: `invalid JSON (line 3): expected ',' or '}' after the value of "a", found '"'` },
    ]);
  });

  it('unindented pretty-printing (indent=0) is not mistaken for a broken line', () => {
    const doc = { Records: [{ a: [{ b: 1 }, 2] }], eventVersion: '1' };
    const text = JSON.stringify(doc, null, '\t').replace(/^\t+/gm, '');
    const r = frame(text, { fast: 10 });
    expect(r.errors).toEqual([]);
    expect(r.values.map((v) => v.value)).toEqual(doc.Records);
    const rec = { a: [{ b: 1 }, 2] };
    const r2 = frame(JSON.stringify(rec, null, '\t').replace(/^\t+/gm, ''));
    expect(r2.errors).toEqual([]);
    expect(r2.values.map((v) => v.value)).toEqual([rec]);
  });

  it('reports structural junk inside arrays and keeps the records', () => {
    const r = frame('[{"a":1} {"b":2}, , }, {"c":3},]');
    expect(r.values.map((v) => v.value)).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
    expect(r.errors.map((e) => e.reason)).toEqual([
      "invalid JSON: expected ',' or ']' after record 0, found '{'",
      "invalid JSON: unexpected ',' in array",
      "invalid JSON: unexpected '}' in array",
      "invalid JSON: unexpected ',' in array",
      "invalid JSON: trailing ',' before ']'",
    ]);
  });
});

describe('JsonFramer — streaming large files', () => {
  const record = (i: number) => ({
    eventVersion: '1.11',
    eventTime: '2026-01-01T00:00:00Z',
    eventName: `Event${i}`,
    requestParameters: { key: `path/${i}/"quoted"\\file`, list: [i, { deep: '}]' }] },
  });
  const records = Array.from({ length: 12_000 }, (_, i) => record(i));
  const single = JSON.stringify({ Records: records });
  const pretty = JSON.stringify({ Records: records }, null, 2);

  it('streams a multi-MB single-line Records file record by record beyond the fast-path length', () => {
    expect(single.length).toBeGreaterThan(2_000_000);
    let seen = 0;
    let maxBuffered = 0;
    const framer = new JsonFramer(
      {
        value: (v, _line, index) => {
          expect(index).toBe(seen);
          expect(v).toEqual(records[seen]);
          seen++;
        },
        error: (line, reason) => {
          throw new Error(`unexpected error ${line}: ${reason}`);
        },
      },
      undefined,
      256 * 1024,
    );
    const chunks = chunksOf(single, 64 * 1024);
    for (let i = 0; i < chunks.length; i++) {
      framer.push(chunks[i]!);
      maxBuffered = Math.max(maxBuffered, framer.buffered);
      // Records arrive while the file is still being read.
      if (i === Math.floor(chunks.length / 2)) expect(seen).toBeGreaterThan(records.length / 3);
    }
    framer.end();
    expect(seen).toBe(records.length);
    // Bounded by the fast-path wait (256 KiB) plus one chunk, not by the file.
    expect(maxBuffered).toBeLessThan(256 * 1024 + 64 * 1024 + 1);
  });

  it('streams a pretty-printed Records file pushed in small chunks of random size (boundaries anywhere)', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const chunks: string[] = [];
    for (let i = 0; i < pretty.length; ) {
      const size = 1 + Math.floor(next() * 40);
      chunks.push(pretty.slice(i, i + size));
      i += size;
    }
    let seen = 0;
    let maxBuffered = 0;
    let lastLine = 0;
    const framer = new JsonFramer({
      value: (v, line) => {
        expect(v).toEqual(records[seen]);
        expect(line).toBeGreaterThan(lastLine);
        lastLine = line;
        seen++;
      },
      error: (line, reason) => {
        throw new Error(`unexpected error ${line}: ${reason}`);
      },
    });
    for (const c of chunks) {
      framer.push(c);
      maxBuffered = Math.max(maxBuffered, framer.buffered);
    }
    framer.end();
    expect(seen).toBe(records.length);
    expect(maxBuffered).toBeLessThan(1024);
    // The line of the last record's opening brace.
    const lines = pretty.split('\n');
    expect(lines[lastLine - 1]).toBe('    {');
    expect(lines.slice(lastLine).some((l) => l === '    {')).toBe(false);
  });

  it('a single-line Records file within the fast-path length is parsed in one piece, even from small chunks', () => {
    const text = JSON.stringify({ Records: records.slice(0, 2000) });
    const r = frame(chunksOf(text, 1000));
    expect(r.errors).toEqual([]);
    expect(r.values).toHaveLength(2000);
    expect(r.values.every((v) => v.line === 1)).toBe(true);
  });
});

describe('JsonFramer — properties', () => {
  const doc = fc.oneof(
    fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
    fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }),
    fc
      .record({
        key: fc.constantFrom(...WRAPPER_KEYS),
        before: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
        items: fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }),
      })
      .map(({ key, before, items }) => {
        const o: Record<string, unknown> = {};
        for (const k of Object.keys(before)) if (!WRAPPER_KEYS.has(k)) o[k] = before[k];
        o[key] = items;
        return o;
      }),
  );
  const style = fc.constantFrom<(v: unknown) => string>(
    (v) => JSON.stringify(v),
    (v) => JSON.stringify(v, null, 2),
    (v) => JSON.stringify(v, null, '\t'),
  );
  const separator = fc.constantFrom('\n', '\r\n', '\n\n', ' \n', '');

  it('random documents split at random chunk boundaries give the values JSON.parse gives', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(doc, style, separator), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.constantFrom(undefined, 8, 64),
        (items, cuts, fast) => {
          // Without a separator, two pretty documents still frame; a compact one then needs a line of its own only
          // when it starts with a digit, which documents never do.
          const text = items.map(([d, s, sep]) => s(d) + (sep === '' ? '\n' : sep)).join('');
          // The oracle is what JSON itself round-trips (e.g. -0 is written as 0).
          const expected = expectedValues(items.map(([d]) => JSON.parse(JSON.stringify(d)) as unknown));
          const r = frame(
            splitAt(
              text,
              cuts.map((c) => c % (text.length + 1)),
            ),
            { fast },
          );
          expect(r.errors).toEqual([]);
          expect(r.values.map((v) => v.value)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('mutated inputs never throw, and chunking never changes the outcome', () => {
    const base = Object.values(SAMPLES);
    const mutated = fc
      .tuple(fc.constantFrom(...base), fc.nat(), fc.nat(), fc.string({ maxLength: 6 }))
      .map(([text, a, b, ins]) => {
        const i = a % (text.length + 1);
        return text.slice(0, i) + ins + text.slice(Math.min(text.length, i + (b % 10)));
      });
    const input = fc.oneof(
      mutated,
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', '\n', ' ', 'a', '1') }),
    );
    fc.assert(
      fc.property(
        input,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.constantFrom<Limits>({}, { fast: 8 }, { max: 40, fast: 16 }),
        (text, cuts, limits) => {
          const whole = frame(text, limits);
          const split = frame(
            splitAt(
              text,
              cuts.map((c) => c % (text.length + 1)),
            ),
            limits,
          );
          expect(split).toEqual(whole);
          for (const e of whole.errors) {
            expect(e.line).toBeGreaterThanOrEqual(1);
            expect(e.reason.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
