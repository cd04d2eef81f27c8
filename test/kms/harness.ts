import { createKmsService, type KmsOptions, type KmsService } from '../../src/kms/index.js';
import type { PolicyDoc } from '../../src/kms/policy.js';
import { type Principal, principalFromArn } from '../../src/kms/principal.js';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');

export interface Harness {
  svc: KmsService;
  /** Settable clock (epoch ms). */
  clock: { now: number };
  root: Principal;
  user(name: string, policies?: PolicyDoc[], account?: string): Principal;
  /** Call an operation; resolves to the output or to `{ error: { type, message } }`. */
  // biome-ignore lint/suspicious/noExplicitAny: test results are checked field by field
  call(op: string, input: Record<string, unknown>, as?: Principal, region?: string): Promise<any>;
  /** Call and throw if it fails. */
  // biome-ignore lint/suspicious/noExplicitAny: test results are checked field by field
  ok(op: string, input: Record<string, unknown>, as?: Principal, region?: string): Promise<any>;
  close(): void;
}

export function harness(opts: KmsOptions = {}): Harness {
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  const svc = createKmsService({ account: ACCOUNT, region: REGION, now: () => clock.now, ...opts });
  const root = principalFromArn(`arn:aws:iam::${ACCOUNT}:root`)!;
  // biome-ignore lint/suspicious/noExplicitAny: test results are checked field by field
  const call = async (op: string, input: Record<string, unknown>, as = root, region = REGION): Promise<any> => {
    try {
      return await svc.call(op, input, { region, principal: as, sourceIp: '192.0.2.10', userAgent: 'vitest' });
    } catch (err) {
      const e = err as { type: string; message: string };
      return { error: { type: e.type, message: e.message } };
    }
  };
  return {
    svc,
    clock,
    root,
    user: (name, policies, account = ACCOUNT) =>
      principalFromArn(`arn:aws:iam::${account}:user/${name}`, { identityPolicies: policies })!,
    call,
    ok: async (op, input, as, region) => {
      const out = await call(op, input, as, region);
      if (out?.error) throw new Error(`${op} failed: ${out.error.type}: ${out.error.message}`);
      return out;
    },
    close: () => svc.close(),
  };
}
