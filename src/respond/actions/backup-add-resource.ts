/**
 * Add a resource to an AWS Backup plan (CreateBackupSelection). A resource already covered by a selection of the plan
 * — listed exactly or matched by a `*` wildcard ARN pattern — counts as done.
 * Tested against moto for GetBackupPlan; moto 5.2 has no backup-selection API, so ListBackupSelections,
 * GetBackupSelection and CreateBackupSelection are served by an in-test SDK stub (test/respond/actions/backup.test.ts).
 */
import { z } from 'zod';
import { defineAction } from './define.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z.object({
  backupPlanId: z.string().min(1),
  resourceArn: z.string().startsWith('arn:', 'must be a resource ARN'),
  iamRoleArn: z.string().startsWith('arn:').optional().describe('Default: AWSBackupDefaultServiceRole'),
  selectionName: z
    .string()
    .regex(/^[\w.-]{1,50}$/, '1–50 letters, digits, _ . -')
    .optional(),
});
type Params = z.infer<typeof params>;

/** Pure: whether a selection's resource list covers the ARN (AWS Backup allows `*` wildcards in ARNs). */
export function selectionCovers(resources: string[], arn: string): boolean {
  return resources.some((r) => {
    if (r === arn || r === '*') return true;
    if (!r.includes('*')) return false;
    const re = new RegExp(
      `^${r
        .split('*')
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return re.test(arn);
  });
}

/** A stable, valid selection name from the ARN's last segment. */
export function defaultSelectionName(arn: string): string {
  const tail = arn.split(/[:/]/).pop() ?? 'resource';
  return `vigil-${tail.replace(/[^\w.-]/g, '-')}`.slice(0, 50);
}

export const backupAddResource = defineAction<Params>({
  name: 'backup-add-resource',
  category: 'backup',
  title: 'Add a resource to a backup plan',
  description:
    'Creates a backup selection assigning the resource to the plan, unless a selection of the plan already covers it.',
  params,
  permissions: [
    'backup:CreateBackupSelection',
    'backup:GetBackupSelection',
    'backup:ListBackupSelections',
    'iam:PassRole',
  ],
  undo: 'backup:DeleteBackupSelection with the SelectionId returned by the call (recovery points already taken remain).',
  references: [
    'AWS Config rules backup-plan-min-frequency-and-min-retention-check / *-resources-protected-by-backup-plan',
    'AWS Backup API CreateBackupSelection',
  ],
  testing:
    'moto_server serves GetBackupPlan (and its NotFound error); moto 5.2 has no backup-selection API, so ListBackupSelections, GetBackupSelection and CreateBackupSelection are answered by an in-test SDK stub.',
  target: (p) => p.resourceArn,
  async plan(p, ctx) {
    const bk = await import('@aws-sdk/client-backup');
    const c = await awsClient(ctx, 'backup');
    // The plan must exist (NotFound → blocked plan with AWS's code).
    const bp = await c.send(new bk.GetBackupPlanCommand({ BackupPlanId: p.backupPlanId }));
    const selections: { id?: string; name?: string; resources: string[] }[] = [];
    let token: string | undefined;
    do {
      const page = await c.send(new bk.ListBackupSelectionsCommand({ BackupPlanId: p.backupPlanId, NextToken: token }));
      for (const s of page.BackupSelectionsList ?? []) {
        const sel = await c.send(
          new bk.GetBackupSelectionCommand({ BackupPlanId: p.backupPlanId, SelectionId: s.SelectionId }),
        );
        selections.push({ id: s.SelectionId, name: s.SelectionName, resources: sel.BackupSelection?.Resources ?? [] });
      }
      token = page.NextToken;
    } while (token);
    const covering = selections.find((s) => selectionCovers(s.resources, p.resourceArn));
    const role = p.iamRoleArn ?? `arn:aws:iam::${ctx.accountId}:role/service-role/AWSBackupDefaultServiceRole`;
    const calls = covering
      ? []
      : [
          call(
            'backup:CreateBackupSelection',
            {
              BackupPlanId: p.backupPlanId,
              BackupSelection: {
                SelectionName: p.selectionName ?? defaultSelectionName(p.resourceArn),
                IamRoleArn: role,
                Resources: [p.resourceArn],
              },
            },
            `no selection of backup plan ${p.backupPlanId} covers ${p.resourceArn}`,
          ),
        ];
    return makePlan('backup-add-resource', p.resourceArn, calls, {
      backupPlanName: bp.BackupPlan?.BackupPlanName,
      selections: selections.map((s) => s.name),
      coveredBy: covering?.name ?? null,
    });
  },
});
