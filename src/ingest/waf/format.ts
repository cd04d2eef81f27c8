import { clip, parseJsonObjectLine } from '../json-line.js';
import type { LogFormat, LogRecord, Sink } from '../types.js';

/**
 * AWS WAF logs (logs.md §6, waf.md §9): one JSON object per request and line, kept exactly as written — the
 * offline WAF tester and Sigma rules read `httpRequest`, `terminatingRuleMatchDetails`, `ruleGroupList` … with
 * AWS's names. `timestamp` is epoch milliseconds; `httpRequest.clientIp` is the client. WAF logs have no actor.
 */
export const wafFormat: LogFormat = {
  type: 'waf',
  title: 'AWS WAF logs',
  framing: 'lines',
  sniff({ firstLine }) {
    if (firstLine.charCodeAt(0) !== 123 /* { */) return 0;
    if (!firstLine.includes('"webaclId"') || !firstLine.includes('"httpRequest"')) return 0;
    try {
      const v = JSON.parse(firstLine) as Record<string, unknown>;
      return isWafShape(v) ? 0.97 : 0.3;
    } catch {
      // First line cut at the sniff limit (very large header sets): the two keys together are still telling.
      return firstLine.includes('"terminatingRuleId"') ? 0.85 : 0.6;
    }
  },
  open({ file }) {
    return {
      line(text: string, lineNo: number, out: Sink) {
        const fields = parseJsonObjectLine(text, file, lineNo, out, 'AWS WAF log record');
        if (!fields) return;
        const ts = fields.timestamp;
        if (ts === undefined || fields.webaclId === undefined) {
          out.error({ file, line: lineNo, reason: 'not an AWS WAF log record: missing timestamp or webaclId' });
          return;
        }
        const time = typeof ts === 'number' ? ts : typeof ts === 'string' && /^\d+$/.test(ts) ? Number(ts) : Number.NaN;
        if (!Number.isFinite(time)) {
          out.error({
            file,
            line: lineNo,
            reason: `invalid timestamp ${clip(JSON.stringify(ts))} (expected epoch milliseconds)`,
          });
          return;
        }
        const record: LogRecord = { type: 'waf', fields, time, origin: { file, line: lineNo } };
        const req = fields.httpRequest;
        if (req !== null && typeof req === 'object') {
          const ip = (req as Record<string, unknown>).clientIp;
          if (typeof ip === 'string' && ip !== '') record.sourceIp = ip;
        }
        out.record(record);
      },
    };
  },
};

function isWafShape(v: Record<string, unknown>): boolean {
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof v.timestamp === 'number' &&
    typeof v.webaclId === 'string' &&
    v.httpRequest !== null &&
    typeof v.httpRequest === 'object'
  );
}
