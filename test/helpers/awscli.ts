import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { integrationAvailable } from './integration.js';

/**
 * The real AWS CLIs against Vigil's servers. The machine has two: awscli v1 (`aws` on PATH, botocore) and AWS CLI v2
 * (Debian's `/usr/bin/aws`), which differ in defaults (pager, timestamp output, binary parameters, retry mode), so
 * the CLI tests run once per version. Each version skips loudly when missing and fails under
 * VIGIL_REQUIRE_INTEGRATION=1 (see integration.ts).
 */

export interface AwsCli {
  /** `v1` or `v2`. */
  label: string;
  command: string;
  /** `aws --version` output, e.g. `aws-cli/2.9.19 Python/3.11.2 …`. */
  version: string;
}

const CANDIDATES = ['aws', '/usr/bin/aws', '/usr/local/bin/aws'];

function probe(command: string): string | undefined {
  const r = spawnSync(command, ['--version'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, AWS_PAGER: '' },
  });
  if (r.status !== 0) return undefined;
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  return /^aws-cli\/\d/.test(text) ? text : undefined;
}

let found: Map<string, AwsCli> | undefined;

/** The installed CLI of each major version (first match in CANDIDATES order). */
function installed(): Map<string, AwsCli> {
  if (found) return found;
  found = new Map();
  for (const command of CANDIDATES) {
    const version = probe(command);
    const major = version ? /^aws-cli\/(\d+)/.exec(version)?.[1] : undefined;
    if (version && major && !found.has(`v${major}`)) found.set(`v${major}`, { label: `v${major}`, command, version });
  }
  return found;
}

/**
 * Both CLI versions as test cases: `{ label, cli, available }`. A missing version is reported by integrationAvailable
 * (warning, or an error under VIGIL_REQUIRE_INTEGRATION=1) so that `describe.skipIf(!available)` skips it loudly.
 */
export function awsCliCases(): { label: string; cli: AwsCli | undefined; available: boolean }[] {
  const clis = installed();
  return ['v1', 'v2'].map((label) => {
    const cli = clis.get(label);
    const where = label === 'v1' ? '`aws` on PATH' : '/usr/bin/aws';
    return { label, cli, available: integrationAvailable(`AWS CLI ${label} (${where})`, cli !== undefined) };
  });
}

export interface AwsRunOptions {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  /** An empty HOME so that no profile, config or cache of the machine is used. */
  home: string;
}

export interface AwsRunResult {
  code: number;
  stdout: string;
  /**
   * stderr without v2's " (reached max retries: 0)": with AWS_MAX_ATTEMPTS=1, v2's standard retry mode appends it to
   * every error message, whatever the server answered, so it says nothing about the server.
   */
  stderr: string;
  rawStderr: string;
}

/** Run `aws <service> <args…> --endpoint-url … --output json` in a clean environment. */
export function runAws(cli: AwsCli, service: string, args: string[], o: AwsRunOptions): Promise<AwsRunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cli.command, [service, ...args, '--endpoint-url', o.endpoint, '--output', 'json'], {
      env: {
        PATH: process.env.PATH,
        HOME: o.home,
        AWS_ACCESS_KEY_ID: o.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: o.credentials.secretAccessKey,
        AWS_DEFAULT_REGION: o.region,
        AWS_CONFIG_FILE: join(o.home, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(o.home, 'none'),
        AWS_MAX_ATTEMPTS: '1',
        // v2 pipes output through `less` unless told not to.
        AWS_PAGER: '',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout, stderr: stderr.replace(' (reached max retries: 0)', ''), rawStderr: stderr }),
    );
  });
}

/** Run and parse the JSON output; throws with the CLI's stderr when it fails. */
export async function runAwsOk(
  cli: AwsCli,
  service: string,
  args: string[],
  o: AwsRunOptions,
): Promise<Record<string, unknown>> {
  const r = await runAws(cli, service, args, o);
  if (r.code !== 0) throw new Error(`aws ${service} ${args.join(' ')} (${cli.label}) failed: ${r.stderr}`);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
}
