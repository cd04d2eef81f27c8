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

function hooks(opts: TemplateOptions, schemaError: string | undefined): EngineHooks {
  if (opts.schemaCheck === false) return { readFile: readSync };
  if (schemaError === undefined) return { readFile: readSync, checkSchema };
  // The schema database could not be loaded: resolve anyway and say why the schema checks are missing.
  return {
    readFile: readSync,
    checkSchema: (t) =>
      t.issues.push({
        location: { file: t.file, line: 1, column: 1 },
        severity: 'warning',
        code: 'schema-unavailable',
        message: `resource schemas could not be loaded (${schemaError}); schema checks skipped`,
      }),
  };
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Resolves template text (synchronous; loads the schema database on first use unless `schemaCheck: false`). */
export function resolveTemplateText(text: string, file: string, opts: TemplateOptions = {}): ResolvedTemplate {
  let schemaError: string | undefined;
  if (opts.schemaCheck !== false) {
    try {
      loadSchemasSync();
    } catch (e) {
      schemaError = reason(e);
    }
  }
  return resolveParsed(parseTemplateText(text, file), opts, hooks(opts, schemaError));
}

/** Reads and resolves a template file. Never rejects for a bad template or an unreadable file: see `issues`. */
export async function loadTemplate(file: string, opts: TemplateOptions = {}): Promise<ResolvedTemplate> {
  const schemas: Promise<string | undefined> =
    opts.schemaCheck !== false ? loadSchemas().then(() => undefined, reason) : Promise.resolve(undefined);
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
  const schemaError = await schemas;
  return resolveParsed(parseTemplateText(text, file), opts, hooks(opts, schemaError));
}
