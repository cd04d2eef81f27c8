/** IAM policy documents the identity actions write, and reading them back (IAM returns them URL-encoded). */

export const DENY_ALL_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'VigilDenyAll', Effect: 'Deny', Action: '*', Resource: '*' }],
};

/** AWS's "Revoke active sessions" policy: deny everything to sessions issued before the cutoff. */
export function revokeSessionsDocument(cutoff: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Action: ['*'],
        Resource: ['*'],
        Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } },
      },
    ],
  };
}

/** Parse a policy document as IAM returns it (URL-encoded JSON) or as stored (plain JSON); undefined when unreadable. */
export function parsePolicyDocument(doc: string | undefined): unknown {
  if (!doc) return undefined;
  for (const text of [doc, safeDecode(doc)]) {
    try {
      return JSON.parse(text);
    } catch {
      // try the next form
    }
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Structural equality of two JSON values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** Whether an SDK error is a "does not exist" answer (which planning treats as state, not failure). */
export function isNotFound(err: unknown, ...codes: string[]): boolean {
  const name = (err as { name?: string; Code?: string })?.name;
  const code = (err as { Code?: string })?.Code;
  return codes.includes(name ?? '') || codes.includes(code ?? '');
}
