import type { FieldSpec } from './model.js';
import { parseCookies, parseQuery, type WafRequest } from './request.js';
import { applyPreParse, type PreParseType } from './transforms.js';

/** One inspected value: where it came from (log `location`), an optional name, and the raw byte string. */
export interface FieldValue {
  location: string;
  name?: string;
  value: string;
}

export interface Extracted {
  values: FieldValue[];
  /** Set when the component exceeded the inspection limit (log `oversizeFields`). */
  oversize?: 'REQUEST_BODY' | 'REQUEST_JSON_BODY' | 'REQUEST_HEADERS' | 'REQUEST_COOKIES';
  /** The component is absent and the statement's FallbackBehavior decides (JA3/JA4/fragment, invalid JSON). */
  fallback?: boolean;
}

const HEADER_LIMIT = 8 * 1024;
const ITEM_LIMIT = 200;

/** Values of one FieldToMatch in a request (waf.md §6). `bodyLimit` is the ACL's body inspection limit. */
export function extract(
  req: WafRequest,
  f: FieldSpec,
  bodyLimit: number,
  preParse: readonly PreParseType[],
): Extracted {
  switch (f.kind) {
    case 'UriPath':
      return { values: [{ location: 'URI', value: req.uriPath }] };
    case 'QueryString':
      return { values: [{ location: 'QUERY_STRING', value: req.queryString }] };
    case 'Method':
      return { values: [{ location: 'HTTP_METHOD', value: req.method }] };
    case 'AllQueryArguments':
    case 'SingleQueryArgument': {
      const args = parseQuery(preParse.length > 0 ? applyPreParse(preParse, req.queryString) : req.queryString);
      const values: FieldValue[] = [];
      for (const [n, v] of args) {
        if (f.kind === 'SingleQueryArgument' && n.toLowerCase() !== f.name) continue;
        values.push({
          location: f.kind === 'AllQueryArguments' ? 'ALL_QUERY_ARGS' : 'SINGLE_QUERY_ARG',
          name: n,
          value: v,
        });
      }
      return { values };
    }
    case 'SingleHeader': {
      const values: FieldValue[] = [];
      for (const [n, v] of req.headers)
        if (n.toLowerCase() === f.name) values.push({ location: 'HEADER', name: f.name, value: v });
      return { values };
    }
    case 'Body':
    case 'JsonBody': {
      const body = req.body ?? '';
      const total = req.bodyLength ?? body.length;
      const over = total > bodyLimit;
      const text = body.length > bodyLimit ? body.slice(0, bodyLimit) : body;
      const oversize = over ? (f.kind === 'Body' ? 'REQUEST_BODY' : 'REQUEST_JSON_BODY') : undefined;
      if (f.kind === 'Body') {
        const out: Extracted = { values: [{ location: 'BODY', value: text }] };
        if (oversize) out.oversize = oversize;
        return out;
      }
      const parsed = lenientJson(text);
      const values: FieldValue[] = [];
      for (const [ptr, key, val] of parsed.pairs) {
        if (f.paths && !f.paths.some((p) => ptr === p || ptr.startsWith(`${p}/`))) continue;
        if (f.scope !== 'VALUE' && key !== undefined) values.push({ location: 'BODY', name: ptr, value: key });
        if (f.scope !== 'KEY' && val !== undefined) values.push({ location: 'BODY', name: ptr, value: val });
      }
      const out: Extracted = { values };
      if (oversize) out.oversize = oversize;
      if (!parsed.valid) {
        if (f.invalidFallback === 'EVALUATE_AS_STRING') out.values = [{ location: 'BODY', value: text }];
        else if (f.invalidFallback !== undefined) out.fallback = true;
      }
      return out;
    }
    case 'Headers':
    case 'Cookies': {
      const items = f.kind === 'Headers' ? req.headers : parseCookies(req);
      const values: FieldValue[] = [];
      let bytes = 0;
      let over = false;
      let count = 0;
      for (const [n, v] of items) {
        count++;
        bytes += n.length + v.length;
        if (count > ITEM_LIMIT || bytes > HEADER_LIMIT) {
          over = true;
          break;
        }
        const key = f.kind === 'Headers' ? n.toLowerCase() : n;
        if (f.include && !f.include.includes(key)) continue;
        if (f.exclude?.includes(key)) continue;
        const location = f.kind === 'Headers' ? 'HEADER' : 'COOKIE';
        if (f.scope !== 'VALUE') values.push({ location, name: n, value: n });
        if (f.scope !== 'KEY') values.push({ location, name: n, value: v });
      }
      const out: Extracted = { values };
      if (over) out.oversize = f.kind === 'Headers' ? 'REQUEST_HEADERS' : 'REQUEST_COOKIES';
      return out;
    }
    case 'HeaderOrder': {
      const names = req.headers.map(([n]) => n.toLowerCase()).join(':');
      const out: Extracted = { values: [{ location: 'HEADER', value: names.slice(0, HEADER_LIMIT) }] };
      if (names.length > HEADER_LIMIT || req.headers.length > ITEM_LIMIT) out.oversize = 'REQUEST_HEADERS';
      return out;
    }
    case 'JA3Fingerprint':
    case 'JA4Fingerprint': {
      const v = f.kind === 'JA3Fingerprint' ? req.ja3 : req.ja4;
      return v === undefined
        ? { values: [], fallback: true }
        : { values: [{ location: f.kind === 'JA3Fingerprint' ? 'JA3_FINGERPRINT' : 'JA4_FINGERPRINT', value: v }] };
    }
    case 'UriFragment':
      return req.fragment === undefined
        ? { values: [], fallback: true }
        : { values: [{ location: 'URI_FRAGMENT', value: req.fragment }] };
  }
}

/**
 * AWS's lenient JSON parse (waf.md §6): yields (JSON-pointer, key, value) leaves, tolerating a missing comma or colon
 * and extra colons; stops at invalid characters, duplicate keys or truncation and reports `valid: false`, keeping
 * what was parsed before the error.
 */
export function lenientJson(text: string): {
  pairs: [string, string | undefined, string | undefined][];
  valid: boolean;
} {
  const pairs: [string, string | undefined, string | undefined][] = [];
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = () => {
    throw new Error('invalid');
  };
  const str = (): string => {
    i++; // opening quote
    let out = '';
    while (i < n && text[i] !== '"') {
      if (text[i] === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16) & 0xff);
          i += 6;
          continue;
        }
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === 'b' ? '\b' : e === 'f' ? '\f' : (e ?? '');
        i += 2;
        continue;
      }
      out += text[i];
      i++;
    }
    if (i >= n) fail();
    i++;
    return out;
  };
  const scalar = (): string => {
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) fail();
    i += m![0].length;
    return m![0];
  };
  const value = (ptr: string, key: string | undefined): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      if (key !== undefined) pairs.push([ptr, key, undefined]);
      obj(ptr);
    } else if (c === '[') {
      if (key !== undefined) pairs.push([ptr, key, undefined]);
      arr(ptr);
    } else if (c === '"') pairs.push([ptr, key, str()]);
    else pairs.push([ptr, key, scalar()]);
  };
  const obj = (ptr: string) => {
    i++;
    const seen = new Set<string>();
    for (;;) {
      ws();
      if (i >= n) fail();
      if (text[i] === '}') {
        i++;
        return;
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] !== '"') fail();
      const k = str();
      if (seen.has(k)) fail();
      seen.add(k);
      ws();
      while (text[i] === ':') {
        i++; // a missing or repeated colon is tolerated
        ws();
      }
      value(`${ptr}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, k);
    }
  };
  const arr = (ptr: string) => {
    i++;
    let idx = 0;
    for (;;) {
      ws();
      if (i >= n) fail();
      if (text[i] === ']') {
        i++;
        return;
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      value(`${ptr}/${idx++}`, undefined);
    }
  };
  try {
    ws();
    if (text[i] === '{') obj('');
    else if (text[i] === '[') arr('');
    else return { pairs, valid: false };
    ws();
    return { pairs, valid: i >= n };
  } catch {
    return { pairs, valid: false };
  }
}
