import { createHash } from 'node:crypto';

/**
 * WAFv2 text transformations (waf.md §7). Values are "byte strings": JS strings whose every char code is one byte
 * (latin1), so transformations and matching work on bytes exactly as AWS does, never on UTF-16 text.
 */
export const TRANSFORMATION_TYPES = [
  'NONE',
  'COMPRESS_WHITE_SPACE',
  'HTML_ENTITY_DECODE',
  'LOWERCASE',
  'CMD_LINE',
  'URL_DECODE',
  'BASE64_DECODE',
  'HEX_DECODE',
  'MD5',
  'REPLACE_COMMENTS',
  'ESCAPE_SEQ_DECODE',
  'SQL_HEX_DECODE',
  'CSS_DECODE',
  'JS_DECODE',
  'NORMALIZE_PATH',
  'NORMALIZE_PATH_WIN',
  'REMOVE_NULLS',
  'REPLACE_NULLS',
  'BASE64_DECODE_EXT',
  'URL_DECODE_UNI',
  'UTF8_TO_UNICODE',
  'CMD_LINE_UNIX',
  'CMD_LINE_WIN',
  'JS_DECODE_EXT',
  'REMOVE_COMMENTS_CHAR',
  'REMOVE_WHITESPACE',
  'TRIM',
  'TRIM_LEFT',
  'TRIM_RIGHT',
  'UPPERCASE',
  'SHA256',
] as const;
export type TransformationType = (typeof TRANSFORMATION_TYPES)[number];

export const PRE_PARSE_TYPES = [
  'NONE',
  'URL_DECODE',
  'URL_DECODE_UNI',
  'COMBINE_DUPLICATE_QUERY_ARGS_BY_COMMA',
  'REPLACE_SEMICOLONS_WITH_AMPERSANDS',
] as const;
export type PreParseType = (typeof PRE_PARSE_TYPES)[number];

/** UTF-8 text → byte string. */
export function toBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** Byte string → text for display (invalid UTF-8 becomes U+FFFD). */
export function fromBytes(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function hexVal(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}

const WS_COMPRESS = new Set([9, 10, 11, 12, 13, 32, 0xa0]);

function compressWhiteSpace(s: string): string {
  let out = '';
  let inSpace = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (WS_COMPRESS.has(c)) {
      if (!inSpace) out += ' ';
      inSpace = true;
    } else {
      out += s[i];
      inSpace = false;
    }
  }
  return out;
}

function lowercase(s: string): string {
  // A–Z only: toLowerCase would also fold latin1 bytes 0xC0–0xDE.
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}
function uppercase(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/** Percent-decoding; `+` → space (query-string semantics, as ModSecurity urlDecode); invalid escapes kept. */
function urlDecode(s: string, uni: boolean): string {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 37 /* % */) {
      if (uni && (s.charCodeAt(i + 1) | 32) === 117 /* u */ && i + 5 < s.length) {
        const a = s.charCodeAt(i + 2);
        const b = s.charCodeAt(i + 3);
        const c = s.charCodeAt(i + 4);
        const d = s.charCodeAt(i + 5);
        if (isHex(a) && isHex(b) && isHex(c) && isHex(d)) {
          out += String.fromCharCode(fullWidthByte(hexVal(a) * 16 + hexVal(b), hexVal(c) * 16 + hexVal(d)));
          i += 5;
          continue;
        }
      }
      const a = s.charCodeAt(i + 1);
      const b = s.charCodeAt(i + 2);
      if (isHex(a) && isHex(b)) {
        out += String.fromCharCode(hexVal(a) * 16 + hexVal(b));
        i += 2;
        continue;
      }
      out += '%';
    } else if (ch === 43 /* + */) out += ' ';
    else out += s[i];
  }
  return out;
}

/** `\uHHHH` / `%uHHHH`: full-width FF01–FF5E maps to ASCII (low byte + 0x20); otherwise the high byte is dropped. */
function fullWidthByte(hi: number, lo: number): number {
  if (hi === 0xff && lo >= 0x01 && lo <= 0x5e) return lo + 0x20;
  return lo;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;
B64_INDEX[45] = 62; // URL-safe alphabet accepted too
B64_INDEX[95] = 63;

/** Base64 decode. Strict: stops at the first character outside the alphabet (ModSecurity base64Decode).
 * Lenient (`_EXT`): skips invalid characters. */
function base64Decode(s: string, lenient: boolean): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 61 /* = */) {
      if (lenient) continue;
      break;
    }
    const v = c < 256 ? B64_INDEX[c]! : -1;
    if (v < 0) {
      if (lenient) continue;
      break;
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((acc >> bits) & 0xff);
    }
  }
  return out;
}

function hexDecode(s: string): string {
  let out = '';
  for (let i = 0; i + 1 < s.length; i += 2) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    if (!isHex(a) || !isHex(b)) return out;
    out += String.fromCharCode(hexVal(a) * 16 + hexVal(b));
  }
  return out;
}

function sqlHexDecode(s: string): string {
  return s.replace(/0x((?:[0-9a-fA-F]{2})+)/g, (_m, hex: string) => hexDecode(hex));
}

/** CMD_LINE per waf.md §7 (ModSecurity cmdLine). */
function cmdLine(s: string): string {
  let out = '';
  let space = false;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c === 92 || c === 34 || c === 39 || c === 94) continue; // \ " ' ^
    if (c === 44 || c === 59 || c === 32 || (c >= 9 && c <= 13)) c = 32; // , ; whitespace → space
    if (c === 32) {
      space = true;
      continue;
    }
    if (c === 47 || c === 40) space = false; // delete spaces before / and (
    if (space) {
      if (out.length > 0) out += ' ';
      space = false;
    }
    out += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
  }
  if (space && out.length > 0) out += ' ';
  return out;
}

// waf.md §7: only these named entities (ModSecurity-style); &amp; is deliberately not decoded.
const ENTITY_NAMES: Record<string, number> = { quot: 34, nbsp: 0xa0, lt: 60, gt: 62 };

/** HTML_ENTITY_DECODE: named quot/nbsp/lt/gt and numeric entities (`;` optional for numerics), per waf.md §7. */
function htmlEntityDecode(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(?:#[xX]([0-9a-fA-F]{1,8});?|#([0-9]{1,10});?|(quot|nbsp|lt|gt);)/g, (m, hx, dec, name) => {
    if (hx !== undefined) return String.fromCharCode(Number.parseInt(hx, 16) & 0xff);
    if (dec !== undefined) return String.fromCharCode(Number(dec) & 0xff);
    const v = ENTITY_NAMES[(name as string).toLowerCase()];
    return v === undefined ? m : String.fromCharCode(v);
  });
}

const C_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 92,
  '?': 63,
  "'": 39,
  '"': 34,
};

function escapeSeqDecode(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  return s.replace(/\\(?:x([0-9a-fA-F]{2})|([0-7]{1,3})|([abfnrtv\\?'"]))/g, (m, hx, oct, ch) => {
    if (hx !== undefined) return String.fromCharCode(Number.parseInt(hx, 16));
    if (oct !== undefined) return String.fromCharCode(Number.parseInt(oct, 8) & 0xff);
    const v = C_ESCAPES[ch as string];
    return v === undefined ? m : String.fromCharCode(v);
  });
}

/** JS_DECODE: `\uHHHH`, `\xHH`, `\OOO`, and single-char escapes (ModSecurity jsDecode). */
function jsDecode(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  return s.replace(
    /\\(?:u([0-9a-fA-F]{2})([0-9a-fA-F]{2})|x([0-9a-fA-F]{2})|([0-7]{1,3})|([\s\S]))/g,
    (_m, hi, lo, hx, oct, ch: string | undefined) => {
      if (hi !== undefined) return String.fromCharCode(fullWidthByte(Number.parseInt(hi, 16), Number.parseInt(lo, 16)));
      if (hx !== undefined) return String.fromCharCode(Number.parseInt(hx, 16));
      if (oct !== undefined) return String.fromCharCode(Number.parseInt(oct, 8) & 0xff);
      const v = C_ESCAPES[ch!];
      return v === undefined ? ch! : String.fromCharCode(v);
    },
  );
}

/** CSS_DECODE: `\` + 1–6 hex digits (only the low byte kept; one trailing whitespace eaten), else drop the `\`. */
function cssDecode(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  return s.replace(/\\(?:([0-9a-fA-F]{1,6})[ \t\n\f\r]?|\n|([\s\S]))/g, (_m, hx, ch: string | undefined) => {
    if (hx !== undefined) {
      const v = Number.parseInt(hx as string, 16);
      // Full-width ASCII variants (FF01–FF5E) map to ASCII, as for JS_DECODE.
      return String.fromCharCode(v >= 0xff01 && v <= 0xff5e ? (v & 0xff) + 0x20 : v & 0xff);
    }
    return ch ?? '';
  });
}

function normalizePath(s: string, win: boolean): string {
  if (win) s = s.replace(/\\/g, '/');
  const absolute = s.startsWith('/');
  const trailing = s.endsWith('/') || s.endsWith('/.') || s.endsWith('/..');
  const parts = s.split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..'); // kept at the start of a relative path
      continue;
    }
    out.push(p);
  }
  let r = (absolute ? '/' : '') + out.join('/');
  if (trailing && out.length > 0) r += '/';
  return r;
}

function replaceComments(s: string): string {
  if (s.indexOf('/*') < 0) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const j = s.indexOf('/*', i);
    if (j < 0) {
      out += s.slice(i);
      break;
    }
    out += `${s.slice(i, j)} `;
    const k = s.indexOf('*/', j + 2);
    if (k < 0) break;
    i = k + 2;
  }
  return out;
}

// removeCommentsChar: deletes the comment markers (slash-star, star-slash, --, #), as Coraza does.
function removeCommentsChar(s: string): string {
  return s.replace(/\/\*|\*\/|--|#/g, '');
}

/** UTF8_TO_UNICODE: multi-byte UTF-8 sequences → `%uHHHH` (ModSecurity utf8toUnicode). */
function utf8ToUnicode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let n = 0;
    let cp = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      cp = c & 0x07;
    }
    let ok = n > 0 && i + n < s.length;
    for (let k = 1; ok && k <= n; k++) {
      const d = s.charCodeAt(i + k);
      if ((d & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (d & 0x3f);
    }
    if (ok) {
      out += `%u${cp.toString(16).padStart(4, '0')}`;
      i += n;
    } else out += s[i];
  }
  return out;
}

function hash(alg: 'md5' | 'sha256', s: string): string {
  return createHash(alg).update(Buffer.from(s, 'latin1')).digest().toString('latin1');
}

/** Apply one transformation to a byte string. Unknown types are rejected at load time, so this is total. */
export function transform(type: TransformationType, s: string): string {
  switch (type) {
    case 'NONE':
      return s;
    case 'COMPRESS_WHITE_SPACE':
      return compressWhiteSpace(s);
    case 'HTML_ENTITY_DECODE':
      return htmlEntityDecode(s);
    case 'LOWERCASE':
      return lowercase(s);
    case 'UPPERCASE':
      return uppercase(s);
    case 'CMD_LINE':
    case 'CMD_LINE_UNIX':
    case 'CMD_LINE_WIN':
      return cmdLine(s);
    case 'URL_DECODE':
      return urlDecode(s, false);
    case 'URL_DECODE_UNI':
      return urlDecode(s, true);
    case 'BASE64_DECODE':
      return base64Decode(s, false);
    case 'BASE64_DECODE_EXT':
      return base64Decode(s, true);
    case 'HEX_DECODE':
      return hexDecode(s);
    case 'SQL_HEX_DECODE':
      return sqlHexDecode(s);
    case 'MD5':
      return hash('md5', s);
    case 'SHA256':
      return hash('sha256', s);
    case 'REPLACE_COMMENTS':
      return replaceComments(s);
    case 'REMOVE_COMMENTS_CHAR':
      return removeCommentsChar(s);
    case 'ESCAPE_SEQ_DECODE':
      return escapeSeqDecode(s);
    case 'CSS_DECODE':
      return cssDecode(s);
    case 'JS_DECODE':
    case 'JS_DECODE_EXT':
      return jsDecode(s);
    case 'NORMALIZE_PATH':
      return normalizePath(s, false);
    case 'NORMALIZE_PATH_WIN':
      return normalizePath(s, true);
    case 'REMOVE_NULLS':
      return s.indexOf('\0') < 0 ? s : s.replace(/\0/g, '');
    case 'REPLACE_NULLS':
      return s.indexOf('\0') < 0 ? s : s.replace(/\0/g, ' ');
    case 'UTF8_TO_UNICODE':
      return utf8ToUnicode(s);
    case 'REMOVE_WHITESPACE':
      return s.replace(/[\t\n\v\f\r \xa0]+/g, '');
    case 'TRIM':
      return s.replace(/^[\t\n\v\f\r \0]+|[\t\n\v\f\r \0]+$/g, '');
    case 'TRIM_LEFT':
      return s.replace(/^[\t\n\v\f\r \0]+/, '');
    case 'TRIM_RIGHT':
      return s.replace(/[\t\n\v\f\r \0]+$/, '');
  }
}

/** Apply a sorted list of transformations. */
export function applyTransforms(types: readonly TransformationType[], s: string): string {
  for (const t of types) s = transform(t, s);
  return s;
}

/** Pre-parse transformations on the raw query string before splitting into arguments (waf.md §7). */
export function applyPreParse(types: readonly PreParseType[], query: string): string {
  for (const t of types) {
    if (t === 'URL_DECODE') query = urlDecode(query, false);
    else if (t === 'URL_DECODE_UNI') query = urlDecode(query, true);
    else if (t === 'REPLACE_SEMICOLONS_WITH_AMPERSANDS') query = query.replace(/;/g, '&');
    else if (t === 'COMBINE_DUPLICATE_QUERY_ARGS_BY_COMMA') {
      const order: string[] = [];
      const vals = new Map<string, string[]>();
      for (const part of query.split('&')) {
        if (part === '') continue;
        const eq = part.indexOf('=');
        const k = eq < 0 ? part : part.slice(0, eq);
        const v = eq < 0 ? '' : part.slice(eq + 1);
        const list = vals.get(k);
        if (list) list.push(v);
        else {
          vals.set(k, [v]);
          order.push(k);
        }
      }
      query = order.map((k) => `${k}=${vals.get(k)!.join(',')}`).join('&');
    }
  }
  return query;
}
