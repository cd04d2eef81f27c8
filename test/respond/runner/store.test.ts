import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataDir, defaultStatePath, type Execution, ExecutionStore } from '../../../src/respond/store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-respond-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function exec(id: string, over: Partial<Execution> = {}): Execution {
  return {
    id,
    action: 'a',
    mode: 'dryRun',
    status: 'planned',
    params: {},
    results: [],
    trigger: { via: 'cli' },
    region: 'us-east-1',
    accountId: '1',
    timings: { totalMs: 1 },
    createdAt: '2026-11-29T06:00:00.000Z',
    updatedAt: '2026-11-29T06:00:00.000Z',
    ...over,
  };
}

describe('ExecutionStore', () => {
  it('persists executions across opens, updates in place, lists newest first with filters', () => {
    const path = join(dir, 'nested', 'respond.db');
    const s = new ExecutionStore(path);
    s.put(exec('aaaa1111', { createdAt: '2026-11-29T06:00:00.000Z' }));
    s.put(
      exec('aaaa2222', { createdAt: '2026-11-29T06:01:00.000Z', action: 'b', trigger: { via: 'bus', eventId: 'e1' } }),
    );
    s.put(exec('bbbb3333', { createdAt: '2026-11-29T06:02:00.000Z', status: 'pending', mode: 'approve' }));
    s.put({ ...exec('aaaa1111'), status: 'failed', updatedAt: '2026-11-29T06:05:00.000Z' });
    s.close();
    const t = new ExecutionStore(path);
    expect(t.history().map((e) => e.id)).toEqual(['bbbb3333', 'aaaa2222', 'aaaa1111']);
    expect(t.get('aaaa1111')?.status).toBe('failed');
    expect(t.history({ status: 'pending' }).map((e) => e.id)).toEqual(['bbbb3333']);
    expect(t.history({ action: 'b' }).map((e) => e.id)).toEqual(['aaaa2222']);
    expect(t.history({ eventId: 'e1' }).map((e) => e.id)).toEqual(['aaaa2222']);
    expect(t.history({ limit: 1 }).map((e) => e.id)).toEqual(['bbbb3333']);
    expect((t.find('bbbb') as Execution).id).toBe('bbbb3333');
    expect(t.find('aaaa')).toMatch(/matches more than one execution/);
    expect(t.find('a%')).toMatch(/at least 4/);
    expect(t.find('cccc')).toMatch(/^no execution cccc in /);
    t.close();
  });

  it('refuses a file of another schema or kind with a clear message', () => {
    const path = join(dir, 'other.db');
    const db = new Database(path);
    db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema', '99')");
    db.close();
    expect(() => new ExecutionStore(path)).toThrow(
      `--state ${path}: cannot open as a remediation store: remediation store schema 99 is not supported (expected 1)`,
    );
    const text = join(dir, 'text.db');
    writeFileSync(text, 'not a database at all, just text that is long enough to have a header');
    expect(() => new ExecutionStore(text)).toThrow(/cannot open as a remediation store: file is not a database/);
  });

  it('default location: VIGIL_RESPOND_STATE, VIGIL_DATA_DIR, XDG_DATA_HOME, ~/.local/share', () => {
    expect(defaultStatePath({ VIGIL_RESPOND_STATE: '/x/r.db' })).toBe('/x/r.db');
    expect(defaultStatePath({ VIGIL_DATA_DIR: '/d' })).toBe('/d/respond.db');
    expect(dataDir({ XDG_DATA_HOME: '/xdg' })).toBe('/xdg/vigil');
    expect(dataDir({})).toMatch(/\/\.local\/share\/vigil$/);
  });
});
