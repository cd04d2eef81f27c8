/**
 * Builds the ActionContext an action runs with: one lazily-created SDK client per service, sharing region, endpoint
 * (moto / LocalStack / a VPC endpoint) and credentials. Clients are created on first use so a run that only touches
 * IAM never loads the EC2 client.
 */
import type { ActionContext, AwsClientConfig } from './action.js';

export interface ActionContextOptions {
  region: string;
  accountId: string;
  /** Custom endpoint for every service (an emulator); S3 then uses path-style addressing. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** SDK retry attempts per call (the runner's own retry policy sits above this). */
  maxAttempts?: number;
  fetch?: typeof fetch;
  now?: () => Date;
}

export function createActionContext(opts: ActionContextOptions): ActionContext {
  const clients = new Map<string, unknown>();
  const config: AwsClientConfig = { region: opts.region };
  if (opts.endpoint) {
    config.endpoint = opts.endpoint;
    // Emulators serve buckets on one host; virtual-hosted names would need wildcard DNS.
    config.forcePathStyle = true;
  }
  if (opts.credentials) config.credentials = opts.credentials;
  if (opts.maxAttempts !== undefined) config.maxAttempts = opts.maxAttempts;
  return {
    region: opts.region,
    accountId: opts.accountId,
    client<T>(service: string, create: (c: AwsClientConfig) => T): T {
      let c = clients.get(service) as T | undefined;
      if (c === undefined) {
        c = create({ ...config });
        clients.set(service, c);
      }
      return c;
    },
    fetch: opts.fetch ?? globalThis.fetch,
    now: opts.now ?? (() => new Date()),
  };
}
