/** Public library surface of threat detection. */
export { renderDetectorDocs } from './catalogue.js';
export { type DetectConfig, detectConfigSchema } from './config.js';
export { ALL_DETECTORS, allFindingTypes } from './detectors/index.js';
export { DetectionEngine, type DetectResult, type DetectStats, detectRecords, type EngineOptions } from './engine.js';
export { type GeoInfo, type GeoLookup, openGeo } from './geo.js';
export { bundledIntel, loadIntelText, ThreatIntel } from './intel.js';
export { AwsIpRanges, loadAwsIpRanges, parseAwsIpRanges } from './ip-ranges.js';
export { formatRouteSummary, type RouteOptions, type RouteResult, routeFindings } from './route.js';
export { type DetectRun, type DetectRunOptions, detectSummary, failsOn, runDetection, visibleFindings } from './run.js';
export { levelSeverity, sigmaDetector, sigmaFindingType } from './sources/sigma.js';
export { prioritySeverity, suricataDetector } from './sources/suricata.js';
export { MemoryStateStore, openStateStore, SqliteStateStore, type StateStore } from './state.js';
export { loadSuppressionFile, parseFilter, type SuppressionRule } from './suppress.js';
export * from './types.js';
