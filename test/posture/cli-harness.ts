import { registerPosture } from '../../src/cli/commands/posture.js';
import type { CliResult } from '../helpers/cli.js';
import { vigilWith } from '../helpers/cli-inprocess.js';

/** In-process run of the posture commands, mirroring src/cli/main.ts's error handling. */
export const vigil = (args: string[]): Promise<CliResult> => vigilWith(registerPosture, args);
