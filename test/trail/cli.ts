/** Run `vigil trail …` in-process (the lead wires registerTrail into the main CLI; tests build their own program). */
import { Command, CommanderError } from 'commander';
import { registerTrail } from '../../src/cli/commands/trail.js';
import { describeError, VigilError } from '../../src/core/errors.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `args` are what follows `vigil trail`. */
export async function runTrailCli(args: string[]): Promise<CliRun> {
  const program = new Command('vigil').exitOverride().configureOutput({
    writeOut: (s) => void process.stdout.write(s),
    writeErr: (s) => void process.stderr.write(s),
  });
  registerTrail(program);
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  process.exitCode = undefined;
  let code: number;
  try {
    await program.parseAsync(['trail', ...args], { from: 'user' });
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    // As src/cli/main.ts: commander errors exit 2, VigilErrors print one line with their exit code.
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 2;
    else if (e instanceof VigilError) {
      stderr += `vigil: ${e.message}\n`;
      code = e.exitCode;
    } else {
      stderr += `vigil: ${describeError(e)}\n`;
      code = 2;
    }
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}
