/**
 * Shared collection plumbing: every AWS call goes through `call`, which applies a per-call timeout, counts calls per
 * operation and turns failures (AccessDenied, throttling after the SDK's retries, disabled regions, unsupported
 * operations) into recorded partial failures instead of exceptions.
 */
import type { ConfigItem } from '../model.js';

export interface CollectOptions {
  regions: string[];
  /** e.g. http://127.0.0.1:5000 for moto_server or LocalStack. */
  endpoint?: string;
  /** Named profile from the shared config/credentials files. */
  profile?: string;
  /** Explicit credentials (tests); otherwise the SDK default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Services to collect; default all. */
  services?: string[];
  /** Per-call timeout in ms (default 15 s). */
  timeoutMs?: number;
  /** Calls in flight at once across all services (default 16): polite to the API and to rate limits. */
  concurrency?: number;
  /** SDK retry attempts (default 4). */
  maxAttempts?: number;
  /** Evaluation clock for the snapshot (default now). */
  now?: number;
  onProgress?: (event: { service: string; region: string; done: boolean; items: number }) => void;
}

export interface CollectError {
  service: string;
  region: string;
  operation: string;
  reason: string;
}

export class Collection {
  readonly items: ConfigItem[] = [];
  readonly errors: CollectError[] = [];
  readonly calls = new Map<string, number>();
  readonly collectedTypes = new Set<string>();
  accountId: string | undefined;

  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly opts: CollectOptions) {}

  private async acquire(): Promise<void> {
    if (this.active < (this.opts.concurrency ?? 16)) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // Hand the slot straight to the next waiter (active count unchanged).
    if (next) next();
    else this.active--;
  }

  clientConfig(region: string): Record<string, unknown> {
    return {
      region,
      maxAttempts: this.opts.maxAttempts ?? 4,
      ...(this.opts.endpoint ? { endpoint: this.opts.endpoint } : {}),
      ...(this.opts.profile ? { profile: this.opts.profile } : {}),
      ...(this.opts.credentials ? { credentials: this.opts.credentials } : {}),
    };
  }

  /** One API call. Returns undefined (and records why) on failure. */
  async call<T>(
    service: string,
    region: string,
    operation: string,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T | undefined> {
    const key = `${service}:${operation}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    await this.acquire();
    try {
      return await fn(AbortSignal.timeout(this.opts.timeoutMs ?? 15_000));
    } catch (e) {
      const err = e as { name?: string; message?: string; Code?: string };
      const code = err.name && err.name !== 'Error' ? err.name : (err.Code ?? 'Error');
      this.errors.push({ service, region, operation, reason: `${code}: ${err.message ?? String(e)}` });
      return undefined;
    } finally {
      this.release();
    }
  }

  /**
   * A paginated list: follows the token until the API stops returning one (each page is one counted call). A failure
   * on any page makes the whole list unknown (undefined), so a partial list never passes for a complete one.
   */
  async pages<T>(
    service: string,
    region: string,
    operation: string,
    fetchPage: (token: string | undefined, signal: AbortSignal) => Promise<[T[], string | undefined]>,
  ): Promise<T[] | undefined> {
    const out: T[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10_000; page++) {
      const r = await this.call(service, region, operation, (signal) => fetchPage(token, signal));
      if (!r) return undefined;
      out.push(...r[0]);
      token = r[1];
      if (!token) return out;
    }
    return out;
  }

  /**
   * A call whose "not found" error is an answer (no password policy, no login profile, no bucket policy …):
   * returns null for those error names, undefined (recorded) for real failures.
   */
  async callOptional<T>(
    service: string,
    region: string,
    operation: string,
    fn: (signal: AbortSignal) => Promise<T>,
    notFound: string[],
  ): Promise<T | null | undefined> {
    const key = `${service}:${operation}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    await this.acquire();
    try {
      return await fn(AbortSignal.timeout(this.opts.timeoutMs ?? 15_000));
    } catch (e) {
      const err = e as { name?: string; message?: string; Code?: string };
      if (notFound.includes(err.name ?? '') || notFound.includes(err.Code ?? '')) return null;
      this.errors.push({ service, region, operation, reason: `${err.name ?? 'Error'}: ${err.message ?? String(e)}` });
      return undefined;
    } finally {
      this.release();
    }
  }

  add(ci: ConfigItem): void {
    this.items.push(ci);
  }

  totalCalls(): number {
    let n = 0;
    for (const v of this.calls.values()) n += v;
    return n;
  }
}

/** SDK output (PascalCase) → Config's lowerCamel serialisation, recursively; `$metadata` dropped. */
export function lowerCamel(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(lowerCamel);
  if (v instanceof Date) return v.toISOString();
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) {
    if (k === '$metadata') continue;
    out[k[0]!.toLowerCase() + k.slice(1)] = lowerCamel(val);
  }
  return out;
}

export function tagMap(tags: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key) out[t.Key] = t.Value ?? '';
  return out;
}

export function iso(d: Date | string | undefined): string | undefined {
  return d instanceof Date ? d.toISOString() : d;
}
