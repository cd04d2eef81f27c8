import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { KmsConfigError } from './config-error.js';
import { type PolicyDoc, parsePolicy } from './policy.js';
import { type Principal, principalFromArn } from './principal.js';

/**
 * Access keys the server accepts, each mapped to the IAM principal it stands for (and, optionally, that
 * principal's identity policies). Two file formats:
 *
 * YAML/JSON (Vigil's own):
 *   credentials:
 *     - accessKeyId: AKIAEXAMPLEALICE
 *       secretAccessKey: …
 *       sessionToken: …                                  # optional (temporary credentials)
 *       principal: arn:aws:iam::111122223333:user/alice  # default: the account root
 *       policies: [ { Version: '2012-10-17', Statement: [ … ] } ]   # optional identity policies
 *
 * AWS shared-credentials INI: `[profile]` sections with aws_access_key_id, aws_secret_access_key,
 * aws_session_token and Vigil's optional `principal_arn`.
 */

export interface CredentialEntry {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  principal: Principal;
}

export class CredentialStore {
  private readonly byKey = new Map<string, CredentialEntry>();
  constructor(entries: CredentialEntry[]) {
    for (const e of entries) this.byKey.set(e.accessKeyId, e);
  }
  get(accessKeyId: string): CredentialEntry | undefined {
    return this.byKey.get(accessKeyId);
  }
  get size(): number {
    return this.byKey.size;
  }
}

export function loadCredentials(file: string, defaultAccount: string): CredentialStore {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KmsConfigError(`${file}: cannot read credentials: ${(err as Error).message}`);
  }
  return parseCredentials(text, file, defaultAccount);
}

export function parseCredentials(text: string, file: string, defaultAccount: string): CredentialStore {
  // An INI file starts (after comments) with a `[profile]` header; YAML/JSON never does.
  const firstLine = text.split(/\r?\n/).find((l) => l.trim() && !/^\s*[#;]/.test(l)) ?? '';
  const raws = /^\s*\[[A-Za-z0-9 _.@-]+\]\s*$/.test(firstLine) ? parseIni(text, file) : parseStructured(text, file);
  const entries: CredentialEntry[] = [];
  raws.forEach(({ raw, where }) => {
    const akid = raw.accessKeyId;
    const secret = raw.secretAccessKey;
    if (typeof akid !== 'string' || !/^[A-Z0-9]{4,128}$/.test(akid))
      throw new KmsConfigError(`${where}: accessKeyId must be 4–128 upper-case letters or digits`);
    if (typeof secret !== 'string' || secret.length < 8)
      throw new KmsConfigError(`${where}: secretAccessKey must be a string of at least 8 characters`);
    const principalArn = typeof raw.principal === 'string' ? raw.principal : `arn:aws:iam::${defaultAccount}:root`;
    let policies: PolicyDoc[] | undefined;
    if (raw.policies !== undefined) {
      if (!Array.isArray(raw.policies))
        throw new KmsConfigError(`${where}: policies must be a list of policy documents`);
      policies = raw.policies.map((p, i) => {
        const { doc, error } = parsePolicy(typeof p === 'string' ? p : JSON.stringify(p), { resourcePolicy: false });
        if (!doc) throw new KmsConfigError(`${where}: policies[${i}]: ${error}`);
        return doc;
      });
    }
    const principal = principalFromArn(principalArn, { accessKeyId: akid, identityPolicies: policies });
    if (!principal) throw new KmsConfigError(`${where}: principal ${principalArn} is not an IAM or STS principal ARN`);
    if (entries.some((e) => e.accessKeyId === akid))
      throw new KmsConfigError(`${where}: duplicate accessKeyId ${akid}`);
    entries.push({
      accessKeyId: akid,
      secretAccessKey: secret,
      sessionToken: typeof raw.sessionToken === 'string' ? raw.sessionToken : undefined,
      principal,
    });
  });
  if (entries.length === 0) throw new KmsConfigError(`${file}: no credentials defined`);
  return new CredentialStore(entries);
}

type Raw = { raw: Record<string, unknown>; where: string };

function parseStructured(text: string, file: string): Raw[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new KmsConfigError(`${file}: not valid YAML/JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { credentials?: unknown } | null)?.credentials;
  if (!Array.isArray(list)) throw new KmsConfigError(`${file}: expected a "credentials:" list`);
  return list.map((raw, i) => {
    if (!raw || typeof raw !== 'object') throw new KmsConfigError(`${file}: credentials[${i}] is not a mapping`);
    return { raw: raw as Record<string, unknown>, where: `${file}: credentials[${i}]` };
  });
}

function parseIni(text: string, file: string): Raw[] {
  const out: Raw[] = [];
  let current: Raw | undefined;
  const names: Record<string, string> = {
    aws_access_key_id: 'accessKeyId',
    aws_secret_access_key: 'secretAccessKey',
    aws_session_token: 'sessionToken',
    principal_arn: 'principal',
  };
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith(';')) return;
    const section = /^\[(.+)\]$/.exec(t);
    if (section) {
      current = { raw: {}, where: `${file}:${i + 1} [${section[1]}]` };
      out.push(current);
      return;
    }
    const eq = t.indexOf('=');
    if (eq < 0 || !current) throw new KmsConfigError(`${file}:${i + 1}: expected "[profile]" or "key = value"`);
    const key = t.slice(0, eq).trim();
    if (names[key]) current.raw[names[key]] = t.slice(eq + 1).trim();
  });
  return out;
}
