/** `vigil config …` actions and the config-file helpers scripts and tests use (registered in config-command.ts). */
import { existsSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { configKeys, envName, getConfigValue, resolveConfig } from '../../config/load.js';
import { configSchema } from '../../config/schema.js';
import { UsageError } from '../../core/errors.js';
import { writeOut } from '../stdout.js';
import { renderTable } from '../tables.js';

export { registerConfig } from './config-command.js';

export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input' });
}

/** A starter file: every key with its description as a comment, defaults filled in, optional keys commented out. */
export function defaultConfigYaml(): string {
  const defaults = configSchema.parse({});
  const lines = ['# vigil.yaml — precedence: command line > VIGIL_* environment > this file > defaults', ''];
  let section = '';
  for (const { key, type } of configKeys()) {
    const [sec, leaf] = key.split('.') as [string, string];
    if (sec !== section) {
      if (section) lines.push('');
      lines.push(`${sec}:`);
      section = sec;
    }
    if (type.description) lines.push(`  # ${type.description}`);
    const value = getConfigValue(defaults, key);
    lines.push(value === undefined ? `  # ${leaf}:` : `  ${leaf}: ${JSON.stringify(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

export const showAction = async (o: { config?: string; format: string }) => {
  const resolved = resolveConfig({ configFile: o.config });
  const rows = configKeys().map(({ key }) => {
    const value = getConfigValue(resolved.config, key);
    return { key, value, source: resolved.sources[key] ?? 'default', env: envName(key) };
  });
  if (o.format === 'json') {
    await writeOut(`${JSON.stringify({ file: resolved.file ?? null, settings: rows }, null, 2)}\n`);
    return;
  }
  await writeOut(`config file: ${resolved.file ?? '(none)'}\n`);
  await writeOut(
    renderTable(
      ['setting', 'value', 'source', 'environment variable'],
      rows.map((r) => [r.key, r.value === undefined ? '-' : JSON.stringify(r.value), r.source, r.env]),
    ),
  );
};

export const validateAction = async (file: string) => {
  const resolved = resolveConfig({ configFile: file, env: {} });
  await writeOut(`${resolved.file}: valid\n`);
};

export const initAction = async (file: string, o: { force?: boolean }) => {
  if (existsSync(file) && !o.force) throw new UsageError(`${file} exists (use --force to overwrite)`);
  writeFileSync(file, defaultConfigYaml());
  await writeOut(`wrote ${file}\n`);
};

export const schemaAction = async () => {
  await writeOut(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
};
