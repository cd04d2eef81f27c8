/**
 * The write-only and unordered-array tables (src/drift/rules.ts) against the CloudFormation registry schemas that
 * cfn-lint ships (the schema database Vigil loads has neither keyword). Skips loudly without cfn-lint.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_TYPES } from '../../src/drift/actual.js';
import { ORDERED_TAGS, UNORDERED, WRITE_ONLY } from '../../src/drift/rules.js';
import { integrationAvailable } from '../helpers/integration.js';

const locate = spawnSync('python3', ['-c', 'import cfnlint,os;print(os.path.dirname(cfnlint.__file__))'], {
  encoding: 'utf8',
});
const base = locate.status === 0 ? join(locate.stdout.trim(), 'data/schemas') : '';
const index = base ? join(base, 'providers/us_east_1.py') : '';
const available = integrationAvailable('cfn-lint provider schemas', index !== '' && existsSync(index));

describe.skipIf(!available)('drift tables match the registry schemas (cfn-lint copy)', () => {
  const hashes = new Map<string, string>();
  if (available)
    for (const m of readFileSync(index, 'utf8').matchAll(/"(AWS::[^"]+)": "([0-9a-f]+)"/g)) hashes.set(m[1]!, m[2]!);
  const schema = (t: string) =>
    JSON.parse(readFileSync(join(base, 'resources', `${hashes.get(t)}.json`), 'utf8')) as {
      writeOnlyProperties?: string[];
      properties: Record<string, { type?: string; insertionOrder?: boolean }>;
    };

  it.each(SUPPORTED_TYPES.map((t) => [t]))('%s', (type) => {
    const s = schema(type);
    const wo = (s.writeOnlyProperties ?? []).map((p) => p.replace(/^\/properties\//, '')).sort();
    expect([...(WRITE_ONLY[type] ?? [])].sort()).toEqual(wo);
    const unorderedTop = Object.entries(s.properties)
      .filter(([k, v]) => v.type === 'array' && v.insertionOrder === false && k !== 'Tags')
      .map(([k]) => k);
    const ours = Object.keys(UNORDERED[type] ?? {});
    // Every list Vigil reads for this type that the schema declares unordered is in the table, and nothing else.
    for (const k of ours) expect(unorderedTop, `${type} ${k}`).toContain(k);
    const tagsOrdered = s.properties.Tags !== undefined && s.properties.Tags.insertionOrder !== false;
    if (s.properties.Tags) expect(ORDERED_TAGS.has(type), `${type} Tags ordered`).toBe(tagsOrdered);
  });
});
