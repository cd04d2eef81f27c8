import { type PathStep, parseJsonPath, resolvePath } from './jsonpath.js';

/**
 * Target input shaping, as EventBridge does it: the whole event (default), a constant `Input`, an `InputPath`
 * selection, or an `InputTransformer` (variables from JSON paths substituted into a template).
 *
 * InputTransformer rules (AWS-recorded behaviour):
 * - A template that starts with `{` or `[` is a JSON template. Inside a quoted JSON string a variable is inserted
 *   raw (strings without quotes or escaping, objects/arrays as JSON text — which breaks the JSON, so AWS drops the
 *   delivery); outside quotes strings get quotes added and objects/arrays are inserted as JSON. The result must be
 *   valid JSON.
 * - Any other template is a string template: strings raw, objects/arrays as JSON with every `"` removed
 *   (`{acc_id:0a787ecb-4015,sf_id:baz}`, `[ACTIVE,INACTIVE]`), no validation.
 * - A variable whose path is missing from the event renders as an empty string (`""` outside quotes in JSON).
 * - Reserved variables: `<aws.events.rule-arn>`, `<aws.events.rule-name>`, `<aws.events.event.ingestion-time>`,
 *   `<aws.events.event>` (the envelope without `detail`, with `detailType`) and `<aws.events.event.json>` (the whole
 *   event); the last two only as a JSON value.
 */

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

/** The input fields of a target (PutTargets shape). */
export interface TargetInput {
  Id: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
}

/** Context of one delivery: the rule that matched and when the event was ingested. */
export interface DeliveryContext {
  ruleArn: string;
  ruleName: string;
  ingestionTime: string;
}

export type ShapeResult = { ok: true; body: string } | { ok: false; error: string };

const RESERVED = {
  ruleArn: 'aws.events.rule-arn',
  ruleName: 'aws.events.rule-name',
  ingestion: 'aws.events.event.ingestion-time',
  event: 'aws.events.event',
  eventJson: 'aws.events.event.json',
} as const;
const RESERVED_NAMES = new Set<string>(Object.values(RESERVED));
const JSON_ONLY = new Set<string>([RESERVED.event, RESERVED.eventJson]);

/** Placeholders: InputPathsMap keys ([A-Za-z0-9_-]) and the reserved dotted names. */
const PLACEHOLDER = /<([A-Za-z0-9_\-.]+)>/g;
const PATHS_MAP_KEY = /^[A-Za-z0-9_-]+$/;
export const MAX_PATHS_MAP_ENTRIES = 100;
export const MAX_TEMPLATE_LENGTH = 8192;

/**
 * Validate a target's input settings at PutTargets time. Returns AWS's ValidationException message, or undefined.
 * Messages marked (Vigil) were not recorded from AWS.
 */
export function validateTargetInput(target: TargetInput): string | undefined {
  const given = [target.Input, target.InputPath, target.InputTransformer].filter((x) => x !== undefined);
  if (given.length > 1) {
    return `Only one of Input, InputPath, or InputTransformer must be provided for target ${target.Id}.`;
  }
  if (target.Input !== undefined) {
    try {
      JSON.parse(target.Input);
    } catch {
      return `Input for target ${target.Id} is not valid JSON.`; // (Vigil)
    }
  }
  if (target.InputPath !== undefined) {
    const parsed = parseJsonPath(target.InputPath);
    if (typeof parsed === 'string') return `InputPath for target ${target.Id} is not valid: ${parsed}.`; // (Vigil)
  }
  const t = target.InputTransformer;
  if (t !== undefined) {
    const map = t.InputPathsMap ?? {};
    const keys = Object.keys(map);
    if (keys.length > MAX_PATHS_MAP_ENTRIES) {
      return `InputPathsMap for target ${target.Id} has more than ${MAX_PATHS_MAP_ENTRIES} entries.`; // (Vigil)
    }
    for (const key of keys) {
      if (!PATHS_MAP_KEY.test(key) || key.startsWith('AWS')) {
        return `InputPathsMap for target ${target.Id} contains invalid key ${key}.`; // (Vigil)
      }
      const parsed = parseJsonPath(map[key]);
      if (typeof parsed === 'string') {
        return `InputPathsMap for target ${target.Id} contains invalid path ${map[key]}: ${parsed}.`; // (Vigil)
      }
    }
    if (typeof t.InputTemplate !== 'string' || t.InputTemplate.length > MAX_TEMPLATE_LENGTH) {
      return `InputTemplate for target ${target.Id} must be a string of at most ${MAX_TEMPLATE_LENGTH} characters.`; // (Vigil)
    }
    for (const m of t.InputTemplate.matchAll(PLACEHOLDER)) {
      const name = m[1];
      if (!Object.hasOwn(map, name) && !RESERVED_NAMES.has(name)) {
        return `InputTemplate for target ${target.Id} contains invalid placeholder ${name}.`;
      }
    }
  }
  return undefined;
}

/** A compiled InputTransformer (paths parsed once). */
export class CompiledTransformer {
  private readonly paths: Map<string, PathStep[]>;
  readonly json: boolean;

  constructor(readonly transformer: InputTransformer) {
    this.paths = new Map();
    for (const [key, path] of Object.entries(transformer.InputPathsMap ?? {})) {
      const steps = parseJsonPath(path);
      if (typeof steps !== 'string') this.paths.set(key, steps);
    }
    const lead = transformer.InputTemplate.trimStart()[0];
    this.json = lead === '{' || lead === '[';
  }

  render(event: Record<string, unknown>, ctx: DeliveryContext): ShapeResult {
    const vars = new Map<string, unknown>();
    for (const [key, steps] of this.paths) vars.set(key, resolvePath(event, steps));
    vars.set(RESERVED.ruleArn, ctx.ruleArn);
    vars.set(RESERVED.ruleName, ctx.ruleName);
    vars.set(RESERVED.ingestion, ctx.ingestionTime);
    vars.set(RESERVED.event, envelopeWithoutDetail(event));
    vars.set(RESERVED.eventJson, event);

    const template = this.transformer.InputTemplate;
    let out = '';
    let last = 0;
    let inString = false;
    let scanned = 0;
    for (const m of template.matchAll(PLACEHOLDER)) {
      const at = m.index ?? 0;
      // Track whether the placeholder sits inside a JSON string literal of the template.
      for (let i = scanned; i < at; i++) {
        const c = template[i];
        if (c === '\\' && inString) i++;
        else if (c === '"') inString = !inString;
      }
      scanned = at + m[0].length;
      const name = m[1];
      if (!vars.has(name)) continue; // not a variable: literal text (PutTargets rejects undefined names)
      if (JSON_ONLY.has(name) && (!this.json || inString)) {
        return { ok: false, error: `<${name}> can only be used as a JSON value in the InputTemplate` };
      }
      out += template.slice(last, at) + this.renderValue(vars.get(name), inString);
      last = scanned;
    }
    out += template.slice(last);
    if (this.json) {
      try {
        JSON.parse(out);
      } catch {
        return { ok: false, error: `InputTransformer produced invalid JSON: ${truncate(out)}` };
      }
    }
    return { ok: true, body: out };
  }

  private renderValue(value: unknown, inString: boolean): string {
    if (value === undefined) return this.json && !inString ? '""' : '';
    if (typeof value === 'string') return this.json && !inString ? `"${value}"` : value;
    if (value === null || typeof value !== 'object') return String(value);
    const text = JSON.stringify(value);
    // Objects and arrays lose their quotes inside a string template (AWS).
    return this.json ? text : text.replaceAll('"', '');
  }
}

/** `<aws.events.event>`: the envelope without `detail`, keys as AWS renders them. */
function envelopeWithoutDetail(event: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === 'detail') continue;
    out[key === 'detail-type' ? 'detailType' : key] = value;
  }
  return out;
}

function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** A target's input shaping, compiled once and applied to each matched event. */
export class InputShaper {
  private readonly path: PathStep[] | undefined;
  private readonly transformer: CompiledTransformer | undefined;

  constructor(private readonly target: TargetInput) {
    const steps = target.InputPath !== undefined ? parseJsonPath(target.InputPath) : undefined;
    this.path = typeof steps === 'string' ? undefined : steps;
    this.transformer = target.InputTransformer ? new CompiledTransformer(target.InputTransformer) : undefined;
  }

  /** The body delivered to the target for this event. */
  shape(event: Record<string, unknown>, ctx: DeliveryContext): ShapeResult {
    if (this.target.Input !== undefined) return { ok: true, body: this.target.Input };
    if (this.target.InputPath !== undefined) {
      if (!this.path) return { ok: false, error: `InputPath ${this.target.InputPath} is not valid` };
      const value = resolvePath(event, this.path);
      if (value === undefined)
        return { ok: false, error: `InputPath ${this.target.InputPath} matched nothing in the event` };
      return { ok: true, body: JSON.stringify(value) };
    }
    if (this.transformer) return this.transformer.render(event, ctx);
    return { ok: true, body: JSON.stringify(event) };
  }
}
