/**
 * The least-privilege IAM policy for a set of remediation actions: the union of their declared permissions (read
 * calls included — planning reads state), one Allow statement per service so the policy reads like a list of what
 * Vigil may touch. Resource is `*` because the resources are only known when an event arrives.
 */
import type { ActionMeta } from './action.js';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: '*';
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface PolicyResult {
  policy: PolicyDocument;
  /** IAM action → the remediation actions that need it (for the explanation next to the policy). */
  neededBy: Record<string, string[]>;
  /** Declared permissions that are not IAM actions (e.g. `http:POST` of webhook actions), skipped with a reason. */
  skipped: string[];
  /** Policy size without whitespace, as IAM counts it (managed policies allow 6,144 characters). */
  size: number;
}

export const MANAGED_POLICY_LIMIT = 6144;

/** `service:Action` as IAM writes it (service prefix lower-case, action name with optional `*` wildcards). */
const IAM_ACTION = /^[a-z0-9-]+:[A-Za-z0-9*]+$/;
/** Pseudo-services of generic actions (webhook POSTs): no IAM action exists for them. */
const NOT_IAM = new Set(['http', 'https']);

function sidFor(service: string): string {
  const words = service.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return `VigilRemediation${words.join('')}`;
}

export function leastPrivilegePolicy(
  actions: readonly Pick<ActionMeta<unknown>, 'name' | 'permissions'>[],
): PolicyResult {
  const neededBy = new Map<string, Set<string>>();
  const skipped: string[] = [];
  for (const a of actions) {
    for (const p of a.permissions) {
      if (!IAM_ACTION.test(p) || NOT_IAM.has(p.slice(0, p.indexOf(':')))) {
        skipped.push(`${a.name}: ${p} is not an IAM action`);
        continue;
      }
      // IAM action names are case-insensitive; keep the first spelling seen.
      const key = [...neededBy.keys()].find((k) => k.toLowerCase() === p.toLowerCase()) ?? p;
      let set = neededBy.get(key);
      if (!set) neededBy.set(key, (set = new Set()));
      set.add(a.name);
    }
  }
  const byService = new Map<string, string[]>();
  for (const p of neededBy.keys()) {
    const service = p.slice(0, p.indexOf(':'));
    const list = byService.get(service) ?? [];
    list.push(p);
    byService.set(service, list);
  }
  const Statement: PolicyStatement[] = [...byService.keys()].sort().map((service) => ({
    Sid: sidFor(service),
    Effect: 'Allow',
    Action: byService.get(service)!.sort(),
    Resource: '*',
  }));
  const policy: PolicyDocument = { Version: '2012-10-17', Statement };
  const out: Record<string, string[]> = {};
  for (const [p, names] of [...neededBy.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) out[p] = [...names].sort();
  return { policy, neededBy: out, skipped, size: JSON.stringify(policy).length };
}
