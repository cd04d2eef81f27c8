import { readFileSync } from 'node:fs';
import { looksLikeYamlTemplate, wafDocFromTemplate } from './cfn-yaml.js';
import { collectDocument, compileWebAcl, emptyResources, type LoadIssue, type Resources } from './load.js';
import { addManagedEmulations, type IpReputationLists } from './managed.js';
import type { WebAcl } from './model.js';

export type { Decision, EngineOptions, MatchDetail } from './evaluate.js';
export { issueToken, RateTracker, WafEngine } from './evaluate.js';
export type { LoadIssue } from './load.js';
export { wafLogRecord } from './log.js';
export { IP_REPUTATION_LISTS, type IpReputationLists, MANAGED_GROUPS, managedGroupsWebAcl } from './managed.js';
export type { WebAcl } from './model.js';
export { makeRequest, type WafRequest } from './request.js';

export interface LoadOptions {
  bodyLimit?: number;
  aclName?: string;
  /** CIDRs for the AWSManagedRulesAmazonIpReputationList emulation (IP sets loaded under these names win). */
  ipReputation?: IpReputationLists;
}

export interface FileIssue extends LoadIssue {
  /** The file, or `file:line:column` when the position is known (YAML/JSON CloudFormation templates). */
  file: string;
  line?: number;
  column?: number;
}

/**
 * Load a WebACL from JSON files: the ACL (`get-web-acl` output, bare WebACL, or CloudFormation) plus any IP sets,
 * regex pattern sets and rule groups it references, in any order. Never throws: problems come back located by
 * file and JSON path; `acl` is undefined when any problem is fatal.
 */
export function loadWebAclFiles(files: string[], opts: LoadOptions = {}): { acl?: WebAcl; issues: FileIssue[] } {
  const res: Resources = emptyResources();
  const issues: FileIssue[] = [];
  const acls: { json: Record<string, unknown>; path: string; file: string }[] = [];
  const locators = new Map<string, (path: string) => { line: number; column: number } | undefined>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      issues.push({
        file,
        path: '$',
        message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      });
      continue;
    }
    let doc: unknown;
    let locate: ((path: string) => { line: number; column: number } | undefined) | undefined;
    if (looksLikeYamlTemplate(file, text)) {
      const t = wafDocFromTemplate(text, file);
      for (const p of t.problems) issues.push(located(file, '$', p.message, p.location));
      doc = t.doc;
      locate = t.locate;
      locators.set(file, t.locate);
    } else {
      try {
        doc = JSON.parse(text);
      } catch (err) {
        issues.push({ file, path: '$', message: `invalid JSON: ${(err as Error).message}` });
        continue;
      }
    }
    const local: LoadIssue[] = [];
    for (const a of collectDocument(doc, res, local)) acls.push({ ...a, file });
    for (const i of local) issues.push(located(file, i.path, i.message, locate?.(i.path)));
  }
  const before = issues.length;
  const out = compileFirst(acls, res, issues, opts);
  // Compile errors carry JSON paths; for YAML templates add the line they point at.
  for (let i = before; i < issues.length; i++) {
    const x = issues[i]!;
    const loc = locators.get(x.file)?.(x.path);
    if (loc) issues[i] = located(x.file, x.path, x.message, loc);
  }
  return { ...out, issues };
}

/** An issue with its source position when known; `file` then reads `file:line:column` for display. */
function located(file: string, path: string, message: string, loc?: { line: number; column: number }): FileIssue {
  if (!loc) return { file, path, message };
  return { file: `${file}:${loc.line}:${loc.column}`, path, message, line: loc.line, column: loc.column };
}

/** Same as loadWebAclFiles for already-parsed documents (tests, API use). */
export function loadWebAcl(docs: unknown[], opts: LoadOptions = {}): { acl?: WebAcl; issues: FileIssue[] } {
  const res: Resources = emptyResources();
  const issues: FileIssue[] = [];
  const acls: { json: Record<string, unknown>; path: string; file: string }[] = [];
  docs.forEach((doc, i) => {
    const local: LoadIssue[] = [];
    for (const a of collectDocument(doc, res, local)) acls.push({ ...a, file: `#${i}` });
    for (const x of local) issues.push({ file: `#${i}`, ...x });
  });
  return { ...compileFirst(acls, res, issues, opts), issues };
}

function compileFirst(
  acls: { json: Record<string, unknown>; path: string; file: string }[],
  res: Resources,
  issues: FileIssue[],
  opts: LoadOptions,
): { acl?: WebAcl } {
  addManagedEmulations(res, opts.ipReputation);
  const chosen = opts.aclName === undefined ? acls : acls.filter((a) => a.json.Name === opts.aclName);
  if (chosen.length === 0) {
    issues.push({
      file: '-',
      path: '$',
      message: opts.aclName ? `no web ACL named ${opts.aclName}` : 'no web ACL found in the inputs',
    });
    return {};
  }
  if (chosen.length > 1) {
    issues.push({
      file: chosen[1]!.file,
      path: chosen[1]!.path || '$',
      message: 'several web ACLs given; choose one by name',
    });
    return {};
  }
  const a = chosen[0]!;
  const local: LoadIssue[] = [];
  const compileOpts: { bodyLimit?: number } = {};
  if (opts.bodyLimit !== undefined) compileOpts.bodyLimit = opts.bodyLimit;
  const acl = compileWebAcl(a.json, a.path, res, local, compileOpts);
  for (const i of local) issues.push({ file: a.file, ...i });
  return acl ? { acl } : {};
}
