import { parseIsoTime } from '../../core/time.js';
import { parseJsonObjectLine } from '../json-line.js';
import type { LogFormat, Sink } from '../types.js';

/**
 * Route 53 Resolver query logs: one JSON object per line (logs.md §5), key order not fixed. Records are kept
 * exactly as written (srcport stays a string, as AWS writes it).
 */
export const route53ResolverFormat: LogFormat = {
  type: 'route53resolver',
  title: 'Route 53 Resolver query logs',
  framing: 'lines',
  sniff({ firstLine, path }) {
    if (firstLine.startsWith('{') && firstLine.includes('"query_name"') && firstLine.includes('"srcaddr"')) return 0.95;
    return path.includes('vpcdnsquerylogs') ? 0.3 : 0;
  },
  open({ file }) {
    return {
      line(text: string, lineNo: number, out: Sink) {
        const fields = parseJsonObjectLine(text, file, lineNo, out, 'Route 53 Resolver query log record');
        if (!fields) return;
        if (typeof fields.query_name !== 'string' || typeof fields.query_timestamp !== 'string') {
          out.error({
            file,
            line: lineNo,
            reason: 'not a Route 53 Resolver query log record: missing query_name or query_timestamp',
          });
          return;
        }
        const time = parseIsoTime(fields.query_timestamp);
        if (Number.isNaN(time)) {
          out.error({ file, line: lineNo, reason: `invalid query_timestamp "${fields.query_timestamp}"` });
          return;
        }
        const srcaddr = fields.srcaddr;
        const srcids = fields.srcids as Record<string, unknown> | undefined;
        out.record({
          type: 'route53resolver',
          fields,
          time,
          sourceIp: typeof srcaddr === 'string' ? srcaddr : undefined,
          actor: typeof srcids?.instance === 'string' ? srcids.instance : undefined,
          origin: { file, line: lineNo },
        });
      },
    };
  },
};
