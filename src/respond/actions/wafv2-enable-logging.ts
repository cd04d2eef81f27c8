/**
 * Enable logging for a WAFv2 web ACL (PutLoggingConfiguration). The destination must be a CloudWatch Logs group, S3
 * bucket or Firehose stream whose name starts with `aws-waf-logs-` (AWS requires the prefix).
 */
import { z } from 'zod';
import { defineAction } from './define.js';
import { isNotFound } from './policy-doc.js';
import { awsClient, call, makePlan } from './sdk.js';

const params = z.object({
  webAclArn: z.string().startsWith('arn:', 'must be a web ACL ARN'),
  logDestinationArn: z
    .string()
    .regex(/^arn:aws[\w-]*:(logs|s3|firehose):.*aws-waf-logs-/, 'must be a logs/s3/firehose ARN named aws-waf-logs-…'),
});
type Params = z.infer<typeof params>;

export const wafv2EnableLogging = defineAction<Params>({
  name: 'wafv2-enable-logging',
  category: 'logging',
  title: 'Enable WAF logging',
  description: 'Puts a logging configuration on a web ACL sending full logs to the given aws-waf-logs-* destination.',
  params,
  permissions: ['wafv2:GetLoggingConfiguration', 'wafv2:PutLoggingConfiguration', 'iam:CreateServiceLinkedRole'],
  undo: 'wafv2:DeleteLoggingConfiguration on the web ACL (or put back observed.destinations).',
  references: ['AWS Config rule wafv2-logging-enabled', 'AWS Security Hub ASR playbook WAF.11'],
  target: (p) => p.webAclArn,
  async plan(p, ctx) {
    const { GetLoggingConfigurationCommand } = await import('@aws-sdk/client-wafv2');
    const waf = await awsClient(ctx, 'wafv2');
    let destinations: string[] = [];
    try {
      destinations =
        (await waf.send(new GetLoggingConfigurationCommand({ ResourceArn: p.webAclArn }))).LoggingConfiguration
          ?.LogDestinationConfigs ?? [];
    } catch (err) {
      if (!isNotFound(err, 'WAFNonexistentItemException')) throw err;
    }
    const calls = destinations.includes(p.logDestinationArn)
      ? []
      : [
          call(
            'wafv2:PutLoggingConfiguration',
            { LoggingConfiguration: { ResourceArn: p.webAclArn, LogDestinationConfigs: [p.logDestinationArn] } },
            destinations.length ? `logs go to ${destinations.join(', ')}` : 'the web ACL has no logging configuration',
          ),
        ];
    return makePlan('wafv2-enable-logging', p.webAclArn, calls, { destinations });
  },
});
