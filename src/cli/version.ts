import { readFileSync } from 'node:fs';

/** Package version, read once from package.json (two levels up from dist/cli or src/cli). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
