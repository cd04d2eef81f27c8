/**
 * Template text → plain JS value in CloudFormation's long form (`!Ref x` → `{Ref: x}`, `!GetAtt a.b` →
 * `{'Fn::GetAtt': ['a', 'b']}`), with the source offset of every object, key and list item kept in a side table so
 * that any resolved property can be mapped back to its line. JSON has its own position-keeping parser (json.ts, ten
 * times faster than the YAML parser on JSON). Never throws: problems become located issues.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Scalar,
  visit,
} from 'yaml';
import type { SourceLocation, TemplateIssue } from '../model.js';
import { linePos, lineStarts, parseJsonWithLocs } from './json.js';

/** Offsets (into the template text) of an object or list and of its keys / items. */
export interface NodeLoc {
  off: number;
  keys?: Map<string, number>;
  items?: number[];
}

export type LocTable = WeakMap<object, NodeLoc>;

export interface ParsedText {
  file: string;
  value: unknown;
  locs: LocTable;
  /** Offset → 1-based line/column. */
  position(offset: number): SourceLocation;
  issues: TemplateIssue[];
  format: 'yaml' | 'json';
}

/** Function tags: `!X` → `{'Fn::X': …}`. */
const FN_TAGS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'If',
  'Equals',
  'And',
  'Or',
  'Not',
  'Length',
  'ToJsonString',
  'GetStackOutput',
  'ForEach',
  'Contains',
  'EachMemberEquals',
  'EachMemberIn',
  'RefAll',
  'ValueOf',
  'ValueOfAll',
];
const TAG_KEY = new Map<string, string>([
  ['!Ref', 'Ref'],
  ['!Condition', 'Condition'],
  ...FN_TAGS.map((n): [string, string] => [`!${n}`, `Fn::${n}`]),
]);

// Identity tags: the walker below does the conversion; registering them only silences "unresolved tag" warnings.
const CUSTOM_TAGS = [...TAG_KEY.keys()].flatMap((tag) => [
  { tag, resolve: (s: string) => s },
  { tag, collection: 'seq' as const, resolve: (n: unknown) => n },
  { tag, collection: 'map' as const, resolve: (n: unknown) => n },
]);

/** Expansions through aliases are capped so that an alias bomb cannot blow up memory. */
const MAX_ALIAS_NODES = 10_000;

export function parseTemplateText(text: string, file: string): ParsedText {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = /\S/.exec(src);
  if (first && (first[0] === '{' || first[0] === '[')) {
    const j = parseJson(src, file);
    // `{Resources: …}` (an unquoted first key) is YAML flow syntax, not JSON: give the YAML parser a chance.
    if (!j.issues.some((i) => i.code === 'json-syntax') || !/^\s*\{\s*[A-Za-z_]/.test(src)) return j;
    const y = parseYaml(src, file);
    return y.issues.length === 0 ? y : j;
  }
  return parseYaml(src, file);
}

function parseJson(src: string, file: string): ParsedText {
  const starts = lineStarts(src);
  const position = (off: number): SourceLocation => {
    const p = linePos(starts, off);
    return { file, line: p.line, column: p.col };
  };
  const locs: LocTable = new WeakMap();
  const issues: TemplateIssue[] = [];
  const r = parseJsonWithLocs(src, locs);
  for (const d of r.duplicates) {
    issues.push({
      location: position(d.off),
      severity: 'error',
      code: 'duplicate-key',
      message: `duplicate key "${d.key}"`,
    });
  }
  if (r.error) {
    issues.push({ location: position(r.error.off), severity: 'error', code: 'json-syntax', message: r.error.message });
  }
  return { file, value: r.value ?? {}, locs, position, issues, format: 'json' };
}

function parseYaml(src: string, file: string): ParsedText {
  const issues: TemplateIssue[] = [];
  const lc = new LineCounter();
  const position = (off: number): SourceLocation => {
    const p = lc.linePos(off);
    return { file, line: p.line, column: p.col };
  };
  const locs: LocTable = new WeakMap();
  const first = /\S/.exec(src);
  const format = 'yaml';
  const out: ParsedText = { file, value: {}, locs, position, issues, format };
  if (!first) return out; // empty file → {}

  let doc: Document.Parsed;
  try {
    doc = parseDocument(src, {
      lineCounter: lc,
      customTags: CUSTOM_TAGS,
      version: '1.1',
      merge: true,
      uniqueKeys: true,
      prettyErrors: false,
      strict: false,
    });
  } catch (e) {
    // The parser reports through doc.errors; this is a last line of defence for internal errors.
    issues.push({ location: position(0), severity: 'error', code: 'yaml-syntax', message: String(e) });
    return out;
  }
  for (const e of doc.errors) {
    const code =
      e.code === 'DUPLICATE_KEY' ? 'duplicate-key' : e.code === 'MULTIPLE_DOCS' ? 'multiple-documents' : 'yaml-syntax';
    const message =
      code === 'duplicate-key' ? `duplicate key "${src.slice(e.pos[0], e.pos[1])}"` : clip(firstLine(e.message));
    issues.push({ location: position(e.pos[0]), severity: 'error', code, message });
  }
  if (doc.errors.some((e) => e.code === 'MULTIPLE_DOCS')) return out;

  let aliasNodes = 0;
  // Anchor name → its definitions in document order; an alias refers to the last one before it. (yaml's
  // Alias.resolve walks the whole document on every call, which made alias-heavy input quadratic.)
  const anchors = new Map<string, Node[]>();
  if (src.includes('&'))
    visit(doc, {
      Node(_k, n) {
        if (n.anchor) {
          const list = anchors.get(n.anchor);
          if (list) list.push(n);
          else anchors.set(n.anchor, [n]);
        }
      },
    });
  const anchorOf = (name: string, off: number): Node | undefined => {
    const list = anchors.get(name);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (((list[i] as Node).range?.[0] ?? 0) < off) return list[i];
    return undefined;
  };
  const err = (off: number, code: string, message: string) =>
    issues.push({ location: position(off), severity: 'error', code, message });

  /** A scalar's value as CloudFormation reads it. */
  const scalar = (n: Scalar): unknown => {
    const v = n.value;
    const text = () => (n.range ? src.slice(n.range[0], n.range[1]).trim() : String(v));
    // YAML 1.1 timestamps (AWSTemplateFormatVersion: 2010-09-09) stay the text CloudFormation sees.
    if (v instanceof Date) return text();
    if (typeof v === 'bigint') return Number(v);
    // yaml's 1.1 schema reads y/n as booleans; CloudFormation's parser (like PyYAML/SnakeYAML) keeps them strings.
    if (typeof v === 'boolean' && n.type === 'PLAIN' && /^[yYnN]$/.test(text())) return text();
    return v;
  };

  const conv = (node: unknown, depth: number): unknown => {
    if (node === null || node === undefined) return null;
    if (depth > 500) {
      err(0, 'yaml-syntax', 'nesting deeper than 500 levels');
      return null;
    }
    if (isAlias(node)) {
      const target = anchorOf(node.source, node.range?.[0] ?? 0);
      if (!target) return null;
      if (++aliasNodes > MAX_ALIAS_NODES) {
        if (aliasNodes === MAX_ALIAS_NODES + 1) err(node.range?.[0] ?? 0, 'yaml-syntax', 'too many alias expansions');
        return null;
      }
      return conv(target, depth + 1);
    }
    const n = node as Node;
    const off = n.range?.[0] ?? 0;
    let v: unknown;
    if (isScalar(n)) {
      v = scalar(n);
    } else if (isMap(n)) {
      const obj: Record<string, unknown> = {};
      const keys = new Map<string, number>();
      let merges: unknown[] | undefined;
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const k = pair.key as Node | null;
        const koff = (k as Node | null)?.range?.[0] ?? off;
        const kv = isScalar(k) ? scalar(k) : k;
        if (typeof kv === 'symbol' || (kv === '<<' && isScalar(k) && k.type === 'PLAIN')) {
          (merges ??= []).push(conv(pair.value, depth + 1));
          continue;
        }
        if (kv === null || kv === undefined) {
          err(koff, 'null-key', 'mapping key is null');
          continue;
        }
        if (typeof kv === 'object') {
          err(koff, 'yaml-syntax', 'mapping key must be a scalar');
          continue;
        }
        const key = String(kv);
        define(obj, key, conv(pair.value, depth + 1));
        keys.set(key, koff);
      }
      if (merges) {
        // Merge keys never override explicit keys; earlier merge sources win over later ones.
        for (const m of merges.flat()) {
          if (m === null || typeof m !== 'object' || Array.isArray(m)) continue;
          const mloc = locs.get(m);
          for (const [key, val] of Object.entries(m)) {
            if (keys.has(key)) continue;
            define(obj, key, val);
            keys.set(key, mloc?.keys?.get(key) ?? off);
          }
        }
      }
      locs.set(obj, { off, keys });
      v = obj;
    } else if (isSeq(n)) {
      const arr: unknown[] = [];
      const items: number[] = [];
      for (const it of n.items) {
        arr.push(conv(it, depth + 1));
        items.push((it as Node | null)?.range?.[0] ?? off);
      }
      locs.set(arr, { off, items });
      v = arr;
    } else {
      return null;
    }
    const tag = n.tag;
    if (tag && tag[0] === '!' && !tag.startsWith('!!') && !tag.startsWith('tag:')) {
      const key = TAG_KEY.get(tag);
      if (!key) {
        issues.push({
          location: position(off),
          severity: 'error',
          code: 'unknown-tag',
          message: `unknown tag ${tag} (not a CloudFormation intrinsic function)`,
        });
        return v;
      }
      if (key === 'Fn::GetAtt' && typeof v === 'string') {
        const dot = v.indexOf('.');
        v = dot > 0 ? [v.slice(0, dot), v.slice(dot + 1)] : [v];
        locs.set(v as object, { off, items: [off, off] });
      }
      const w = { [key]: v };
      locs.set(w, { off, keys: new Map([[key, off]]) });
      return w;
    }
    return v;
  };

  const value = conv(doc.contents, 0);
  out.value = value ?? {};
  return out;
}

/** Own-property define that also accepts `__proto__` as an ordinary key. */
function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true });
  else obj[key] = value;
}

/** Parser messages may quote a whole scalar (a licence paragraph …). */
function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return (i < 0 ? s : s.slice(0, i)).trim();
}
