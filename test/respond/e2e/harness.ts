import { vi } from 'vitest';
import { run } from '../../../src/cli/main.js';
import { hasCommand, integrationAvailable } from '../../helpers/integration.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012'; // moto's account
export const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export const motoAvailable = (): boolean => integrationAvailable('moto_server', hasCommand('moto_server', ['--help']));

/** The whole `vigil` CLI in-process (src/cli/main.ts's run: exit codes and error printing as the binary). */
export async function vigil(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  process.exitCode = undefined;
  let code: number;
  try {
    code = await run(['node', 'vigil', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}
