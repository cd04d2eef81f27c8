import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerKms } from '../../src/cli/commands/kms.js';
import { ACCOUNT, CREDS, REGION } from './server-helpers.js';

const ENTRY = resolve(import.meta.dirname, 'fixtures/cli-entry.ts');
const dir = mkdtempSync(join(tmpdir(), 'vigil-kms-cli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

const CREDENTIALS = join(dir, 'credentials.yaml');
writeFileSync(
  CREDENTIALS,
  [
    'credentials:',
    `  - accessKeyId: ${CREDS.admin.accessKeyId}`,
    `    secretAccessKey: ${CREDS.admin.secretAccessKey}`,
    `    principal: arn:aws:iam::${ACCOUNT}:root`,
  ].join('\n'),
);

/** A local-kms seed file (its documented layout), one symmetric key with two backing keys and an alias. */
const SEED = join(dir, 'seed.yaml');
const SEED_KEY = 'bc436485-5092-42b8-92a3-0aa8b93536dc';
writeFileSync(
  SEED,
  `Keys:
  Symmetric:
    Aes:
      - Metadata:
          KeyId: ${SEED_KEY}
          Description: seeded key
        BackingKeys:
          - 5cdaead27fe7da2de47945d73cd6d79e36494e73802f3cd3869f1d2cb0b5d7a9
          - c1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90
Aliases:
  - AliasName: alias/seeded
    TargetKeyId: ${SEED_KEY}
`,
);

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function cli(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

function serve(args: string[]): Promise<Served> {
  const child = cli(['kms', 'serve', '--port', '0', ...args]);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolvePromise, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d;
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) resolvePromise({ child, url: m[1]!, stderr: () => stderr, exited });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
}

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = cli(args, env);
  child.stdin!.end();
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d;
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d;
  });
  return new Promise((r) => child.on('close', (code) => r({ code: code ?? -1, stdout, stderr })));
}

const client = (url: string) =>
  new KMSClient({ endpoint: url, region: REGION, credentials: CREDS.admin, maxAttempts: 1 });

describe('vigil kms serve / audit / encrypt-file / decrypt-file', () => {
  const state = join(dir, 'kms.db');
  const auditDir = join(dir, 'trail');

  it('serves a seeded, persistent, SigV4-verified KMS; SIGTERM flushes the CloudTrail files', async () => {
    const s = await serve(['--state', state, '--credentials', CREDENTIALS, '--seed', SEED, '--audit-dir', auditDir]);
    expect(s.stderr()).toContain('seed ');
    const kms = client(s.url);
    const aliases = await kms.send(new ListAliasesCommand({}));
    expect(aliases.Aliases?.map((a) => [a.AliasName, a.TargetKeyId])).toEqual([['alias/seeded', SEED_KEY]]);
    const enc = await kms.send(new EncryptCommand({ KeyId: 'alias/seeded', Plaintext: Buffer.from('seeded') }));
    expect(enc.KeyId).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:key/${SEED_KEY}`);
    expect(
      Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext!).toString(),
    ).toBe('seeded');
    kms.destroy();
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.stderr()).toMatch(/created root key .*kms\.db\.root-key \(mode 600\)/);
    expect(s.stderr()).toContain('SigV4 verified (1 access keys)');
    const day = join(auditDir, 'AWSLogs', ACCOUNT, 'CloudTrail', REGION);
    const files = readdirSync(day, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.json.gz'));
    const records = files.flatMap((f) => JSON.parse(gunzipSync(readFileSync(join(day, f))).toString()).Records);
    expect(records.map((r: { eventName: string }) => r.eventName)).toEqual(['ListAliases', 'Encrypt', 'Decrypt']);
  });

  it('vigil kms audit prints the trail as a table, JSON lines or a CloudTrail document', async () => {
    const table = await run(['kms', 'audit', '--state', state]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Encrypt\s+arn:aws:iam::111122223333:root\s+key\/bc436485/);
    const jsonl = await run(['kms', 'audit', '--state', state, '--format', 'jsonl', '--event-name', 'Decrypt']);
    const lines = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      eventSource: 'kms.amazonaws.com',
      eventName: 'Decrypt',
      requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
    });
    const missing = await run(['kms', 'audit', '--state', join(dir, 'nope.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^vigil: .*nope\.db: cannot open KMS state/);
  });

  it('survives SIGKILL under concurrent CreateKey/Encrypt load: every acknowledged key and ciphertext is intact', async () => {
    const crashState = join(dir, 'crash.db');
    const s = await serve(['--state', crashState, '--credentials', CREDENTIALS]);
    const kms = client(s.url);
    const keys: string[] = [];
    const ciphertexts: { blob: Uint8Array; plain: string }[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          if (i % 4 === 0) {
            keys.push((await kms.send(new CreateKeyCommand({ Description: `w${w}-${i}` }))).KeyMetadata!.KeyId!);
          } else if (keys.length) {
            const plain = `w${w}-${i}`;
            const out = await kms.send(
              new EncryptCommand({ KeyId: keys[i % keys.length], Plaintext: Buffer.from(plain) }),
            );
            ciphertexts.push({ blob: out.CiphertextBlob!, plain });
          }
        } catch {
          return; // the server died mid-request: that request was never acknowledged
        }
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    await new Promise((r) => setTimeout(r, 1500));
    s.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    kms.destroy();
    expect(keys.length).toBeGreaterThan(5);
    expect(ciphertexts.length).toBeGreaterThan(10);

    const again = await serve(['--state', crashState, '--credentials', CREDENTIALS]);
    const kms2 = client(again.url);
    const { Keys } = await kms2.send(new (await import('@aws-sdk/client-kms')).ListKeysCommand({ Limit: 1000 }));
    const present = new Set(Keys!.map((k) => k.KeyId));
    expect(keys.filter((k) => !present.has(k))).toEqual([]);
    for (const c of ciphertexts) {
      const out = await kms2.send(new DecryptCommand({ CiphertextBlob: c.blob }));
      expect(Buffer.from(out.Plaintext!).toString()).toBe(c.plain);
    }
    kms2.destroy();
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('encrypt-file / decrypt-file produce AWS Encryption SDK messages through the local KMS', async () => {
    const s = await serve(['--credentials', CREDENTIALS]);
    const kms = client(s.url);
    const arn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    kms.destroy();
    const env = {
      AWS_ACCESS_KEY_ID: CREDS.admin.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDS.admin.secretAccessKey,
      AWS_REGION: REGION,
    };
    const plain = join(dir, 'report.txt');
    writeFileSync(plain, 'quarterly numbers\n'.repeat(1000));
    const enc = await run(
      [
        'kms',
        'encrypt-file',
        plain,
        '-o',
        `${plain}.enc`,
        '--key-id',
        arn,
        '--context',
        'dept=finance',
        '--endpoint-url',
        s.url,
      ],
      env,
    );
    expect(enc.stderr).toBe('');
    expect(enc.code).toBe(0);
    const message = readFileSync(`${plain}.enc`);
    expect(message[0]).toBe(0x02); // Encryption SDK message format version 2 (key commitment)
    const dec = await run(
      [
        'kms',
        'decrypt-file',
        `${plain}.enc`,
        '-o',
        `${plain}.out`,
        '--key-id',
        arn,
        '--context',
        'dept=finance',
        '--endpoint-url',
        s.url,
      ],
      env,
    );
    expect(dec.code).toBe(0);
    expect(readFileSync(`${plain}.out`, 'utf8')).toBe(readFileSync(plain, 'utf8'));
    const wrong = await run(
      [
        'kms',
        'decrypt-file',
        `${plain}.enc`,
        '-o',
        `${plain}.bad`,
        '--key-id',
        arn,
        '--context',
        'dept=hr',
        '--endpoint-url',
        s.url,
      ],
      env,
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('encryption context dept=finance does not match --context dept=hr');
    expect(existsSync(`${plain}.bad`)).toBe(false);
    s.child.kill('SIGTERM');
    await s.exited;
  });
});

describe('vigil kms usage errors (in process)', () => {
  const parse = async (args: string[]) => {
    const program = new Command('vigil').exitOverride();
    registerKms(program);
    try {
      await program.parseAsync(['node', 'vigil', ...args]);
      return 'ok';
    } catch (err) {
      return (err as Error).message;
    }
  };

  it('refuses dev mode on a public address, bad account IDs and unreadable credentials, naming the problem', async () => {
    expect(await parse(['kms', 'serve', '--host', '0.0.0.0'])).toContain(
      'refusing to serve without --credentials on 0.0.0.0',
    );
    expect(await parse(['kms', 'serve', '--account-id', '42'])).toBe('--account-id must be 12 digits, got "42"');
    const bad = join(dir, 'bad-creds.yaml');
    writeFileSync(bad, 'credentials:\n  - accessKeyId: AKIAX\n');
    expect(await parse(['kms', 'serve', '--credentials', bad])).toBe(
      `${bad}: credentials[0]: secretAccessKey must be a string of at least 8 characters`,
    );
    expect(await parse(['kms', 'encrypt-file', 'x', '-o', 'y', '--key-id', 'alias/foo'])).toContain(
      '--key-id must be a KMS key or alias ARN',
    );
  });
});
