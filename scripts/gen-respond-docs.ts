/** Writes docs/respond-actions.md from action metadata (test/respond/actions/docs.test.ts checks that it is current). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderActionsDoc } from '../src/respond/actions/catalogue.js';

const target = resolve(import.meta.dirname, '../docs/respond-actions.md');
writeFileSync(target, renderActionsDoc());
console.log(`wrote ${target}`);
