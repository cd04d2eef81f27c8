import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { path } from '../util.js';

export const rule = defineRule(
  {
    name: 'ec2-imdsv2-check',
    resourceTypes: ['AWS::EC2::Instance'],
    severity: 'HIGH',
    title: 'EC2 instances require IMDSv2 session tokens',
    description: 'Checks whether EC2 instance metadata is configured to require IMDSv2 (HttpTokens = required).',
    risk: 'IMDSv1 lets SSRF bugs in applications steal the instance role credentials.',
    remediation: 'aws ec2 modify-instance-metadata-options --http-tokens required',
    frameworks: ['cis-aws-4.0.1:5.7'],
  },
  (ci) => {
    const tokens = path(ci.configuration, 'metadataOptions.httpTokens');
    if (tokens === undefined) return insufficient('metadataOptions.httpTokens not recorded');
    if (tokens === 'required')
      return compliant('HttpTokens is required', { path: 'configuration.metadataOptions.httpTokens', value: tokens });
    return nonCompliant(`HttpTokens is ${String(tokens)} (IMDSv1 allowed)`, {
      path: 'configuration.metadataOptions.httpTokens',
      value: tokens,
    });
  },
);
