/** A `vigil` with only the trail commands, for tests that need a separate process (serve-keys). */
import { Command } from 'commander';
import { registerTrail } from '../../src/cli/commands/trail.js';
import { VigilError } from '../../src/core/errors.js';

const program = new Command('vigil').exitOverride();
registerTrail(program);
program.parseAsync(process.argv).then(
  () => {
    process.exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
  },
  (e: unknown) => {
    process.stderr.write(`vigil: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = e instanceof VigilError ? e.exitCode : 2;
  },
);
