/** `vigil drift`: options → runDrift (src/drift) → table/JSON, optional bus publishing. Exit 0 / 1 (drift) / 2. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { driftJson, driftTable, publishDrift, runDrift } from '../../drift/index.js';
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

const collectList = (v: string, prev: string[] = []) => [...prev, v];

export function registerDrift(program: Command): void {
  program
    .command('drift')
    .description(
      'CloudFormation drift (DescribeStackResourceDrifts format), unmanaged resources, and who caused each change',
    )
    .option('--template <file>', 'template (expected state); default with --stack-name: the deployed template')
    .option('--parameters <file>', 'parameters file (CloudFormation or CLI format), repeatable', collectList)
    .option('--parameter <K=V>', 'parameter override, repeatable', collectList)
    .option('--snapshot <files...>', 'actual state: AWS Config snapshot(s) or vigil collect output')
    .option(
      '--stack-name <name>',
      'deployed stack (template, physical ids, live state); with --template and --snapshot: the stack-name tag to match',
    )
    .option('--endpoint-url <url>', 'AWS endpoint (moto_server, LocalStack)')
    .option('--region <region>', 'AWS region', 'us-east-1')
    .option('--profile <name>', 'AWS named profile')
    .option('--cloudtrail <inputs...>', 'CloudTrail logs (files, dirs, s3://) for attribution')
    .option(
      '--since <time>',
      'attribute CloudTrail events from this ISO time (default with a live stack: its last update)',
    )
    .option('--ignore <file>', 'ignore file for unmanaged resources (see docs/drift.md)')
    .option('--format <format>', 'table | json', 'table')
    .option('--bus-config <file>', 'publish each drift as an event on the bus configured in this file')
    .action(async (o: Opts) => {
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
        const p = await publishDrift(report, { text, file: o.busConfig });
        for (const i of p.issues) process.stderr.write(`vigil drift: bus config: ${i}\n`);
        process.stderr.write(
          `vigil drift: published ${p.events} events: ${p.routed} deliveries, ${p.delivered} delivered` +
            `${p.failed.length ? `, failed: ${p.failed.join('; ')}` : ''}\n`,
        );
      }
      if (report.StackDriftStatus === 'DRIFTED' || report.unmanaged.length > 0) process.exitCode = 1;
    });
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
