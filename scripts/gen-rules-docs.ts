/** Writes docs/rules.md from the rule and pack metadata (test/posture/docs.test.ts checks that it is current). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderRulesDoc } from '../src/posture/catalogue.js';

const target = resolve(import.meta.dirname, '../docs/rules.md');
writeFileSync(target, renderRulesDoc());
console.log(`wrote ${target}`);
