import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { arr, bool, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'ec2-volume-inuse-check',
    resourceTypes: ['AWS::EC2::Volume'],
    parameters: [
      { name: 'deleteOnTermination', type: 'boolean', description: 'Also require DeleteOnTermination on attachments' },
    ],
    severity: 'LOW',
    title: 'EBS volumes are attached to an instance',
    description:
      'Checks whether EBS volumes are attached to EC2 instances (and optionally marked for deletion on termination).',
    risk: 'Orphaned volumes keep data (and cost) that nobody watches.',
    remediation: 'Snapshot and delete unattached volumes, or attach them.',
  },
  (ci, p) => {
    const raw = field(ci.configuration, 'attachments');
    if (raw !== undefined && !Array.isArray(raw)) return insufficient('attachments is not a list');
    const att = arr(raw);
    if (att.length === 0)
      return nonCompliant('volume is not attached', { path: 'configuration.attachments', value: [] });
    if (p.deleteOnTermination === true) {
      const keep = att.find((a) => bool(field(a, 'deleteOnTermination')) !== true);
      if (keep)
        return nonCompliant(`attachment to ${String(field(keep, 'instanceId'))} has DeleteOnTermination false`, {
          path: 'configuration.attachments[].deleteOnTermination',
          value: false,
        });
    }
    return compliant(`attached to ${att.map((a) => String(field(a, 'instanceId'))).join(', ')}`);
  },
);
