import { dirname, isAbsolute, resolve } from 'node:path';
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
 * An optional `aws:` mapping sets where AWS targets are called and maps Lambda functions to local handlers for
 * offline use (relative `module:` paths are relative to the config file):
 *
 *   bus:
 *     aws:
 *       endpoint: http://127.0.0.1:5000
 *       lambdaHandlers:
 *         "arn:aws:lambda:us-east-1:123456789012:function:quarantine": "module:./handlers/quarantine.js#handler"
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
  loadAwsSection(registry, section.get('aws', true) as Node | undefined, file, counter, result);
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

function loadAwsSection(
  registry: EventBusRegistry,
  node: Node | undefined,
  file: string,
  counter: LineCounter,
  result: BusConfigResult,
): void {
  if (node === undefined || node === null) return;
  const at = (n: Node | undefined) => `${file}:${lineOf(n ?? node, counter) ?? 1}`;
  if (!isMap(node)) {
    result.issues.push({ where: at(node), reason: 'bus.aws must be a mapping' });
    return;
  }
  const endpoint = node.get('endpoint', true) as Node | undefined;
  if (endpoint !== undefined) {
    const value = endpoint.toJSON() as unknown;
    if (typeof value === 'string' && /^https?:\/\/./.test(value)) registry.aws.endpoint = value;
    else result.issues.push({ where: `${at(endpoint)}: bus.aws.endpoint`, reason: 'must be an http(s) URL' });
  }
  const handlers = node.get('lambdaHandlers', true) as Node | undefined;
  if (handlers === undefined) return;
  if (!isMap(handlers)) {
    result.issues.push({ where: `${at(handlers)}: bus.aws.lambdaHandlers`, reason: 'must be a mapping' });
    return;
  }
  const base = dirname(resolve(file));
  const map: Record<string, string> = { ...registry.aws.lambdaHandlers };
  for (const pair of handlers.items) {
    const key = (pair.key as Node | null)?.toJSON?.() ?? pair.key;
    const value = (pair.value as Node | null)?.toJSON?.() ?? pair.value;
    const where = `${at((pair.key as Node) ?? handlers)}: bus.aws.lambdaHandlers`;
    if (typeof key !== 'string' || !/^arn:[^:]+:lambda:[^:]+:[^:]+:function:/.test(key)) {
      result.issues.push({ where, reason: `${String(key)} is not a Lambda function ARN` });
    } else if (typeof value !== 'string' || !/^(module|command|file):./.test(value)) {
      result.issues.push({ where, reason: `${key} must map to a local target (module:, command: or file:)` });
    } else {
      const rest = value.slice(7);
      map[key] = value.startsWith('module:') && !isAbsolute(rest) ? `module:${resolve(base, rest)}` : value;
    }
  }
  registry.aws.lambdaHandlers = map;
}
