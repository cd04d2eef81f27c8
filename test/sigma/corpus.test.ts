import { describe, expect, it } from 'vitest';
import { SigmaEngine } from '../../src/sigma/engine.js';
import { referenceMatch } from '../../src/sigma/reference.js';
import type { SigmaMatch } from '../../src/sigma/types.js';
import { loadOtrf, loadSigmaDir, loadStratus, SIGMA_RULES, stratusFiles } from './helpers.js';

const RULE = {
  assumeRoleMisuse: '905d389b-b853-46d0-9d3d-dea0d3a3cd49', // AWS STS AssumeRole Misuse
  ssmSendCommand: '38e7f511-3f74-41d4-836e-f57dfa18eead', // Potential Malicious Usage of CloudTrail System Manager
  cloudtrailChange: '4db60cc0-36fb-42b7-9b58-a5b53019fb74', // AWS CloudTrail Important Change
  flowLogsDeleted: 'e386b9b5-af12-450e-afff-761730fb8a98', // AWS VPC Flow Logs Deleted
  securityGroupChange: '6fb77778-040f-4015-9440-572aa9b6b580', // Ingress/Egress Security Group Modification
  snapshotExfil: 'abae8fec-57bd-4f87-aff6-6e3db989843d', // AWS Snapshot Backup Exfiltration
  loginWithoutMfa: '77caf516-34e5-4df9-b4db-20744fea0a60', // AWS Successful Console Login Without MFA
  backdoorKeys: '0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2', // AWS IAM Backdoor Users Keys
  lambdaLayer: '97fbabf8-8e1b-47a2-b7d5-a418d2b95e3d', // AWS New Lambda Layer Attached
  loginProfileModified: '055fb148-60f8-462d-ad16-26926ce050f1', // AWS User Login Profile Was Modified
};

/**
 * Expected matches per corpus file: rule id → number of matching records, derived by reading the rules and the
 * records (not by running the engine). Every file not listed, and every rule not listed for a file, must not match.
 *
 * Technique ↔ rule pairs:
 * - cloudtrail-stop (StopLogging) and cloudtrail-delete (DeleteTrail) → "CloudTrail Important Change";
 *   cloudtrail-event-selectors (PutEventSelectors) is not in that rule's list.
 * - vpc-remove-flow-logs → "VPC Flow Logs Deleted" (DeleteFlowLogs with no errorCode).
 * - ssm-send-command and ec2-steal-instance-credentials (which uses SendCommand) → the SSM SendCommand rule.
 * - ec2-security-group-open-port-22-ingress → security group ingress/egress change.
 * - ec2-share-ebs-snapshot (ModifySnapshotAttribute) → "Snapshot Backup Exfiltration".
 * - console-login-without-mfa → "Successful Console Login Without MFA" (MFAUsed is "No": case-insensitive).
 * - iam-backdoor-user and iam-create-admin-user (CreateAccessKey) → "IAM Backdoor Users Keys" (its filter compares
 *   with the literal text "responseElements.accessKey.userName", so it never excludes anything).
 * - lambda-layer-extension (UpdateFunctionConfiguration20150331v2 with layers) → "New Lambda Layer Attached".
 * - iam-update-user-login-profile → "User Login Profile Was Modified" (fieldref: the caller ARN differs from the
 *   target user name).
 * - "STS AssumeRole Misuse" fires on every record made with assumed-role credentials of a role.
 * Related-looking pairs that correctly do NOT fire: ec2-user-data vs "EC2 Startup Shell Script Change" (the rule
 * wants requestParameters.attribute = userData; these records carry requestParameters.userData), iam-create-user-
 * login-profile vs the S3 Browser login-profile rule (needs the S3 Browser user agent), the OTRF ListBuckets calls
 * vs "Potential Bucket Enumeration" (made by an AssumedRole, which the rule filters out).
 */
const EXPECTED: Record<string, Record<string, number>> = {
  'aws.credential-access.ec2-get-password-data.json': { [RULE.assumeRoleMisuse]: 30 },
  'aws.credential-access.ec2-steal-instance-credentials.json': { [RULE.ssmSendCommand]: 1, [RULE.assumeRoleMisuse]: 2 },
  'aws.defense-evasion.cloudtrail-delete.json': { [RULE.cloudtrailChange]: 1 },
  'aws.defense-evasion.cloudtrail-stop.json': { [RULE.cloudtrailChange]: 1 },
  'aws.defense-evasion.organizations-leave.json': { [RULE.assumeRoleMisuse]: 1 },
  'aws.defense-evasion.vpc-remove-flow-logs.json': { [RULE.flowLogsDeleted]: 1 },
  'aws.discovery.ec2-download-user-data.json': { [RULE.assumeRoleMisuse]: 15 },
  'aws.execution.ec2-launch-unusual-instances.json': { [RULE.assumeRoleMisuse]: 1 },
  'aws.execution.ssm-send-command.json': { [RULE.ssmSendCommand]: 1 },
  'aws.exfiltration.ec2-security-group-open-port-22-ingress.json': { [RULE.securityGroupChange]: 1 },
  'aws.exfiltration.ec2-share-ebs-snapshot.json': { [RULE.snapshotExfil]: 1 },
  'aws.impact.bedrock-invoke-model.json': { [RULE.assumeRoleMisuse]: 15 },
  'aws.initial-access.console-login-without-mfa.json': { [RULE.loginWithoutMfa]: 1 },
  'aws.lateral-movement.ec2-serial-console-send-ssh-public-key.json': { [RULE.assumeRoleMisuse]: 4 },
  'aws.persistence.iam-backdoor-user.json': { [RULE.backdoorKeys]: 1 },
  'aws.persistence.iam-create-admin-user.json': { [RULE.backdoorKeys]: 1 },
  'aws.persistence.lambda-layer-extension.json': { [RULE.lambdaLayer]: 1 },
  'aws.privilege-escalation.iam-update-user-login-profile.json': { [RULE.loginProfileModified]: 1 },
  otrf: { [RULE.assumeRoleMisuse]: 11 },
};

const collection = loadSigmaDir(SIGMA_RULES);
const engine = new SigmaEngine(collection);

function tally(matches: (readonly SigmaMatch[])[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const ms of matches) for (const m of ms) out[m.rule.id!] = (out[m.rule.id!] ?? 0) + 1;
  return out;
}

describe('SigmaHQ AWS rules on the Stratus Red Team and OTRF CloudTrail corpora', () => {
  const files = stratusFiles();

  it('covers all 35 Stratus technique files', () => {
    expect(files).toHaveLength(35);
    expect(engine.issues).toEqual([]);
    expect(engine.stats()).toEqual([
      expect.objectContaining({ type: 'cloudtrail', rules: 57, indexed: 57, unindexed: 0 }),
    ]);
  });

  it.each(files)('%s', (file) => {
    const records = loadStratus(file);
    expect(tally(records.map((r) => engine.match(r)))).toEqual(EXPECTED[file] ?? {});
  });

  it('OTRF EC2-proxy S3 exfiltration', () => {
    const records = loadOtrf();
    expect(records).toHaveLength(103);
    expect(tally(records.map((r) => engine.match(r)))).toEqual(EXPECTED.otrf);
  });

  it('the fast engine agrees with the reference evaluator on every record and rule', () => {
    const records = [...files.flatMap(loadStratus), ...loadOtrf()];
    expect(records).toHaveLength(413);
    for (const r of records) {
      const fast = engine.match(r).map((m) => m.rule.id);
      const slow = collection.rules.filter((rule) => referenceMatch(rule.detection, r.fields)).map((x) => x.meta.id);
      expect(fast).toEqual(slow);
    }
  });

  it('explains a match: rule, selection, fields and values', () => {
    const [record] = loadStratus('aws.defense-evasion.cloudtrail-stop.json');
    const [m] = engine.match(record!);
    expect(m).toMatchObject({
      kind: 'match',
      rule: {
        id: RULE.cloudtrailChange,
        title: 'AWS CloudTrail Important Change',
        level: 'medium',
        tags: ['attack.defense-impairment', 'attack.t1685.002'],
      },
      origin: { file: 'aws.defense-evasion.cloudtrail-stop.json', line: 1, index: 0 },
      time: Date.parse('2024-07-31T13:06:24Z'),
      condition: ['selection_source'],
      selections: [
        {
          identifier: 'selection_source',
          values: [
            {
              field: 'eventSource',
              modifiers: [],
              expected: 'cloudtrail.amazonaws.com',
              actual: 'cloudtrail.amazonaws.com',
            },
            { field: 'eventName', modifiers: [], expected: 'StopLogging', actual: 'StopLogging' },
          ],
        },
      ],
    });
  });

  it('explains case-insensitive and negated matches', () => {
    const [login] = loadStratus('aws.initial-access.console-login-without-mfa.json');
    const [m] = engine.match(login!);
    expect(m!.selections[0]!.values).toContainEqual({
      field: 'additionalEventData.MFAUsed',
      modifiers: [],
      expected: 'NO',
      actual: 'No',
    });
    const [update] = loadStratus('aws.privilege-escalation.iam-update-user-login-profile.json');
    const [u] = engine.match(update!);
    // Only the selection is true; the fieldref filter is false, which is why the rule fired.
    expect(u!.selections.map((s) => s.identifier)).toEqual(['selection']);
    expect(u!.condition).toEqual(['selection and not 1 of filter_main_*']);
  });
});
