/** Enable DynamoDB point-in-time recovery (continuous backups, 35-day restore window). */
import { z } from 'zod';
import { defineAction } from './define.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z.object({ tableName: z.string().min(3).max(1024).describe('Table name or ARN') });
type Params = z.infer<typeof params>;

export const dynamodbEnablePitr = defineAction<Params>({
  name: 'dynamodb-enable-pitr',
  category: 'backup',
  title: 'Enable DynamoDB point-in-time recovery',
  description: 'Turns on continuous backups / point-in-time recovery for a table.',
  params,
  permissions: ['dynamodb:DescribeContinuousBackups', 'dynamodb:UpdateContinuousBackups'],
  undo: 'dynamodb:UpdateContinuousBackups with PointInTimeRecoveryEnabled=false (the restore window is lost).',
  references: [
    'AWS Config rule dynamodb-pitr-enabled',
    'AWS Security Hub ASR playbook DynamoDB.2',
    'Cloud Custodian dynamodb-table action set-continuous-backup',
  ],
  target: (p) => p.tableName,
  async plan(p, ctx) {
    const { DescribeContinuousBackupsCommand } = await import('@aws-sdk/client-dynamodb');
    const ddb = await awsClient(ctx, 'dynamodb');
    const out = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: p.tableName }));
    const status = out.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus;
    const calls =
      status === 'ENABLED'
        ? []
        : [
            call(
              'dynamodb:UpdateContinuousBackups',
              { TableName: p.tableName, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } },
              `point-in-time recovery is ${status ?? 'off'}`,
            ),
          ];
    return makePlan('dynamodb-enable-pitr', p.tableName, calls, { status: status ?? null });
  },
});
