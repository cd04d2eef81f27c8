/** EventBridge-compatible event patterns: compiler/validator, reference matcher, compiled index, explanations. */
export {
  type CompileOptions,
  compilePattern,
  DEFAULT_MAX_COMBINATIONS,
  DEFAULT_MAX_LENGTH,
  DEFAULT_MAX_WILDCARD_COMPLEXITY,
  isPattern,
  PatternError,
} from './compile.js';
export { PatternIndex } from './compiled.js';
export { type BranchFailure, type Explanation, explain, type FailureReason, type FieldMatch } from './explain.js';
export { ParsedEvent, parseEvent } from './flatten.js';
export { matches } from './reference.js';
export type { FieldCondition, Matcher, Pattern, SubPattern } from './types.js';
