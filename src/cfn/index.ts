/**
 * CloudFormation: template engine (load, resolve, nested stacks, SAM) and resource schemas. Scanners build on
 * `ResolvedTemplate` (see model.ts).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ResolvedTemplate } from './model.js';
import { loadSchemas, loadSchemasSync } from './schema/index.js';
import { checkSchema } from './schema/validate.js';
import { parseTemplateText } from './template/parse.js';
import { type EngineHooks, resolveParsed, type TemplateOptions } from './template/resolve.js';

export * from './model.js';
export type { PropertySchema, ResourceSchema } from './schema/index.js';
export { loadSchemas, resourceSchema, schemaLoadMs } from './schema/index.js';
export { cidrSubnets } from './template/cidr.js';
export { parseParameterFile, parseParameterOverride } from './template/parameters.js';
export type { TemplateOptions } from './template/resolve.js';
export { UNKNOWN_PROPERTIES } from './template/resolve.js';
export { SAM_TRANSFORM } from './template/sam.js';

const readSync = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

function hooks(opts: TemplateOptions): EngineHooks {
  return opts.schemaCheck === false ? { readFile: readSync } : { readFile: readSync, checkSchema };
}

/** Resolves template text (synchronous; loads the schema database on first use unless `schemaCheck: false`). */
export function resolveTemplateText(text: string, file: string, opts: TemplateOptions = {}): ResolvedTemplate {
  if (opts.schemaCheck !== false) loadSchemasSync();
  return resolveParsed(parseTemplateText(text, file), opts, hooks(opts));
}

/** Reads and resolves a template file. Never rejects for a bad template or an unreadable file: see `issues`. */
export async function loadTemplate(file: string, opts: TemplateOptions = {}): Promise<ResolvedTemplate> {
  const schemas = opts.schemaCheck !== false ? loadSchemas() : Promise.resolve();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return {
      file,
      parameters: {},
      conditions: {},
      resources: [],
      outputs: {},
      nested: [],
      issues: [
        {
          location: { file, line: 1, column: 1 },
          severity: 'error',
          code: 'unreadable',
          message: `cannot read template: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        },
      ],
    };
  }
  await schemas;
  return resolveParsed(parseTemplateText(text, file), opts, hooks(opts));
}
