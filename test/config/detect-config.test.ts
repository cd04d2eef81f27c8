/** The `detect:` section of vigil.yaml in the precedence chain: CLI > VIGIL_DETECT_* > file > defaults. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfigYaml } from '../../src/cli/commands/config.js';
import { configKeys, envName, resolveConfig } from '../../src/config/load.js';

function cfg(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-detect-cfg-')), 'vigil.yaml');
  writeFileSync(file, text);
  return file;
}

describe('detect section', () => {
  it('has defaults equal to the command defaults and every key is listed for config show', () => {
    const r = resolveConfig({ env: {}, cwd: '/nonexistent-dir-for-test' });
    expect(r.config.detect).toMatchObject({
      format: 'table',
      accountId: '000000000000',
      lateness: '1h',
      maxKeys: 200_000,
      bundledIntel: true,
      builtin: true,
      source: 'aws.guardduty',
      routeTimeout: '10s',
      detectors: {},
    });
    const keys = configKeys()
      .map((k) => k.key)
      .filter((k) => k.startsWith('detect.'));
    for (const k of [
      'detect.sigma',
      'detect.suricata',
      'detect.nfwPolicy',
      'detect.route',
      'detect.format',
      'detect.enabled',
    ])
      expect(keys).toContain(k);
    expect(r.sources['detect.sigma']).toBe('default');
    expect(envName('detect.nfwRuleGroups')).toBe('VIGIL_DETECT_NFW_RULE_GROUPS');
  });

  it('applies cli > env > file and names each source; lists and maps come from the environment too', () => {
    const file = cfg(
      'detect:\n  format: jsonl\n  sigma: [rules/a]\n  lateness: 2h\n  failOn: high\n  detectors:\n    ec2-brute-force: { minAttempts: 30 }\n',
    );
    const r = resolveConfig({
      configFile: file,
      env: {
        VIGIL_DETECT_FORMAT: 'json',
        VIGIL_DETECT_SUPPRESS: 'a.yaml, b.yaml',
        VIGIL_DETECT_DETECTORS: '{"ec2-portscan": {"minPorts": 5}}',
        VIGIL_DETECT_BUILTIN: 'false',
      },
      cli: { 'detect.lateness': '30m' },
    });
    const d = r.config.detect;
    expect(d.format).toBe('json');
    expect(r.sources['detect.format']).toBe('env:VIGIL_DETECT_FORMAT');
    expect(d.sigma).toEqual(['rules/a']);
    expect(r.sources['detect.sigma']).toBe(`file:${file}`);
    expect(d.lateness).toBe('30m');
    expect(r.sources['detect.lateness']).toBe('cli');
    expect(d.failOn).toBe('high');
    expect(d.suppress).toEqual(['a.yaml', 'b.yaml']);
    expect(d.builtin).toBe(false);
    // The environment map replaces the file's (one setting, one source).
    expect(d.detectors).toEqual({ 'ec2-portscan': { minPorts: 5 } });
    expect(r.sources['detect.detectors']).toBe('env:VIGIL_DETECT_DETECTORS');
  });

  it('rejects bad values naming the file or variable and the key', () => {
    expect(() => resolveConfig({ configFile: cfg('detect:\n  lateness: soon\n'), env: {} })).toThrow(
      /vigil\.yaml: detect\.lateness: must be a duration/,
    );
    expect(() => resolveConfig({ configFile: cfg('detect:\n  detectors:\n    nope: {}\n'), env: {} })).toThrow(
      /vigil\.yaml: detect\.detectors\.nope: unknown detector "nope"/,
    );
    expect(() =>
      resolveConfig({ configFile: cfg('detect:\n  detectors:\n    ec2-portscan: { minPorts: "many" }\n'), env: {} }),
    ).toThrow(/detect\.detectors\.ec2-portscan\.minPorts: must be a number/);
    expect(() =>
      resolveConfig({ env: { VIGIL_DETECT_DETECTORS: '[1, 2]' }, cwd: '/nonexistent-dir-for-test' }),
    ).toThrow(/VIGIL_DETECT_DETECTORS: expected a YAML\/JSON map/);
    expect(() => resolveConfig({ env: { VIGIL_DETECT_FORMAT: 'xml' }, cwd: '/nonexistent-dir-for-test' })).toThrow(
      /VIGIL_DETECT_FORMAT: detect\.format/,
    );
    expect(() => resolveConfig({ configFile: cfg('detect:\n  sigmaRules: x\n'), env: {} })).toThrow(/detect/);
  });

  it('config init writes the detect section and the result is valid', () => {
    const yaml = defaultConfigYaml();
    expect(yaml).toContain('\ndetect:\n');
    expect(yaml).toContain('  format: "table"');
    expect(yaml).toContain('  # sigma:');
    const file = cfg(yaml);
    const r = resolveConfig({ configFile: file, env: {} });
    expect(r.sources['detect.format']).toBe(`file:${file}`);
    expect(r.config.detect.accountId).toBe('000000000000');
  });
});
