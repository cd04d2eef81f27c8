/**
 * Quick HTTP throughput check of the KMS server (not a test; run by hand):
 *
 *   node --import tsx test/kms/bench-kms.ts [seconds-per-op=3] [concurrency=16]
 *
 * Starts `vigil kms serve` in its own process (SigV4 verified, in memory and with a state file), and moto_server's
 * KMS when it is installed, then drives Encrypt, Decrypt and GenerateDataKey with SigV4-signed requests over
 * keep-alive HTTP from this process. Prints JSON: requests/s, p50 and p99 latency per operation and target.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { hasCommand } from '../helpers/integration.js';
import { startMoto } from '../helpers/moto.js';

const SECONDS = Number(process.argv[2] ?? 3);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const CREDS = { accessKeyId: 'AKIABENCHMARK', secretAccessKey: 'bench-secret-access-key' };
const dir = mkdtempSync(join(tmpdir(), 'vigil-kms-bench-'));
const credFile = join(dir, 'creds.yaml');
writeFileSync(
  credFile,
  `credentials:\n  - accessKeyId: ${CREDS.accessKeyId}\n    secretAccessKey: ${CREDS.secretAccessKey}\n`,
);

const signer = new SignatureV4({
  service: 'kms',
  region: 'us-east-1',
  credentials: CREDS,
  sha256: class {
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
  } as never,
});
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

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
  return new Promise((resolvePromise, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, method: 'POST', path: '/', headers: signed.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) reject(new Error(`${op} ${res.statusCode}: ${text}`));
          else resolvePromise(JSON.parse(text));
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function measure(url: URL, op: string, body: () => unknown, seconds = SECONDS) {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      await call(url, op, body());
      latencies.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    Number(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(2));
  return {
    requestsPerSecond: Math.round(latencies.length / elapsed),
    p50ms: pct(0.5),
    p99ms: pct(0.99),
    requests: latencies.length,
  };
}

async function suite(url: URL) {
  const key = (await call(url, 'CreateKey', {})) as { KeyMetadata: { KeyId: string } };
  const keyId = key.KeyMetadata.KeyId;
  const plaintext = Buffer.alloc(256, 7).toString('base64');
  const enc = (await call(url, 'Encrypt', {
    KeyId: keyId,
    Plaintext: plaintext,
    EncryptionContext: { bench: 'yes' },
  })) as {
    CiphertextBlob: string;
  };
  // Warm up (JIT, connections) before measuring.
  await measure(url, 'Encrypt', () => ({ KeyId: keyId, Plaintext: plaintext }), 2);
  return {
    Encrypt: await measure(url, 'Encrypt', () => ({
      KeyId: keyId,
      Plaintext: plaintext,
      EncryptionContext: { bench: 'yes' },
    })),
    Decrypt: await measure(url, 'Decrypt', () => ({
      CiphertextBlob: enc.CiphertextBlob,
      EncryptionContext: { bench: 'yes' },
    })),
    GenerateDataKey: await measure(url, 'GenerateDataKey', () => ({ KeyId: keyId, KeySpec: 'AES_256' })),
  };
}

function serveVigil(args: string[]): Promise<{ url: URL; child: ChildProcess }> {
  const entry = resolve(import.meta.dirname, 'fixtures/cli-entry.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', entry, 'kms', 'serve', '--port', '0', '--credentials', credFile, ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((r, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) r({ url: new URL(m[1]!), child });
    });
    child.on('exit', (code) => reject(new Error(`vigil kms serve exited ${code}`)));
  });
}

const results: Record<string, unknown> = { seconds: SECONDS, concurrency: CONCURRENCY, node: process.version };
for (const [name, args] of [
  ['vigil (in memory)', []],
  ['vigil (--state, WAL)', ['--state', join(dir, 'bench.db')]],
] as const) {
  const { url, child } = await serveVigil([...args]);
  results[name] = await suite(url);
  child.kill('SIGTERM');
}
if (hasCommand('moto_server', ['--help'])) {
  const moto = await startMoto();
  results.moto_server = await suite(new URL(moto.endpoint));
  await moto.stop();
} else {
  results.moto_server = 'not installed';
}
agent.destroy();
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
