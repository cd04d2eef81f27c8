import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { EventBusRegistry, TargetSpec } from './registry.js';

/**
 * Buses, rules and targets from YAML (a `bus:` section of vigil.yaml, or a file holding just that section), in the
 * API's own vocabulary so that nothing needs translating: each rule is a PutRule request plus `Targets` (PutTargets
 * entries), and `EventPattern` may be written as YAML instead of JSON text:
 *
 *   bus:
 *     buses: [{ Name: security }]
 *     rules:
 *       - Name: guardduty-high
 *         EventBusName: security
 *         EventPattern: { source: [aws.guardduty], detail: { severity: [{ numeric: [">=", 7] }] } }
 *         Targets:
 *           - { Id: alerts, Arn: "file:///var/log/vigil/alerts.jsonl", InputPath: "$.detail" }
 *
 * Every item goes through the registry's API validation; a bad item is reported with its file and line (and AWS's
 * message) and the rest are still loaded.
 */

export interface BusConfigIssue {
  where: string;
  reason: string;
}

export interface BusConfigResult {
  buses: number;
  rules: number;
  targets: number;
  issues: BusConfigIssue[];
}

function lineOf(node: Node | null | undefined, counter: LineCounter): number | undefined {
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : counter.linePos(offset).line;
}

export function loadBusConfig(registry: EventBusRegistry, text: string, file: string): BusConfigResult {
  const result: BusConfigResult = { buses: 0, rules: 0, targets: 0, issues: [] };
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      result.issues.push({ where: `${file}:${counter.linePos(e.pos[0]).line}`, reason: e.message.split('\n')[0]! });
    }
    return result;
  }
  const root = doc.contents;
  const section = isMap(root) && root.has('bus') ? root.get('bus', true) : root;
  if (section === undefined || section === null) return result;
  if (!isMap(section)) {
    result.issues.push({ where: `${file}:${lineOf(section as Node, counter) ?? 1}`, reason: 'bus must be a mapping' });
    return result;
  }
  const items = (key: string): { node: Node; value: Record<string, unknown>; where: string }[] => {
    const seq = section.get(key, true);
    if (seq === undefined) return [];
    if (!isSeq(seq)) {
      result.issues.push({
        where: `${file}:${lineOf(seq as Node, counter) ?? 1}`,
        reason: `bus.${key} must be a list`,
      });
      return [];
    }
    return seq.items.map((node, i) => ({
      node: node as Node,
      value: (node as Node).toJSON() as Record<string, unknown>,
      where: `${file}:${lineOf(node as Node, counter) ?? 1}: bus.${key}[${i}]`,
    }));
  };
  for (const { value, where } of items('buses')) {
    try {
      if (!value || typeof value !== 'object') throw new Error('must be a mapping with Name');
      registry.createEventBus(value as { Name: string; Description?: string });
      result.buses++;
    } catch (err) {
      result.issues.push({ where, reason: (err as Error).message });
    }
  }
  for (const { value, where } of items('rules')) {
    try {
      if (!value || typeof value !== 'object') throw new Error('must be a mapping with Name');
      const { Targets, EventPattern, ...rule } = value;
      const request = {
        ...rule,
        ...(EventPattern === undefined
          ? {}
          : { EventPattern: typeof EventPattern === 'string' ? EventPattern : JSON.stringify(EventPattern) }),
      } as Parameters<EventBusRegistry['putRule']>[0];
      registry.putRule(request);
      result.rules++;
      if (Targets !== undefined) {
        if (!Array.isArray(Targets)) throw new Error('Targets must be a list');
        registry.putTargets({
          Rule: request.Name,
          EventBusName: request.EventBusName,
          Targets: Targets as TargetSpec[],
        });
        result.targets += Targets.length;
      }
    } catch (err) {
      const name = value && typeof value === 'object' && typeof value.Name === 'string' ? ` rule ${value.Name}` : '';
      result.issues.push({ where: `${where}${name}`, reason: (err as Error).message });
    }
  }
  return result;
}
