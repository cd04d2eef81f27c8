import { compliant, defineRule, nonCompliant } from '../../rule.js';
import { path } from '../util.js';

export const rule = defineRule(
  {
    name: 'lambda-dlq-check',
    resourceTypes: ['AWS::Lambda::Function'],
    parameters: [
      { name: 'dlqArns', type: 'list', description: 'Comma-separated SQS/SNS ARNs allowed as dead-letter targets' },
    ],
    severity: 'LOW',
    title: 'Lambda functions have a dead-letter queue',
    description: 'Checks whether a Lambda function is configured with a dead-letter queue (one of the given targets).',
    risk: 'Failed asynchronous invocations are dropped silently after retries: lost events, no trace.',
    remediation:
      'aws lambda update-function-configuration --function-name NAME --dead-letter-config TargetArn=QUEUE_ARN',
  },
  (ci, p) => {
    const target = String(path(ci.configuration, 'deadLetterConfig.targetArn') ?? '');
    const ev = { path: 'configuration.deadLetterConfig.targetArn', value: target || null };
    if (target === '') return nonCompliant('no dead-letter queue is configured', ev);
    const allowed = p.dlqArns as string[] | undefined;
    if (allowed && allowed.length > 0 && !allowed.includes(target))
      return nonCompliant(`dead-letter target ${target} is not one of ${allowed.join(', ')}`, ev);
    return compliant(`dead-letter target ${target}`, ev);
  },
);
