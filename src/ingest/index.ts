export * from './file-parse.js';
export * from './pipeline.js';
export * from './registry.js';
export * from './run.js';
export * from './serialize.js';
export * from './sources.js';
export * from './stats.js';
export * from './types.js';
