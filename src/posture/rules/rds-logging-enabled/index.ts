import { compliant, defineRule, insufficient, nonCompliant, notApplicable } from '../../rule.js';
import { arr, field } from '../util.js';

/** Log types each engine must export (AWS's expectation for this rule, Security Hub RDS.9). */
const REQUIRED: Record<string, string[]> = {
  mariadb: ['audit', 'error', 'general', 'slowquery'],
  mysql: ['audit', 'error', 'general', 'slowquery'],
  aurora: ['audit', 'error', 'general', 'slowquery'],
  'aurora-mysql': ['audit', 'error', 'general', 'slowquery'],
  postgres: ['postgresql', 'upgrade'],
  'aurora-postgresql': ['postgresql'],
  oracle: ['alert', 'audit', 'trace', 'listener'],
  sqlserver: ['error', 'agent'],
};

/** Engine family: oracle-ee → oracle, sqlserver-se → sqlserver, custom-oracle-ee → oracle. */
function family(engine: string): string {
  const e = engine.replace(/^custom-/, '');
  if (e.startsWith('oracle')) return 'oracle';
  if (e.startsWith('sqlserver')) return 'sqlserver';
  return e;
}

/** additionalLogs StringMap: "oracle: general, slowquery ; aurora: alert, slowquery". */
export function parseAdditionalLogs(s: string): Record<string, string[]> | string {
  const out: Record<string, string[]> = {};
  for (const part of s.split(';')) {
    if (part.trim() === '') continue;
    const i = part.indexOf(':');
    if (i < 0) return `additionalLogs entry "${part.trim()}" is not ENGINE: log, log`;
    const engine = part.slice(0, i).trim().toLowerCase();
    out[engine] = part
      .slice(i + 1)
      .split(',')
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean);
  }
  return out;
}

const ACTIVE = new Set(['available', 'backing-up', 'storage-optimization', 'storage-full']);

export const rule = defineRule(
  {
    name: 'rds-logging-enabled',
    resourceTypes: ['AWS::RDS::DBInstance'],
    parameters: [
      {
        name: 'additionalLogs',
        type: 'string',
        description:
          'StringMap of engine names and log types, e.g. "oracle: general, slowquery ; aurora: alert, slowquery"',
      },
    ],
    severity: 'MEDIUM',
    title: 'RDS instances export their logs to CloudWatch Logs',
    description: "Checks whether an RDS DB instance exports each of its engine's log types to CloudWatch Logs.",
    risk: 'Without database logs there is no record of logins, errors or queries for investigation.',
    remediation:
      'aws rds modify-db-instance --cloudwatch-logs-export-configuration \'{"EnableLogTypes":["audit","error","general","slowquery"]}\'',
  },
  (ci, p, ctx) => {
    const c = ci.configuration;
    const status = String(field(c, 'dBInstanceStatus') ?? field(c, 'dbInstanceStatus') ?? '');
    if (status !== '' && !ACTIVE.has(status)) return notApplicable(`instance status is ${status}`);
    const engine = String(field(c, 'engine') ?? '').toLowerCase();
    if (engine === '') return insufficient('engine not recorded');
    const fam = family(engine);
    const extra = typeof p.additionalLogs === 'string' ? parseAdditionalLogs(p.additionalLogs) : {};
    if (typeof extra === 'string') return insufficient(extra);
    const need = [...new Set([...(REQUIRED[fam] ?? []), ...(extra[fam] ?? []), ...(extra[engine] ?? [])])];
    if (need.length === 0) return notApplicable(`no log types are expected for engine ${engine}`);
    let exported = arr(field(c, 'enabledCloudwatchLogsExports')).map((x) => String(x).toLowerCase());
    let where = 'configuration.enabledCloudwatchLogsExports';
    // Aurora exports are configured on the cluster.
    const clusterId = field(c, 'dBClusterIdentifier');
    if (exported.length === 0 && typeof clusterId === 'string' && engine.startsWith('aurora')) {
      const cl = ctx.find('AWS::RDS::DBCluster', clusterId);
      if (cl) {
        exported = arr(field(cl.configuration, 'enabledCloudwatchLogsExports')).map((x) => String(x).toLowerCase());
        where = `AWS::RDS::DBCluster/${clusterId}.configuration.enabledCloudwatchLogsExports`;
      }
    }
    const missing = need.filter((l) => !exported.includes(l));
    const ev = { path: where, value: exported };
    if (missing.length > 0)
      return nonCompliant(`${engine} does not export log type(s) ${missing.join(', ')} to CloudWatch Logs`, ev);
    return compliant(`exports ${need.join(', ')}`, ev);
  },
);
