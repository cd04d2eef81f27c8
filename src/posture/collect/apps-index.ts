/** The per-region application services, by service name (`--services` values). */
import { collectEfs, collectLambda, collectSns, collectSqs } from './apps.js';
import type { Collection } from './context.js';

export const collectApps: [string, (col: Collection, region: string) => Promise<void>][] = [
  ['lambda', collectLambda],
  ['sns', collectSns],
  ['sqs', collectSqs],
  ['efs', collectEfs],
];
