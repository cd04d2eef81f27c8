/** AWS Backup (plans, selections, vaults) and Systems Manager (managed instances, compliance summaries). */
import {
  BackupClient,
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
  ListBackupVaultsCommand,
} from '@aws-sdk/client-backup';
import {
  DescribeInstanceInformationCommand,
  ListResourceComplianceSummariesCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { emptyCi } from '../model.js';
import { type Collection, lowerCamel } from './context.js';

type Obj = Record<string, unknown>;
const acct = (col: Collection) => col.accountId ?? 'unknown';

export async function collectBackup(col: Collection, region: string): Promise<void> {
  const bk = new BackupClient(col.clientConfig(region));
  const S = 'backup';
  const [plans, vaults] = await Promise.all([
    col.pages(S, region, 'ListBackupPlans', async (NextToken, abortSignal) => {
      const r = await bk.send(new ListBackupPlansCommand({ NextToken }), { abortSignal });
      return [r.BackupPlansList ?? [], r.NextToken];
    }),
    col.pages(S, region, 'ListBackupVaults', async (NextToken, abortSignal) => {
      const r = await bk.send(new ListBackupVaultsCommand({ NextToken }), { abortSignal });
      return [r.BackupVaultList ?? [], r.NextToken];
    }),
  ]);
  if (vaults) {
    col.collectedTypes.add('AWS::Backup::BackupVault');
    for (const v of vaults)
      col.add(
        emptyCi({
          resourceType: 'AWS::Backup::BackupVault',
          resourceId: v.BackupVaultName!,
          resourceName: v.BackupVaultName,
          arn: v.BackupVaultArn,
          awsRegion: region,
          awsAccountId: acct(col),
          configuration: lowerCamel(v) as Obj,
        }),
      );
  }
  if (!plans) return;
  col.collectedTypes.add('AWS::Backup::BackupPlan');
  let selectionsComplete = true;
  await Promise.all(
    plans.map(async (p) => {
      const BackupPlanId = p.BackupPlanId!;
      const [plan, sels] = await Promise.all([
        col.call(S, region, 'GetBackupPlan', (abortSignal) =>
          bk.send(new GetBackupPlanCommand({ BackupPlanId }), { abortSignal }),
        ),
        col.pages(S, region, 'ListBackupSelections', async (NextToken, abortSignal) => {
          const r = await bk.send(new ListBackupSelectionsCommand({ BackupPlanId, NextToken }), { abortSignal });
          return [r.BackupSelectionsList ?? [], r.NextToken];
        }),
      ]);
      col.add(
        emptyCi({
          resourceType: 'AWS::Backup::BackupPlan',
          resourceId: BackupPlanId,
          resourceName: p.BackupPlanName,
          arn: p.BackupPlanArn,
          awsRegion: region,
          awsAccountId: acct(col),
          configuration: {
            backupPlanId: BackupPlanId,
            backupPlanArn: p.BackupPlanArn,
            versionId: p.VersionId,
            backupPlan: lowerCamel(plan?.BackupPlan ?? { BackupPlanName: p.BackupPlanName }),
          },
        }),
      );
      if (!sels) {
        selectionsComplete = false;
        return;
      }
      await Promise.all(
        sels.map(async (s) => {
          const sel = await col.call(S, region, 'GetBackupSelection', (abortSignal) =>
            bk.send(new GetBackupSelectionCommand({ BackupPlanId, SelectionId: s.SelectionId }), { abortSignal }),
          );
          if (!sel) {
            selectionsComplete = false;
            return;
          }
          col.add(
            emptyCi({
              resourceType: 'AWS::Backup::BackupSelection',
              resourceId: s.SelectionId!,
              resourceName: s.SelectionName,
              awsRegion: region,
              awsAccountId: acct(col),
              configuration: {
                backupPlanId: BackupPlanId,
                selectionId: s.SelectionId,
                backupSelection: lowerCamel(sel.BackupSelection ?? {}),
              },
            }),
          );
        }),
      );
    }),
  );
  // An unreadable selection could be the one that covers a resource: then "in no plan" would be a guess.
  if (selectionsComplete) col.collectedTypes.add('AWS::Backup::BackupSelection');
}

const COMPLIANCE_TYPES: Record<string, string> = {
  Patch: 'AWS::SSM::PatchCompliance',
  Association: 'AWS::SSM::AssociationCompliance',
};

export async function collectSsm(col: Collection, region: string): Promise<void> {
  const ssm = new SSMClient(col.clientConfig(region));
  const S = 'ssm';
  const [infos, summaries] = await Promise.all([
    col.pages(S, region, 'DescribeInstanceInformation', async (NextToken, abortSignal) => {
      const r = await ssm.send(new DescribeInstanceInformationCommand({ NextToken, MaxResults: 50 }), { abortSignal });
      return [r.InstanceInformationList ?? [], r.NextToken];
    }),
    col.pages(S, region, 'ListResourceComplianceSummaries', async (NextToken, abortSignal) => {
      const r = await ssm.send(new ListResourceComplianceSummariesCommand({ NextToken, MaxResults: 50 }), {
        abortSignal,
      });
      return [r.ResourceComplianceSummaryItems ?? [], r.NextToken];
    }),
  ]);
  if (infos) {
    col.collectedTypes.add('AWS::SSM::ManagedInstanceInventory');
    for (const i of infos)
      col.add(
        emptyCi({
          resourceType: 'AWS::SSM::ManagedInstanceInventory',
          resourceId: i.InstanceId!,
          awsRegion: region,
          awsAccountId: acct(col),
          configuration: lowerCamel(i) as Obj,
          relationships: [
            { resourceType: 'AWS::EC2::Instance', resourceId: i.InstanceId, relationshipName: 'Is associated with' },
          ],
        }),
      );
  }
  if (summaries) {
    for (const t of Object.values(COMPLIANCE_TYPES)) col.collectedTypes.add(t);
    for (const s of summaries) {
      const type = COMPLIANCE_TYPES[s.ComplianceType ?? ''];
      if (!type || s.ResourceType !== 'ManagedInstance') continue;
      col.add(
        emptyCi({
          resourceType: type,
          resourceId: s.ResourceId!,
          awsRegion: region,
          awsAccountId: acct(col),
          configuration: lowerCamel(s) as Obj,
          relationships: [
            { resourceType: 'AWS::EC2::Instance', resourceId: s.ResourceId, relationshipName: 'Is associated with' },
          ],
        }),
      );
    }
  }
}
