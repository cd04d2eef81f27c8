import { writeFileSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import { writeOut } from './stdout.js';

/** `--output FILE` (`-` or none: stdout); an unwritable file is a usage error naming it. */
export async function writeOutput(text: string, output: string | undefined): Promise<void> {
  if (output === undefined || output === '-') {
    await writeOut(text);
    return;
  }
  try {
    writeFileSync(output, text);
  } catch (e) {
    throw new UsageError(`--output: cannot write ${output}: ${(e as Error).message}`);
  }
}
