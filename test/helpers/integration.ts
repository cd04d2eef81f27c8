import { spawnSync } from 'node:child_process';

/**
 * Integration tests use real components (moto_server, the aws CLI, chromium …). When one is missing they skip
 * loudly; under VIGIL_REQUIRE_INTEGRATION=1 (CI) a missing component is a failure instead.
 */
export const REQUIRE_INTEGRATION = process.env.VIGIL_REQUIRE_INTEGRATION === '1';

/** True when `command` runs (`command --version` or the given probe args exit 0). */
export function hasCommand(command: string, probeArgs: string[] = ['--version']): boolean {
  const r = spawnSync(command, probeArgs, { stdio: 'ignore', timeout: 30_000 });
  return r.status === 0;
}

/**
 * Decide whether a component-dependent suite runs. Returns true when available. When it is not: throws under
 * VIGIL_REQUIRE_INTEGRATION=1, otherwise warns and returns false (use with describe.skipIf(!available)).
 */
export function integrationAvailable(component: string, available: boolean): boolean {
  if (available) return true;
  const message = `${component} is not available on this machine`;
  if (REQUIRE_INTEGRATION) throw new Error(`${message} and VIGIL_REQUIRE_INTEGRATION=1 requires it`);
  console.warn(`\n*** SKIPPING integration tests: ${message} ***\n`);
  return false;
}
