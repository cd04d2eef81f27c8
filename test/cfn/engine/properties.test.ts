import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrSubnets } from '../../../src/cfn/index.js';
import { linePos, lineStarts, parseJsonWithLocs } from '../../../src/cfn/template/json.js';
import type { LocTable } from '../../../src/cfn/template/parse.js';
import { parseTemplateText } from '../../../src/cfn/template/parse.js';

describe('JSON parser (property tests)', () => {
  it('agrees with JSON.parse on any JSON value, indented or not', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2, '\t'), (v, indent) => {
        const text = JSON.stringify(v, null, indent);
        const r = parseJsonWithLocs(text, new WeakMap());
        expect(r.error).toBeUndefined();
        expect(r.value).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('every recorded key offset points at that key, quoted', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), (obj) => {
        const text = JSON.stringify(obj, null, 2);
        const locs: LocTable = new WeakMap();
        const r = parseJsonWithLocs(text, locs);
        const keys = locs.get(r.value as object)?.keys;
        for (const [k, off] of keys ?? []) expect(JSON.parse(text.slice(off, off + JSON.stringify(k).length))).toBe(k);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects truncated input with an offset inside the text, never throws', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (v, cut) => {
        const text = JSON.stringify(v);
        const short = text.slice(0, cut % Math.max(1, text.length));
        const r = parseJsonWithLocs(short, new WeakMap());
        let valid = true;
        try {
          JSON.parse(short);
        } catch {
          valid = false;
        }
        expect(r.error === undefined).toBe(valid);
        if (r.error) expect(r.error.off).toBeLessThanOrEqual(short.length);
      }),
      { numRuns: 300 },
    );
  });

  it('line/column mapping matches a naive count', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\n', ' ', '\r') }), fc.nat(), (s, o) => {
        const off = s.length === 0 ? 0 : o % s.length;
        const before = s.slice(0, off).split('\n');
        expect(linePos(lineStarts(s), off)).toEqual({ line: before.length, col: (before.at(-1) as string).length + 1 });
      }),
    );
  });

  it('YAML and JSON spellings of the same template parse to the same value', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}$/),
          fc.oneof(fc.integer(), fc.stringMatching(/^[a-z]{1,8}$/)),
        ),
        (props) => {
          const doc = { Resources: { R: { Type: 'AWS::S3::Bucket', Properties: props } } };
          const fromJson = parseTemplateText(JSON.stringify(doc, null, 2), 't.json');
          const yaml = `Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n${
            Object.entries(props)
              .map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`)
              .join('\n') || '      {}'
          }\n`;
          const fromYaml = parseTemplateText(yaml, 't.yaml');
          expect(fromYaml.issues).toEqual([]);
          expect(fromYaml.value).toEqual(fromJson.value);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('Fn::Cidr (property tests)', () => {
  it('subnets are consecutive, aligned, of the asked size and inside the block', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 8, max: 28 }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 256 }),
        (ip, prefix, extra, count) => {
          const addr = [24, 16, 8, 0].map((s) => (ip >>> s) & 255).join('.');
          const bits = 32 - Math.min(32, prefix + extra);
          const r = cidrSubnets(`${addr}/${prefix}`, count, bits);
          const capacity = 2 ** (32 - bits - prefix);
          if (count > capacity) {
            expect(r).toMatchObject({ error: expect.stringMatching(/holds only/) });
            return;
          }
          if (!Array.isArray(r)) throw new Error(r.error);
          const toInt = (s: string) =>
            s
              .split('/')[0]
              ?.split('.')
              .reduce((n, o) => n * 256 + Number(o), 0) as number;
          const base = Math.floor(ip / 2 ** (32 - prefix)) * 2 ** (32 - prefix);
          r.forEach((c, i) => {
            expect(c.endsWith(`/${32 - bits}`)).toBe(true);
            expect(toInt(c)).toBe(base + i * 2 ** bits);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
