import { Command, CommanderError } from 'commander';
import { describeError, VigilError } from '../core/errors.js';
import { commands } from './commands/index.js';
import { VERSION } from './version.js';
// Installs the quiet-EPIPE handler before commander writes anything (`vigil --help | head -1`).
import './stdout.js';

/** Build the `vigil` program (exported for in-process tests). */
export function buildProgram(): Command {
  const program = new Command('vigil')
    .description('Vigil: self-hosted AWS security operations on native AWS logs, configuration and templates')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Run the CLI: user errors print one clear line and exit 2; never a stack trace unless VIGIL_DEBUG is set. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof VigilError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`vigil: ${describeError(err)}\n`);
    if (process.env.VIGIL_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    return 2;
  }
}
