import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { arr, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'iam-user-group-membership-check',
    resourceTypes: ['AWS::IAM::User'],
    parameters: [
      { name: 'groupNames', type: 'list', description: 'Comma-separated IAM group names, one of which is required' },
    ],
    severity: 'LOW',
    title: 'IAM users are members of a group',
    description: 'Checks whether IAM users are members of at least one IAM group (one of the given groups).',
    risk: 'Users outside groups get permissions one by one, which drifts and escapes review.',
    remediation: 'aws iam add-user-to-group --group-name GROUP --user-name USER',
  },
  (ci, p) => {
    const groups = field(ci.configuration, 'groupList');
    if (groups === undefined) return insufficient('group membership not recorded');
    const names = arr(groups).map((g) => String(field(g, 'groupName') ?? g));
    const ev = { path: 'configuration.groupList', value: names };
    const wanted = p.groupNames as string[] | undefined;
    if (wanted && wanted.length > 0) {
      const hit = names.find((n) => wanted.includes(n));
      return hit
        ? compliant(`member of ${hit}`, ev)
        : nonCompliant(
            `member of none of ${wanted.join(', ')}${names.length ? ` (groups: ${names.join(', ')})` : ''}`,
            ev,
          );
    }
    return names.length > 0
      ? compliant(`member of ${names.join(', ')}`, ev)
      : nonCompliant('the user is in no group', ev);
  },
);
