import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';

/**
 * Registration of `vigil config`, apart from its implementation (config.ts, which needs the zod schema): start-up
 * loads only this.
 */
const actions = () => import('./config.js');

export function registerConfig(program: Command): void {
  const config = program.command('config').description('show, validate and create vigil.yaml');

  config
    .command('show')
    .description('print every effective setting and where it came from (cli, env:VAR, file:PATH, default)')
    .option('-c, --config <file>', 'config file (default: ./vigil.yaml)')
    .option('-f, --format <format>', 'table or json', 'table')
    .action(lazyAction(actions, 'showAction'));

  config
    .command('validate')
    .description('check a config file against the schema')
    .argument('[file]', 'config file', 'vigil.yaml')
    .action(lazyAction(actions, 'validateAction'));

  config
    .command('init')
    .description('write a commented vigil.yaml with the defaults')
    .argument('[file]', 'where to write', 'vigil.yaml')
    .option('--force', 'overwrite an existing file')
    .action(lazyAction(actions, 'initAction'));

  config
    .command('schema')
    .description('print the JSON Schema of vigil.yaml')
    .action(lazyAction(actions, 'schemaAction'));
}
