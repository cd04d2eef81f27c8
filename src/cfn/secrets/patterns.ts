/**
 * Secret detection shared by `vigil secrets scan` and the template check: known credential formats (exact shapes,
 * e.g. AWS access key ids) and high-entropy values assigned to secret-looking names. A finding never carries the
 * secret itself, only a masked form and a hash prefix (to deduplicate and baseline).
 */
import { createHash } from 'node:crypto';
import { entropy } from '../../core/entropy.js';

export interface SecretPattern {
  id: string;
  title: string;
  re: RegExp;
  /** Capture group holding the secret (default 0). */
  group?: number;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  minEntropy?: number;
}

/** Names (keys, variables, properties) whose values are secrets. */
export const SECRET_NAME =
  /(pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth[_-]?key|client[_-]?secret)/i;

export const PATTERNS: SecretPattern[] = [
  { id: 'aws-access-key-id', title: 'AWS access key id', re: /\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b/g, group: 1 },
  {
    id: 'aws-secret-access-key',
    title: 'AWS secret access key',
    re: /(?:aws_?secret_?access_?key|secret_?access_?key|aws_?secret|SecretAccessKey)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    group: 1,
    minEntropy: 3.5,
  },
  {
    id: 'private-key',
    title: 'private key block',
    re: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/g,
  },
  {
    id: 'github-token',
    title: 'GitHub token',
    re: /\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,})\b/g,
    group: 1,
  },
  { id: 'slack-token', title: 'Slack token', re: /\b(xox[baprs]-[A-Za-z0-9-]{10,})\b/g, group: 1 },
  { id: 'stripe-secret-key', title: 'Stripe secret key', re: /\b((?:sk|rk)_live_[A-Za-z0-9]{20,})\b/g, group: 1 },
  { id: 'google-api-key', title: 'Google API key', re: /\b(AIza[0-9A-Za-z_-]{35})\b/g, group: 1 },
  {
    id: 'generic-secret-assignment',
    title: 'secret-looking value assigned to a secret name',
    re: /\b([A-Za-z0-9_.-]*(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|private[_-]?key|client[_-]?secret)[A-Za-z0-9_.-]*)["']?\s*(?::|=|:=)\s*["']([^"'\s]{8,200})["']/gi,
    group: 2,
    minEntropy: 3.0,
  },
];

/** AWS documentation example credentials and obvious placeholders: never findings (counted as allowlisted). */
const PLACEHOLDER =
  /EXAMPLE|^x+$|^\*+$|changeme|change_me|placeholder|your[_-]?|<[^>]+>|^\$\{|^\{\{|^%\(|^\$\(|process\.env|^dummy|^test|^fake|^sample|^redacted/i;

export function isPlaceholder(v: string): boolean {
  return PLACEHOLDER.test(v);
}

export { entropy };

/** `AKIA…MPLE (20 chars)`: enough to find it, never enough to use it. */
export function mask(s: string): string {
  if (s.length <= 8) return `${'*'.repeat(s.length)} (${s.length} chars)`;
  return `${s.slice(0, 4)}${'*'.repeat(Math.min(s.length - 4, 12))} (${s.length} chars)`;
}

export function secretHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

export interface SecretMatch {
  patternId: string;
  title: string;
  /** Offset of the secret in the text. */
  index: number;
  length: number;
  masked: string;
  hash: string;
  entropy: number;
  allowlisted?: string;
}

/** Every pattern match in one string (a line or a property value). */
export function matchSecrets(text: string, allow: RegExp[] = []): SecretMatch[] {
  const out: SecretMatch[] = [];
  const seen = new Set<number>();
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    for (const m of text.matchAll(p.re)) {
      const secret = m[p.group ?? 0] ?? m[0];
      const index = (m.index ?? 0) + m[0].indexOf(secret);
      if (seen.has(index)) continue;
      const h = entropy(secret);
      if (p.minEntropy !== undefined && h < p.minEntropy) continue;
      seen.add(index);
      const allowed = isPlaceholder(secret)
        ? 'placeholder or documentation example'
        : allow.find((a) => a.test(secret) || a.test(text))?.source;
      out.push({
        patternId: p.id,
        title: p.title,
        index,
        length: secret.length,
        masked: mask(secret),
        hash: secretHash(secret),
        entropy: Math.round(h * 100) / 100,
        ...(allowed ? { allowlisted: allowed } : {}),
      });
    }
  }
  return out;
}
