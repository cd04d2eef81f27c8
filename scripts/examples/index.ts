import { rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type BadFile, generateBad } from './bad.js';
import { generateCfnExamples } from './cfn.js';
import { BASE_TIME, END_TIME, isoSeconds } from './clock.js';
import { cdnTraffic, generateCloudFront } from './cloudfront.js';
import { generateCloudTrail } from './cloudtrail.js';
import { generateConfigSnapshot } from './config-snapshot.js';
import type { Ctx } from './context.js';
import { generateDns } from './dns.js';
import { generateDriftExample } from './drift.js';
import { generateElb } from './elb.js';
import { generateExports } from './exports.js';
import { generateFlows } from './flows.js';
import { shopTraffic } from './http.js';
import { generateNetworkFirewall } from './netfw.js';
import { BASE_SEED } from './prng.js';
import { renderReadme } from './readme.js';
import { generateS3Access } from './s3access.js';
import { s3Requests } from './s3model.js';
import { BENIGN_LOOKALIKES, type Lookalike, type ScenarioDef, Scenarios } from './scenarios.js';
import { generateWaf } from './waf.js';
import { DEV, PROD } from './world.js';
import { type EvidenceRef, ExampleWriter, type FileEntry } from './writer.js';

/** The machine-readable ground truth written to `examples/scenarios.json`. */
export interface ScenariosFile {
  generator: string;
  seed: string;
  timeRange: { start: string; end: string };
  accounts: { prod: string; dev: string };
  scenarios: (ScenarioDef & { evidence: EvidenceRef[] })[];
  /** Benign records that look suspicious (expected false-positive candidates). */
  benignLookalikes: readonly Lookalike[];
  badFiles: BadFile[];
  files: FileEntry[];
}

export interface Generated {
  /** Relative path (`/`-separated) → exact bytes. */
  files: Map<string, Buffer>;
  manifest: ScenariosFile;
}

/** Build every example file in memory. Pure: same output on every call. */
export function generateExamples(): Generated {
  const writer = new ExampleWriter();
  const ctx: Ctx = { writer, scenarios: new Scenarios(), shop: shopTraffic(), egress: [] };
  const s3 = s3Requests();
  const cdn = cdnTraffic();
  generateCloudTrail(ctx, s3);
  generateFlows(ctx);
  generateDns(ctx);
  generateElb(ctx);
  generateWaf(ctx, cdn);
  generateCloudFront(ctx, cdn);
  generateS3Access(ctx, s3);
  generateNetworkFirewall(ctx);
  generateExports(ctx);
  const firstTrailFile = writer.inventory.find((f) => f.type === 'cloudtrail' && f.gzip && f.records > 100);
  if (!firstTrailFile) throw new Error('no CloudTrail file to truncate');
  const badFiles = generateBad(ctx, firstTrailFile.path, writer.files.get(firstTrailFile.path)!);

  const inventory = [...writer.inventory].sort((a, b) => (a.path < b.path ? -1 : 1));
  const manifest: ScenariosFile = {
    generator: 'scripts/generate-examples.ts (npm run examples)',
    seed: BASE_SEED,
    timeRange: { start: isoSeconds(BASE_TIME), end: isoSeconds(END_TIME) },
    accounts: { prod: PROD, dev: DEV },
    scenarios: ctx.scenarios.defs.map((d) => ({ ...d, evidence: sortEvidence(writer.evidence.get(d.id) ?? []) })),
    benignLookalikes: BENIGN_LOOKALIKES,
    badFiles,
    files: inventory,
  };
  for (const s of manifest.scenarios) if (s.evidence.length === 0) throw new Error(`scenario ${s.id} has no records`);
  writer.doc('scenarios.json', `${JSON.stringify(manifest, null, 2)}\n`);
  writer.doc('README.md', renderReadme(manifest));
  generateConfigSnapshot(writer);
  generateCfnExamples(writer);
  generateDriftExample(writer);
  return { files: writer.files, manifest };
}

function sortEvidence(refs: EvidenceRef[]): EvidenceRef[] {
  return [...refs].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** Replace `outDir` with the generated files. */
export async function writeExamples(outDir: string, generated: Generated): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  const paths = [...generated.files.keys()].sort();
  for (const rel of paths) {
    const abs = join(outDir, ...rel.split('/'));
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, generated.files.get(rel)!);
  }
}
