import { compliant, defineRule, derived, insufficient, nonCompliant } from '../../rule.js';
import { arr, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'iam-group-has-users-check',
    resourceTypes: ['AWS::IAM::Group'],
    severity: 'LOW',
    title: 'IAM groups have at least one user',
    description: 'Checks whether IAM groups have at least one IAM user.',
    risk: 'Empty groups with attached policies are dormant privilege that anyone able to add members can use.',
    remediation: 'Delete the empty group, or add the intended users: aws iam add-user-to-group',
  },
  (ci, _p, ctx) => {
    const name = String(field(ci.configuration, 'groupName') ?? ci.resourceName ?? ci.resourceId);
    // GetGroup's user list when the collector recorded it, else the users' groupList (Config's IAM::User CI).
    const own = ci.supplementaryConfiguration.Users;
    let users: string[];
    if (own !== undefined) users = arr(own).map((u) => String(field(u, 'userName') ?? u));
    else if (ctx.known('AWS::IAM::User'))
      users =
        derived(ctx, 'iam-users-by-group', () => {
          // account|group → user names, built once per run (a scan per group would be quadratic).
          const byGroup = new Map<string, string[]>();
          for (const u of ctx.itemsOf('AWS::IAM::User'))
            for (const g of arr(field(u.configuration, 'groupList'))) {
              const key = `${u.awsAccountId}|${String(g)}`;
              const list = byGroup.get(key) ?? [];
              list.push(String(field(u.configuration, 'userName') ?? u.resourceName ?? u.resourceId));
              byGroup.set(key, list);
            }
          return byGroup;
        }).get(`${ci.awsAccountId}|${name}`) ?? [];
    else return insufficient('group membership not recorded');
    const ev = { path: 'supplementaryConfiguration.Users', value: users };
    return users.length === 0
      ? nonCompliant(`group ${name} has no users`, ev)
      : compliant(`group ${name} has ${users.length} user(s): ${users.slice(0, 5).join(', ')}`, ev);
  },
);
