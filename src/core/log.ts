import { pino } from 'pino';

/**
 * Diagnostic log (pino, JSON) on stderr, so stdout stays clean for machine output. Quiet by default (`warn`);
 * `VIGIL_LOG_LEVEL=debug` shows per-file ingestion details.
 */
export const log = pino(
  { name: 'vigil', level: process.env.VIGIL_LOG_LEVEL ?? 'warn', base: undefined },
  pino.destination({ fd: 2, sync: true }),
);
