/** `vigil drift`: options → runDrift (src/drift) → table/JSON, optional bus publishing. Exit 0 / 1 (drift) / 2. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { driftJson, driftTable, publishDrift, runDrift } from '../../drift/index.js';
import { prepareBusTargets } from '../bus-targets.js';
import { writeOut } from '../stdout.js';

interface Opts {
  template?: string;
  parameters?: string[];
  parameter?: string[];
  snapshot?: string[];
  stackName?: string;
  endpointUrl?: string;
  region?: string;
  profile?: string;
  cloudtrail?: string[];
  ignore?: string;
  since?: string;
  format: string;
  busConfig?: string;
}

/** `vigil demo`: drift of the bundled example stack (examples/drift) with attribution. */
export async function writeDriftDemo(dir: string): Promise<void> {
  const files = ['stack.yaml', 'config-snapshot.json', 'cloudtrail.json'].map((f) => join(dir, f));
  const report = await runDrift({
    template: files[0],
    snapshot: [files[1]!],
    cloudtrail: [files[2]!],
    stackName: 'shop-edge',
    since: '2026-11-01T00:10:00Z',
  });
  await writeOut(
    `\nDrift of the example stack (\`vigil drift --template ${files[0]} --snapshot ${files[1]} --stack-name shop-edge --cloudtrail ${files[2]} --since 2026-11-01T00:10:00Z\`):\n\n`,
  );
  await writeOut(driftTable(report));
}

export const driftAction = async (o: Opts) => {
  if (o.format !== 'table' && o.format !== 'json')
    throw new UsageError(`--format must be table or json, got "${o.format}"`);
  const report = await runDrift({
    template: o.template,
    parameterFiles: o.parameters,
    parameters: o.parameter,
    snapshot: o.snapshot,
    stackName: o.stackName,
    endpoint: o.endpointUrl,
    region: o.region,
    profile: o.profile,
    cloudtrail: o.cloudtrail,
    ignore: o.ignore,
    since: o.since,
  });
  await writeOut(o.format === 'json' ? driftJson(report) : driftTable(report));
  if (o.busConfig) {
    let text: string;
    try {
      text = readFileSync(o.busConfig, 'utf8');
    } catch (e) {
      throw new UsageError(`--bus-config: cannot read ${o.busConfig}: ${(e as NodeJS.ErrnoException).code}`);
    }
    await prepareBusTargets();
    const p = await publishDrift(report, { text, file: o.busConfig });
    for (const i of p.issues) process.stderr.write(`vigil drift: bus config: ${i}\n`);
    for (const f of p.failures.slice(0, 20)) process.stderr.write(`vigil drift: delivery failed: ${f}\n`);
    process.stderr.write(
      `vigil drift: published ${p.events} events: ${p.routed} deliveries, ${p.delivered} delivered, ` +
        `${p.deadLettered} dead-lettered, ${p.dropped} dropped, ${p.pending} pending\n`,
    );
  }
  if (report.StackDriftStatus === 'DRIFTED' || report.unmanaged.length > 0) process.exitCode = 1;
};
