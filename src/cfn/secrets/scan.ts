/**
 * `vigil secrets scan <paths>`: walk files (skipping VCS/dependency folders, binaries and huge files), report each
 * secret as file:line:col with a masked value. Allowlist: regexes (`--allow`, a `.vigil-secrets-allow` file of one
 * regex per line at the scan root) and an inline `vigil:allow-secret` marker on the line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { matchSecrets } from './patterns.js';

export interface SecretFinding {
  file: string;
  line: number;
  column: number;
  ruleId: string;
  title: string;
  masked: string;
  hash: string;
  entropy: number;
  allowlisted?: string;
}

export interface SecretScanResult {
  findings: SecretFinding[];
  /** Allowlisted matches (kept apart; reported as a count). */
  allowlisted: SecretFinding[];
  files: number;
  skipped: { file: string; reason: string }[];
  errors: { file: string; reason: string }[];
}

const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', '.hg', '.svn', 'coverage', '.venv', '__pycache__']);
const MAX_BYTES = 2 * 1024 * 1024;
const INLINE_ALLOW = /vigil:allow-secret/;

/** Secrets in one text (lines are 1-based, columns 1-based). */
export function scanSecretsText(text: string, file: string, allow: RegExp[] = []): SecretFinding[] {
  const out: SecretFinding[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > 20_000) continue;
    for (const m of matchSecrets(line, allow))
      out.push({
        file,
        line: i + 1,
        column: m.index + 1,
        ruleId: `secret/${m.patternId}`,
        title: m.title,
        masked: m.masked,
        hash: m.hash,
        entropy: m.entropy,
        ...(m.allowlisted
          ? { allowlisted: m.allowlisted }
          : INLINE_ALLOW.test(line)
            ? { allowlisted: 'inline vigil:allow-secret' }
            : {}),
      });
  }
  return out;
}

function loadAllowFile(root: string): RegExp[] {
  try {
    return readFileSync(join(root, '.vigil-secrets-allow'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => new RegExp(l));
  } catch {
    return [];
  }
}

export function scanSecretsPaths(paths: string[], opts: { allow?: string[]; cwd?: string } = {}): SecretScanResult {
  const res: SecretScanResult = { findings: [], allowlisted: [], files: 0, skipped: [], errors: [] };
  const cwd = opts.cwd ?? process.cwd();
  const allowBase: RegExp[] = [];
  for (const a of opts.allow ?? []) {
    try {
      allowBase.push(new RegExp(a));
    } catch (e) {
      res.errors.push({ file: '--allow', reason: `invalid regex ${a}: ${(e as Error).message}` });
    }
  }
  const visit = (p: string, allow: RegExp[]) => {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch (e) {
      res.errors.push({ file: p, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
      return;
    }
    if (st.isDirectory()) {
      const here = [...allow, ...loadAllowFile(p)];
      let names: string[];
      try {
        names = readdirSync(p).sort();
      } catch (e) {
        res.errors.push({ file: p, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
        return;
      }
      for (const n of names) if (!SKIP_DIRS.has(n) && n !== '.vigil-secrets-allow') visit(join(p, n), here);
      return;
    }
    if (!st.isFile()) return;
    const rel = relative(cwd, p) || p;
    if (st.size > MAX_BYTES) {
      res.skipped.push({ file: rel, reason: `larger than ${MAX_BYTES} bytes` });
      return;
    }
    let buf: Buffer;
    try {
      buf = readFileSync(p);
    } catch (e) {
      res.errors.push({ file: rel, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
      return;
    }
    if (buf.subarray(0, 8192).includes(0)) {
      res.skipped.push({ file: rel, reason: 'binary' });
      return;
    }
    res.files++;
    for (const f of scanSecretsText(buf.toString('utf8'), rel, allow))
      (f.allowlisted ? res.allowlisted : res.findings).push(f);
  };
  for (const p of paths) visit(p, allowBase);
  return res;
}
