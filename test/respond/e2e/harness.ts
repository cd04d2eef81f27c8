import { run } from '../../../src/cli/main.js';
import type { CliResult } from '../../helpers/cli.js';
import { captureOutput } from '../../helpers/cli-inprocess.js';
import { hasCommand, integrationAvailable } from '../../helpers/integration.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012'; // moto's account
export const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export const motoAvailable = (): boolean => integrationAvailable('moto_server', hasCommand('moto_server', ['--help']));

/** The whole `vigil` CLI in-process (src/cli/main.ts's run: exit codes and error printing as the binary). */
export const vigil = (args: string[]): Promise<CliResult> => captureOutput(() => run(['node', 'vigil', ...args]));
