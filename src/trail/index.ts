/** CloudTrail log file integrity: validation of digest chains and signed Vigil trails. */
export { type DigestJson, type DigestLogFile, stringToSign } from './digest.js';
export { startTrailApi, type TrailApi, type TrailApiOptions, type TrailDescription } from './endpoint.js';
export { generateSigningKey, loadSigningKey, publicKeyEntry, type SigningKey } from './keygen.js';
export {
  loadPublicKeyFile,
  type PublicKeyEntry,
  type PublicKeySource,
  parsePublicKeyList,
  StaticKeySource,
  toPublicKeyListJson,
} from './keys.js';
export type { ChainId } from './layout.js';
export { type ChainJson, type FileResult, JsonReporter, TextReporter } from './report.js';
export {
  type ChainPlan,
  type ChainResult,
  exitCodeOf,
  planValidation,
  type ReportSink,
  runValidation,
  type ValidateRequest,
} from './run.js';
export { CloudTrailKeySource } from './sdk-keys.js';
export {
  type CloudTrailRecord,
  TrailWriter,
  type TrailWriterOptions,
  type WrittenDigest,
  type WrittenLog,
} from './sign.js';
export { LocalStore, type ObjectStore, S3Store, SIDECAR_SUFFIX } from './store.js';
export { type ChainCounts, type InvalidReason, type TrailEvent, validateChain } from './validate.js';
