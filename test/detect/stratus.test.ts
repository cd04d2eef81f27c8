import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openGeo } from '../../src/detect/geo.js';
import { parseAwsIpRanges } from '../../src/detect/ip-ranges.js';
import type { LogRecord } from '../../src/ingest/types.js';
import { CORPORA } from '../helpers/corpus.js';
import { cloudTrailFile, ct, run } from './helpers.js';

const DIR = join(CORPORA, 'cloudtrail/stratus');
const DAY = 86_400_000;

/**
 * Which Stratus Red Team detonations must produce which findings. `direct`: with no history (stateless rules and
 * InstanceCredentialExfiltration given an ip-ranges.json that does not contain the caller). `withHistory`: when
 * every identity of the file had been seen a week earlier from an office address with the console user agent —
 * the first-seen baselines then flag the detonation's new API families (AnomalousBehavior).
 * Files absent from the table produce nothing in either mode; the reason is given where it is not obvious.
 */
const EXPECTED: Record<string, { direct?: string[]; withHistory?: string[]; note?: string }> = {
  'aws.defense-evasion.cloudtrail-stop.json': {
    direct: ['Stealth:IAMUser/CloudTrailLoggingDisabled'],
    withHistory: ['DefenseEvasion:IAMUser/AnomalousBehavior', 'Stealth:IAMUser/CloudTrailLoggingDisabled'],
  },
  'aws.defense-evasion.cloudtrail-delete.json': {
    direct: ['Stealth:IAMUser/CloudTrailLoggingDisabled'],
    withHistory: ['DefenseEvasion:IAMUser/AnomalousBehavior', 'Stealth:IAMUser/CloudTrailLoggingDisabled'],
  },
  'aws.defense-evasion.vpc-remove-flow-logs.json': {
    direct: ['DefenseImpairment:EC2/DisableOrModifyTools'],
    withHistory: ['DefenseEvasion:IAMUser/AnomalousBehavior', 'DefenseImpairment:EC2/DisableOrModifyTools'],
  },
  'aws.credential-access.ec2-steal-instance-credentials.json': {
    direct: ['UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS'],
    withHistory: [
      'Discovery:IAMUser/AnomalousBehavior',
      'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    ],
    note: 'the caller (18.236.253.47) is inside the real AWS ranges; the test list leaves it out, as for a copy run off-AWS',
  },
  'aws.credential-access.ec2-get-password-data.json': {
    note: 'every GetPasswordData call fails (Client.UnauthorizedOperation): no UnsecuredCredentials signal',
  },
  'aws.credential-access.secretsmanager-batch-retrieve-secrets.json': {
    withHistory: ['CredentialAccess:IAMUser/AnomalousBehavior'],
  },
  'aws.credential-access.secretsmanager-retrieve-secrets.json': {
    withHistory: ['CredentialAccess:IAMUser/AnomalousBehavior', 'Discovery:IAMUser/AnomalousBehavior'],
  },
  'aws.credential-access.ssm-retrieve-securestring-parameters.json': {
    withHistory: ['Discovery:IAMUser/AnomalousBehavior'],
  },
  'aws.defense-evasion.cloudtrail-event-selectors.json': { withHistory: ['DefenseEvasion:IAMUser/AnomalousBehavior'] },
  'aws.defense-evasion.dns-delete-logs.json': { withHistory: ['DefenseEvasion:IAMUser/AnomalousBehavior'] },
  'aws.execution.ec2-user-data.json': { withHistory: ['Discovery:IAMUser/AnomalousBehavior'] },
  'aws.execution.ssm-send-command.json': { withHistory: ['Discovery:IAMUser/AnomalousBehavior'] },
  'aws.execution.ssm-start-session.json': {
    withHistory: ['Discovery:IAMUser/AnomalousBehavior', 'InitialAccess:IAMUser/AnomalousBehavior'],
  },
  'aws.exfiltration.ec2-security-group-open-port-22-ingress.json': {
    withHistory: ['Persistence:IAMUser/AnomalousBehavior'],
  },
  'aws.exfiltration.ec2-share-ami.json': { withHistory: ['Exfiltration:IAMUser/AnomalousBehavior'] },
  'aws.exfiltration.ec2-share-ebs-snapshot.json': { withHistory: ['Exfiltration:IAMUser/AnomalousBehavior'] },
  'aws.exfiltration.rds-share-snapshot.json': { withHistory: ['Exfiltration:IAMUser/AnomalousBehavior'] },
  'aws.impact.bedrock-invoke-model.json': { withHistory: ['Discovery:IAMUser/AnomalousBehavior'] },
  'aws.initial-access.console-login-without-mfa.json': { withHistory: ['InitialAccess:IAMUser/AnomalousBehavior'] },
  'aws.lateral-movement.ec2-instance-connect.json': { withHistory: ['Persistence:IAMUser/AnomalousBehavior'] },
  'aws.persistence.iam-backdoor-role.json': { withHistory: ['PrivilegeEscalation:IAMUser/AnomalousBehavior'] },
  'aws.persistence.iam-backdoor-user.json': { withHistory: ['Persistence:IAMUser/AnomalousBehavior'] },
  'aws.persistence.iam-create-admin-user.json': {
    withHistory: ['Persistence:IAMUser/AnomalousBehavior', 'PrivilegeEscalation:IAMUser/AnomalousBehavior'],
  },
  'aws.persistence.iam-create-backdoor-role.json': {
    withHistory: ['Persistence:IAMUser/AnomalousBehavior', 'PrivilegeEscalation:IAMUser/AnomalousBehavior'],
  },
  'aws.persistence.iam-create-user-login-profile.json': {
    withHistory: ['Discovery:IAMUser/AnomalousBehavior', 'Persistence:IAMUser/AnomalousBehavior'],
  },
  'aws.persistence.lambda-overwrite-code.json': { withHistory: ['Persistence:IAMUser/AnomalousBehavior'] },
  'aws.persistence.rolesanywhere-create-trust-anchor.json': { withHistory: ['Persistence:IAMUser/AnomalousBehavior'] },
  'aws.persistence.sts-federation-token.json': {
    withHistory: ['Discovery:IAMUser/AnomalousBehavior', 'InitialAccess:IAMUser/AnomalousBehavior'],
  },
  'aws.privilege-escalation.iam-update-user-login-profile.json': {
    withHistory: ['Persistence:IAMUser/AnomalousBehavior'],
  },
};

const available = existsSync(DIR);
if (!available) console.warn(`Stratus corpus missing at ${DIR}: skipping`);

function history(recs: LogRecord[]): LogRecord[] {
  const first = Math.min(...recs.map((r) => r.time));
  const ids = new Map<string, unknown>();
  for (const r of recs) {
    const u = r.fields.userIdentity as { arn?: string } | undefined;
    if (u?.arn) ids.set(u.arn, u);
  }
  return [...ids.values()].map((u) =>
    ct(
      { userIdentity: u, eventName: 'ListUsers', sourceIPAddress: '81.2.69.142', userAgent: 'console.amazonaws.com' },
      first - 8 * DAY,
    ),
  );
}

describe.skipIf(!available && process.env.VIGIL_REQUIRE_INTEGRATION !== '1')('Stratus Red Team detonations', () => {
  const files = available ? readdirSync(DIR).filter((f) => f.endsWith('.json')) : [];
  const awsRanges = parseAwsIpRanges(
    JSON.stringify({
      prefixes: [{ ip_prefix: '52.94.0.0/16', region: 'us-east-1', service: 'AMAZON' }],
      ipv6_prefixes: [],
    }),
    'test-ip-ranges.json',
  );
  const geo = openGeo();

  it('the expectation table names only existing files', () => {
    for (const f of Object.keys(EXPECTED)) expect(files).toContain(f);
    expect(files.length).toBe(35);
  });

  for (const file of files) {
    it(`${file}`, () => {
      const recs = cloudTrailFile(file, readFileSync(join(DIR, file), 'utf8'));
      const exp = EXPECTED[file] ?? {};
      const direct = [...new Set(run(recs, { awsRanges, geo }).findings.map((f) => f.type))].sort();
      expect(direct).toEqual([...(exp.direct ?? [])].sort());
      const withHistory = [...new Set(run([...history(recs), ...recs], { geo }).findings.map((f) => f.type))]
        .filter((t) => !t.includes('InstanceCredentialExfiltration'))
        .sort();
      const expected = (exp.withHistory ?? exp.direct ?? []).filter(
        (t) => !t.includes('InstanceCredentialExfiltration'),
      );
      expect(withHistory).toEqual([...expected].sort());
    });
  }
});
