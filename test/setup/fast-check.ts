import fc from 'fast-check';

/**
 * Property tests run with a fixed seed so CI is deterministic; set FC_SEED to another number (or "random") to
 * explore new inputs locally. A failure prints its seed and path for replay.
 */
const seed = process.env.FC_SEED;
if (seed !== 'random') fc.configureGlobal({ seed: seed === undefined ? 20261129 : Number(seed) });
