import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EventBridgeClient, ListRulesCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, describe, expect, it } from 'vitest';
import { ACCOUNT, CREDS, REGION, recordedException, waitForLines } from './harness.js';

const ENTRY = resolve(import.meta.dirname, 'fixtures/cli-entry.ts');
const dir = mkdtempSync(join(tmpdir(), 'vigil-bus-cli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function start(args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  children.push(child);
  return child;
}

function run(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = start(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

const EVENT = JSON.stringify({
  id: '1',
  source: 'aws.guardduty',
  'detail-type': 'GuardDuty Finding',
  account: ACCOUNT,
  time: '2026-11-29T00:00:00Z',
  region: REGION,
  resources: [],
  detail: { severity: 8 },
});

describe('vigil bus test-pattern', () => {
  it('prints true/false with exit 0; reads @file; --explain says why', async () => {
    const patternFile = join(dir, 'pattern.json');
    writeFileSync(patternFile, '{"detail": {"severity": [{"numeric": [">=", 7]}]}}');
    const yes = await run(['bus', 'test-pattern', '--pattern', `@${patternFile}`, '--event', EVENT, '--explain']);
    expect(yes.code).toBe(0);
    const [first, ...rest] = yes.stdout.split('\n');
    expect(first).toBe('true');
    expect(JSON.parse(rest.join('\n'))).toMatchObject({ matched: true });
    const no = await run(['bus', 'test-pattern', '--pattern', '{"source": ["aws.ec2"]}', '--event', EVENT]);
    expect(no).toMatchObject({ code: 0, stdout: 'false\n' });
  });

  it('an invalid pattern gives the AWS-recorded message and exit 2', async () => {
    const recorded = recordedException('int_nolist_EXC');
    const bad = await run(['bus', 'test-pattern', '--pattern', '{"int": 42}', '--event', EVENT]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(`vigil: ${recorded.Code}: ${recorded.MessageRaw}\n`);
    const missing = await run(['bus', 'test-pattern', '--pattern', '@/nonexistent/p.json', '--event', EVENT]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^vigil: --pattern \/nonexistent\/p\.json: cannot read: ENOENT/);
  });
});

describe('vigil bus serve', () => {
  async function serve(state: string, extra: string[] = []): Promise<{ child: ChildProcess; url: string }> {
    const child = start([
      'bus',
      'serve',
      '--port',
      '0',
      '--state',
      state,
      '--credentials',
      creds,
      '--account-id',
      ACCOUNT,
      ...extra,
    ]);
    const url = await new Promise<string>((ok, fail) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d;
        const m = /listening on (\S+)/.exec(out);
        if (m) ok(m[1]!);
      });
      child.on('close', (code) => fail(new Error(`serve exited ${code}`)));
    });
    return { child, url };
  }
  const creds = join(dir, 'credentials.yaml');
  writeFileSync(
    creds,
    `credentials:\n  - accessKeyId: ${CREDS.accessKeyId}\n    secretAccessKey: ${CREDS.secretAccessKey}\n`,
  );

  it('serves the API with SigV4 and keeps rules in --state across restarts', async () => {
    const state = join(dir, 'bus.db');
    const a = await serve(state);
    const client = new EventBridgeClient({ region: REGION, endpoint: a.url, credentials: CREDS, maxAttempts: 1 });
    const put = await client.send(new PutRuleCommand({ Name: 'persisted', EventPattern: '{"source": ["x"]}' }));
    expect(put.RuleArn).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:rule/persisted`);
    client.destroy();
    const exited = new Promise((r) => a.child.on('close', r));
    a.child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const b = await serve(state);
    const again = new EventBridgeClient({ region: REGION, endpoint: b.url, credentials: CREDS, maxAttempts: 1 });
    expect((await again.send(new ListRulesCommand({}))).Rules?.map((r) => r.Name)).toEqual(['persisted']);
    again.destroy();
    b.child.kill('SIGTERM');
  });

  it('loads rules from --rules YAML; vigil bus put-events delivers through them', async () => {
    const out = join(dir, 'from-rules.jsonl');
    const rules = join(dir, 'vigil.yaml');
    writeFileSync(
      rules,
      [
        'bus:',
        '  rules:',
        '    - Name: high',
        '      EventPattern: { detail: { severity: [{ numeric: [">=", 7] }] } }',
        `      Targets: [{ Id: f, Arn: "file://${out}", InputPath: "$.detail" }]`,
        '    - Name: bad',
        '      EventPattern: { a: 1 }',
      ].join('\n'),
    );
    const s = await serve(join(dir, 'rules.db'), ['--rules', rules]);
    let stderr = '';
    s.child.stderr?.on('data', (d: Buffer) => {
      stderr += d;
    });
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
      AWS_REGION: REGION,
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    };
    const sent = await run(
      [
        'bus',
        'put-events',
        '--endpoint-url',
        s.url,
        '--source',
        'vigil.test',
        '--detail-type',
        'Finding',
        '--detail',
        '{"severity": 9}',
      ],
      env,
    );
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    expect(await waitForLines(out, 1)).toEqual([{ severity: 9 }]);
    const failed = await run(
      [
        'bus',
        'put-events',
        '--endpoint-url',
        s.url,
        '--entries',
        '[{"Source": "s", "DetailType": "d", "Detail": "[1]"}]',
      ],
      env,
    );
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout).Entries).toEqual([
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
    ]);
    expect(stderr).toContain(
      `${rules}:6: bus.rules[1] rule bad: Event pattern is not valid. Reason: "a" must be an object or an array`,
    );
    expect(stderr).toContain('0 buses, 1 rules, 1 targets loaded, 1 rejected');
    s.child.kill('SIGTERM');
  });
});
