import { isIp, splitHostPort } from '../../core/ip.js';
import { parseIsoTime } from '../../core/time.js';
import { compileFieldsBuilder, type FieldsBuilder, type FieldsFailure, plainUint } from '../fields.js';
import { tokenizeQuoted } from '../tokenize.js';
import type { FileParser, LogFormat, Sink, SniffInput } from '../types.js';
import { ALB, ALB_CONNECTION, CLASSIC, type ElbSchema, NLB } from './schemas.js';

/**
 * Elastic Load Balancing logs (logs.md §3): ALB access, ALB connection, NLB TLS and Classic ELB.
 *
 * Real files (and the Elastic fixture) mix ALB access, ALB connection and NLB TLS lines, so the four formats share
 * one parser that decides per line; `record.type` is the line's own kind. Forward compatible: fewer trailing
 * fields (older generations, down to each kind's minimum) are fine, surplus fields go to `_extra`.
 */

const ALB_TYPES = new Set(['http', 'https', 'h2', 'grpcs', 'ws', 'wss']);
const ISO_START = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;
const NLB_VERSION = /^\d+\.\d+$/;
const DIGITS = /^\d+$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/** ELB numeric columns: plain decimal numbers only (anything else means shifted columns). */
function elbNumber(text: string): number {
  const u = plainUint(text);
  if (u >= 0) return u;
  return NUMBER.test(text) ? Number(text) : Number.NaN;
}

const builders = new Map<ElbSchema, FieldsBuilder>();
function builderOf(schema: ElbSchema): FieldsBuilder {
  let b = builders.get(schema);
  if (b === undefined) builders.set(schema, (b = compileFieldsBuilder(schema.names, schema.numeric, elbNumber)));
  return b;
}

function show(text: string): string {
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

/** Which kind a line is, from its leading tokens (the NLB test runs before tokenising: see `nlbTokens`). */
function kindOf(tokens: string[]): ElbSchema | undefined {
  const first = tokens[0] ?? '';
  if (ALB_TYPES.has(first)) return ALB;
  if (ISO_START.test(first)) {
    const third = tokens[2] ?? '';
    if (DIGITS.test(third)) return ALB_CONNECTION; // time client_ip client_port …
    if (third.includes(':')) return CLASSIC; // timestamp elb client:port …
    return undefined;
  }
  // AWS may add request types; an `app/…` load balancer after a timestamp is still an ALB access line.
  if (/^[a-z0-9]+$/.test(first) && ISO_START.test(tokens[1] ?? '') && (tokens[2] ?? '').startsWith('app/')) return ALB;
  return undefined;
}

/**
 * NLB TLS lines are never quoted except `alpn_client_preference_list` (`"h2","http/1.1"`, kept as written), and
 * `domain_name` can hold `[`, so they are split on single spaces instead of going through `tokenizeQuoted`.
 */
function isNlbLine(line: string): boolean {
  if (!line.startsWith('tls ')) return false;
  const sp = line.indexOf(' ', 4);
  return sp > 4 && NLB_VERSION.test(line.slice(4, sp));
}

class ElbParser implements FileParser {
  private readonly failure: FieldsFailure = { index: 0 };

  constructor(private readonly file: string) {}

  line(text: string, lineNo: number, out: Sink): void {
    const line = text.trimEnd();
    let tokens: string[] | undefined;
    let schema: ElbSchema | undefined;
    if (isNlbLine(line)) {
      tokens = line.split(' ');
      schema = NLB;
    } else {
      tokens = tokenizeQuoted(line);
      if (tokens === undefined) {
        this.fail(lineNo, 'unterminated quoted field (line truncated or not an Elastic Load Balancing log)', out);
        return;
      }
      schema = kindOf(tokens);
    }
    if (schema === undefined) {
      this.fail(
        lineNo,
        `not an Elastic Load Balancing log line: '${show(line)}' (expected an ALB access, ALB connection, NLB TLS or Classic ELB record)`,
        out,
      );
      return;
    }
    const names = schema.names;
    if (tokens.length < schema.min) {
      this.fail(lineNo, `expected at least ${schema.min} fields for ${schema.label}, got ${tokens.length}`, out);
      return;
    }
    const fields = builderOf(schema)(tokens, tokens.length, this.failure);
    if (fields === undefined) {
      const i = this.failure.index;
      this.fail(lineNo, `invalid ${names[i]} '${show(tokens[i]!)}' (expected a number or -)`, out);
      return;
    }
    if (tokens.length > names.length) fields._extra = tokens.slice(names.length);
    const timeText = tokens[schema.timeIndex]!;
    const time = parseIsoTime(timeText);
    if (!ISO_START.test(timeText) || Number.isNaN(time)) {
      this.fail(lineNo, `invalid ${names[schema.timeIndex]} '${show(timeText)}' (expected an ISO-8601 time)`, out);
      return;
    }
    const client = tokens[schema.clientIndex]!;
    let sourceIp: string | undefined;
    if (client !== '-') sourceIp = schema.clientHasPort ? splitHostPort(client).host : client;
    out.record({
      type: schema.kind,
      fields,
      time,
      sourceIp,
      actor: undefined,
      origin: { file: this.file, line: lineNo },
      raw: text,
    });
  }

  private fail(line: number, reason: string, out: Sink): void {
    out.error({ file: this.file, line, reason });
  }
}

function openElb({ file }: { file: string }): FileParser {
  return new ElbParser(file);
}

const ALB_SNIFF = /^(?:https?|h2|grpcs|wss?) \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z (app\/)?/;
const NLB_SNIFF = /^tls \d+\.\d+ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d (net\/)?/;
const CONNECTION_SNIFF = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z (\S+) \d{1,5} \d{1,5} /;
const CLASSIC_SNIFF = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z [A-Za-z0-9-]+ (\S+):\d{1,5} (?:\S+:\d{1,5}|-) /;

/** `http|https|h2|grpcs|ws|wss` + ISO time; certain with an `app/…` load balancer after it. */
export function sniffAlb({ firstLine }: SniffInput): number {
  const m = ALB_SNIFF.exec(firstLine);
  if (!m) return 0;
  return m[1] ? 0.97 : 0.6;
}

/** `tls 2.0` + zone-less ISO time; certain with a `net/…` load balancer after it. */
export function sniffNlb({ firstLine }: SniffInput): number {
  const m = NLB_SNIFF.exec(firstLine);
  if (!m) return 0;
  return m[1] ? 0.97 : 0.6;
}

/** ISO time + bare client IP + client port + listener port. */
export function sniffAlbConnection({ firstLine }: SniffInput): number {
  const m = CONNECTION_SNIFF.exec(firstLine);
  return m && isIp(m[1]!) ? 0.95 : 0;
}

/** ISO time + load balancer name + client `ip:port` + backend `ip:port` or `-`, then the quoted request. */
export function sniffClassicElb({ firstLine }: SniffInput): number {
  const m = CLASSIC_SNIFF.exec(firstLine);
  if (!m) return 0;
  const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
  return isIp(host) && firstLine.includes(' "') ? 0.95 : 0.6;
}

export const albFormat: LogFormat = {
  type: 'alb',
  title: 'Application Load Balancer access logs',
  framing: 'lines',
  sniff: sniffAlb,
  open: openElb,
};

export const albConnectionFormat: LogFormat = {
  type: 'albconnection',
  title: 'Application Load Balancer connection logs',
  framing: 'lines',
  sniff: sniffAlbConnection,
  open: openElb,
};

export const nlbFormat: LogFormat = {
  type: 'nlb',
  title: 'Network Load Balancer TLS access logs',
  framing: 'lines',
  sniff: sniffNlb,
  open: openElb,
};

export const elbFormat: LogFormat = {
  type: 'elb',
  title: 'Classic Load Balancer access logs',
  framing: 'lines',
  sniff: sniffClassicElb,
  open: openElb,
};
