import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { field, num } from '../util.js';

export const rule = defineRule(
  {
    name: 'rds-enhanced-monitoring-enabled',
    resourceTypes: ['AWS::RDS::DBInstance'],
    parameters: [
      { name: 'monitoringInterval', type: 'int', description: 'Required interval in seconds (1, 5, 10, 15, 30 or 60)' },
    ],
    severity: 'LOW',
    title: 'RDS instances have enhanced monitoring enabled',
    description: 'Checks whether enhanced monitoring is enabled for Amazon RDS DB instances (at the given interval).',
    risk: 'Without OS-level metrics, resource exhaustion and abuse (e.g. crypto-mining via UDFs) go unnoticed.',
    remediation: 'aws rds modify-db-instance --monitoring-interval 60 --monitoring-role-arn ROLE_ARN',
    runbook: 'AWSConfigRemediation-EnableEnhancedMonitoringOnRDSInstance',
  },
  (ci, p) => {
    const v = num(field(ci.configuration, 'monitoringInterval'));
    const ev = { path: 'configuration.monitoringInterval', value: v ?? null };
    if (v === undefined) return insufficient('monitoringInterval not recorded', ev);
    if (v === 0) return nonCompliant('enhanced monitoring is disabled (monitoringInterval 0)', ev);
    if (typeof p.monitoringInterval === 'number' && v !== p.monitoringInterval)
      return nonCompliant(`monitoring interval is ${v} s, required ${p.monitoringInterval} s`, ev);
    return compliant(`enhanced monitoring every ${v} s`, ev);
  },
);
