import { describe, expect, it } from 'vitest';
import { measurePatternThroughput, RULE_KINDS } from './measure.js';

describe('measurePatternThroughput (smoke run, no timing assertions)', () => {
  it('reports one JSON-able row per kind and rule count, with the index agreeing with the reference', async () => {
    const report = await measurePatternThroughput([1, 20], { events: 60, budgetMs: 5 });
    expect(report.rows).toHaveLength(RULE_KINDS.length * 2);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    for (const row of report.rows) {
      expect(row.agree).toBe(true);
      expect(row.compiledEventsPerSec).toBeGreaterThan(0);
      expect(row.referenceEventsPerSec).toBeGreaterThan(0);
      expect(row.scanEventsPerSec).toBeGreaterThan(0);
      expect(row.scanCpuEventsPerSec).toBeGreaterThan(0);
      expect(row.pipelineEventsPerSec).toBeGreaterThan(0);
      expect(row.pipelineCpuEventsPerSec).toBeGreaterThan(0);
      expect(row.parseOnlyCpuUs).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(row.pipelineMatchCpuUs)).toBe(true);
    }
  });
});
