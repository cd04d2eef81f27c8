import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';

const actions = () => import('./secrets-actions.js');

export function registerSecrets(program: Command): void {
  const s = program.command('secrets').description('find credentials written in source files');
  s.command('scan')
    .description(
      'scan files and directories for credentials (known key formats + high-entropy secret assignments); values are masked; exit 1 when any is found',
    )
    .argument('<paths...>', 'files or directories')
    .option('-f, --format <format>', 'table|json|sarif', 'table')
    .option(
      '--allow <regex>',
      'allowlist regex matched against the secret or its line (repeatable; also .vigil-secrets-allow files)',
      (v: string, p: string[] = []) => [...p, v],
    )
    .option('--show-allowlisted', 'list allowlisted matches too')
    .option('-o, --output <file>', 'write the report here (- = stdout)')
    .action(lazyAction(actions, 'scan'));
}
