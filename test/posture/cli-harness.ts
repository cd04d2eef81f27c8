import { Command, CommanderError } from 'commander';
import { vi } from 'vitest';
import { registerPosture } from '../../src/cli/commands/posture.js';
import { VigilError } from '../../src/core/errors.js';

export /** In-process run of the posture commands, mirroring src/cli/main.ts's error handling. */
async function vigil(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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
  const program = new Command('vigil').exitOverride();
  registerPosture(program);
  let code: number;
  try {
    await program.parseAsync(['node', 'vigil', ...args]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof VigilError) {
      stderr += `vigil: ${err.message}\n`;
      code = err.exitCode;
    } else if (err instanceof CommanderError) code = err.exitCode === 0 ? 0 : 2;
    else throw err;
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}
