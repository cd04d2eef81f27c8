/**
 * Ignore file for unmanaged resources (like driftctl's .driftignore). One rule per line, `#` comments:
 *   AWS::EC2::SecurityGroup:sg-0abc*     type glob ':' id glob (the id, name or ARN may match)
 *   AWS::IAM::*:*                        every IAM resource
 *   tag:owner=platform-*                 any resource with a tag key glob '=' value glob
 * Globs: `*` any run of characters, `?` one character. Bad lines are reported with file:line, the rest apply.
 */
import type { UnmanagedResource } from './types.js';

export interface IgnoreRule {
  text: string;
  line: number;
  match(r: UnmanagedResource): boolean;
}

const glob = (g: string): RegExp =>
  new RegExp(
    `^${g
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

export function parseIgnore(text: string, file: string): { rules: IgnoreRule[]; issues: string[] } {
  const rules: IgnoreRule[] = [];
  const issues: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('tag:')) {
      const eq = line.indexOf('=');
      if (eq < 0) {
        issues.push(`${file}:${i + 1}: tag rule must look like tag:KEY=VALUE, got "${line}"`);
        return;
      }
      const k = glob(line.slice(4, eq));
      const v = glob(line.slice(eq + 1));
      rules.push({
        text: line,
        line: i + 1,
        match: (r) => Object.entries(r.tags).some(([tk, tv]) => k.test(tk) && v.test(tv)),
      });
      return;
    }
    // The type has '::' inside, so the id follows the last single ':' after the third segment.
    const m = /^([^:]+::[^:]+::[^:]+):(.+)$/.exec(line);
    if (!m) {
      issues.push(
        `${file}:${i + 1}: expected TYPE:ID (e.g. AWS::EC2::SecurityGroup:sg-*) or tag:KEY=VALUE, got "${line}"`,
      );
      return;
    }
    const t = glob(m[1]!);
    const id = glob(m[2]!);
    rules.push({
      text: line,
      line: i + 1,
      match: (r) =>
        t.test(r.resourceType) && [r.resourceId, r.resourceName, r.arn].some((v) => v !== undefined && id.test(v)),
    });
  });
  return { rules, issues };
}
