import type { Command } from 'commander';
import { registerBus } from './bus.js';
import { registerConfig } from './config-command.js';
import { registerDemo } from './demo.js';
import { registerDetect } from './detect.js';
import { registerDrift } from './drift.js';
import { registerIac } from './iac.js';
import { registerKms } from './kms.js';
import { registerLogs } from './logs.js';
import { registerNetfw } from './netfw.js';
import { registerPosture } from './posture.js';
import { registerRespond } from './respond.js';
import { registerSecrets } from './secrets.js';
import { registerSigma } from './sigma.js';
import { registerTrail } from './trail.js';
import { registerWaf } from './waf.js';

/**
 * Every CLI command group registers itself here. A command module parses options, calls the library and formats
 * the result: no business logic in src/cli. Registration (`<group>.ts`: names, descriptions, options) imports only
 * commander; each action imports its implementation (`<group>-actions.ts`) when it runs, through lazyAction, so
 * start-up, `--help` and `--version` never load the libraries.
 */
export type Register = (program: Command) => void;

export const commands: Register[] = [
  registerDemo,
  registerLogs,
  registerDetect,
  registerPosture,
  registerIac,
  registerSecrets,
  registerSigma,
  registerBus,
  registerWaf,
  registerNetfw,
  registerKms,
  registerTrail,
  registerConfig,
  registerRespond,
  registerDrift,
];
