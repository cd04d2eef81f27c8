import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { makeRequest, type WafRequest } from './request.js';

/**
 * Reader for OWASP CRS regression tests (go-ftw YAML): each first stage becomes one case with the request both as
 * Vigil's `WafRequest` and as raw HTTP/1.1 bytes, so Vigil and a real peer (nginx + ModSecurity) see the same input.
 */

interface Stage {
  input: {
    method?: string;
    uri?: string;
    version?: string;
    headers?: Record<string, unknown>;
    data?: string | string[];
    encoded_request?: string;
  };
  output: { log?: { expect_ids?: number[]; no_expect_ids?: number[] } };
}

export interface FtwCase {
  file: string;
  ruleId: number;
  testId: string;
  /** true: the rule must fire (an attack); false: it must not (the false-positive checks). */
  attack: boolean;
  request: WafRequest;
  raw: Buffer;
}

/** go-ftw's harness sends `Host: localhost`; a site name is used instead (a localhost Host is itself suspicious). */
const HOST = 'www.example.com';

function fixHost(name: string, value: string): string {
  return name.toLowerCase() === 'host' && /^localhost(?::\d+)?$/i.test(value) ? HOST : value;
}

/** Raw request → WafRequest and normalised raw bytes (Host fixed, Connection: close). undefined when unparseable. */
function fromRaw(rawText: string): { request: WafRequest; raw: Buffer } | undefined {
  const split = rawText.indexOf('\r\n\r\n');
  const head = split < 0 ? rawText : rawText.slice(0, split);
  const body = split < 0 ? '' : rawText.slice(split + 4);
  const [line = '', ...hl] = head.split('\r\n');
  const m = /^(\S+) (\S+)(?: (HTTP\/\d\.\d))?$/.exec(line);
  if (!m) return undefined;
  const headers: [string, string][] = [];
  for (const h of hl) {
    const c = h.indexOf(':');
    if (c <= 0) return undefined;
    const name = h.slice(0, c);
    headers.push([name, fixHost(name, h.slice(c + 1).trim())]);
  }
  if (!headers.some(([n]) => n.toLowerCase() === 'host')) headers.push(['Host', HOST]);
  const request = makeRequest({ url: m[2]!, method: m[1]!, headers });
  request.headers = headers; // already byte strings
  if (body !== '') request.body = body;
  const lines = [`${m[1]} ${m[2]} ${m[3] ?? 'HTTP/1.1'}`];
  for (const [n, v] of headers) if (n.toLowerCase() !== 'connection') lines.push(`${n}: ${v}`);
  lines.push('Connection: close');
  return { request, raw: Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1') };
}

function fromInput(input: Stage['input']): { request: WafRequest; raw: Buffer } | undefined {
  if (input.encoded_request) return fromRaw(Buffer.from(input.encoded_request, 'base64').toString('latin1'));
  const data = Array.isArray(input.data) ? input.data.join('\r\n') : input.data;
  const method = input.method ?? 'GET';
  const uri = input.uri ?? '/';
  const headers: [string, string][] = [];
  for (const [k, v] of Object.entries(input.headers ?? {})) headers.push([k, fixHost(k, String(v))]);
  if (!headers.some(([n]) => n.toLowerCase() === 'host')) headers.push(['Host', HOST]);
  const body = data === undefined ? '' : Buffer.from(String(data), 'utf8').toString('latin1');
  // go-ftw autocompletes Content-Length for bodies (autocomplete_headers defaults to true).
  if (body !== '' && !headers.some(([n]) => n.toLowerCase() === 'content-length'))
    headers.push(['Content-Length', String(body.length)]);
  const version = input.version && /^HTTP\/\d\.\d$/.test(input.version) ? input.version : 'HTTP/1.1';
  if (/[\s]/.test(uri) || /[\r\n]/.test(method)) return undefined;
  return fromRaw(`${method} ${uri} ${version}\r\n${headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n${body}`);
}

/** Every first-stage case of every `*.yaml` in `dir`, in file order. Unparseable tests are counted in `skipped`. */
export function readFtwFolder(dir: string): { cases: FtwCase[]; skipped: number } {
  const cases: FtwCase[] = [];
  let skipped = 0;
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.yaml'))
    .sort()) {
    let doc: { rule_id?: number; tests?: { test_id?: unknown; stages?: Stage[] }[] };
    try {
      doc = parse(readFileSync(join(dir, f), 'utf8')) as typeof doc;
    } catch {
      skipped++;
      continue;
    }
    const ruleId = Number(doc.rule_id);
    for (const t of doc.tests ?? []) {
      const st = t.stages?.[0];
      const log = st?.output?.log;
      const attack = log?.expect_ids?.includes(ruleId)
        ? true
        : log?.no_expect_ids?.includes(ruleId)
          ? false
          : undefined;
      const built = st && attack !== undefined ? fromInput(st.input ?? {}) : undefined;
      if (!built || attack === undefined) {
        skipped++;
        continue;
      }
      cases.push({ file: f, ruleId, testId: String(t.test_id ?? ''), attack, ...built });
    }
  }
  return { cases, skipped };
}

/** The CRS folders scored per attack family (issue §3). */
export const CRS_FAMILIES: [family: string, folder: string][] = [
  ['SQLi', 'REQUEST-942-APPLICATION-ATTACK-SQLI'],
  ['XSS', 'REQUEST-941-APPLICATION-ATTACK-XSS'],
  ['LFI', 'REQUEST-930-APPLICATION-ATTACK-LFI'],
  ['RFI', 'REQUEST-931-APPLICATION-ATTACK-RFI'],
  ['RCE', 'REQUEST-932-APPLICATION-ATTACK-RCE'],
  ['PHP', 'REQUEST-933-APPLICATION-ATTACK-PHP'],
  ['Java', 'REQUEST-944-APPLICATION-ATTACK-JAVA'],
  ['protocol', 'REQUEST-921-PROTOCOL-ATTACK'],
];
