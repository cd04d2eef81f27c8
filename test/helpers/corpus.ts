import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Third-party corpora live beside the repository (never copied into it). */
export const SHARED = resolve(import.meta.dirname, '../../../shared');
export const CORPORA = join(SHARED, 'corpora');
export const ELASTIC = join(CORPORA, 'logs/elastic-fixtures');

export function corpusAvailable(): boolean {
  return existsSync(CORPORA);
}

/** Elastic pipeline fixtures: `{"expected":[doc|null, …]}`, one entry per input line. */
export function readExpected(logPath: string): (Record<string, unknown> | null)[] {
  const doc = JSON.parse(readFileSync(`${logPath}-expected.json`, 'utf8')) as {
    expected: (Record<string, unknown> | null)[];
  };
  return doc.expected;
}

/** Value at a dotted path in an ECS document whose keys may themselves be dotted (`"aws.vpcflow": {...}`). */
export function ecsGet(doc: unknown, path: string): unknown {
  if (doc === null || typeof doc !== 'object') return undefined;
  const obj = doc as Record<string, unknown>;
  if (path in obj) return obj[path];
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const head = parts.slice(0, i).join('.');
    if (head in obj) return ecsGet(obj[head], parts.slice(i).join('.'));
  }
  return undefined;
}
