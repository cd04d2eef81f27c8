import { KmsError, Violations } from './errors.js';

/**
 * Request member readers. Wrong JSON types are SerializationException (as AWS's JSON protocol answers); model
 * constraints (length, range, enum, required) collect into one ValidationException worded like AWS's.
 * Member names in messages are lowerCamelCase, as AWS writes them (`'plaintext'`, `'numberOfBytes'`).
 */
export class Input {
  readonly v = new Violations();
  constructor(readonly raw: Record<string, unknown>) {}

  private get(name: string): unknown {
    const value = this.raw[name];
    return value === null ? undefined : value;
  }

  private typeError(name: string, expected: string): never {
    throw new KmsError('SerializationException', `${name} must be ${expected}`);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  str(name: string, opts: { required?: boolean; min?: number; max?: number } = {}): string | undefined {
    const value = this.get(name);
    if (value === undefined) {
      if (opts.required) this.v.add(member(name), 'Member must not be null', 'null');
      return undefined;
    }
    if (typeof value !== 'string') this.typeError(name, 'a string');
    if (opts.min !== undefined && value.length < opts.min)
      this.v.add(member(name), `Member must have length greater than or equal to ${opts.min}`, value);
    if (opts.max !== undefined && value.length > opts.max)
      this.v.add(member(name), `Member must have length less than or equal to ${opts.max}`, value);
    return value;
  }

  /** A required string: callers use the value only after throwIfAny(). */
  req(name: string, opts: { min?: number; max?: number } = { min: 1, max: 2048 }): string {
    return this.str(name, { ...opts, required: true }) ?? '';
  }

  enumOf<T extends string>(name: string, allowed: readonly T[], required = false): T | undefined {
    const value = this.str(name, { required });
    if (value !== undefined && !allowed.includes(value as T)) {
      this.v.enumValue(member(name), value, allowed);
      return undefined;
    }
    return value as T | undefined;
  }

  int(name: string, opts: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const value = this.get(name);
    if (value === undefined) {
      if (opts.required) this.v.add(member(name), 'Member must not be null', 'null');
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value)) this.typeError(name, 'an integer');
    if (opts.min !== undefined && value < opts.min)
      this.v.add(member(name), `Member must have value greater than or equal to ${opts.min}`, String(value));
    if (opts.max !== undefined && value > opts.max)
      this.v.add(member(name), `Member must have value less than or equal to ${opts.max}`, String(value));
    return value;
  }

  bool(name: string): boolean | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') this.typeError(name, 'a boolean');
    return value;
  }

  /** Epoch seconds (AWS JSON timestamps) to epoch ms. */
  time(name: string): number | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.typeError(name, 'a timestamp in epoch seconds');
    return Math.round(value * 1000);
  }

  /** A base64 blob; lengths are checked on the decoded bytes and never echoed. */
  blob(name: string, opts: { required?: boolean; min?: number; max?: number } = {}): Buffer | undefined {
    const value = this.get(name);
    if (value === undefined) {
      if (opts.required) this.v.add(member(name), 'Member must not be null', 'null');
      return undefined;
    }
    if (typeof value !== 'string') this.typeError(name, 'base64 text');
    const bytes = Buffer.from(value, 'base64');
    // Node skips characters outside the alphabet; a decoded length that does not match the text means it had some.
    const pad = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
    if (value.length % 4 !== 0 || bytes.length !== (value.length / 4) * 3 - pad) this.typeError(name, 'base64 text');
    if (opts.min !== undefined && bytes.length < opts.min)
      this.v.add(member(name), `Member must have length greater than or equal to ${opts.min}`);
    if (opts.max !== undefined && bytes.length > opts.max)
      this.v.add(member(name), `Member must have length less than or equal to ${opts.max}`);
    return bytes;
  }

  strMap(name: string): Record<string, string> | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) this.typeError(name, 'a map of strings');
    for (const v of Object.values(value as object)) if (typeof v !== 'string') this.typeError(name, 'a map of strings');
    return value as Record<string, string>;
  }

  strList(name: string, opts: { max?: number; min?: number } = {}): string[] | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((x) => typeof x !== 'string')) this.typeError(name, 'a list of strings');
    if (opts.min !== undefined && value.length < opts.min)
      this.v.add(member(name), `Member must have length greater than or equal to ${opts.min}`);
    if (opts.max !== undefined && value.length > opts.max)
      this.v.add(member(name), `Member must have length less than or equal to ${opts.max}`);
    return value as string[];
  }

  list(name: string): unknown[] | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) this.typeError(name, 'a list');
    return value;
  }

  obj(name: string): Record<string, unknown> | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) this.typeError(name, 'a structure');
    return value as Record<string, unknown>;
  }

  done(): void {
    this.v.throwIfAny();
  }
}

/** `NumberOfBytes` → `numberOfBytes`. */
export function member(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
