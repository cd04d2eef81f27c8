import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { arr, bool, field, parsePolicy, stmtLabel } from '../util.js';

export const rule = defineRule(
  {
    name: 'iam-policy-no-statements-with-admin-access',
    resourceTypes: ['AWS::IAM::Policy'],
    parameters: [
      {
        name: 'excludePermissionBoundaryPolicy',
        type: 'boolean',
        description: 'Skip policies used only as permissions boundaries',
      },
    ],
    severity: 'HIGH',
    title: 'Customer managed policies do not allow "*" on "*"',
    description:
      'Checks whether the default version of customer managed IAM policies allows Action "*" on Resource "*".',
    risk: 'Full administrative access through a custom policy bypasses least privilege and review.',
    remediation: 'Replace "*:*" statements with the actions and resources actually needed.',
    frameworks: ['cis-aws-4.0.1:1.16'],
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
    for (const s of stmts)
      if (s.effect === 'Allow' && s.actions.includes('*') && s.resources.includes('*'))
        return nonCompliant(`${stmtLabel(s)} allows Action "*" on Resource "*"`, {
          path: `configuration.policyVersionList[default].document.Statement[${s.index}]`,
          value: { Effect: s.effect, Action: s.actions, Resource: s.resources },
        });
    return compliant(`no statement allows "*" on "*" (${stmts.length} statement(s))`);
  },
);
