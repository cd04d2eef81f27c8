import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const WORKER = join(import.meta.dirname, 'testing', 'crash-worker.ts');
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** Run the worker; resolves with its stdout when it exits (or is killed by `killWhen`). */
function run(
  args: string[],
  killWhen?: (stdout: string) => boolean,
): Promise<{ stdout: string; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const poll = killWhen
      ? setInterval(() => {
          if (killWhen(stdout)) child.kill('SIGKILL');
        }, 5)
      : undefined;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      if (code !== 0 && signal !== 'SIGKILL') reject(new Error(`worker failed (${code}): ${stderr}`));
      else resolve({ stdout, signal });
    });
  });
}

describe('at-least-once delivery across SIGKILL', () => {
  it('every accepted event is delivered after a kill during delivery and a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
    const db = join(dir, 'outbox.db');
    const out = join(dir, 'delivered.txt');
    const count = 60;
    // Kill once all events are accepted and some, but not all, have been delivered.
    const first = await run([db, out, 'put', String(count), '40'], (stdout) => {
      const accepted = stdout.split('\n').filter((l) => l.startsWith('ACCEPTED')).length;
      return accepted === count / 10 && lines(out).length >= 8;
    });
    expect(first.signal).toBe('SIGKILL');
    const accepted = first.stdout
      .split('\n')
      .filter((l) => l.startsWith('ACCEPTED '))
      .flatMap((l) => JSON.parse(l.slice(9)) as string[]);
    expect(accepted).toHaveLength(count);
    const beforeRestart = new Set(lines(out));
    expect(beforeRestart.size).toBeLessThan(count);

    const second = await run([db, out, 'resume', '0', '1']);
    expect(second.stdout).toContain('IDLE');
    const delivered = new Set(lines(out));
    for (const id of accepted) expect(delivered.has(id), id).toBe(true);
    expect(delivered.size).toBe(count);
  }, 60_000);
});
