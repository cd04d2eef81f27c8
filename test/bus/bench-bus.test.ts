import { describe, expect, it } from 'vitest';
import { generateCityLots, RULE_GROUPS, runGroup, targetFor } from '../../bench/bus.js';
import { compilePattern } from '../../src/bus/pattern/compile.js';

describe('bus benchmark (citylots2-like data, event-ruler rule groups) — correctness only, no timing', () => {
  const lines = generateCityLots(1500, 7);

  it('generates the same GeoJSON-feature lines for the same seed, in citylots2 shape', () => {
    expect(generateCityLots(1500, 7)).toEqual(lines);
    expect(generateCityLots(3, 8)).not.toEqual(lines.slice(0, 3));
    const e = JSON.parse(lines[0]!);
    expect(Object.keys(e.properties)).toEqual([
      'MAPBLKLOT',
      'BLKLOT',
      'BLOCK_NUM',
      'LOT_NUM',
      'FROM_ST',
      'TO_ST',
      'STREET',
      'ST_TYPE',
      'ODD_EVEN',
    ]);
    expect(e.geometry.type).toMatch(/^(Multi)?Polygon$/);
    expect(e.geometry.firstCoordinates).toEqual(e.geometry.coordinates[0][0]);
    expect(Object.keys(e.geometry.firstCoordinates)).toEqual(['x', 'y', 'z']);
  });

  it("has event-ruler's 14 groups of five valid patterns, with the issue's targets", () => {
    expect(Object.keys(RULE_GROUPS)).toHaveLength(14);
    for (const rules of Object.values(RULE_GROUPS)) {
      expect(rules).toHaveLength(5);
      for (const r of rules) expect(() => compilePattern(r)).not.toThrow();
    }
    expect(targetFor('exact')).toBe(150_000);
    expect(targetFor('anything-but-wildcard')).toBe(80_000);
    expect(targetFor('wildcard')).toBeUndefined();
  });

  it('compiled index (parsed and scanned text) and reference matcher count the same matches for every rule of every group', () => {
    const sample = lines.slice(0, 200).map((l) => JSON.parse(l) as unknown);
    for (const group of Object.keys(RULE_GROUPS)) {
      const r = runGroup(group, lines, sample);
      expect(r.agree, group).toBe(true);
      expect(r.matches).toHaveLength(5);
      expect(r.scanEventsPerSec, group).toBeGreaterThan(0);
      expect(r.scanCpuEventsPerSec, group).toBeGreaterThan(0);
    }
    // Spot checks against counts computed independently of both matchers.
    const events = lines.map((l) => JSON.parse(l));
    const fulton = events.filter((e) => e.properties.STREET !== 'FULTON').length;
    const notPolygon = events.filter((e) => e.geometry.type !== 'Polygon').length;
    expect(runGroup('anything-but', lines, sample).matches).toEqual([
      fulton,
      events.filter((e) => e.properties.STREET !== 'MASON').length,
      events.filter((e) => e.properties.ST_TYPE !== 'ST').length,
      notPolygon,
      events.filter((e) => e.properties.FROM_ST !== '441').length,
    ]);
    const x = -122.41600944012424;
    expect(runGroup('numeric', lines, sample).matches.slice(2, 4)).toEqual([
      events.filter((e) => e.geometry.firstCoordinates.x < x).length,
      events.filter((e) => e.geometry.firstCoordinates.x > x).length,
    ]);
  });
});
