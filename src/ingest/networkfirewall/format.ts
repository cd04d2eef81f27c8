import { fromUnixSeconds, parseIsoTime } from '../../core/time.js';
import { clip, parseJsonObjectLine } from '../json-line.js';
import type { LogFormat, LogRecord, Sink } from '../types.js';

/**
 * AWS Network Firewall alert / flow / TLS logs (logs.md §8): Suricata EVE JSON wrapped per line as
 * `{firewall_name, availability_zone, event_timestamp, event:{…}}`, kept exactly as written.
 *
 * Event time is `event.timestamp` (Suricata's ISO time with microseconds, e.g. `2020-09-25T23:01:05.598481+0000`),
 * falling back to the wrapper's `event_timestamp` (epoch seconds as a string), which is when the log entry was
 * written. The source is `event.src_ip`; firewall logs have no actor.
 */
export const networkFirewallFormat: LogFormat = {
  type: 'networkfirewall',
  title: 'AWS Network Firewall logs',
  framing: 'lines',
  sniff({ firstLine }) {
    if (firstLine.charCodeAt(0) !== 123 /* { */) return 0;
    if (!firstLine.includes('"firewall_name"') || !firstLine.includes('"event"')) return 0;
    try {
      const v = JSON.parse(firstLine) as Record<string, unknown>;
      return v !== null && typeof v === 'object' && isObject(v.event) ? 0.97 : 0.3;
    } catch {
      return firstLine.includes('"event_timestamp"') ? 0.85 : 0.6;
    }
  },
  open({ file }) {
    return {
      line(text: string, lineNo: number, out: Sink) {
        const fields = parseJsonObjectLine(text, file, lineNo, out, 'Network Firewall log record');
        if (!fields) return;
        const event = fields.event;
        if (!isObject(event) || (fields.firewall_name === undefined && fields.event_timestamp === undefined)) {
          out.error({
            file,
            line: lineNo,
            reason: 'not a Network Firewall log record: expected firewall_name or event_timestamp and an event object',
          });
          return;
        }
        const time = eventTime(event.timestamp, fields.event_timestamp);
        if (Number.isNaN(time)) {
          const shown = event.timestamp !== undefined ? event.timestamp : fields.event_timestamp;
          out.error({ file, line: lineNo, reason: `invalid event time ${clip(JSON.stringify(shown) ?? 'undefined')}` });
          return;
        }
        const record: LogRecord = { type: 'networkfirewall', fields, time, origin: { file, line: lineNo } };
        if (typeof event.src_ip === 'string' && event.src_ip !== '') record.sourceIp = event.src_ip;
        out.record(record);
      },
    };
  },
};

/** `event.timestamp` when present (even if the wrapper time is also there); a present but bad value is an error. */
function eventTime(eventTs: unknown, wrapperTs: unknown): number {
  if (typeof eventTs === 'string' && eventTs !== '') return parseIsoTime(eventTs);
  if (eventTs !== undefined && eventTs !== null && eventTs !== '') return Number.NaN;
  if (typeof wrapperTs === 'number') return fromUnixSeconds(wrapperTs);
  if (typeof wrapperTs === 'string' && EPOCH.test(wrapperTs)) return fromUnixSeconds(wrapperTs);
  return Number.NaN;
}

const EPOCH = /^\d+(\.\d+)?$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
