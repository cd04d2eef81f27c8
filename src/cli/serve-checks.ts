/**
 * Checks shared by the AWS-compatible servers (`vigil bus serve`, `vigil kms serve`): account, region and port
 * options, and no unauthenticated server off the loopback interface unless asked for.
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
