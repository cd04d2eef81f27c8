/** Collect from a moto endpoint and evaluate every rule, as the collector moto tests share. */
import { collect } from '../../src/posture/collect/index.js';
import { type Evaluation, evaluate } from '../../src/posture/engine.js';
import { InventoryBuilder } from '../../src/posture/inputs.js';
import { ALL_RULES } from '../../src/posture/rules/index.js';
import { CREDENTIALS, REGION } from './moto-fixture.js';

export async function collectAndEvaluate(
  endpoint: string,
): Promise<{ result: Awaited<ReturnType<typeof collect>>; evals: Evaluation[] }> {
  const result = await collect({ regions: [REGION], endpoint, credentials: CREDENTIALS, timeoutMs: 20_000 });
  // Round-trip through the snapshot file format, exactly as `vigil posture scan snapshot.json` would.
  const b = new InventoryBuilder((i) => {
    throw new Error(i.reason);
  });
  b.addText(JSON.stringify(result.snapshot), 'snapshot.json');
  const evals = evaluate(
    b.build(),
    ALL_RULES.map((rule) => ({ rule })),
  ).evaluations;
  return { result, evals };
}
