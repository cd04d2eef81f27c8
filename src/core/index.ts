export * from './errors.js';
export * from './ip.js';
export * from './time.js';
