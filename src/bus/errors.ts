import { VigilError } from '../core/errors.js';

/**
 * An error of the EventBridge-compatible API: `code` is the AWS error name (`__type` on the wire), `message` AWS's
 * text. These are user errors (bad requests), never crashes.
 */
export class BusApiError extends VigilError {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message, 2);
    this.name = 'BusApiError';
  }
}

export function validation(message: string): BusApiError {
  return new BusApiError('ValidationException', message);
}

export function notFound(message: string): BusApiError {
  return new BusApiError('ResourceNotFoundException', message);
}

export function alreadyExists(message: string): BusApiError {
  return new BusApiError('ResourceAlreadyExistsException', message);
}

export function limitExceeded(message = 'The requested resource exceeds the maximum number allowed.'): BusApiError {
  return new BusApiError('LimitExceededException', message);
}

/** One failed model constraint, in the AWS (Coral) wording. */
export interface Violation {
  value: string;
  /** Member path, e.g. `name` or `targets.1.member.id`. */
  at: string;
  constraint: string;
}

export const CONSTRAINT = {
  pattern: (re: string) => `Member must satisfy regular expression pattern: ${re}`,
  maxLength: (n: number) => `Member must have length less than or equal to ${n}`,
  minLength: (n: number) => `Member must have length greater than or equal to ${n}`,
  maxValue: (n: number) => `Member must have value less than or equal to ${n}`,
  minValue: (n: number) => `Member must have value greater than or equal to ${n}`,
  enumSet: (values: readonly string[]) => `Member must satisfy enum value set: [${values.join(', ')}]`,
  notNull: () => 'Member must not be null',
};

/** `N validation error(s) detected: Value 'x' at 'm' failed to satisfy constraint: …; …` — or undefined. */
export function constraintError(violations: readonly Violation[]): BusApiError | undefined {
  if (violations.length === 0) return undefined;
  const n = violations.length;
  const parts = violations.map((v) => `Value '${v.value}' at '${v.at}' failed to satisfy constraint: ${v.constraint}`);
  return validation(`${n} validation error${n === 1 ? '' : 's'} detected: ${parts.join('; ')}`);
}

/** Name-like members: pattern `[\.\-_A-Za-z0-9]+` and a maximum length. */
export const NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
export const NAME_PATTERN_TEXT = '[\\.\\-_A-Za-z0-9]+';

export function checkName(value: string, at: string, maxLength: number, out: Violation[]): void {
  if (!NAME_PATTERN.test(value)) out.push({ value, at, constraint: CONSTRAINT.pattern(NAME_PATTERN_TEXT) });
  if (value.length > maxLength) out.push({ value, at, constraint: CONSTRAINT.maxLength(maxLength) });
  if (value.length === 0) out.push({ value, at, constraint: CONSTRAINT.minLength(1) });
}
