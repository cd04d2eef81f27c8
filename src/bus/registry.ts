import type { BusAwsSettings } from './aws-targets.js';
import {
  alreadyExists,
  BusApiError,
  CONSTRAINT,
  checkName,
  constraintError,
  limitExceeded,
  notFound,
  type Violation,
  validation,
} from './errors.js';
import { InputShaper, type InputTransformer, validateTargetInput } from './input.js';
import { compilePattern, type Pattern, PatternError, PatternIndex } from './pattern/index.js';
import { parseSchedule, type Schedule } from './schedule.js';

/**
 * Event buses, rules and targets with EventBridge's API semantics and validation messages (AWS-recorded where the
 * corpus has them). Each bus keeps a compiled PatternIndex of its enabled rules for routing.
 */

export const RULE_STATES = ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'] as const;
export type RuleState = (typeof RULE_STATES)[number];
export const DEFAULT_BUS = 'default';

export interface RetryPolicy {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
}

export interface HttpParameters {
  PathParameterValues?: string[];
  HeaderParameters?: Record<string, string>;
  QueryStringParameters?: Record<string, string>;
}

/** A target as given to PutTargets (the fields Vigil uses; others are kept as given). */
export interface TargetSpec {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
  RetryPolicy?: RetryPolicy;
  DeadLetterConfig?: { Arn?: string };
  HttpParameters?: HttpParameters;
  SqsParameters?: { MessageGroupId?: string };
  [other: string]: unknown;
}

export interface Target {
  readonly spec: TargetSpec;
  readonly shaper: InputShaper;
}

export interface Rule {
  readonly name: string;
  readonly busName: string;
  readonly arn: string;
  eventPattern: string | undefined;
  pattern: Pattern | undefined;
  scheduleExpression: string | undefined;
  schedule: Schedule | undefined;
  state: RuleState;
  description: string | undefined;
  roleArn: string | undefined;
  readonly createdBy: string;
  readonly targets: Map<string, Target>;
}

export interface Bus {
  readonly name: string;
  readonly arn: string;
  description: string | undefined;
  readonly creationTime: Date;
  lastModifiedTime: Date;
  readonly rules: Map<string, Rule>;
  readonly index: PatternIndex<string>;
}

export interface RegistryOptions {
  account?: string;
  region?: string;
  maxRulesPerBus?: number;
  maxTargetsPerRule?: number;
  maxBuses?: number;
  now?: () => Date;
}

export interface PutTargetsResult {
  FailedEntryCount: number;
  FailedEntries: { TargetId: string; ErrorCode: string; ErrorMessage: string }[];
}

const BUS_NAME = /^[/.\-_A-Za-z0-9]+$/;

/** Limit/NextToken paging over a sorted list (opaque base64url offsets). */
export function page<T>(
  items: T[],
  limit: number | undefined,
  token: string | undefined,
): { items: T[]; next?: string } {
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) || 0 : 0;
  const end = limit && limit > 0 ? start + limit : items.length;
  const next = end < items.length ? Buffer.from(String(end), 'utf8').toString('base64url') : undefined;
  return next ? { items: items.slice(start, end), next } : { items: items.slice(start, end) };
}

export class EventBusRegistry {
  readonly account: string;
  readonly region: string;
  /** Where AWS targets (SQS, SNS, Lambda) and SQS dead-letter queues are called; set from the bus config. */
  aws: BusAwsSettings = {};
  private readonly buses = new Map<string, Bus>();
  private readonly opts: Required<Omit<RegistryOptions, 'account' | 'region'>>;

  constructor(options: RegistryOptions = {}) {
    this.account = options.account ?? '000000000000';
    this.region = options.region ?? 'us-east-1';
    this.opts = {
      maxRulesPerBus: options.maxRulesPerBus ?? 300,
      maxTargetsPerRule: options.maxTargetsPerRule ?? 5,
      maxBuses: options.maxBuses ?? 100,
      now: options.now ?? (() => new Date()),
    };
    this.addBus(DEFAULT_BUS, undefined);
  }

  busArn(name: string): string {
    return `arn:aws:events:${this.region}:${this.account}:event-bus/${name}`;
  }

  ruleArn(bus: string, name: string): string {
    return `arn:aws:events:${this.region}:${this.account}:rule/${bus === DEFAULT_BUS ? '' : `${bus}/`}${name}`;
  }

  /** A bus by name or ARN (EventBusNameOrArn), default when omitted. */
  bus(nameOrArn: string | undefined): Bus {
    const name = busName(nameOrArn);
    const bus = this.buses.get(name);
    if (!bus) throw notFound(`Event bus ${name} does not exist.`);
    return bus;
  }

  hasBus(nameOrArn: string | undefined): boolean {
    return this.buses.has(busName(nameOrArn));
  }

  allBuses(): Bus[] {
    return [...this.buses.values()];
  }

  private addBus(name: string, description: string | undefined): Bus {
    const now = this.opts.now();
    const bus: Bus = {
      name,
      arn: this.busArn(name),
      description,
      creationTime: now,
      lastModifiedTime: now,
      rules: new Map(),
      index: new PatternIndex(),
    };
    this.buses.set(name, bus);
    return bus;
  }

  createEventBus(req: { Name: string; Description?: string }): { EventBusArn: string; Description?: string } {
    const violations: Violation[] = [];
    if (!BUS_NAME.test(req.Name ?? '')) {
      violations.push({ value: req.Name, at: 'name', constraint: CONSTRAINT.pattern('[/\\.\\-_A-Za-z0-9]+') });
    }
    if ((req.Name ?? '').length > 256)
      violations.push({ value: req.Name, at: 'name', constraint: CONSTRAINT.maxLength(256) });
    const invalid = constraintError(violations);
    if (invalid) throw invalid;
    if (this.buses.has(req.Name)) throw alreadyExists(`Event bus ${req.Name} already exists.`);
    if (req.Name === DEFAULT_BUS) throw alreadyExists(`Event bus ${req.Name} already exists.`);
    if (this.buses.size >= this.opts.maxBuses + 1) throw limitExceeded();
    const bus = this.addBus(req.Name, req.Description);
    return req.Description !== undefined
      ? { EventBusArn: bus.arn, Description: req.Description }
      : { EventBusArn: bus.arn };
  }

  describeEventBus(req: { Name?: string } = {}): Record<string, unknown> {
    return describeBus(this.bus(req.Name));
  }

  listEventBuses(req: { NamePrefix?: string; Limit?: number; NextToken?: string } = {}) {
    const all = [...this.buses.values()]
      .filter((b) => !req.NamePrefix || b.name.startsWith(req.NamePrefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(describeBus);
    const p = page(all, req.Limit, req.NextToken);
    return p.next ? { EventBuses: p.items, NextToken: p.next } : { EventBuses: p.items };
  }

  deleteEventBus(req: { Name: string }): Record<string, never> {
    if (req.Name === DEFAULT_BUS) throw validation('Cannot delete event bus default.');
    this.bus(req.Name);
    this.buses.delete(req.Name);
    return {};
  }

  private rule(bus: Bus, name: string): Rule {
    const rule = bus.rules.get(name);
    if (!rule) throw notFound(`Rule ${name} does not exist on EventBus ${bus.name}.`);
    return rule;
  }

  /** Create or update a rule. Targets of an existing rule are kept. */
  putRule(req: {
    Name: string;
    EventBusName?: string;
    EventPattern?: string;
    ScheduleExpression?: string;
    State?: string;
    Description?: string;
    RoleArn?: string;
  }): { RuleArn: string } {
    const violations: Violation[] = [];
    checkName(req.Name ?? '', 'name', 64, violations);
    if (req.State !== undefined && !(RULE_STATES as readonly string[]).includes(req.State)) {
      violations.push({ value: req.State, at: 'state', constraint: CONSTRAINT.enumSet(RULE_STATES) });
    }
    if (req.Description !== undefined && req.Description.length > 512) {
      violations.push({ value: req.Description, at: 'description', constraint: CONSTRAINT.maxLength(512) });
    }
    if (req.ScheduleExpression !== undefined && req.ScheduleExpression.length > 256) {
      violations.push({
        value: req.ScheduleExpression,
        at: 'scheduleExpression',
        constraint: CONSTRAINT.maxLength(256),
      });
    }
    if (req.EventPattern !== undefined && req.EventPattern.length > 4096) {
      violations.push({ value: req.EventPattern, at: 'eventPattern', constraint: CONSTRAINT.maxLength(4096) });
    }
    const invalid = constraintError(violations);
    if (invalid) throw invalid;
    const bus = this.bus(req.EventBusName);
    if (req.EventPattern === undefined && req.ScheduleExpression === undefined) {
      throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    }
    let schedule: Schedule | undefined;
    if (req.ScheduleExpression !== undefined) {
      if (bus.name !== DEFAULT_BUS) throw validation('ScheduleExpression is supported only on the default event bus.');
      schedule = parseSchedule(req.ScheduleExpression);
      if (!schedule) throw validation('Parameter ScheduleExpression is not valid.');
    }
    let pattern: Pattern | undefined;
    if (req.EventPattern !== undefined) {
      try {
        pattern = compilePattern(req.EventPattern);
      } catch (e) {
        if (e instanceof PatternError) throw new BusApiError('InvalidEventPatternException', e.rawMessage);
        throw e;
      }
    }
    const existing = bus.rules.get(req.Name);
    if (!existing && bus.rules.size >= this.opts.maxRulesPerBus) throw limitExceeded();
    const rule: Rule = existing ?? {
      name: req.Name,
      busName: bus.name,
      arn: this.ruleArn(bus.name, req.Name),
      eventPattern: undefined,
      pattern: undefined,
      scheduleExpression: undefined,
      schedule: undefined,
      state: 'ENABLED',
      description: undefined,
      roleArn: undefined,
      createdBy: this.account,
      targets: new Map(),
    };
    rule.eventPattern = req.EventPattern;
    rule.pattern = pattern;
    rule.scheduleExpression = req.ScheduleExpression;
    rule.schedule = schedule;
    rule.state = (req.State as RuleState | undefined) ?? rule.state;
    rule.description = req.Description ?? rule.description;
    rule.roleArn = req.RoleArn ?? rule.roleArn;
    bus.rules.set(rule.name, rule);
    this.reindex(bus, rule);
    return { RuleArn: rule.arn };
  }

  /** Keep the routing index in step with a rule's pattern and state. */
  private reindex(bus: Bus, rule: Rule): void {
    if (rule.pattern && rule.state !== 'DISABLED') bus.index.add(rule.name, rule.pattern);
    else bus.index.remove(rule.name);
  }

  describeRule(req: { Name: string; EventBusName?: string }): Record<string, unknown> {
    const bus = this.bus(req.EventBusName);
    const rule = this.rule(bus, req.Name);
    return { ...ruleSummary(rule), CreatedBy: rule.createdBy };
  }

  listRules(req: { NamePrefix?: string; EventBusName?: string; Limit?: number; NextToken?: string } = {}) {
    const bus = this.bus(req.EventBusName);
    const all = [...bus.rules.values()]
      .filter((r) => !req.NamePrefix || r.name.startsWith(req.NamePrefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(ruleSummary);
    const p = page(all, req.Limit, req.NextToken);
    return p.next ? { Rules: p.items, NextToken: p.next } : { Rules: p.items };
  }

  deleteRule(req: { Name: string; EventBusName?: string; Force?: boolean }): Record<string, never> {
    const bus = this.bus(req.EventBusName);
    const rule = bus.rules.get(req.Name);
    if (!rule) return {};
    if (rule.targets.size > 0) throw validation("Rule can't be deleted since it has targets.");
    bus.rules.delete(req.Name);
    bus.index.remove(req.Name);
    return {};
  }

  enableRule(req: { Name: string; EventBusName?: string }): Record<string, never> {
    return this.setState(req, 'ENABLED');
  }

  disableRule(req: { Name: string; EventBusName?: string }): Record<string, never> {
    return this.setState(req, 'DISABLED');
  }

  private setState(req: { Name: string; EventBusName?: string }, state: RuleState): Record<string, never> {
    const bus = this.bus(req.EventBusName);
    const rule = this.rule(bus, req.Name);
    rule.state = state;
    this.reindex(bus, rule);
    return {};
  }

  putTargets(req: { Rule: string; EventBusName?: string; Targets: TargetSpec[] }): PutTargetsResult {
    const violations: Violation[] = [];
    const targets = req.Targets ?? [];
    if (targets.length === 0) violations.push({ value: '[]', at: 'targets', constraint: CONSTRAINT.minLength(1) });
    if (targets.length > 10) {
      violations.push({ value: `[${targets.length} targets]`, at: 'targets', constraint: CONSTRAINT.maxLength(10) });
    }
    targets.forEach((t, i) => {
      const at = `targets.${i + 1}.member`;
      checkName(t.Id ?? '', `${at}.id`, 64, violations);
      if (typeof t.Arn !== 'string' || t.Arn.length === 0) {
        violations.push({ value: String(t.Arn), at: `${at}.arn`, constraint: CONSTRAINT.minLength(1) });
      } else if (t.Arn.length > 1600) {
        violations.push({ value: t.Arn, at: `${at}.arn`, constraint: CONSTRAINT.maxLength(1600) });
      }
      const retry = t.RetryPolicy;
      if (retry?.MaximumRetryAttempts !== undefined) {
        const v = retry.MaximumRetryAttempts;
        if (v > 185)
          violations.push({
            value: String(v),
            at: `${at}.retryPolicy.maximumRetryAttempts`,
            constraint: CONSTRAINT.maxValue(185),
          });
        if (v < 0)
          violations.push({
            value: String(v),
            at: `${at}.retryPolicy.maximumRetryAttempts`,
            constraint: CONSTRAINT.minValue(0),
          });
      }
      if (retry?.MaximumEventAgeInSeconds !== undefined) {
        const v = retry.MaximumEventAgeInSeconds;
        if (v > 86400)
          violations.push({
            value: String(v),
            at: `${at}.retryPolicy.maximumEventAgeInSeconds`,
            constraint: CONSTRAINT.maxValue(86400),
          });
        if (v < 60)
          violations.push({
            value: String(v),
            at: `${at}.retryPolicy.maximumEventAgeInSeconds`,
            constraint: CONSTRAINT.minValue(60),
          });
      }
    });
    const invalid = constraintError(violations);
    if (invalid) throw invalid;
    const bus = this.bus(req.EventBusName);
    const rule = this.rule(bus, req.Rule);
    for (const t of targets) {
      const problem = validateTargetInput(t);
      if (problem) throw validation(problem);
    }
    const ids = new Set([...rule.targets.keys(), ...targets.map((t) => t.Id)]);
    if (ids.size > this.opts.maxTargetsPerRule) throw limitExceeded();
    for (const t of targets) rule.targets.set(t.Id, { spec: { ...t }, shaper: new InputShaper(t) });
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  removeTargets(req: { Rule: string; EventBusName?: string; Ids: string[]; Force?: boolean }): PutTargetsResult {
    const bus = this.bus(req.EventBusName);
    const rule = this.rule(bus, req.Rule);
    for (const id of req.Ids ?? []) rule.targets.delete(id);
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  listTargetsByRule(req: { Rule: string; EventBusName?: string; Limit?: number; NextToken?: string }) {
    const bus = this.bus(req.EventBusName);
    const rule = this.rule(bus, req.Rule);
    const p = page(
      [...rule.targets.values()].map((t) => ({ ...t.spec })),
      req.Limit,
      req.NextToken,
    );
    return p.next ? { Targets: p.items, NextToken: p.next } : { Targets: p.items };
  }

  listRuleNamesByTarget(req: { TargetArn: string; EventBusName?: string; Limit?: number; NextToken?: string }) {
    const bus = this.bus(req.EventBusName);
    const names = [...bus.rules.values()]
      .filter((r) => [...r.targets.values()].some((t) => t.spec.Arn === req.TargetArn))
      .map((r) => r.name)
      .sort();
    const p = page(names, req.Limit, req.NextToken);
    return p.next ? { RuleNames: p.items, NextToken: p.next } : { RuleNames: p.items };
  }

  /**
   * The enabled rules of a bus whose pattern matches the event. Rules in state ENABLED do not receive read-only
   * CloudTrail management events; only ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS rules do (AWS).
   */
  matchingRules(busNameOrArn: string | undefined, event: Record<string, unknown>): Rule[] {
    const bus = this.bus(busNameOrArn);
    const readOnlyManagement = isReadOnlyManagementEvent(event);
    const out: Rule[] = [];
    for (const name of bus.index.match(event)) {
      const rule = bus.rules.get(name);
      if (!rule) continue;
      if (readOnlyManagement && rule.state !== 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS') continue;
      out.push(rule);
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

function busName(nameOrArn: string | undefined): string {
  if (nameOrArn === undefined || nameOrArn === '') return DEFAULT_BUS;
  const m = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn);
  return m ? m[1] : nameOrArn;
}

function describeBus(bus: Bus): Record<string, unknown> {
  const out: Record<string, unknown> = { Name: bus.name, Arn: bus.arn };
  if (bus.description !== undefined) out.Description = bus.description;
  out.CreationTime = bus.creationTime;
  out.LastModifiedTime = bus.lastModifiedTime;
  return out;
}

function ruleSummary(rule: Rule): Record<string, unknown> {
  const out: Record<string, unknown> = { Name: rule.name, Arn: rule.arn };
  if (rule.eventPattern !== undefined) out.EventPattern = rule.eventPattern;
  if (rule.scheduleExpression !== undefined) out.ScheduleExpression = rule.scheduleExpression;
  out.State = rule.state;
  if (rule.description !== undefined) out.Description = rule.description;
  if (rule.roleArn !== undefined) out.RoleArn = rule.roleArn;
  out.EventBusName = rule.busName;
  return out;
}

/** A CloudTrail management event that only reads (delivered only to ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS). */
export function isReadOnlyManagementEvent(event: Record<string, unknown>): boolean {
  if (event['detail-type'] !== 'AWS API Call via CloudTrail') return false;
  const detail = event.detail as Record<string, unknown> | undefined;
  if (detail?.readOnly !== true) return false;
  return (detail.eventCategory ?? 'Management') === 'Management';
}
