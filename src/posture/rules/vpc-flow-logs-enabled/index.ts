import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { arr, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'vpc-flow-logs-enabled',
    resourceTypes: ['AWS::EC2::VPC'],
    triggers: ['Periodic'],
    parameters: [{ name: 'trafficType', type: 'string', description: 'ACCEPT, REJECT or ALL; any when unset' }],
    severity: 'MEDIUM',
    title: 'VPC flow logs are enabled',
    description: 'Checks whether Amazon VPC flow logs are found and enabled for the VPC (with the given traffic type).',
    risk: 'Without flow logs there is no network evidence for incident response or GuardDuty-style detection.',
    remediation: 'Create a flow log for the VPC delivering to CloudWatch Logs or S3.',
    runbook: 'AWSConfigRemediation-EnableVPCFlowLogsToS3Bucket',
    frameworks: ['cis-aws-4.0.1:3.7'],
  },
  (ci, params, ctx) => {
    const vpcId = String(field(ci.configuration, 'vpcId') ?? ci.resourceId);
    const supplied = ci.supplementaryConfiguration.FlowLogs;
    let logs: unknown[];
    if (supplied !== undefined) logs = arr(supplied);
    else if (ctx.known('AWS::EC2::FlowLog'))
      logs = ctx
        .itemsOf('AWS::EC2::FlowLog')
        .filter((f) => f.awsAccountId === ci.awsAccountId && field(f.configuration, 'resourceId') === vpcId)
        .map((f) => f.configuration);
    else return insufficient('flow logs were not collected');
    const want = typeof params.trafficType === 'string' ? params.trafficType.toUpperCase() : undefined;
    const active = logs.filter((l) => {
      const status = field(l, 'flowLogStatus');
      return (status === undefined || status === 'ACTIVE') && (!want || field(l, 'trafficType') === want);
    });
    if (active.length === 0)
      return nonCompliant(`no active flow log${want ? ` with traffic type ${want}` : ''} for ${vpcId}`, {
        path: 'supplementaryConfiguration.FlowLogs',
        value: logs.length,
      });
    return compliant(`flow log ${String(field(active[0], 'flowLogId') ?? '')} is active`, {
      path: 'supplementaryConfiguration.FlowLogs',
      value: active.map((l) => field(l, 'flowLogId')),
    });
  },
);
