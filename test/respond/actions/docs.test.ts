import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderActionsDoc } from '../../../src/respond/actions/catalogue.js';
import { ACTIONS, actionByName } from '../../../src/respond/actions/index.js';

const DOC = resolve(import.meta.dirname, '../../../docs/respond-actions.md');

describe('action library metadata', () => {
  it('at least 25 actions with unique kebab-case names, IAM-shaped permissions, undo and references', () => {
    expect(ACTIONS.length).toBeGreaterThanOrEqual(25);
    const names = ACTIONS.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    for (const a of ACTIONS) {
      expect(a.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(['network', 'identity', 'data', 'logging', 'backup', 'generic']).toContain(a.category);
      for (const p of a.permissions) expect(p, a.name).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
      expect(a.undo.length, a.name).toBeGreaterThan(10);
      expect(a.references.length, a.name).toBeGreaterThan(0);
      expect(actionByName(a.name)).toBe(a);
    }
    expect(actionByName('no-such-action')).toBeUndefined();
  });
  it('every action is exercised by a test in this folder (plan → apply → read back)', () => {
    const dir = import.meta.dirname;
    const tests = readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts') && f !== 'docs.test.ts')
      .map((f) => readFileSync(resolve(dir, f), 'utf8'))
      .join('\n');
    for (const a of ACTIONS) {
      // Actions are imported under their camelCase export names (ec2-revoke-public-ingress → ec2RevokePublicIngress).
      const exported = a.name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      expect(tests, `${a.name} has no test`).toMatch(
        new RegExp(`(planApplyReplan\\(|\\.apply\\()${exported}\\b|${exported}\\.apply\\(`),
      );
    }
  });
});

describe('docs/respond-actions.md (generated from action metadata)', () => {
  it('is fresh', () => {
    expect(readFileSync(DOC, 'utf8'), 'docs/respond-actions.md is stale: run npm run docs:respond').toBe(
      renderActionsDoc(),
    );
  });
  it('documents every action with parameters, permissions and undo, and the default mapping', () => {
    const md = renderActionsDoc();
    for (const a of ACTIONS) expect(md).toContain(`## ${a.name}\n\n**${a.title}**`);
    expect(md).toContain('| `groupId` | string | yes |  | pattern `^sg-[0-9a-f]+$` |');
    expect(md).toContain(
      '| `ports` | integer 0–65535[] | no | `[22,3389]` | Ports to close; an empty list means every port |',
    );
    expect(md).toContain('**Testing:** moto_server serves GetBackupPlan');
    expect(md).toContain(
      '| `CryptoCurrency:EC2/*` | [ec2-quarantine-instance](#ec2-quarantine-instance) | instanceId ← `$.detail.resource.instanceDetails.instanceId` |',
    );
    expect(md).toContain(
      '| `restricted-ssh` | [ec2-revoke-public-ingress](#ec2-revoke-public-ingress) | groupId ← `$.detail.resourceId`<br>ports ← `[22]` |',
    );
  });
});
