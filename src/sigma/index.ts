/**
 * Vigil's Sigma engine: parse → validate → compile (pipelines, filters) → match → correlate.
 *
 *   const rules = loadSigmaPaths(['rules/']);                 // or parseSigmaText(text, file)
 *   const engine = new SigmaEngine(rules, { placeholders });   // compile once
 *   const stream = new SigmaStream(engine, rules);             // per input stream
 *   for (const record of records) for (const e of stream.push(record)) report(e);
 *   for (const e of stream.flush()) report(e);
 */

export { listRuleFiles, loadSigmaPaths, validateCollection } from './collection.js';
export { formatCondition, parseCondition } from './condition.js';
export { conditionText } from './correlation.js';
export { type CompiledRule, type EngineOptions, SigmaEngine } from './engine.js';
export {
  generatedRules,
  measureSigmaThroughput,
  type SigmaMeasureOptions,
  type SigmaMeasureResult,
} from './measure.js';
export { type LoadOptions, mergeCollections, parseSigmaText, parseTimespan } from './parse.js';
export {
  builtinPipeline,
  DEFAULT_PIPELINE_YAML,
  type FieldMap,
  type Pipeline,
  parsePipeline,
  resolveLogsource,
  type TransformMap,
} from './pipeline.js';
export { explainDetection, referenceMatch } from './reference.js';
export {
  eventRow,
  eventToJson,
  explainSelections,
  formatSigmaIssue,
  type SeverityLabel,
  severityOf,
} from './report.js';
export { loadSigmaSetup, type SigmaSetup, type SigmaSetupOptions } from './setup.js';
export { SigmaStream, type StreamStats } from './stream.js';
export { VALUE_TRANSFORMS, type ValueTransform, valueTransformer } from './transforms.js';
export * from './types.js';
