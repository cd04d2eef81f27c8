/** Decoding of option values: quoted strings, content bytes, pcre, flow, flowbits, thresholds. Pure, never throw. */
import type { Flow, Flowbit, Threshold } from './types.js';

/** A decoded value or the reason it is invalid. */
export type Decoded<T> = T | { error: string };

export function isError<T>(v: Decoded<T>): v is { error: string } {
  return typeof v === 'object' && v !== null && 'error' in v;
}

/** `"text with \" escapes"` → text. Unquoted values are returned unescaped as they are (Suricata allows both). */
export function unquote(value: string): Decoded<string> {
  let v = value;
  if (v.startsWith('"')) {
    if (v.length < 2 || !v.endsWith('"') || v.endsWith('\\"')) return { error: 'unterminated quoted string' };
    v = v.slice(1, -1);
  }
  if (!v.includes('\\')) return v;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i] as string;
    if (c === '\\' && i + 1 < v.length) {
      out += v[++i];
    } else out += c;
  }
  return out;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

const PLAIN = /^[^|\\";\u0080-\uffff]*$/;

/**
 * Content value: `!`? `"…"` with `|hex bytes|` sections and `\"`, `\;`, `\\` escapes → latin1 byte string.
 * Text outside hex sections is UTF-8 encoded, as Suricata takes the rule bytes literally.
 */
export function decodeContent(value: string): Decoded<{ negated: boolean; bytes: string }> {
  let v = value;
  let negated = false;
  if (v.startsWith('!')) {
    negated = true;
    v = v.slice(1).trimStart();
  }
  if (v.length < 2 || v[0] !== '"' || v[v.length - 1] !== '"') return { error: 'content must be a quoted string' };
  // Fast path: plain ASCII text without hex, escapes or stray quotes is its own byte string.
  const inner = v.slice(1, -1);
  if (inner.length > 0 && PLAIN.test(inner)) return { negated, bytes: inner };
  let out = '';
  let hex = false;
  let nibble = -1;
  const end = v.length - 1;
  for (let i = 1; i < end; i++) {
    const code = v.charCodeAt(i);
    if (hex) {
      if (code === 124 /* | */) {
        if (nibble >= 0) return { error: `odd number of hex digits in |…| at offset ${i}` };
        hex = false;
      } else if (code === 32 || code === 9) {
        if (nibble >= 0) return { error: `hex byte split by a space at offset ${i}` };
      } else {
        const h = hexVal(code);
        if (h < 0) return { error: `invalid hex digit "${v[i]}" in |…|` };
        if (nibble < 0) nibble = h;
        else {
          out += String.fromCharCode(nibble * 16 + h);
          nibble = -1;
        }
      }
      continue;
    }
    if (code === 124) {
      hex = true;
      continue;
    }
    if (code === 92 /* \ */) {
      if (i + 1 >= end) return { error: 'content ends with a lone backslash' };
      const n = v[++i] as string;
      if (n !== '"' && n !== ';' && n !== '\\' && n !== ':') return { error: `invalid escape "\\${n}" in content` };
      out += n;
      continue;
    }
    if (code === 34 /* " */) return { error: `unescaped quote inside content at offset ${i}` };
    if (code === 59 /* ; */) return { error: 'unescaped ";" inside content' };
    if (code < 128) out += v[i];
    else {
      const ch = String.fromCodePoint(v.codePointAt(i) as number);
      if (ch.length === 2) i++;
      for (const b of Buffer.from(ch, 'utf8')) out += String.fromCharCode(b);
    }
  }
  if (hex) return { error: 'unclosed "|" hex section' };
  if (out.length === 0) return { error: 'empty content' };
  return { negated, bytes: out };
}

/** pcre buffer flags (Suricata) → sticky buffer they select. */
export const PCRE_BUFFER_FLAGS: Readonly<Record<string, string>> = {
  U: 'http.uri',
  I: 'http.uri.raw',
  P: 'http.request_body',
  Q: 'http.response_body',
  H: 'http.header',
  D: 'http.header.raw',
  M: 'http.method',
  C: 'http.cookie',
  S: 'http.stat_code',
  Y: 'http.stat_msg',
  V: 'http.user_agent',
  W: 'http.host',
  Z: 'http.host.raw',
};
const PCRE_FLAGS = new Set('ismxAEGRBOUIPQHDMCSYVWZ'.split(''));

export function decodePcre(value: string): Decoded<{ negated: boolean; source: string; flags: string }> {
  let v = value;
  let negated = false;
  if (v.startsWith('!')) {
    negated = true;
    v = v.slice(1).trimStart();
  }
  if (v.length < 2 || v[0] !== '"' || v[v.length - 1] !== '"') return { error: 'pcre must be a quoted "/regex/flags"' };
  const body = v.slice(1, -1);
  if (body[0] !== '/') return { error: 'pcre must start with "/"' };
  const last = body.lastIndexOf('/');
  if (last <= 0) return { error: 'pcre has no closing "/"' };
  const flags = body.slice(last + 1);
  for (const f of flags) if (!PCRE_FLAGS.has(f)) return { error: `unknown pcre flag "${f}"` };
  // Inside the quoted value `\"` and `\;` are rule-level escapes; unescape them so the regex sees the character.
  const source = body.slice(1, last).replace(/\\([";])/g, '$1');
  return { negated, source, flags };
}

const FLOW_WORDS: Readonly<Record<string, keyof Flow>> = {
  established: 'established',
  not_established: 'notEstablished',
  stateless: 'stateless',
  to_server: 'toServer',
  from_client: 'toServer',
  to_client: 'toClient',
  from_server: 'toClient',
  only_stream: 'onlyStream',
  no_stream: 'noStream',
  only_frag: 'onlyFrag',
  no_frag: 'noFrag',
};

/** `flow:` values repeat across thousands of rules: decode each text once (results are frozen and shared). */
const FLOW_CACHE = new Map<string, Decoded<Flow>>();

export function decodeFlow(value: string): Decoded<Flow> {
  let r = FLOW_CACHE.get(value);
  if (r === undefined) {
    r = Object.freeze(decodeFlowText(value));
    if (FLOW_CACHE.size < 4096) FLOW_CACHE.set(value, r);
  }
  return r;
}

function decodeFlowText(value: string): Decoded<Flow> {
  const flow: Flow = {};
  for (const raw of value.split(',')) {
    const w = raw.trim();
    const key = FLOW_WORDS[w];
    if (!key) return { error: `unknown flow option "${w}"` };
    flow[key] = true;
  }
  if (flow.toServer && flow.toClient) return { error: 'flow cannot be both to_server and to_client' };
  if (flow.established && flow.notEstablished) return { error: 'flow cannot be both established and not_established' };
  return flow;
}

const FLOWBIT_OPS = new Set(['set', 'setx', 'unset', 'toggle', 'isset', 'isnotset', 'noalert']);

export function decodeFlowbits(value: string): Decoded<Flowbit> {
  const comma = value.indexOf(',');
  const op = (comma < 0 ? value : value.slice(0, comma)).trim();
  if (!FLOWBIT_OPS.has(op)) return { error: `unknown flowbits operation "${op}"` };
  if (op === 'noalert') {
    if (comma >= 0) return { error: 'flowbits:noalert takes no name' };
    return { op, names: [] };
  }
  if (comma < 0) return { error: `flowbits:${op} needs a name` };
  const names = value
    .slice(comma + 1)
    .split(/[|&]/)
    .map((n) => n.trim());
  if (names.some((n) => n === '' || /\s/.test(n))) return { error: `invalid flowbit name in "${value}"` };
  return { op, names };
}

const THRESHOLD_TYPES = new Set(['limit', 'threshold', 'both', 'backoff']);
const TRACKS = new Set(['by_src', 'by_dst', 'by_rule', 'by_both', 'by_flow']);

export function decodeThreshold(keyword: 'threshold' | 'detection_filter', value: string): Decoded<Threshold> {
  const t: Threshold = { keyword };
  for (const part of value.split(',')) {
    const [k, ...rest] = part.trim().split(/\s+/);
    const v = rest.join(' ');
    if (k === 'type' && keyword === 'threshold') {
      if (!THRESHOLD_TYPES.has(v)) return { error: `unknown threshold type "${v}"` };
      t.type = v;
    } else if (k === 'track') {
      if (!TRACKS.has(v)) return { error: `unknown track "${v}"` };
      t.track = v;
    } else if (k === 'count' || k === 'seconds' || k === 'multiplier') {
      if (!/^\d+$/.test(v)) return { error: `${k} must be a number, got "${v}"` };
      if (k !== 'multiplier') t[k] = Number(v);
    } else return { error: `unknown ${keyword} setting "${part.trim()}"` };
  }
  if (keyword === 'threshold' && t.type === undefined) return { error: 'threshold needs a type' };
  if (t.track === undefined) return { error: `${keyword} needs a track` };
  if (t.count === undefined) return { error: `${keyword} needs a count` };
  if (t.seconds === undefined && t.type !== 'backoff') return { error: `${keyword} needs seconds` };
  return t;
}
