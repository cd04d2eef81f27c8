/**
 * Parameter values from outside the template: CloudFormation's parameters file (`[{ParameterKey, ParameterValue}]`),
 * the CLI's `deploy --parameter-overrides` forms (`["K=V", …]` JSON list, `{"Parameters": {K: V}}`, or plain `K=V`
 * lines / words), and single `--parameter K=V` overrides. Parsing never throws: problems come back as issues.
 */
import type { TemplateIssue } from '../model.js';
import { isUnknown, unknown } from '../model.js';

export interface ParameterFileResult {
  values: Record<string, string>;
  issues: TemplateIssue[];
}

/** Splits `K=V` at the first `=`; undefined when there is none or the key is empty. */
export function parseParameterOverride(s: string): [string, string] | undefined {
  const eq = s.indexOf('=');
  if (eq <= 0) return undefined;
  return [s.slice(0, eq).trim(), s.slice(eq + 1)];
}

export function parseParameterFile(text: string, file: string): ParameterFileResult {
  const values: Record<string, string> = {};
  const issues: TemplateIssue[] = [];
  const bad = (line: number, message: string) =>
    issues.push({ location: { file, line, column: 1 }, severity: 'error', code: 'bad-parameter-file', message });
  const src = text.replace(/^\uFEFF/, '');
  const trimmed = src.trim();
  if (trimmed === '') return { values, issues };
  if (trimmed[0] === '[' || trimmed[0] === '{') {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch (e) {
      bad(1, `not valid JSON: ${(e as Error).message}`);
      return { values, issues };
    }
    if (Array.isArray(doc)) {
      doc.forEach((item, i) => {
        if (typeof item === 'string') {
          const kv = parseParameterOverride(item);
          if (kv) values[kv[0]] = kv[1];
          else bad(1, `item ${i}: "${item}" is not Key=Value`);
        } else if (
          item &&
          typeof item === 'object' &&
          typeof (item as Record<string, unknown>).ParameterKey === 'string'
        ) {
          const rec = item as Record<string, unknown>;
          if (rec.UsePreviousValue === true) return; // the deployed value is not known offline
          const v = rec.ParameterValue;
          if (v === undefined || v === null) bad(1, `item ${i} (${rec.ParameterKey}): no ParameterValue`);
          else values[rec.ParameterKey as string] = String(v);
        } else {
          bad(1, `item ${i}: expected {ParameterKey, ParameterValue} or "Key=Value"`);
        }
      });
    } else if (doc && typeof doc === 'object') {
      const params = (doc as Record<string, unknown>).Parameters;
      if (!params || typeof params !== 'object' || Array.isArray(params)) {
        bad(1, 'expected a list of {ParameterKey, ParameterValue} or an object with "Parameters"');
      } else {
        for (const [k, v] of Object.entries(params)) values[k] = Array.isArray(v) ? v.join(',') : String(v);
      }
    } else {
      bad(1, 'expected a list or an object');
    }
    return { values, issues };
  }
  // Plain text: whitespace- or newline-separated Key=Value words (the shell form of --parameter-overrides).
  const lines = src.split(/\r?\n/);
  lines.forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    for (const word of t.split(/\s+/)) {
      const kv = parseParameterOverride(word);
      if (kv) values[kv[0]] = kv[1];
      else bad(i + 1, `"${word}" is not Key=Value`);
    }
  });
  return { values, issues };
}

/** Converts a supplied or default value to what `Ref` returns for the parameter's Type. */
export function coerceParameter(name: string, type: string, value: unknown): { value: unknown; problem?: string } {
  if (isUnknown(value)) return { value };
  if (type.startsWith('AWS::SSM::Parameter::Value<')) {
    return {
      value: unknown(`parameter ${name} is read from SSM parameter "${String(value)}" at deploy time`, {
        Ref: name,
      }),
    };
  }
  const list = (v: unknown): string[] =>
    Array.isArray(v)
      ? v.map((x) => String(x).trim())
      : String(v)
          .split(',')
          .map((s) => s.trim());
  if (type === 'Number') {
    const n = typeof value === 'number' ? value : Number(String(value).trim());
    if (String(value).trim() === '' || Number.isNaN(n)) {
      return { value: String(value), problem: `value "${String(value)}" of Number parameter ${name} is not a number` };
    }
    return { value: n };
  }
  if (type === 'List<Number>') {
    const items = list(value);
    const nums = items.map(Number);
    const bad = items.find((s, i) => s === '' || Number.isNaN(nums[i]));
    if (bad !== undefined)
      return { value: items, problem: `"${bad}" in List<Number> parameter ${name} is not a number` };
    return { value: nums };
  }
  if (type === 'CommaDelimitedList' || type.startsWith('List<')) return { value: list(value) };
  return { value: Array.isArray(value) ? value.join(',') : String(value) };
}
