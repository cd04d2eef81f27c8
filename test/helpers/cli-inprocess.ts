/** In-process CLI runs for tests: stdout/stderr capture, exit code, the same error handling as src/cli/main.ts. */
import { Command, CommanderError } from 'commander';
import { vi } from 'vitest';
import { VigilError } from '../../src/core/errors.js';
import type { CliResult } from './cli.js';

/**
 * Runs `body` with process.stdout/stderr captured and process.exitCode reset before and after, so one test's exit
 * code never leaks into the next. `body` returns the exit code; it may append to stderr through `err`.
 */
export async function captureOutput(body: (err: (s: string) => void) => Promise<number>): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  process.exitCode = undefined;
  let code: number;
  try {
    code = await body((s) => {
      stderr += s;
    });
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}

/**
 * `vigil <args>` in a bare program holding only the groups `register` adds (registration in the command index belongs
 * to the CLI owner); a VigilError prints `vigil: <message>` and exits with its code, a usage error exits 2.
 */
export function vigilWith(register: (program: Command) => void, args: string[]): Promise<CliResult> {
  return captureOutput(async (err) => {
    const program = new Command('vigil').exitOverride();
    register(program);
    try {
      await program.parseAsync(['node', 'vigil', ...args]);
      return typeof process.exitCode === 'number' ? process.exitCode : 0;
    } catch (e) {
      if (e instanceof VigilError) {
        err(`vigil: ${e.message}\n`);
        return e.exitCode;
      }
      if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
      throw e;
    }
  });
}
