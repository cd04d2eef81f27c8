/**
 * `npm run bench`: prints one JSON object. Every figure is paired with a baseline measured in the same run on the
 * same bytes (plain JSON.parse, plain split, plain sha256, a reference matcher), so ratios stay meaningful on noisy or
 * slower machines.
 * Environment: BENCH_STREAM_MB (default 2048; 0 skips the large streaming run), BENCH_ONLY (comma list of sections:
 * ingest, detect, sigma, bus, trail, posture, iac).
 */
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { measureSigmaThroughput } from '../src/sigma/measure.js';
import { benchBus } from './bus.js';
import { benchDetect } from './detect.js';
import { benchIac } from './iac.js';
import { benchIngest } from './ingest.js';
import { benchKms } from './kms.js';
import { benchNetfw } from './netfw.js';
import { benchPosture } from './posture.js';
import { benchStartup } from './startup.js';
import { benchTrail } from './trail.js';
import { benchWaf } from './waf.js';

const CORPORA = resolve(import.meta.dirname, '../../shared/corpora');
const only = process.env.BENCH_ONLY?.split(',');
const want = (name: string) => !only || only.includes(name);
const result: Record<string, unknown> = {
  machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model },
  startedAt: new Date().toISOString(),
};
if (want('ingest')) result.ingest = await benchIngest({ streamMB: Number(process.env.BENCH_STREAM_MB ?? 2048) });
if (want('detect')) result.detect = await benchDetect();
if (want('sigma')) {
  const stratus = join(CORPORA, 'cloudtrail/stratus');
  result.sigma = measureSigmaThroughput({
    rulesDir: join(CORPORA, 'sigma/rules-aws'),
    cloudtrailFiles: [
      ...readdirSync(stratus)
        .filter((f) => f.endsWith('.json'))
        .map((f) => join(stratus, f)),
      join(CORPORA, 'cloudtrail/otrf/ec2_proxy_s3_exfiltration_2020-09-14011940.json'),
    ],
  });
}
if (want('bus')) result.bus = await benchBus({ scalingRuleCounts: [10, 100, 1000, 10000] });
if (want('trail')) result.trail = await benchTrail();
if (want('netfw')) result.netfw = benchNetfw();
if (want('posture')) result.posture = await benchPosture();
if (want('iac')) result.iac = await benchIac();
if (want('waf')) result.waf = await benchWaf();
if (want('kms')) result.kms = await benchKms();
if (want('startup')) result.startup = await benchStartup();
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
