import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { WEBACL } from '../elb.js';
import { arr, field } from '../util.js';

export const rule = defineRule(
  {
    name: 'wafv2-logging-enabled',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    parameters: [
      {
        name: 'KinesisFirehoseDeliveryStreamArns',
        type: 'list',
        description: 'Comma-separated Kinesis Data Firehose delivery stream ARNs the logs must go to',
      },
    ],
    severity: 'MEDIUM',
    title: 'AWS WAFv2 web ACLs have logging enabled',
    description: 'Checks whether logging is enabled on every AWS WAFv2 regional and global web ACL.',
    risk: 'Without WAF logs there is no record of blocked attacks or of what a rule let through.',
    remediation:
      'aws wafv2 put-logging-configuration --logging-configuration ResourceArn=WEB_ACL_ARN,LogDestinationConfigs=DEST_ARN',
    runbook: 'AWSConfigRemediation-EnableWAFV2Logging',
  },
  (ci, p, ctx) => {
    if (!ctx.known(WEBACL)) return insufficient('WAFv2 web ACLs were not collected');
    const acls = ctx.itemsOf(WEBACL).filter((w) => w.awsAccountId === ci.resourceId);
    const unknown = acls.filter((w) => w.supplementaryConfiguration.LoggingConfiguration === undefined);
    if (unknown.length > 0)
      return insufficient(
        `logging configuration not recorded for ${unknown.map((w) => w.resourceName ?? w.resourceId).join(', ')}`,
      );
    const allowed = p.KinesisFirehoseDeliveryStreamArns as string[] | undefined;
    const bad: string[] = [];
    for (const w of acls) {
      const lc = w.supplementaryConfiguration.LoggingConfiguration;
      const dests = arr(field(lc, 'logDestinationConfigs')).map(String);
      const name = w.resourceName ?? w.resourceId;
      if (lc === null || dests.length === 0) bad.push(`${name} (no logging)`);
      else if (allowed && allowed.length > 0 && !dests.some((d) => allowed.includes(d)))
        bad.push(`${name} (logs to ${dests.join(' ')})`);
    }
    if (bad.length > 0)
      return nonCompliant(`${bad.length} of ${acls.length} web ACL(s) not logging as required: ${bad.join(', ')}`, {
        path: `${WEBACL}.supplementaryConfiguration.LoggingConfiguration`,
        value: bad,
      });
    return compliant(`all ${acls.length} web ACL(s) have logging enabled`);
  },
);
