/**
 * `--route`: findings published as GuardDuty Finding EventBridge events through the in-process bus (issue 5 §4):
 * rules with patterns on detail.type / detail.severity pick them, file targets receive them, failing targets go to
 * their dead-letter queue with AWS's attributes, archived findings are not published.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeFindings } from '../../src/detect/route.js';
import { runDetection } from '../../src/detect/run.js';
import type { Finding } from '../../src/detect/types.js';
import { toEventBridge } from '../../src/report/findings.js';
import { CORPORA } from '../helpers/corpus.js';

const STRATUS = join(CORPORA, 'cloudtrail/stratus');
const RULES = join(CORPORA, 'sigma/rules-aws');
let dir = '';
let findings: Finding[] = [];

const lines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-route-'));
  const run = await runDetection(
    [
      join(STRATUS, 'aws.defense-evasion.cloudtrail-stop.json'),
      join(STRATUS, 'aws.defense-evasion.vpc-remove-flow-logs.json'),
      join(STRATUS, 'aws.initial-access.console-login-without-mfa.json'),
    ],
    { sigma: [RULES] },
  );
  findings = run.result.findings;
});

function config(name: string): { text: string; file: string } {
  const text = `bus:
  rules:
    - Name: sigma-high
      EventPattern:
        source: [aws.guardduty]
        detail-type: [GuardDuty Finding]
        detail:
          type: [{ prefix: "Sigma:" }]
          severity: [{ numeric: [">=", 7] }]
      Targets:
        - { Id: high, Arn: "file://${dir}/${name}-high.jsonl", InputPath: "$.detail" }
    - Name: trail-stopped
      EventPattern: { detail: { type: ["Stealth:IAMUser/CloudTrailLoggingDisabled"] } }
      Targets:
        - { Id: all, Arn: "file://${dir}/${name}-trail.jsonl" }
        - Id: broken
          Arn: "command:/nonexistent/vigil-test-program"
          RetryPolicy: { MaximumRetryAttempts: 0 }
          DeadLetterConfig: { Arn: "file://${dir}/${name}-dlq.jsonl" }
    - Name: bad-rule
      EventPattern: { detail: { severity: [{ numeric: [">=", "seven"] }] } }
`;
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return { text, file };
}

describe('routing findings through the bus', () => {
  it('delivers by detail.type / detail.severity patterns and dead-letters a failing target', async () => {
    const r = await routeFindings(findings, config('a'), { budgetMs: 2000 });
    const high = findings.filter((f) => f.type.startsWith('Sigma:') && f.severity >= 7);
    const trail = findings.filter((f) => f.type === 'Stealth:IAMUser/CloudTrailLoggingDisabled');
    expect(high.length).toBeGreaterThan(0);
    expect(trail).toHaveLength(1);
    expect(r.events).toBe(findings.length);
    expect(r.routed).toBe(high.length + 2 * trail.length);
    expect(r.delivered).toBe(high.length + trail.length);
    expect(r.deadLettered).toBe(1);
    expect(r.dropped).toBe(0);
    expect(r.pending).toBe(0);
    // The invalid pattern is rejected with the file, line and AWS's message; the other rules still load.
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatch(new RegExp(`^${join(dir, 'a.yaml')}:\\d+: bus.rules\\[2\\]`));
    expect(lines(join(dir, 'a-high.jsonl')).map((d) => d.id)).toEqual(high.map((f) => f.id));
    const trailEvents = lines(join(dir, 'a-trail.jsonl'));
    expect(trailEvents).toHaveLength(1);
    expect(trailEvents[0]).toEqual(JSON.parse(JSON.stringify(toEventBridge(trail[0]!))));
    const dlq = lines(join(dir, 'a-dlq.jsonl'));
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.attributes).toMatchObject({
      RULE_ARN: 'arn:aws:events:us-east-1:000000000000:rule/trail-stopped',
      TARGET_ARN: 'command:/nonexistent/vigil-test-program',
      RETRY_ATTEMPTS: '0',
    });
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toContain('rule trail-stopped target broken');
    expect(r.metrics).toContainEqual({
      rule: 'trail-stopped',
      target: 'broken',
      name: 'InvocationsSentToDLQ',
      value: 1,
    });
    expect(r.metrics).toContainEqual({ rule: 'sigma-high', target: 'high', name: 'Invocations', value: high.length });
  });

  it('does not publish archived findings and keeps the source configurable', async () => {
    const archived = findings.map((f) =>
      f.type === 'Stealth:IAMUser/CloudTrailLoggingDisabled' ? { ...f, service: { ...f.service, archived: true } } : f,
    );
    const r = await routeFindings(archived, config('b'), { budgetMs: 2000, source: 'vigil.detect' });
    expect(r.archivedSkipped).toBe(1);
    expect(r.events).toBe(findings.length - 1);
    // sigma-high requires source aws.guardduty: nothing matches with another source.
    expect(lines(join(dir, 'b-high.jsonl'))).toEqual([]);
    expect(lines(join(dir, 'b-trail.jsonl'))).toEqual([]);
    expect(r.routed).toBe(0);
  });
});
