/** Writes docs/detectors.md from the detector metadata (test/detect/docs.test.ts checks that it is current). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderDetectorDocs } from '../src/detect/catalogue.js';

const target = resolve(import.meta.dirname, '../docs/detectors.md');
writeFileSync(target, renderDetectorDocs());
console.log(`wrote ${target}`);
