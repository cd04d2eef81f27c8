import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { DAY_MS, field, path } from '../util.js';

/** EC2's stateTransitionReason: "User initiated (2024-01-31 12:00:00 GMT)". */
function stoppedAt(reason: string): number | undefined {
  const m = /\((\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) GMT\)/.exec(reason);
  return m ? Date.parse(`${m[1]}T${m[2]}Z`) : undefined;
}

export const rule = defineRule(
  {
    name: 'ec2-stopped-instance',
    resourceTypes: ['AWS::EC2::Instance'],
    triggers: ['Periodic'],
    parameters: [{ name: 'AllowedDays', type: 'int', default: '30', description: 'Days an instance may stay stopped' }],
    severity: 'LOW',
    title: 'EC2 instances are not left stopped',
    description: 'Checks whether EC2 instances have been stopped for longer than the allowed number of days.',
    risk: 'Long-stopped instances miss patches and still hold volumes, addresses and credentials; restarting one revives stale software.',
    remediation: 'Terminate the instance (snapshot its volumes first if needed) or start and patch it.',
  },
  (ci, p, ctx) => {
    const state = String(path(ci.configuration, 'state.name') ?? '');
    if (state === '') return insufficient('instance state not recorded');
    if (state === 'terminated' || state === 'shutting-down') return notApplicable(`instance is ${state}`);
    if (state !== 'stopped')
      return compliant(`instance is ${state}`, { path: 'configuration.state.name', value: state });
    const reason = String(field(ci.configuration, 'stateTransitionReason') ?? '');
    const t = stoppedAt(reason);
    if (t === undefined) return insufficient(`cannot read the stop time from "${reason}"`);
    const days = Math.floor((ctx.now - t) / DAY_MS);
    const ev = { path: 'configuration.stateTransitionReason', value: reason };
    const allowed = p.AllowedDays as number;
    return days > allowed
      ? nonCompliant(`stopped for ${days} days (allowed ${allowed})`, ev)
      : compliant(`stopped for ${days} days (allowed ${allowed})`, ev);
  },
);
