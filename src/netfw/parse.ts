/**
 * Suricata rule parser (netfw.md §9). One rule per line (`\` continues a line), `#` comments; commented-out rules
 * (`# alert …`) parse as disabled. Every problem is reported with file, line, column and reason; bad rules are
 * skipped and the rest parse.
 */
import { isSpace } from '../core/chars.js';
import { parseAddress, parsePorts } from './address.js';
import { canonicalBuffer, KEYWORD_ROLES, LEGACY_BUFFER_MODIFIERS, NEEDS_VALUE, NO_VALUE } from './keywords.js';
import type { ContentMatch, Flowbit, IssueSink, RuleIssue, RuleOption, SuricataRule, Threshold } from './types.js';
import {
  decodeContent,
  decodeFlow,
  decodeFlowbits,
  decodePcre,
  decodeThreshold,
  isError,
  PCRE_BUFFER_FLAGS,
  unquote,
} from './values.js';

export const ACTIONS = new Set(['alert', 'pass', 'drop', 'reject', 'rejectsrc', 'rejectdst', 'rejectboth', 'accept']);

export const PROTOCOLS = new Set([
  'ip',
  'any',
  'ipv4',
  'ipv6',
  'tcp',
  'udp',
  'icmp',
  'icmpv4',
  'icmpv6',
  'sctp',
  'tcp-pkt',
  'tcp-stream',
  'http',
  'http1',
  'http2',
  'tls',
  'ssl',
  'dns',
  'ssh',
  'smtp',
  'ftp',
  'ftp-data',
  'imap',
  'pop3',
  'smb',
  'dcerpc',
  'dhcp',
  'krb5',
  'ntp',
  'snmp',
  'sip',
  'quic',
  'mqtt',
  'tftp',
  'ikev2',
  'ike',
  'nfs',
  'rdp',
  'rfb',
  'modbus',
  'dnp3',
  'enip',
  'pgsql',
  'telnet',
  'websocket',
  'ldap',
  'msn',
  'http-any',
]);

const DIRECTIONS = new Set(['->', '<>', '=>']);
/** Scratch for headerTokens (parsing is synchronous; never retained). */
const HEADER_POS: number[] = [];
const HEADER_DEPTHS: number[] = [];
/** Shared empty lists for the rarely present flowbits/thresholds (replaced on first push; frozen so misuse throws). */
const NO_FLOWBITS: Flowbit[] = Object.freeze([]) as unknown as Flowbit[];
const NO_THRESHOLDS: Threshold[] = Object.freeze([]) as unknown as Threshold[];
const NO_TRANSFORMS: string[] = Object.freeze([]) as unknown as string[];

/** Why a rule line failed, with the 0-based offset in the line. */
interface Fail {
  reason: string;
  offset: number;
  keyword?: string;
}

/**
 * Split the header into whitespace-separated tokens, keeping `[ … ]` groups (which may hold spaces) whole. Writes
 * start/end offsets pairs into `out` (no per-token objects: 35k rules × 7 tokens) and returns the token count; `depths`
 * gets each token's final bracket depth (0 when balanced).
 */
function headerTokens(line: string, start: number, end: number, out: number[], depths: number[]): number {
  let n = 0;
  let i = start;
  while (i < end) {
    let c = line.charCodeAt(i);
    while (i < end && (c === 32 || c === 9)) c = line.charCodeAt(++i);
    if (i >= end) break;
    const s = i;
    let depth = 0;
    while (i < end) {
      c = line.charCodeAt(i);
      if (c === 91 /* [ */) depth++;
      else if (c === 93 /* ] */) depth--;
      else if ((c === 32 || c === 9) && depth <= 0) break;
      i++;
    }
    out[2 * n] = s;
    out[2 * n + 1] = i;
    depths[n] = depth;
    n++;
  }
  return n;
}

/**
 * Keyword names interned: option names are a few dozen distinct words repeated 400k times in ET Open; looking the
 * written name up among the known keywords of its length and first character avoids a fresh string per option.
 */
const KEYWORDS_BY_SHAPE = (() => {
  const m = new Map<number, string[]>();
  for (const k of KEYWORD_ROLES.keys()) {
    const key = k.length * 256 + (k.charCodeAt(0) & 255);
    const list = m.get(key);
    if (list) list.push(k);
    else m.set(key, [k]);
  }
  return m;
})();

/** Role and value rules of each keyword in one lookup (three per option otherwise). */
const KEYWORD_INFO = new Map(
  [...KEYWORD_ROLES].map(([k, role]) => [k, { role, needsValue: NEEDS_VALUE.has(k), noValue: NO_VALUE.has(k) }]),
);

function keywordAt(line: string, start: number, end: number): string {
  const list = KEYWORDS_BY_SHAPE.get((end - start) * 256 + (line.charCodeAt(start) & 255));
  if (list) for (const k of list) if (line.startsWith(k, start)) return k;
  return line.slice(start, end);
}

/** Keyword characters: letters, digits, `_`, `.`, `-`. */
function isKeywordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
}

/**
 * Offset of the `;` ending a value that starts at `i` (or `end`): the next `;` not escaped by `\`. A `;` is escaped
 * when an odd run of backslashes precedes it (each `\` escapes the next character, so pairs cancel).
 */
export function valueEnd(line: string, i: number, end: number): number {
  for (;;) {
    const p = line.indexOf(';', i);
    if (p < 0 || p >= end) return end;
    let k = p - 1;
    while (k >= i && line.charCodeAt(k) === 92) k--;
    if ((p - 1 - k) % 2 === 0) return p;
    i = p + 1;
  }
}

/** Split `name[:value];` options between `start` and `end` (exclusive); `\` escapes the next character. */
function splitOptions(line: string, start: number, end: number, out: RuleOption[]): Fail | undefined {
  let i = start;
  for (;;) {
    while (i < end && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    if (i >= end) return undefined;
    const nameStart = i;
    while (i < end && isKeywordChar(line.charCodeAt(i))) i++;
    const nameEnd = i;
    while (i < end && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    const c = line.charCodeAt(i);
    const name = nameEnd > nameStart ? keywordAt(line, nameStart, nameEnd) : '';
    if (i < end && c !== 58 /* : */ && c !== 59 /* ; */) {
      let j = i;
      while (j < end && line.charCodeAt(j) !== 58 && line.charCodeAt(j) !== 59) j++;
      const bad = line.slice(nameStart, j).trim();
      return { reason: bad === '' ? 'empty option' : `invalid keyword "${bad}"`, offset: nameStart };
    }
    if (name === '') return { reason: 'empty option', offset: nameStart };
    if (i >= end) return { reason: `option "${name}" is not terminated by ";"`, offset: nameStart, keyword: name };
    if (c === 59) {
      out.push({ name, value: undefined, column: nameStart + 1 });
      i++;
      continue;
    }
    i++; // ':'
    const valueStart = i;
    i = valueEnd(line, i, end);
    if (i >= end) return { reason: `option "${name}" is not terminated by ";"`, offset: nameStart, keyword: name };
    // Trim by position: one slice per value instead of slice + trim copy.
    let vs = valueStart;
    let ve = i;
    while (vs < ve && isSpace(line.charCodeAt(vs))) vs++;
    while (ve > vs && isSpace(line.charCodeAt(ve - 1))) ve--;
    out.push({ name, value: line.slice(vs, ve), column: nameStart + 1 });
    i++;
  }
}

/** `text.slice(start, end).trim()` with a single slice. */
function trimmedSlice(text: string, start: number, end: number): string {
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** `for (p of value.split(',')) out.push(p.trim())` without the intermediate strings (metadata has ~10 parts). */
function pushTrimmedParts(value: string, out: string[]): void {
  let start = 0;
  for (;;) {
    const comma = value.indexOf(',', start);
    const end = comma < 0 ? value.length : comma;
    out.push(trimmedSlice(value, start, end));
    if (comma < 0) return;
    start = comma + 1;
  }
}

function isDigits(v: string): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function int(value: string | undefined, name: string, min: number, max: number): number | Fail {
  if (value === undefined || !isDigits(value)) return { reason: `${name} must be an integer`, offset: 0 };
  const n = Number(value);
  if (n < min || n > max) return { reason: `${name} must be between ${min} and ${max}`, offset: 0 };
  return n;
}

/** Numeric content modifier argument, or the name of a `byte_extract` variable. */
function modArg(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  if (/^-?\d+$/.test(value)) return Number(value);
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) return value;
  return undefined;
}

function tok(text: string, pos: number[], t: number): { text: string; offset: number } {
  const start = pos[2 * t] as number;
  return { text: text.slice(start, pos[2 * t + 1]), offset: start };
}

/**
 * Parse one rule (already without its leading `#` when disabled). `col0` is the offset of `text` in the source
 * line, so reported columns match the file.
 */
export function parseRule(
  text: string,
  file: string,
  line: number,
  enabled: boolean,
  col0: number,
  report: (f: Fail) => void,
): SuricataRule | undefined {
  const open = text.indexOf('(');
  if (open < 0) {
    report({ reason: 'no "(" starting the rule options', offset: text.length });
    return undefined;
  }
  const close = text.lastIndexOf(')');
  if (close < open) {
    report({ reason: 'no ")" closing the rule options', offset: text.length });
    return undefined;
  }
  if (text.slice(close + 1).trim() !== '') {
    report({ reason: 'unexpected text after ")"', offset: close + 1 });
    return undefined;
  }
  const pos = HEADER_POS;
  const depths = HEADER_DEPTHS;
  const nt = headerTokens(text, 0, open, pos, depths);
  for (let t = 0; t < nt; t++) {
    const depth = depths[t] as number;
    if (depth !== 0) {
      report({
        reason: depth > 0 ? 'unclosed "[" in header' : 'unbalanced "]" in header',
        offset: pos[2 * t] as number,
      });
      return undefined;
    }
  }
  if (nt !== 7) {
    report({
      reason: `header must have 7 fields (action proto src sport direction dst dport), found ${nt}`,
      offset: nt === 0 ? 0 : (pos[2 * (Math.min(nt, 7) - 1)] as number),
    });
    return undefined;
  }
  const action = tok(text, pos, 0);
  const proto = tok(text, pos, 1);
  const sa = tok(text, pos, 2);
  const sp = tok(text, pos, 3);
  const dir = tok(text, pos, 4);
  const da = tok(text, pos, 5);
  const dp = tok(text, pos, 6);
  if (!ACTIONS.has(action.text)) {
    report({ reason: `unknown action "${action.text}"`, offset: action.offset });
    return undefined;
  }
  if (!PROTOCOLS.has(proto.text.toLowerCase())) {
    report({ reason: `unknown protocol "${proto.text}"`, offset: proto.offset });
    return undefined;
  }
  if (!DIRECTIONS.has(dir.text)) {
    report({ reason: `invalid direction "${dir.text}" (expected -> or <>)`, offset: dir.offset });
    return undefined;
  }
  const src = parseAddress(sa.text);
  if (!src.ok) return void report({ reason: `source address: ${src.reason}`, offset: sa.offset + src.offset });
  const dst = parseAddress(da.text);
  if (!dst.ok) return void report({ reason: `destination address: ${dst.reason}`, offset: da.offset + dst.offset });
  const srcPorts = parsePorts(sp.text);
  if (!srcPorts.ok)
    return void report({ reason: `source port: ${srcPorts.reason}`, offset: sp.offset + srcPorts.offset });
  const dstPorts = parsePorts(dp.text);
  if (!dstPorts.ok)
    return void report({ reason: `destination port: ${dstPorts.reason}`, offset: dp.offset + dstPorts.offset });

  const options: RuleOption[] = [];
  const split = splitOptions(text, open + 1, close, options);
  if (split) return void report(split);

  const rule: SuricataRule = {
    file,
    line,
    enabled,
    raw: text,
    action: action.text,
    proto: proto.text,
    header: trimmedSlice(text, 0, open),
    sourceAddr: sa.text,
    sourcePort: sp.text,
    direction: dir.text,
    destAddr: da.text,
    destPort: dp.text,
    src: src.node,
    srcPorts: srcPorts.node,
    dst: dst.node,
    dstPorts: dstPorts.node,
    options,
    sid: 0,
    gid: 1,
    rev: 0,
    msg: '',
    references: [],
    metadata: [],
    flowbits: NO_FLOWBITS,
    noalert: false,
    thresholds: NO_THRESHOLDS,
    matches: [],
    buffers: new Set(),
  };
  const fail = interpret(rule);
  if (fail) {
    report(fail);
    return undefined;
  }
  // Option columns are relative to the rule text until here; make them file columns.
  for (const o of options) o.column += col0;
  return rule;
}

function at(o: RuleOption, reason: string): Fail {
  return { reason, offset: o.column - 1, keyword: o.name };
}

/** Give the options their meaning: metadata fields, content matches grouped by buffer, flow, flowbits … */
function interpret(rule: SuricataRule): Fail | undefined {
  let buffer = 'pkt_data';
  let transforms: string[] = NO_TRANSFORMS;
  // Modifiers bind to the latest content even across interleaved bsize/isdataat (ET does `content; bsize; fast_pattern`).
  let last: ContentMatch | undefined;
  let sawSid = false;
  for (const o of rule.options) {
    const { name, value } = o;
    const info = KEYWORD_INFO.get(name);
    if (info === undefined) return at(o, `unknown keyword "${name}"`);
    if (value === undefined && info.needsValue) return at(o, `"${name}" needs a value`);
    if (value !== undefined && info.noValue) return at(o, `"${name}" takes no value`);
    const role = info.role;
    switch (role) {
      case 'meta': {
        if (name === 'sid' || name === 'rev' || name === 'gid') {
          const n = int(value, name, name === 'sid' ? 1 : 0, 0xffffffff);
          if (typeof n !== 'number') return at(o, n.reason);
          rule[name] = n;
          if (name === 'sid') sawSid = true;
        } else if (name === 'priority') {
          const n = int(value, name, 1, 255);
          if (typeof n !== 'number') return at(o, n.reason);
          rule.priority = n;
        } else if (name === 'msg') {
          const s = unquote(value as string);
          if (isError(s)) return at(o, `msg: ${s.error}`);
          rule.msg = s;
        } else if (name === 'classtype') {
          if (!/^[A-Za-z0-9_-]+$/.test(value as string)) return at(o, `invalid classtype "${value}"`);
          rule.classtype = value;
        } else if (name === 'reference') {
          if (!(value as string).includes(',')) return at(o, 'reference must be "type,id"');
          rule.references.push(value as string);
        } else if (name === 'metadata') {
          pushTrimmedParts(value as string, rule.metadata);
        } else if (name === 'target') {
          if (value !== 'src_ip' && value !== 'dest_ip') return at(o, 'target must be src_ip or dest_ip');
        }
        break;
      }
      case 'threshold': {
        if (rule.thresholds.some((t) => t.keyword === name)) return at(o, `"${name}" may appear only once`);
        const t = decodeThreshold(name as 'threshold' | 'detection_filter', value as string);
        if (isError(t)) return at(o, t.error);
        if (rule.thresholds === NO_THRESHOLDS) rule.thresholds = [];
        rule.thresholds.push(t);
        break;
      }
      case 'buffer':
        buffer = canonicalBuffer(name);
        transforms = NO_TRANSFORMS;
        last = undefined;
        break;
      case 'transform':
        if (buffer === 'pkt_data') return at(o, `transform "${name}" needs a sticky buffer before it`);
        // A new array (not push): earlier contents keep the transforms they were written after.
        transforms = transforms.length === 0 ? [name] : [...transforms, name];
        break;
      case 'legacy-buffer': {
        if (!last) return at(o, `"${name}" needs a preceding content`);
        if (buffer !== 'pkt_data' && last.buffer !== 'pkt_data')
          return at(o, `"${name}" cannot follow a content in sticky buffer "${buffer}"`);
        last.buffer = LEGACY_BUFFER_MODIFIERS[name] as string;
        break;
      }
      case 'content': {
        if (name === 'content' || name === 'uricontent') {
          const c = decodeContent(value as string);
          if (isError(c)) return at(o, `content: ${c.error}`);
          const m: ContentMatch = {
            kind: 'content',
            buffer: name === 'uricontent' ? 'http.uri' : buffer,
            negated: c.negated,
            bytes: c.bytes,
            nocase: false,
            startswith: false,
            endswith: false,
            fastPattern: false,
            transforms,
          };
          rule.matches.push(m);
          last = m;
        } else if (name === 'pcre') {
          const p = decodePcre(value as string);
          if (isError(p)) return at(o, `pcre: ${p.error}`);
          let b = buffer;
          for (const f of p.flags) if (PCRE_BUFFER_FLAGS[f]) b = PCRE_BUFFER_FLAGS[f] as string;
          rule.matches.push({
            kind: 'pcre',
            buffer: b,
            negated: p.negated,
            source: p.source,
            flags: p.flags,
            transforms,
          });
        } else {
          rule.matches.push({ kind: 'other', buffer, name, value });
        }
        break;
      }
      case 'modifier': {
        if (!last) return at(o, `"${name}" needs a preceding content`);
        if (name === 'nocase') last.nocase = true;
        else if (name === 'startswith') last.startswith = true;
        else if (name === 'endswith') last.endswith = true;
        else if (name === 'fast_pattern') last.fastPattern = true;
        else if (name === 'depth' || name === 'offset' || name === 'distance' || name === 'within') {
          const n = modArg(value);
          if (n === undefined) return at(o, `${name} needs a number or byte_extract variable, got "${value}"`);
          last[name] = n;
        }
        break;
      }
      case 'flow': {
        if (name === 'flow') {
          if (rule.flow) return at(o, '"flow" may appear only once');
          const f = decodeFlow(value as string);
          if (isError(f)) return at(o, f.error);
          rule.flow = f;
        } else if (name === 'flowbits') {
          const f = decodeFlowbits(value as string);
          if (isError(f)) return at(o, f.error);
          if (rule.flowbits === NO_FLOWBITS) rule.flowbits = [];
          rule.flowbits.push(f);
          if (f.op === 'noalert') rule.noalert = true;
        }
        break;
      }
      case 'postmatch':
        if (name === 'noalert') rule.noalert = true;
        break;
      default:
        break;
    }
  }
  if (!sawSid) return { reason: 'rule has no sid', offset: 0, keyword: 'sid' };
  for (const m of rule.matches) rule.buffers.add(m.buffer);
  return undefined;
}

/** Result of parsing a rules file: active rules, commented-out rules, and located problems. */
export interface ParsedRules {
  rules: SuricataRule[];
  disabled: SuricataRule[];
  issues: RuleIssue[];
  /** Lines that were rules (active or commented) but failed to parse. */
  failed: number;
  failedDisabled: number;
}

const COMMENTED_RULE = /^#[\s#]*(alert|pass|drop|reject|rejectsrc|rejectdst|rejectboth|accept|log|sdrop)\s/;

/**
 * Parse a whole rules text. Problems with active rules are errors; problems with commented-out rules are
 * warnings (Suricata never loads them). Never throws.
 */
export function parseRules(text: string, file: string, sink?: IssueSink): ParsedRules {
  const out: ParsedRules = { rules: [], disabled: [], issues: [], failed: 0, failedDisabled: 0 };
  const emit = (i: RuleIssue) => {
    out.issues.push(i);
    sink?.(i);
  };
  let pos = 0;
  let lineNo = 0;
  let pending = '';
  let pendingLine = 0;
  while (pos <= text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    let ln = text.slice(pos, nl);
    pos = nl + 1;
    lineNo++;
    if (ln.endsWith('\r')) ln = ln.slice(0, -1);
    if (ln.endsWith('\\')) {
      if (pending === '') pendingLine = lineNo;
      pending += `${ln.slice(0, -1)} `;
      if (pos > text.length) ln = '';
      else continue;
    }
    const startLine = pending === '' ? lineNo : pendingLine;
    const full = pending + ln;
    pending = '';
    parseLine(full, file, startLine, out, emit);
    if (nl >= text.length) break;
  }
  return out;
}

/** Failure of the line being parsed: one shared callback instead of a closure per line (parsing is synchronous). */
let lastFail: Fail | undefined;
function keepFail(f: Fail): void {
  lastFail = f;
}

function parseLine(full: string, file: string, line: number, out: ParsedRules, emit: (i: RuleIssue) => void): void {
  let s = 0;
  while (s < full.length && (full[s] === ' ' || full[s] === '\t')) s++;
  if (s >= full.length) return;
  let enabled = true;
  if (full[s] === '#') {
    const m = COMMENTED_RULE.exec(full.slice(s));
    if (!m) return;
    enabled = false;
    s += m[0].length - m[1]!.length - 1;
  }
  const body = full.slice(s).trimEnd();
  lastFail = undefined;
  const rule = parseRule(body, file, line, enabled, s, keepFail);
  const f = lastFail as Fail | undefined;
  if (f)
    emit({
      file,
      line,
      column: s + f.offset + 1,
      severity: enabled ? 'error' : 'warning',
      reason: enabled ? f.reason : `commented-out rule: ${f.reason}`,
      ...(f.keyword ? { keyword: f.keyword } : {}),
      ...sidOf(body),
    });
  if (rule) (enabled ? out.rules : out.disabled).push(rule);
  else if (enabled) out.failed++;
  else out.failedDisabled++;
}

/** Best-effort sid of a rule that failed to parse, so the error can name it. */
function sidOf(text: string): { sid?: number } {
  const m = /[(;]\s*sid\s*:\s*(\d+)\s*;/.exec(text);
  return m ? { sid: Number(m[1]) } : {};
}
