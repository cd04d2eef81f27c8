import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, defaultConfigYaml } from '../cli/commands/config.js';
import { envName, resolveConfig } from './load.js';

describe('vigil.yaml schema', () => {
  it('docs/vigil.schema.json is generated from the runtime schema (run npm run docs:schema)', () => {
    const committed = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../docs/vigil.schema.json'), 'utf8'));
    expect(committed).toEqual(configJsonSchema());
  });

  it('derives environment variable names from keys', () => {
    expect(envName('logs.vpcFlowFormat')).toBe('VIGIL_LOGS_VPC_FLOW_FORMAT');
    expect(envName('aws.endpointUrl')).toBe('VIGIL_AWS_ENDPOINT_URL');
  });

  it('applies precedence cli > env > file > default and records each source', () => {
    const r = resolveConfig({
      env: { VIGIL_LOGS_WORKERS: '4', VIGIL_LOGS_STRICT: 'yes' },
      cli: { 'logs.workers': 2 },
      cwd: '/nonexistent-dir-for-test',
    });
    expect(r.config.logs.workers).toBe(2);
    expect(r.sources['logs.workers']).toBe('cli');
    expect(r.config.logs.strict).toBe(true);
    expect(r.sources['logs.strict']).toBe('env:VIGIL_LOGS_STRICT');
    expect(r.sources['output.format']).toBe('default');
  });

  it('the starter file written by config init is itself valid', () => {
    const yaml = defaultConfigYaml();
    expect(yaml).toContain('maxLineLength: 67108864');
    expect(yaml).toContain('# vpcFlowFormat:');
    const file = join(mkdtempSync(join(tmpdir(), 'vigil-cfg-')), 'vigil.yaml');
    writeFileSync(file, yaml);
    const r = resolveConfig({ configFile: file, env: {} });
    expect(r.sources['logs.maxLineLength']).toBe(`file:${file}`);
    expect(r.config.output.format).toBe('table');
  });
});
