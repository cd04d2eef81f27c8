import { describe, expect, it } from 'vitest';
import { generatedRules, measureSigmaThroughput, syntheticCloudTrail } from '../../src/sigma/measure.js';
import { SIGMA_RULES } from './helpers.js';

// Shape only: timings belong to `npm run bench`, never to unit tests.
describe('measureSigmaThroughput', () => {
  it('generated rule sets load without errors and are all indexed', () => {
    const c = generatedRules(300);
    expect(c.issues).toEqual([]);
    expect(c.rules).toHaveLength(300);
    expect(syntheticCloudTrail(3)).toHaveLength(3);
    expect(JSON.parse(syntheticCloudTrail(1)[0]!)).toMatchObject({ eventVersion: '1.11', eventType: 'AwsApiCall' });
  });

  it('reports every size, the real rules and the JSON.parse baseline', () => {
    const r = measureSigmaThroughput({ records: 200, sizes: [1, 50], runs: 1, rulesDir: SIGMA_RULES });
    expect(r.records).toBe(200);
    expect(r.jsonParse.usPerRecord).toBeGreaterThan(0);
    expect(r.generated.map((g) => g.rules)).toEqual([1, 50]);
    expect(r.real).toMatchObject({ rules: 57, dir: SIGMA_RULES });
    for (const row of [...r.generated, r.real!]) {
      expect(row.recordsPerSec).toBeGreaterThan(0);
      expect(row.ratioToParse).toBeGreaterThan(0);
    }
  });
});
