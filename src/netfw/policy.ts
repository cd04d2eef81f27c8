/** Firewall policies (netfw.md §6): validation of actions, rule order, references and engine options. */
import type { RuleOrder } from './nfw-lint.js';
import { STANDARD_STATELESS_ACTIONS } from './rule-group.js';
import type { RuleIssue } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const STATEFUL_DEFAULT_ACTIONS = new Set([
  'aws:drop_strict',
  'aws:drop_established',
  'aws:alert_strict',
  'aws:alert_established',
  'aws:drop_established_app_layer',
  'aws:alert_established_app_layer',
]);

export interface GroupRef {
  arn: string;
  priority?: number;
  override?: 'DROP_TO_ALERT';
}

export interface FirewallPolicy {
  file: string;
  statelessDefault: string[];
  statelessFragmentDefault: string[];
  statelessGroups: GroupRef[];
  statefulGroups: GroupRef[];
  ruleOrder: RuleOrder;
  statefulDefault: string[];
  streamExceptionPolicy: 'DROP' | 'CONTINUE' | 'REJECT';
  variables: Record<string, string[]>;
  issues: RuleIssue[];
}

/** Accepts `describe-firewall-policy` output, a bare `FirewallPolicy`, or a CloudFormation resource/Properties. */
export function isPolicyDocument(doc: unknown): boolean {
  if (!isObj(doc)) return false;
  const props = isObj(doc.Properties) ? doc.Properties : doc;
  return isObj(props.FirewallPolicy) || 'StatelessDefaultActions' in props;
}

export function loadPolicy(doc: unknown, file: string): FirewallPolicy {
  const issues: RuleIssue[] = [];
  const err = (path: string, reason: string, severity: 'error' | 'warning' = 'error') =>
    issues.push({ file, line: 0, column: 0, severity, reason, path });
  const props = isObj(doc) && isObj(doc.Properties) ? doc.Properties : doc;
  const p: Obj = isObj(props) ? (isObj(props.FirewallPolicy) ? props.FirewallPolicy : props) : {};
  const pol: FirewallPolicy = {
    file,
    statelessDefault: [],
    statelessFragmentDefault: [],
    statelessGroups: [],
    statefulGroups: [],
    ruleOrder: 'DEFAULT_ACTION_ORDER',
    statefulDefault: [],
    streamExceptionPolicy: 'DROP',
    variables: {},
    issues,
  };
  for (const [key, target] of [
    ['StatelessDefaultActions', pol.statelessDefault],
    ['StatelessFragmentDefaultActions', pol.statelessFragmentDefault],
  ] as const) {
    const acts = arr(p[key]).filter((a): a is string => typeof a === 'string');
    target.push(...acts);
    const std = acts.filter((a) => STANDARD_STATELESS_ACTIONS.has(a));
    if (std.length !== 1)
      err(
        key,
        `${key} needs exactly one of aws:pass, aws:drop, aws:forward_to_sfe (found ${std.length === 0 ? 'none' : std.join(', ')})`,
      );
  }
  const eng = isObj(p.StatefulEngineOptions) ? p.StatefulEngineOptions : {};
  if (eng.RuleOrder !== undefined) {
    if (eng.RuleOrder === 'STRICT_ORDER' || eng.RuleOrder === 'DEFAULT_ACTION_ORDER') pol.ruleOrder = eng.RuleOrder;
    else
      err(
        'StatefulEngineOptions.RuleOrder',
        `RuleOrder must be DEFAULT_ACTION_ORDER or STRICT_ORDER, got ${JSON.stringify(eng.RuleOrder)}`,
      );
  }
  if (eng.StreamExceptionPolicy !== undefined) {
    if (['DROP', 'CONTINUE', 'REJECT'].includes(eng.StreamExceptionPolicy as string))
      pol.streamExceptionPolicy = eng.StreamExceptionPolicy as FirewallPolicy['streamExceptionPolicy'];
    else
      err(
        'StatefulEngineOptions.StreamExceptionPolicy',
        `StreamExceptionPolicy must be DROP, CONTINUE or REJECT, got ${JSON.stringify(eng.StreamExceptionPolicy)}`,
      );
  }
  const sd = arr(p.StatefulDefaultActions).filter((a): a is string => typeof a === 'string');
  if (sd.length > 0 && pol.ruleOrder !== 'STRICT_ORDER')
    err(
      'StatefulDefaultActions',
      'StatefulDefaultActions are only allowed with STRICT_ORDER (default action order applies pass > drop > reject > alert)',
    );
  for (const a of sd)
    if (!STATEFUL_DEFAULT_ACTIONS.has(a)) err('StatefulDefaultActions', `unknown stateful default action "${a}"`);
  if (sd.filter((a) => a.startsWith('aws:drop')).length > 1)
    err('StatefulDefaultActions', 'at most one drop action (aws:drop_strict or aws:drop_established) may be set');
  pol.statefulDefault = sd;
  const seen = new Map<number, number>();
  arr(p.StatelessRuleGroupReferences).forEach((r, i) => {
    const path = `StatelessRuleGroupReferences[${i}]`;
    if (!isObj(r) || typeof r.ResourceArn !== 'string') {
      err(path, 'needs ResourceArn and Priority');
      return;
    }
    if (!Number.isInteger(r.Priority)) {
      err(`${path}.Priority`, 'Priority is required for stateless groups');
      return;
    }
    const d = seen.get(r.Priority as number);
    if (d !== undefined)
      err(`${path}.Priority`, `Priority ${r.Priority} is also used by StatelessRuleGroupReferences[${d}]`);
    seen.set(r.Priority as number, i);
    pol.statelessGroups.push({ arn: r.ResourceArn, priority: r.Priority as number });
  });
  pol.statelessGroups.sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
  const sseen = new Map<number, number>();
  arr(p.StatefulRuleGroupReferences).forEach((r, i) => {
    const path = `StatefulRuleGroupReferences[${i}]`;
    if (!isObj(r) || typeof r.ResourceArn !== 'string') {
      err(path, 'needs ResourceArn');
      return;
    }
    const ref: GroupRef = { arn: r.ResourceArn };
    if (r.Priority !== undefined) {
      if (pol.ruleOrder !== 'STRICT_ORDER')
        err(`${path}.Priority`, 'Priority on stateful group references is only allowed with STRICT_ORDER');
      else if (!Number.isInteger(r.Priority)) err(`${path}.Priority`, 'Priority must be an integer');
      else {
        const d = sseen.get(r.Priority as number);
        if (d !== undefined)
          err(`${path}.Priority`, `Priority ${r.Priority} is also used by StatefulRuleGroupReferences[${d}]`);
        sseen.set(r.Priority as number, i);
        ref.priority = r.Priority as number;
      }
    } else if (pol.ruleOrder === 'STRICT_ORDER')
      err(`${path}.Priority`, 'STRICT_ORDER needs a Priority on every stateful group reference');
    const ov = isObj(r.Override) ? r.Override.Action : undefined;
    if (ov !== undefined) {
      if (ov === 'DROP_TO_ALERT') ref.override = ov;
      else err(`${path}.Override.Action`, `Override.Action must be DROP_TO_ALERT, got ${JSON.stringify(ov)}`);
    }
    pol.statefulGroups.push(ref);
  });
  if (pol.ruleOrder === 'STRICT_ORDER') pol.statefulGroups.sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
  const pv = isObj(p.PolicyVariables) && isObj(p.PolicyVariables.RuleVariables) ? p.PolicyVariables.RuleVariables : {};
  for (const [n, v] of Object.entries(pv)) {
    const def = isObj(v) ? arr(v.Definition).filter((d): d is string => typeof d === 'string') : [];
    if (n !== 'HOME_NET')
      err(`PolicyVariables.RuleVariables.${n}`, 'only HOME_NET can be overridden in policy variables', 'warning');
    if (def.length === 0)
      err(`PolicyVariables.RuleVariables.${n}.Definition`, 'Definition must be a non-empty list of CIDRs');
    pol.variables[n] = def;
  }
  return pol;
}
