/**
 * Shared by the AWS-compatible servers (`vigil bus serve`, `vigil kms serve`): account, region and port checks, no
 * unauthenticated server off the loopback interface unless asked for, and the `--log-requests` line.
 */
import { UsageError } from '../core/errors.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export interface ServeBasics {
  accountId: string;
  region: string;
  port: number;
  host: string;
  credentials?: string;
  allowUnauthenticated?: boolean;
}

/** `risk`: what anyone reaching an unauthenticated server could do (ends the refusal message). */
export function checkServeOptions(o: ServeBasics, risk: string): void {
  if (!/^\d{12}$/.test(o.accountId)) throw new UsageError(`--account-id must be 12 digits, got "${o.accountId}"`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(o.region)) throw new UsageError(`--region is not a region name: "${o.region}"`);
  if (o.port < 0 || o.port > 65535) throw new UsageError(`--port must be 0–65535, got ${o.port}`);
  if (!o.credentials && !LOOPBACK.test(o.host) && !o.allowUnauthenticated) {
    throw new UsageError(
      `refusing to serve without --credentials on ${o.host}: anyone reaching it could ${risk} (pass --allow-unauthenticated to do it anyway)`,
    );
  }
}

/** `--log-requests`: one stderr line per request (operation, status, error, time). */
export function requestLogger(
  enabled: boolean | undefined,
  write: (line: string) => void,
): ((i: { op: string; status: number; ms: number; error?: string }) => void) | undefined {
  return enabled ? (i) => write(`${i.op} ${i.status}${i.error ? ` ${i.error}` : ''} ${i.ms.toFixed(1)}ms`) : undefined;
}
