import type { Command } from 'commander';

/**
 * Every CLI command group registers itself here. A command module parses options, calls the library and formats
 * the result: no business logic in src/cli.
 */
export type Register = (program: Command) => void;

export const commands: Register[] = [];
