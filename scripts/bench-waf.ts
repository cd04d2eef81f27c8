/**
 * `npm run bench:waf`: the CRS regression corpus (../shared/corpora/waf/crs-regression) through Vigil's AWS
 * managed-group emulations and through nginx + ModSecurity v3 + OWASP CRS (Debian packages, installed when missing),
 * side by side per attack family. Writes bench/waf-peer.json and the table between the waf-peer markers in
 * docs/waf.md. Env: BENCH_WAF_PL (CRS paranoia levels, default "1,2": the SHARED tests mostly target PL2+ rules),
 * BENCH_WAF_NO_DOCS=1 (do not touch docs/waf.md).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { installPeer, type Peer, sendRaw, startPeer } from '../bench/waf-peer.js';
import { CRS_FAMILIES, type FtwCase, readFtwFolder } from '../src/waf/ftw.js';
import { loadWebAcl, managedGroupsWebAcl, WafEngine } from '../src/waf/index.js';

const ROOT = resolve(import.meta.dirname, '..');
const DIR = resolve(ROOT, '../shared/corpora/waf/crs-regression');

/** All emulated groups except the IP reputation list (the corpus has no client addresses). */
export function managedEngine(): WafEngine {
  const { acl, issues } = loadWebAcl([managedGroupsWebAcl()]);
  if (!acl) throw new Error(`managed ACL failed to load: ${JSON.stringify(issues)}`);
  return new WafEngine(acl);
}

interface Score {
  attacks: number;
  caught: number;
  benign: number;
  fp: number;
}
const empty = (): Score => ({ attacks: 0, caught: 0, benign: 0, fp: 0 });
const add = (s: Score, c: FtwCase, stopped: boolean) => {
  if (c.attack) {
    s.attacks++;
    if (stopped) s.caught++;
  } else {
    s.benign++;
    if (stopped) s.fp++;
  }
};
const pct = (n: number, d: number) => (d === 0 ? null : Math.round((1000 * n) / d) / 10);

/** Run `fn` over items with at most `n` in flight. */
async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

async function main(): Promise<void> {
  const engine = managedEngine();
  const missing = installPeer();
  const levels = (process.env.BENCH_WAF_PL ?? '1,2').split(',').map(Number);
  const peers: { pl: number; peer: Peer }[] = [];
  let peerError: string | undefined = missing;
  if (!missing) {
    try {
      for (const pl of levels) peers.push({ pl, peer: await startPeer({ paranoia: pl }) });
    } catch (err) {
      peerError = (err as Error).message;
      for (const p of peers.splice(0)) p.peer.stop();
    }
  }
  const families: Record<string, unknown>[] = [];
  let vigilCpuUs = 0;
  let vigilN = 0;
  try {
    for (const [family, folder] of CRS_FAMILIES) {
      const { cases, skipped } = readFtwFolder(join(DIR, folder));
      const v = empty();
      const t0 = process.cpuUsage();
      const vigil = cases.map((c) => {
        const a = engine.evaluate(c.request).action;
        return a === 'BLOCK' || a === 'CAPTCHA' || a === 'CHALLENGE';
      });
      const dt = process.cpuUsage(t0);
      vigilCpuUs += dt.user + dt.system;
      vigilN += cases.length;
      for (const [i, c] of cases.entries()) add(v, c, vigil[i]!);
      const modsecurity: Record<string, unknown> = {};
      for (const { pl, peer } of peers) {
        const codes = await pool(cases, 8, (c) => sendRaw(peer.port, c.raw));
        const m = empty();
        const statuses: Record<string, number> = {};
        let agree = 0;
        cases.forEach((c, i) => {
          const code = codes[i]!;
          statuses[code] = (statuses[code] ?? 0) + 1;
          // 403 = CRS anomaly threshold; other 4xx = nginx refused the request itself (also stopped).
          const stopped = code >= 400 && code < 500 && code !== 404 && code !== 405;
          add(m, c, stopped);
          if (stopped === vigil[i]) agree++;
        });
        modsecurity[`pl${pl}`] = {
          ...m,
          recallPct: pct(m.caught, m.attacks),
          fpPct: pct(m.fp, m.benign),
          agreementPct: pct(agree, cases.length),
          statuses,
        };
      }
      families.push({
        family,
        folder,
        cases: cases.length,
        skipped,
        vigil: { ...v, recallPct: pct(v.caught, v.attacks), fpPct: pct(v.fp, v.benign) },
        modsecurity: peers.length ? modsecurity : null,
      });
      process.stderr.write(`${family}: done\n`);
    }
  } finally {
    for (const p of peers) p.peer.stop();
  }
  const report = {
    generatedAt: new Date().toISOString(),
    corpus: 'waf/crs-regression (OWASP CRS v4 go-ftw tests, SHARED half)',
    vigil: {
      acl: 'AWS managed-group emulations: Common, KnownBadInputs, SQLi, Linux, Unix, PHP',
      cpuUsPerRequest: vigilN ? Math.round((10 * vigilCpuUs) / vigilN) / 10 : null,
    },
    modsecurity: peers.length
      ? {
          peer: 'nginx + libmodsecurity3 + OWASP CRS (Debian), anomaly threshold 5',
          crsVersion: peers[0]!.peer.crsVersion,
          paranoiaLevels: peers.map((p) => p.pl),
        }
      : { unavailable: peerError },
    families,
  };
  writeFileSync(join(ROOT, 'bench/waf-peer.json'), `${JSON.stringify(report, null, 2)}\n`);
  const table = markdown(report);
  if (process.env.BENCH_WAF_NO_DOCS !== '1') {
    const doc = join(ROOT, 'docs/waf.md');
    const text = readFileSync(doc, 'utf8');
    const start = '<!-- waf-peer:start -->';
    const end = '<!-- waf-peer:end -->';
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i >= 0 && j > i) writeFileSync(doc, `${text.slice(0, i + start.length)}\n${table}\n${text.slice(j)}`);
  }
  process.stdout.write(`${table}\n`);
}

type Row = Score & { recallPct: number | null; fpPct: number | null; agreementPct?: number | null };

function markdown(r: { modsecurity: Record<string, unknown>; families: Record<string, unknown>[] }): string {
  const f = (x: unknown) => (x === null || x === undefined ? '–' : `${x}%`);
  const pls = (r.modsecurity.paranoiaLevels as number[] | undefined) ?? [];
  const head = ['Family', 'Attack cases', 'Vigil recall', ...pls.map((p) => `ModSec PL${p} recall`)];
  head.push('FP checks', 'Vigil FP', ...pls.map((p) => `ModSec PL${p} FP`), ...pls.map((p) => `Agree PL${p}`));
  const lines = [
    `Generated by \`npm run bench:waf\` (${new Date().toISOString().slice(0, 10)}); peer: ${
      r.modsecurity.unavailable
        ? `unavailable (${r.modsecurity.unavailable})`
        : `nginx + ModSecurity 3 + CRS ${r.modsecurity.crsVersion}`
    }.`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
  ];
  for (const x of r.families as { family: string; vigil: Row; modsecurity: Record<string, Row> | null }[]) {
    const ms = pls.map((p) => x.modsecurity?.[`pl${p}`]);
    const row = [x.family, String(x.vigil.attacks), f(x.vigil.recallPct), ...ms.map((m) => f(m?.recallPct))];
    row.push(
      String(x.vigil.benign),
      f(x.vigil.fpPct),
      ...ms.map((m) => f(m?.fpPct)),
      ...ms.map((m) => f(m?.agreementPct)),
    );
    lines.push(`| ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}

await main();
