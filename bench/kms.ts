import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SignatureV4 } from '@smithy/signature-v4';
import { round } from './util.js';

/**
 * The kms section of `npm run bench` (issue 9 §6): Encrypt, Decrypt and GenerateDataKey requests/s over HTTP with
 * SigV4, Vigil's `vigil kms serve` against moto_server's KMS on the same machine in the same run.
 *
 * Fairness: both servers are separate processes driven by the SAME client in this process — keep-alive HTTP, every
 * request signed with @smithy/signature-v4 (the signer inside @aws-sdk/client-kms) over node:crypto, the same
 * bodies, the same concurrency. The full SDK client is not used because its per-request middleware cost would share
 * the 2 cores with the server under test and cap both figures. Vigil runs as a user would run it: SigV4 verified
 * against a credentials file, state in SQLite (WAL), every call's CloudTrail record committed before the answer.
 * Rounds alternate Vigil / moto per operation so background load hits both alike; each target's server CPU time
 * (utime+stime from /proc/<pid>/stat) is reported beside wall time, as requests per server-CPU-second.
 *
 * Environment: BENCH_KMS_SECONDS (per round, default 2), BENCH_KMS_ROUNDS (default 3), BENCH_KMS_CONCURRENCY
 * (default 16).
 */

const SECONDS = Number(process.env.BENCH_KMS_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_KMS_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_KMS_CONCURRENCY ?? 16);
const OPS = ['Encrypt', 'Decrypt', 'GenerateDataKey'] as const;
type Op = (typeof OPS)[number];
const CREDS = { accessKeyId: 'AKIABENCHMARKKMS0001', secretAccessKey: 'bench-secret-access-key' };
const ROOT = resolve(import.meta.dirname, '..');

class NodeSha256 {
  private h: Hash | Hmac;
  constructor(secret?: Uint8Array | string) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(d: Uint8Array | string) {
    this.h.update(d);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

interface Target {
  name: string;
  entry?: string;
  url: URL;
  pid: number;
  child: ChildProcess;
}

interface Tally {
  requests: number;
  wallMs: number;
  serverCpuMs: number;
  clientCpuMs: number;
  latencies: number[];
  ratios: number[];
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => ok(port));
    });
  });
}

/** utime + stime of a process in ms (Linux); NaN elsewhere. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

function makeClient(concurrency: number) {
  const signer = new SignatureV4({
    service: 'kms',
    region: 'us-east-1',
    credentials: CREDS,
    sha256: NodeSha256 as never,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  async function call(url: URL, op: string, body: unknown): Promise<Record<string, unknown>> {
    const payload = JSON.stringify(body);
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `TrentService.${op}`,
      },
      body: payload,
    });
    return new Promise((ok, fail) => {
      const req = request(
        { agent, host: url.hostname, port: url.port, method: 'POST', path: '/', headers: signed.headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            if (res.statusCode !== 200) fail(new Error(`${op} ${res.statusCode}: ${text}`));
            else ok(JSON.parse(text));
          });
        },
      );
      req.on('error', fail);
      req.end(payload);
    });
  }
  return { call, close: () => agent.destroy() };
}

function waitForListening(child: ChildProcess, pattern: RegExp, what: string): Promise<URL> {
  return new Promise((ok, fail) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = pattern.exec(out);
      if (m) ok(new URL(m[1]!));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => fail(new Error(`${what} exited (${code}) before listening: ${out.slice(-500)}`)));
  });
}

async function startVigil(dir: string): Promise<Target> {
  const credFile = join(dir, 'creds.yaml');
  writeFileSync(
    credFile,
    `credentials:\n  - accessKeyId: ${CREDS.accessKeyId}\n    secretAccessKey: ${CREDS.secretAccessKey}\n`,
  );
  // The built CLI, as users run it (`npm run bench` builds first); the TypeScript sources through tsx otherwise.
  const built = join(ROOT, 'dist/cli/bin.js');
  const entry = existsSync(built) ? [built] : ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts')];
  const child = spawn(
    process.execPath,
    [
      ...entry,
      'kms',
      'serve',
      '--port',
      '0',
      '--credentials',
      credFile,
      '--state',
      join(dir, 'kms.db'),
      '--audit-dir',
      join(dir, 'audit'),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = await waitForListening(child, /listening on (http:\/\/\S+)/, 'vigil kms serve');
  return {
    name: 'vigil',
    url,
    pid: child.pid!,
    child,
    entry: existsSync(built) ? 'dist/cli/bin.js' : 'tsx src/cli/bin.ts',
  };
}

async function startMotoServer(): Promise<Target | string> {
  const port = await freePort();
  // moto_server is a pyenv shim that execs python: the spawned pid is the server's. Its output is ignored (an
  // unread pipe would fill with per-request log lines and stall it).
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const failed = await new Promise<string | undefined>((ok) => {
    child.once('error', (e) => ok(`moto_server not available: ${e.message}`));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    const poll = async () => {
      if (child.exitCode !== null) return ok(`moto_server exited (${child.exitCode})`);
      try {
        await fetch(`${url}/moto-api/`);
        return ok(undefined);
      } catch {
        if (Date.now() > deadline) return ok('moto_server did not start within 30 s');
        setTimeout(poll, 200);
      }
    };
    poll();
  });
  if (failed) {
    child.kill('SIGTERM');
    return failed;
  }
  return { name: 'moto', url: new URL(`http://127.0.0.1:${port}`), pid: child.pid!, child };
}

/** One timed round: CONCURRENCY workers issue `op` back to back for SECONDS. */
async function runRound(
  client: ReturnType<typeof makeClient>,
  t: Target,
  op: Op,
  body: () => unknown,
  seconds: number,
): Promise<{ requests: number; wallMs: number; serverCpuMs: number; clientCpuMs: number; latencies: number[] }> {
  const latencies: number[] = [];
  const cpu0 = cpuMs(t.pid);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const s = performance.now();
      await client.call(t.url, op, body());
      latencies.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(client0);
  return {
    requests: latencies.length,
    wallMs,
    serverCpuMs: cpuMs(t.pid) - cpu0,
    clientCpuMs: (c.user + c.system) / 1000,
    latencies,
  };
}

async function prepare(client: ReturnType<typeof makeClient>, t: Target) {
  const created = (await client.call(t.url, 'CreateKey', { Description: 'bench' })) as {
    KeyMetadata: { KeyId: string };
  };
  const keyId = created.KeyMetadata.KeyId;
  const plaintext = Buffer.alloc(256, 7).toString('base64');
  const context = { purpose: 'bench', tenant: 'acme' };
  const enc = (await client.call(t.url, 'Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: context }))
    .CiphertextBlob as string;
  const bodies: Record<Op, () => unknown> = {
    Encrypt: () => ({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: context }),
    Decrypt: () => ({ CiphertextBlob: enc, EncryptionContext: context }),
    GenerateDataKey: () => ({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }),
  };
  return bodies;
}

function summarise(t: Tally) {
  t.latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    t.latencies.length
      ? round(t.latencies[Math.min(t.latencies.length - 1, Math.floor(t.latencies.length * p))]!, 2)
      : 0;
  return {
    requestsPerSecond: Math.round((t.requests * 1000) / t.wallMs),
    p50ms: pct(0.5),
    p99ms: pct(0.99),
    requests: t.requests,
    serverCpuMsPerRequest: round(t.serverCpuMs / t.requests, 4),
    requestsPerServerCpuSecond: Math.round((t.requests * 1000) / t.serverCpuMs),
    clientCpuMsPerRequest: round(t.clientCpuMs / t.requests, 4),
  };
}

const empty = (): Tally => ({ requests: 0, wallMs: 0, serverCpuMs: 0, clientCpuMs: 0, latencies: [], ratios: [] });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchKms(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-kms-'));
  const client = makeClient(CONCURRENCY);
  const targets: Target[] = [];
  try {
    const vigil = await startVigil(dir);
    targets.push(vigil);
    const moto = await startMotoServer();
    if (typeof moto !== 'string') targets.push(moto);
    const bodies = new Map<Target, Record<Op, () => unknown>>();
    for (const t of targets) {
      bodies.set(t, await prepare(client, t));
      // Warm up: JIT, connection pool, SQLite page cache.
      for (const op of OPS) await runRound(client, t, op, bodies.get(t)![op], 0.5);
    }
    const tallies = new Map<string, Tally>();
    for (const op of OPS) {
      for (let r = 0; r < ROUNDS; r++) {
        const perRound: number[] = [];
        for (const t of targets) {
          const res = await runRound(client, t, op, bodies.get(t)![op], SECONDS);
          const key = `${t.name}/${op}`;
          const tally = tallies.get(key) ?? empty();
          tally.requests += res.requests;
          tally.wallMs += res.wallMs;
          tally.serverCpuMs += res.serverCpuMs;
          tally.clientCpuMs += res.clientCpuMs;
          for (const l of res.latencies) tally.latencies.push(l);
          tallies.set(key, tally);
          perRound.push(res.requests / res.wallMs);
        }
        if (perRound.length === 2) tallies.get(`vigil/${op}`)!.ratios.push(perRound[0]! / perRound[1]!);
      }
    }
    const result: Record<string, unknown> = {
      client:
        'one keep-alive HTTP client in the bench process, SigV4 via @smithy/signature-v4 (as in @aws-sdk/client-kms), same bodies for both servers',
      concurrency: CONCURRENCY,
      secondsPerRound: SECONDS,
      rounds: ROUNDS,
      vigil: `${vigil.entry} kms serve --credentials (SigV4 verified) --state (SQLite WAL) --audit-dir (CloudTrail files)`,
      moto: typeof moto === 'string' ? moto : 'moto_server (KMS)',
    };
    for (const op of OPS) {
      const v = summarise(tallies.get(`vigil/${op}`)!);
      const entry: Record<string, unknown> = { vigil: v };
      const mt = tallies.get(`moto/${op}`);
      if (mt) {
        const m = summarise(mt);
        entry.moto = m;
        entry.speedup = {
          requestsPerSecond: round(v.requestsPerSecond / m.requestsPerSecond, 1),
          medianOfRoundRatios: round(median(tallies.get(`vigil/${op}`)!.ratios), 1),
          perServerCpuSecond: round(v.requestsPerServerCpuSecond / m.requestsPerServerCpuSecond, 1),
        };
      }
      result[op] = entry;
    }
    return result;
  } finally {
    client.close();
    for (const t of targets) t.child.kill('SIGTERM');
    await Promise.all(
      targets.map((t) => (t.child.exitCode === null ? new Promise((r) => t.child.once('exit', r)) : undefined)),
    );
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run directly: `node --import tsx bench/kms.ts`.
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.dirname, 'kms.ts')) {
  process.stdout.write(`${JSON.stringify(await benchKms(), null, 2)}\n`);
}
