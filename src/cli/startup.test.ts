import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * What `vigil` loads before any action runs: the static (value) imports reachable from bin.ts. Actions import their
 * implementation with `import()`, which this walk does not follow, so a library import slipped into a registration
 * module (and the start-up cost of everything behind it) shows up here.
 */
const SRC = resolve(import.meta.dirname, '..');
const IMPORT = /^(?:import|export)\s+(type\s+)?(?:([^'";]*?)\s+from\s+)?'([^']+)';/gms;

function staticGraph(entry: string): { modules: string[]; packages: string[] } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const [, typeOnly, clause, spec] = m;
      if (typeOnly || (clause && isTypeOnlyClause(clause))) continue;
      if (spec!.startsWith('.')) queue.push(resolve(dirname(file), spec!.replace(/\.js$/, '.ts')));
      else if (!spec!.startsWith('node:')) packages.add(spec!);
    }
  }
  return { modules: [...seen].map((f) => relative(SRC, f)).sort(), packages: [...packages].sort() };
}

/** `{ type A, type B }`: erased at compile time. */
function isTypeOnlyClause(clause: string): boolean {
  const braces = /^\{([^}]*)\}$/.exec(clause.trim());
  if (!braces) return false;
  const names = braces[1]!
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length > 0 && names.every((n) => n.startsWith('type '));
}

describe('CLI start-up', () => {
  const { modules, packages } = staticGraph(resolve(SRC, 'cli/bin.ts'));

  it('loads commander and no other package', () => {
    expect(packages).toEqual(['commander']);
  });

  it('loads no command implementation and only light library modules', () => {
    expect(modules.filter((m) => m.endsWith('-actions.ts') || m === 'cli/commands/config.ts')).toEqual([]);
    const library = modules.filter((m) => !m.startsWith('cli/'));
    expect(library).toEqual(['core/errors.ts', 'detect/types.ts', 'sigma/types.ts', 'waf/managed.ts']);
  });

  it('still reaches every command group registration', () => {
    for (const g of ['bus', 'demo', 'detect', 'drift', 'iac', 'kms', 'logs', 'netfw', 'posture', 'respond', 'secrets'])
      expect(modules).toContain(`cli/commands/${g}.ts`);
    for (const g of ['sigma', 'trail', 'waf', 'config-command']) expect(modules).toContain(`cli/commands/${g}.ts`);
  });
});
