import type { AccountFacts } from '../../model.js';
import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';

export const rule = defineRule(
  {
    name: 'ec2-ebs-encryption-by-default',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    severity: 'MEDIUM',
    title: 'EBS encryption by default is enabled',
    description: 'Checks that Amazon EBS encryption is enabled by default (in every collected region).',
    risk: 'New volumes are created unencrypted unless every creator remembers to ask for encryption.',
    remediation: 'Enable EBS encryption by default in every region (ec2 enable-ebs-encryption-by-default).',
    runbook: 'AWSConfigRemediation-EnableEbsEncryptionByDefault',
    frameworks: ['cis-aws-4.0.1:5.1.1'],
  },
  (ci) => {
    const facts = ci.configuration as AccountFacts;
    const m = facts.ebsEncryptionByDefault;
    if (!m || Object.keys(m).length === 0) return insufficient('EBS encryption-by-default status was not collected');
    const off = Object.entries(m)
      .filter(([, v]) => v !== true)
      .map(([r]) => r);
    if (off.length > 0)
      return nonCompliant(`EBS encryption by default is disabled in ${off.join(', ')}`, {
        path: 'configuration.ebsEncryptionByDefault',
        value: m,
      });
    return compliant(`enabled in ${Object.keys(m).join(', ')}`, {
      path: 'configuration.ebsEncryptionByDefault',
      value: m,
    });
  },
);
