import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { arr, bool, field, parsePolicy, stmtLabel } from '../util.js';

export const rule = defineRule(
  {
    name: 'iam-policy-no-statements-with-full-access',
    resourceTypes: ['AWS::IAM::Policy'],
    parameters: [
      {
        name: 'excludePermissionBoundaryPolicy',
        type: 'boolean',
        description: 'Skip policies used only as permissions boundaries',
      },
    ],
    severity: 'MEDIUM',
    title: 'Customer managed policies grant no full service access ("service:*")',
    description: 'Checks whether customer managed IAM policies allow all actions of a service (e.g. "s3:*").',
    risk: 'Full service access includes destructive and permission-changing actions nobody intended to grant.',
    remediation: 'List the needed actions instead of "service:*".',
  },
  (ci, p) => {
    const c = ci.configuration;
    const arn = String(field(c, 'arn') ?? ci.arn ?? '');
    if (arn.startsWith('arn:aws:iam::aws:')) return notApplicable('AWS managed policy');
    if (
      p.excludePermissionBoundaryPolicy === true &&
      Number(field(c, 'permissionsBoundaryUsageCount') ?? 0) > 0 &&
      Number(field(c, 'attachmentCount') ?? 0) === 0
    )
      return notApplicable('used only as a permissions boundary');
    const versions = arr(field(c, 'policyVersionList'));
    const def = versions.find((v) => bool(field(v, 'isDefaultVersion')) === true) ?? versions[0];
    const doc = field(def, 'document') ?? field(c, 'document');
    if (doc === undefined) return insufficient('default policy version document not recorded');
    const stmts = parsePolicy(doc);
    if (!stmts) return insufficient('policy document could not be parsed');
    for (const s of stmts) {
      if (s.effect !== 'Allow') continue;
      const full = s.actions.find((a) => /^[a-z0-9-]+:\*$/i.test(a));
      if (full)
        return nonCompliant(`${stmtLabel(s)} allows ${full}`, {
          path: `configuration.policyVersionList[default].document.Statement[${s.index}].Action`,
          value: s.actions,
        });
    }
    return compliant('no statement allows a whole service');
  },
);
