import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { arr, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'ebs-snapshot-public-restorable-check',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    severity: 'CRITICAL',
    title: 'EBS snapshots are not publicly restorable',
    description: 'Checks whether Amazon EBS snapshots are not publicly restorable (createVolumePermission group all).',
    risk: 'Anyone can create a volume from a public snapshot and read its data.',
    remediation:
      'aws ec2 modify-snapshot-attribute --attribute createVolumePermission --operation-type remove --group-names all',
  },
  (ci, _params, ctx) => {
    if (!ctx.known('AWS::EC2::Snapshot')) return insufficient('EBS snapshots were not collected');
    const mine = ctx.itemsOf('AWS::EC2::Snapshot').filter((s) => s.awsAccountId === ci.resourceId);
    const pub = mine.filter((s) =>
      arr(s.supplementaryConfiguration.CreateVolumePermissions).some((p) => field(p, 'group') === 'all'),
    );
    if (pub.length > 0)
      return nonCompliant(
        `${pub.length} snapshot(s) restorable by anyone: ${pub.map((s) => s.resourceId).join(', ')}`,
        {
          path: 'supplementaryConfiguration.CreateVolumePermissions',
          value: pub.map((s) => s.resourceId),
        },
      );
    return compliant(`none of ${mine.length} snapshot(s) is public`);
  },
);
