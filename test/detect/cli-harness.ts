/**
 * Runs `detect` in a bare program, as src/cli/main.ts does (registration in the command index belongs to the CLI
 * owner): lets the CLI tests exercise the real option parsing, output and exit codes from TypeScript sources.
 */
import { Command, CommanderError } from 'commander';
import { registerDetect } from '../../src/cli/commands/detect.js';
import { describeError, VigilError } from '../../src/core/errors.js';

const program = new Command('vigil').exitOverride();
registerDetect(program);
try {
  await program.parseAsync(process.argv);
  process.exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? 0 : 2;
  else if (err instanceof VigilError) {
    process.stderr.write(`vigil: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`vigil: ${describeError(err)}\n`);
    process.exitCode = 2;
  }
}
