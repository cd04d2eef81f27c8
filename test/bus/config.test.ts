import { describe, expect, it } from 'vitest';
import { loadBusConfig } from '../../src/bus/config.js';
import { EventBusRegistry } from '../../src/bus/registry.js';

const YAML = `# vigil.yaml
logs:
  strict: true
bus:
  buses:
    - Name: security
    - Name: "bad name!"
  rules:
    - Name: guardduty-high
      EventBusName: security
      EventPattern:
        source: [aws.guardduty]
        detail:
          severity: [{ numeric: [">=", 7] }]
      Targets:
        - Id: alerts
          Arn: file:///var/log/vigil/alerts.jsonl
          InputPath: $.detail
    - Name: broken
      EventPattern: '{"int": 42}'
    - Name: nightly
      ScheduleExpression: cron(0 2 * * ? *)
      State: DISABLED
`;

describe('loadBusConfig', () => {
  it('loads buses, rules (YAML patterns) and targets through API validation, reporting bad items by line', () => {
    const registry = new EventBusRegistry();
    const r = loadBusConfig(registry, YAML, 'vigil.yaml');
    expect(r).toMatchObject({ buses: 1, rules: 2, targets: 1 });
    expect(r.issues).toEqual([
      {
        where: 'vigil.yaml:7: bus.buses[1]',
        reason:
          "1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+",
      },
      {
        where: 'vigil.yaml:19: bus.rules[1] rule broken',
        reason:
          'Event pattern is not valid. Reason: "int" must be an object or an array\n at [Source: (String)"{"int": 42}"; line: 1, column: 11]',
      },
    ]);
    expect(registry.describeRule({ Name: 'guardduty-high', EventBusName: 'security' }).EventPattern).toBe(
      '{"source":["aws.guardduty"],"detail":{"severity":[{"numeric":[">=",7]}]}}',
    );
    const event = { source: 'aws.guardduty', detail: { severity: 8 } };
    expect(registry.matchingRules('security', event).map((x) => x.name)).toEqual(['guardduty-high']);
    expect(registry.describeRule({ Name: 'nightly' })).toMatchObject({
      State: 'DISABLED',
      ScheduleExpression: 'cron(0 2 * * ? *)',
    });
  });

  it('reports YAML syntax errors with their line and loads nothing', () => {
    const r = loadBusConfig(new EventBusRegistry(), 'bus:\n  rules: [\n', 'x.yaml');
    expect(r.rules).toBe(0);
    expect(r.issues[0]?.where).toMatch(/^x\.yaml:\d+$/);
  });
});
