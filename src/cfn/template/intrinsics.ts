/**
 * Static evaluation of intrinsic functions and condition functions over a parsed template. What depends on deploy-time
 * values becomes an `Unknown` marker (with a reason, the expression with its known parts resolved, and — for Ref/GetAtt
 * to a resource — the logical id), so that consumers can reason about it instead of guessing.
 */
import type { TemplateIssue } from '../model.js';
import { isUnknown, type Unknown, unknown } from '../model.js';
import { cidrSubnets } from './cidr.js';
import { expandForEach, hasForEach } from './foreach.js';
import type { LocTable, NodeLoc, ParsedText } from './parse.js';

/** `{Ref: AWS::NoValue}`: the enclosing property or list item is removed. */
export const NOVALUE: unique symbol = Symbol('AWS::NoValue');

export type CondValue = boolean | 'unknown';

export interface GetAttUse {
  logicalId: string;
  attribute: string;
  off: number;
}

export interface Ctx {
  parsed: ParsedText;
  issues: TemplateIssue[];
  /** Parameter name → value (or Unknown). */
  params: Map<string, unknown>;
  /** Pseudo parameter name → value. */
  pseudo: Map<string, unknown>;
  mappings: Record<string, unknown>;
  conditionDefs: Record<string, unknown>;
  conditionValues: Map<string, CondValue>;
  evaluating: Set<string>;
  /** Logical id → resource type. */
  resources: Map<string, string>;
  region: string;
  azs: (region: string) => string[] | undefined;
  /** Locations of resolved objects/lists (the output side of `parsed.locs`). */
  out: LocTable;
  getAtts: GetAttUse[];
  /** AWS::LanguageExtensions is declared: Fn::ForEach keys in mappings are expanded. */
  forEach?: boolean;
}

const PSEUDO_WITH_NOVALUE = 'AWS::NoValue';

function issue(ctx: Ctx, off: number, code: string, message: string, severity: 'error' | 'warning' = 'error'): void {
  ctx.issues.push({ location: ctx.parsed.position(off), severity, code, message });
}

function bad(ctx: Ctx, off: number, fn: string, message: string, expr: unknown): Unknown {
  issue(ctx, off, 'bad-intrinsic', `${fn}: ${message}`);
  return unknown(`invalid ${fn}: ${message}`, expr);
}

export function isIntrinsicKey(k: string): boolean {
  return k === 'Ref' || k.startsWith('Fn::');
}

/** True when no Unknown occurs anywhere inside `v`. */
export function deepKnown(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (isUnknown(v)) return false;
  if (Array.isArray(v)) return v.every(deepKnown);
  for (const x of Object.values(v)) if (!deepKnown(x)) return false;
  return true;
}

/** Resolves a template value; returns NOVALUE when it is `{Ref: AWS::NoValue}` (the caller drops it). */
export function resolve(ctx: Ctx, node: unknown, off: number): unknown {
  if (node === null || typeof node !== 'object') return node;
  const loc = ctx.parsed.locs.get(node);
  if (Array.isArray(node)) {
    const out: unknown[] = [];
    const items: number[] = [];
    for (let i = 0; i < node.length; i++) {
      const ioff = loc?.items?.[i] ?? off;
      const v = resolve(ctx, node[i], ioff);
      if (v === NOVALUE) continue;
      out.push(v);
      items.push(ioff);
    }
    ctx.out.set(out, { off: loc?.off ?? off, items });
    return out;
  }
  if (isUnknown(node)) return node;
  let obj = node as Record<string, unknown>;
  let oloc = loc;
  if (ctx.forEach && hasForEach(obj)) {
    obj = expandForEach(ctx, obj);
    oloc = ctx.parsed.locs.get(obj);
  }
  const keys = Object.keys(obj);
  if (keys.length === 1 && isIntrinsicKey(keys[0] as string)) {
    const k = keys[0] as string;
    return fn(ctx, k, obj[k], oloc?.keys?.get(k) ?? off, obj);
  }
  const out: Record<string, unknown> = {};
  const okeys = new Map<string, number>();
  for (const k of keys) {
    const koff = oloc?.keys?.get(k) ?? off;
    const v = resolve(ctx, obj[k], koff);
    if (v === NOVALUE) continue;
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true });
    else out[k] = v;
    okeys.set(k, koff);
  }
  ctx.out.set(out, { off: oloc?.off ?? off, keys: okeys });
  return out;
}

/** Offset of the i-th item of a raw list argument (for precise messages). */
function itemOff(ctx: Ctx, arr: unknown, i: number, off: number): number {
  const l: NodeLoc | undefined = arr && typeof arr === 'object' ? ctx.parsed.locs.get(arr) : undefined;
  return l?.items?.[i] ?? off;
}

function resolveArg(ctx: Ctx, arr: unknown[], i: number, off: number): unknown {
  const v = resolve(ctx, arr[i], itemOff(ctx, arr, i, off));
  return v === NOVALUE ? unknown('AWS::NoValue used as a function argument', { Ref: PSEUDO_WITH_NOVALUE }) : v;
}

function fn(ctx: Ctx, name: string, arg: unknown, off: number, expr: Record<string, unknown>): unknown {
  switch (name) {
    case 'Ref':
      if (typeof arg !== 'string') return bad(ctx, off, 'Ref', 'argument must be a name', expr);
      return ref(ctx, arg, off);
    case 'Fn::GetAtt':
      return getAtt(ctx, arg, off, expr);
    case 'Fn::Sub':
      return sub(ctx, arg, off, expr);
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2) return bad(ctx, off, name, 'expected [delimiter, [values]]', expr);
      const delim = resolveArg(ctx, arg, 0, off);
      const list = resolveArg(ctx, arg, 1, off);
      if (typeof delim !== 'string') {
        return isUnknown(delim)
          ? unknown(`Join delimiter: ${delim.reason}`, expr)
          : bad(ctx, off, name, 'delimiter must be a string', expr);
      }
      if (isUnknown(list)) return unknown(`Join over ${list.reason}`, { 'Fn::Join': [delim, list] }, list.ref);
      if (!Array.isArray(list)) return bad(ctx, off, name, 'second argument must be a list', expr);
      const u = list.find(isUnknown);
      if (u) return unknown(`Join with an unknown part: ${u.reason}`, { 'Fn::Join': [delim, list] }, soleRef(list));
      if (list.some((x) => x !== null && typeof x === 'object')) {
        return bad(ctx, off, name, 'list items must be strings', expr);
      }
      return list.map((x) => (x === null ? '' : String(x))).join(delim);
    }
    case 'Fn::Select': {
      if (!Array.isArray(arg) || arg.length !== 2) return bad(ctx, off, name, 'expected [index, list]', expr);
      const idx = resolveArg(ctx, arg, 0, off);
      const list = resolveArg(ctx, arg, 1, off);
      if (isUnknown(idx)) return unknown(`Select index: ${idx.reason}`, { 'Fn::Select': [idx, list] });
      const i = typeof idx === 'number' ? idx : typeof idx === 'string' && /^\d+$/.test(idx) ? Number(idx) : Number.NaN;
      if (!Number.isInteger(i) || i < 0)
        return bad(ctx, off, name, `index ${JSON.stringify(idx)} is not a non-negative integer`, expr);
      if (isUnknown(list)) return unknown(`Select ${i} from ${list.reason}`, { 'Fn::Select': [i, list] }, list.ref);
      if (!Array.isArray(list)) return bad(ctx, off, name, 'second argument must be a list', expr);
      if (i >= list.length) return bad(ctx, off, name, `index ${i} out of range (list has ${list.length} items)`, expr);
      return list[i];
    }
    case 'Fn::Split': {
      if (!Array.isArray(arg) || arg.length !== 2) return bad(ctx, off, name, 'expected [delimiter, string]', expr);
      const delim = resolveArg(ctx, arg, 0, off);
      const s = resolveArg(ctx, arg, 1, off);
      if (typeof delim !== 'string' || delim === '') {
        return isUnknown(delim)
          ? unknown(`Split delimiter: ${delim.reason}`, expr)
          : bad(ctx, off, name, 'delimiter must be a non-empty string', expr);
      }
      if (isUnknown(s)) return unknown(`Split of ${s.reason}`, { 'Fn::Split': [delim, s] }, s.ref);
      if (typeof s !== 'string') return bad(ctx, off, name, 'second argument must be a string', expr);
      return s.split(delim);
    }
    case 'Fn::FindInMap':
      return findInMap(ctx, arg, off, expr);
    case 'Fn::Base64': {
      const v = resolve(ctx, arg, off);
      if (isUnknown(v)) return unknown(`Base64 of ${v.reason}`, { 'Fn::Base64': v }, v.ref);
      if (typeof v !== 'string') return bad(ctx, off, name, 'argument must be a string', expr);
      return Buffer.from(v, 'utf8').toString('base64');
    }
    case 'Fn::Cidr': {
      if (!Array.isArray(arg) || arg.length !== 3)
        return bad(ctx, off, name, 'expected [ipBlock, count, cidrBits]', expr);
      const a = [0, 1, 2].map((i) => resolveArg(ctx, arg, i, off));
      const u = a.find(isUnknown);
      if (u) return unknown(`Cidr over ${u.reason}`, { 'Fn::Cidr': a }, u.ref);
      const r = cidrSubnets(String(a[0]), Number(a[1]), Number(a[2]));
      return Array.isArray(r) ? r : bad(ctx, off, name, r.error, expr);
    }
    case 'Fn::GetAZs': {
      const r = resolve(ctx, arg ?? '', off);
      if (isUnknown(r)) return unknown(`GetAZs of ${r.reason}`, { 'Fn::GetAZs': r });
      if (typeof r !== 'string') return bad(ctx, off, name, 'argument must be a region name', expr);
      const region = r === '' ? ctx.region : r;
      const azs = ctx.azs(region);
      return azs
        ? [...azs]
        : unknown(`availability zones of ${region} (not configured; pass azs in the options)`, {
            'Fn::GetAZs': region,
          });
    }
    case 'Fn::ImportValue': {
      const v = resolve(ctx, arg, off);
      return unknown(`ImportValue ${isUnknown(v) ? `(${v.reason})` : String(v)}: exported by another stack`, {
        'Fn::ImportValue': v,
      });
    }
    case 'Fn::If':
      return ifFn(ctx, arg, off, expr);
    case 'Fn::Equals':
    case 'Fn::And':
    case 'Fn::Or':
    case 'Fn::Not': {
      const c = evalCondition(ctx, expr, off);
      return c === 'unknown' ? unknown('condition function over unknown values', expr) : c;
    }
    case 'Fn::Length': {
      const v = resolve(ctx, arg, off);
      if (isUnknown(v)) return unknown(`Length of ${v.reason}`, { 'Fn::Length': v });
      if (!Array.isArray(v)) return bad(ctx, off, name, 'argument must be a list', expr);
      return v.length;
    }
    case 'Fn::ToJsonString': {
      const v = resolve(ctx, arg, off);
      if (!deepKnown(v)) return unknown('ToJsonString of a value with unknown parts', { 'Fn::ToJsonString': v });
      return JSON.stringify(v);
    }
    case 'Fn::Transform':
      return unknown('Fn::Transform: macro output is only known at deploy time', expr);
    case 'Fn::GetStackOutput':
      return unknown('Fn::GetStackOutput: output of another stack', expr);
    default:
      if (name.startsWith('Fn::ForEach::')) return unknown('Fn::ForEach is not expanded', expr);
      issue(ctx, off, 'bad-intrinsic', `unknown intrinsic function ${name}`, 'warning');
      return unknown(`unknown intrinsic function ${name}`, expr);
  }
}

/** The ref shared by the only Unknown in a list, so that e.g. Join over one GetAtt stays attributable. */
function soleRef(list: unknown[]): Unknown['ref'] {
  let found: Unknown | undefined;
  for (const x of list) {
    if (!isUnknown(x)) continue;
    if (found) return undefined;
    found = x;
  }
  return found?.ref;
}

export function ref(ctx: Ctx, name: string, off: number): unknown {
  if (ctx.pseudo.has(name)) {
    if (name === PSEUDO_WITH_NOVALUE) return NOVALUE;
    const v = ctx.pseudo.get(name);
    return Array.isArray(v) ? [...v] : v;
  }
  if (ctx.params.has(name)) {
    const v = ctx.params.get(name);
    return Array.isArray(v) ? [...v] : v;
  }
  const type = ctx.resources.get(name);
  if (type !== undefined) {
    return unknown(
      `Ref ${name} (${type}): its physical id is known at deploy time`,
      { Ref: name },
      { logicalId: name },
    );
  }
  issue(ctx, off, 'unresolved-ref', `Ref to "${name}", which is not a parameter, pseudo parameter or resource`);
  return unknown(`Ref to undefined name ${name}`, { Ref: name });
}

function getAtt(ctx: Ctx, arg: unknown, off: number, expr: unknown): unknown {
  let id: unknown;
  let attr: unknown;
  if (typeof arg === 'string') {
    const dot = arg.indexOf('.');
    if (dot <= 0) return bad(ctx, off, 'Fn::GetAtt', `"${arg}" is not LogicalId.Attribute`, expr);
    id = arg.slice(0, dot);
    attr = arg.slice(dot + 1);
  } else if (Array.isArray(arg) && arg.length === 2) {
    // The logical id may be computed (a Sub inside Fn::ForEach, LanguageExtensions).
    id = typeof arg[0] === 'string' ? arg[0] : resolveArg(ctx, arg, 0, off);
    attr = resolveArg(ctx, arg, 1, off);
  } else {
    return bad(ctx, off, 'Fn::GetAtt', 'expected [LogicalId, Attribute] or "LogicalId.Attribute"', expr);
  }
  if (typeof id !== 'string') return bad(ctx, off, 'Fn::GetAtt', 'logical id must be a string', expr);
  if (isUnknown(attr)) return unknown(`GetAtt ${id} with attribute ${attr.reason}`, expr, { logicalId: id });
  if (typeof attr !== 'string') return bad(ctx, off, 'Fn::GetAtt', 'attribute name must be a string', expr);
  const type = ctx.resources.get(id);
  if (type === undefined) {
    issue(ctx, off, 'unresolved-ref', `GetAtt to "${id}", which is not a resource of this template`);
    return unknown(`GetAtt to undefined resource ${id}`, { 'Fn::GetAtt': [id, attr] });
  }
  ctx.getAtts.push({ logicalId: id, attribute: attr, off });
  return unknown(
    `GetAtt ${id}.${attr} (${type}): known at deploy time`,
    { 'Fn::GetAtt': [id, attr] },
    { logicalId: id, attribute: attr },
  );
}

const SUB_VAR = /\$\{([^}]*)\}/g;

function sub(ctx: Ctx, arg: unknown, off: number, expr: unknown): unknown {
  let text: unknown;
  let vars: Record<string, unknown> | undefined;
  if (typeof arg === 'string') text = arg;
  else if (Array.isArray(arg) && (arg.length === 2 || arg.length === 1)) {
    text = arg[0];
    if (arg.length === 2) {
      const v = resolveArg(ctx, arg, 1, off);
      if (v === null || typeof v !== 'object' || Array.isArray(v) || isUnknown(v)) {
        return bad(ctx, off, 'Fn::Sub', 'second argument must be a map of variables', expr);
      }
      vars = v as Record<string, unknown>;
    }
  } else return bad(ctx, off, 'Fn::Sub', 'expected "string" or ["string", {variables}]', expr);
  if (typeof text !== 'string') {
    if (isUnknown(text)) return unknown(`Sub of ${text.reason}`, expr);
    return bad(ctx, off, 'Fn::Sub', 'template must be a string', expr);
  }
  const unknowns: Unknown[] = [];
  let partial = '';
  let last = 0;
  let out = '';
  for (const m of text.matchAll(SUB_VAR)) {
    const lit = text.slice(last, m.index);
    out += lit;
    partial += lit;
    last = m.index + m[0].length;
    const inner = m[1] as string;
    if (inner.startsWith('!')) {
      const s = `\${${inner.slice(1)}}`;
      out += s;
      partial += s;
      continue;
    }
    const name = inner.trim();
    let v: unknown;
    if (vars && Object.hasOwn(vars, name)) v = vars[name];
    else if (ctx.params.has(name) || ctx.pseudo.has(name)) v = ref(ctx, name, off);
    else {
      const dot = name.indexOf('.');
      if (dot > 0 && ctx.resources.has(name.slice(0, dot))) v = getAtt(ctx, name, off, expr);
      else v = ref(ctx, name, off);
    }
    if (v === NOVALUE) v = '';
    if (isUnknown(v)) {
      unknowns.push(v);
      partial += `\${${name}}`;
      continue;
    }
    const s = Array.isArray(v) ? v.join(',') : v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
    out += s;
    partial += s;
  }
  out += text.slice(last);
  partial += text.slice(last);
  if (unknowns.length > 0) {
    const reason = unknowns.map((u) => u.reason).join('; ');
    return unknown(
      `Sub with unknown parts: ${reason}`,
      { 'Fn::Sub': partial },
      unknowns.length === 1 ? unknowns[0]?.ref : undefined,
    );
  }
  return out;
}

function findInMap(ctx: Ctx, arg: unknown, off: number, expr: unknown): unknown {
  const F = 'Fn::FindInMap';
  if (!Array.isArray(arg) || (arg.length !== 3 && arg.length !== 4)) {
    return bad(ctx, off, F, 'expected [MapName, TopLevelKey, SecondLevelKey] (+ {DefaultValue})', expr);
  }
  const keys = [0, 1, 2].map((i) => resolveArg(ctx, arg, i, off));
  let def: { has: boolean; node?: unknown } = { has: false };
  if (arg.length === 4) {
    const o = arg[3];
    if (!o || typeof o !== 'object' || !Object.hasOwn(o, 'DefaultValue')) {
      return bad(ctx, off, F, 'fourth argument must be {DefaultValue: …}', expr);
    }
    def = { has: true, node: (o as Record<string, unknown>).DefaultValue };
  }
  const u = keys.find(isUnknown);
  if (u) return unknown(`FindInMap with unknown key: ${u.reason}`, { [F]: keys });
  if (keys.some((k) => typeof k !== 'string' && typeof k !== 'number')) {
    return bad(ctx, off, F, 'map name and keys must be strings', expr);
  }
  const [m, k1, k2] = keys.map(String) as [string, string, string];
  const map = Object.hasOwn(ctx.mappings, m) ? ctx.mappings[m] : undefined;
  if (map === undefined) {
    issue(ctx, itemOff(ctx, arg, 0, off), 'unresolved-ref', `FindInMap: mapping "${m}" is not defined`);
    return unknown(`FindInMap on undefined mapping ${m}`, expr);
  }
  const top =
    map && typeof map === 'object' && Object.hasOwn(map, k1) ? (map as Record<string, unknown>)[k1] : undefined;
  const val =
    top && typeof top === 'object' && Object.hasOwn(top, k2) ? (top as Record<string, unknown>)[k2] : undefined;
  if (val === undefined) {
    if (def.has) return resolve(ctx, def.node, off);
    // Keyed by the configured region: only wrong for that region, so a warning that says how to change it.
    const byRegion = k1 === ctx.region || k2 === ctx.region;
    issue(
      ctx,
      off,
      'bad-findinmap',
      `FindInMap: mapping ${m} has no value for [${k1}][${k2}]${byRegion ? ` (region ${ctx.region}; set the region option to check another)` : ''}`,
      byRegion ? 'warning' : 'error',
    );
    return unknown(`FindInMap ${m}[${k1}][${k2}] does not exist`, expr);
  }
  return resolve(ctx, val, off);
}

function ifFn(ctx: Ctx, arg: unknown, off: number, expr: unknown): unknown {
  if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') {
    return bad(ctx, off, 'Fn::If', 'expected [ConditionName, valueIfTrue, valueIfFalse]', expr);
  }
  const c = conditionValue(ctx, arg[0], itemOff(ctx, arg, 0, off));
  if (c === true) return resolve(ctx, arg[1], itemOff(ctx, arg, 1, off));
  if (c === false) return resolve(ctx, arg[2], itemOff(ctx, arg, 2, off));
  const keep = (v: unknown) => (v === NOVALUE ? { Ref: PSEUDO_WITH_NOVALUE } : v);
  const a = keep(resolve(ctx, arg[1], itemOff(ctx, arg, 1, off)));
  const b = keep(resolve(ctx, arg[2], itemOff(ctx, arg, 2, off)));
  return unknown(`Fn::If on condition ${arg[0]}, whose value is unknown (expr holds both branches)`, {
    'Fn::If': [arg[0], a, b],
  });
}

/** Value of a named condition (memoised; cycles and undefined names are reported once and yield 'unknown'). */
export function conditionValue(ctx: Ctx, name: string, off: number): CondValue {
  const cached = ctx.conditionValues.get(name);
  if (cached !== undefined) return cached;
  if (!Object.hasOwn(ctx.conditionDefs, name)) {
    issue(ctx, off, 'undefined-condition', `condition "${name}" is not defined in Conditions`);
    ctx.conditionValues.set(name, 'unknown');
    return 'unknown';
  }
  if (ctx.evaluating.has(name)) {
    issue(ctx, off, 'condition-cycle', `condition "${name}" depends on itself`);
    return 'unknown';
  }
  ctx.evaluating.add(name);
  const defOff = ctx.parsed.locs.get(ctx.conditionDefs)?.keys?.get(name) ?? off;
  const v = evalCondition(ctx, ctx.conditionDefs[name], defOff);
  ctx.evaluating.delete(name);
  ctx.conditionValues.set(name, v);
  return v;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (a !== null && typeof a === 'object') return JSON.stringify(a) === JSON.stringify(b);
  // CloudFormation compares the string forms (a Number parameter equals "1").
  return String(a) === String(b);
}

/** Kleene three-valued evaluation of a condition expression. */
export function evalCondition(ctx: Ctx, node: unknown, off: number): CondValue {
  if (typeof node === 'boolean') return node;
  if (typeof node === 'string' && (node === 'true' || node === 'false')) return node === 'true';
  if (!node || typeof node !== 'object' || Array.isArray(node)) {
    issue(ctx, off, 'bad-condition', 'a condition must be a condition function (Fn::Equals, Fn::And, …)');
    return 'unknown';
  }
  const keys = Object.keys(node);
  const k = keys[0] as string;
  const arg = (node as Record<string, unknown>)[k];
  const aoff = ctx.parsed.locs.get(node)?.keys?.get(k) ?? off;
  if (keys.length !== 1) {
    issue(ctx, off, 'bad-condition', `a condition must have exactly one function, found ${keys.join(', ')}`);
    return 'unknown';
  }
  const sub = (i: number) => evalCondition(ctx, (arg as unknown[])[i], itemOff(ctx, arg, i, aoff));
  switch (k) {
    case 'Condition':
      if (typeof arg !== 'string') break;
      return conditionValue(ctx, arg, aoff);
    case 'Fn::Equals': {
      if (!Array.isArray(arg) || arg.length !== 2) break;
      const a = resolveArg(ctx, arg, 0, aoff);
      const b = resolveArg(ctx, arg, 1, aoff);
      if (!deepKnown(a) || !deepKnown(b)) return 'unknown';
      return sameValue(a, b);
    }
    case 'Fn::Not': {
      if (!Array.isArray(arg) || arg.length !== 1) break;
      const v = sub(0);
      return v === 'unknown' ? v : !v;
    }
    case 'Fn::And':
    case 'Fn::Or': {
      if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10) break;
      const and = k === 'Fn::And';
      let res: CondValue = and;
      for (let i = 0; i < arg.length; i++) {
        const v = sub(i);
        if (v === !and) return v; // false for And, true for Or decides
        if (v === 'unknown') res = 'unknown';
      }
      return res;
    }
    case 'Fn::If': {
      // Fn::If is allowed inside condition expressions; branches are themselves conditions.
      if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') break;
      const c = conditionValue(ctx, arg[0], aoff);
      if (c !== 'unknown') return sub(c ? 1 : 2);
      const a = sub(1);
      return a === sub(2) ? a : 'unknown';
    }
    default:
      issue(ctx, aoff, 'bad-condition', `${k} is not a condition function`);
      return 'unknown';
  }
  issue(ctx, aoff, 'bad-condition', `${k}: wrong arguments (Fn::Equals: 2 values, Fn::Not: [1], Fn::And/Or: 2–10)`);
  return 'unknown';
}
