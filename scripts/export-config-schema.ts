/** Writes docs/vigil.schema.json (the JSON Schema of vigil.yaml) from the runtime zod schema. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configJsonSchema } from '../src/cli/commands/config.js';

const target = resolve(import.meta.dirname, '../docs/vigil.schema.json');
writeFileSync(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
