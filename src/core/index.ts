export * from './errors.js';
export * from './ip.js';
export * from './log.js';
export * from './time.js';
