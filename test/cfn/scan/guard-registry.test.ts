import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CaseResult, REGISTRY, runRegistry } from './guard-registry.js';

const have = existsSync(REGISTRY);
if (!have) console.warn(`guard-rules-registry corpus missing at ${REGISTRY}: skipping`);

/**
 * Cases where Vigil disagrees with Guard on purpose, because AWS Config's semantics (which Vigil's rules implement)
 * or AWS's deploy-time defaults differ from the Guard rule's reading of the template.
 */
const DELIBERATE: { rule: string; name: RegExp; expected: string; actual: string; why: string }[] = [
  {
    rule: 'S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED',
    name: /^S3 Bucket Encryption not set, FAIL/,
    expected: 'FAIL',
    actual: 'PASS',
    why: 'since January 2023 every new bucket is encrypted with SSE-S3; Config reports the deployed bucket as encrypted',
  },
  {
    rule: 'S3_BUCKET_PUBLIC_READ_PROHIBITED',
    name: /PublicAccessBlockConfiguration missing, FAIL/,
    expected: 'FAIL',
    actual: 'PASS',
    why: 'new buckets block public access by default (April 2023), and the Config rule judges effective public access, not the presence of the property',
  },
  {
    rule: 'S3_DEFAULT_ENCRYPTION_KMS',
    name: /SSE AES 256, PASS/,
    expected: 'PASS',
    actual: 'FAIL',
    why: 'the Config rule requires aws:kms; AES256 is SSE-S3',
  },
  {
    rule: 'CLOUD_TRAIL_ENABLED',
    name: /IsLogging set false, FAIL/,
    expected: 'FAIL',
    actual: 'SKIP',
    why: 'the Config rule is account-level (is any trail logging in the account?): NOT_APPLICABLE to a template',
  },
  {
    rule: 'IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS',
    name: /granting permissions to all actions on all resources, FAIL/,
    expected: 'FAIL',
    actual: 'SKIP',
    why: 'Config evaluates customer managed policies only; inline AWS::IAM::Policy is judged by cfn-iam-inline-policy-wildcard',
  },
  {
    rule: 'ENCRYPTED_VOLUMES',
    name: /Encrypted property false, FAIL/,
    expected: 'FAIL',
    actual: 'SKIP',
    why: 'the Config rule evaluates attached volumes; a volume no template resource attaches is NOT_APPLICABLE',
  },
  {
    rule: 'INCOMING_SSH_DISABLED',
    name: /^Security Group with no SSH ingress, SKIP/,
    expected: 'SKIP',
    actual: 'FAIL',
    why: 'the case misspells IpProtocol ("IpProtocol\\""); without a protocol the entry reads as all traffic (-1), which includes port 22 from 0.0.0.0/0',
  },
  {
    rule: 'LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED',
    name: /with a service as the principal, but NO other limitations, FAIL/,
    expected: 'FAIL',
    actual: 'SKIP',
    why: 'the Config rule evaluates functions; a template with only an AWS::Lambda::Permission has no function in scope',
  },
  {
    rule: 'RDS_STORAGE_ENCRYPTED',
    name: /RDS_STORAGE_ENCRYPTED Guard suppressed, SKIP/,
    expected: 'SKIP',
    actual: 'FAIL',
    why: 'guard.SuppressedRules has no reason field; Vigil reports reason-less suppressions instead of applying them',
  },
];

describe.skipIf(!have)('aws-guard-rules-registry agreement (rules named after a Vigil rule identifier)', () => {
  const results: CaseResult[] = have ? runRegistry() : [];

  it('runs every shared-name case and reports the agreement rate', () => {
    const agree = results.filter((r) => r.expected === r.actual).length;
    const rules = new Set(results.map((r) => r.rule));
    console.log(
      `guard-rules-registry: ${agree}/${results.length} (rule, case) pairs agree (${((100 * agree) / results.length).toFixed(1)}%) over ${rules.size} rules`,
    );
    expect(rules.size).toBeGreaterThanOrEqual(25);
    expect(results.length).toBeGreaterThan(200);
    // Floor just under the measured rate (161/264 when written): a regression in the mapping shows here.
    expect(agree / results.length).toBeGreaterThanOrEqual(0.6);
  });

  it('plain PASS/FAIL cases of the S3, RDS, DynamoDB, KMS and subnet rules agree', () => {
    const core = results.filter(
      (r) =>
        /^(S3_BUCKET_VERSIONING_ENABLED|RDS_MULTI_AZ_SUPPORT|RDS_INSTANCE_DELETION_PROTECTION_ENABLED|DYNAMODB_PITR_ENABLED|CMK_BACKING_KEY_ROTATION_ENABLED|SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED|ALB_HTTP_DROP_INVALID_HEADER_ENABLED|RDS_ENHANCED_MONITORING_ENABLED)$/.test(
          r.rule,
        ) && r.expected !== 'SKIP',
    );
    expect(core.length).toBeGreaterThan(25);
    expect(core.filter((r) => r.expected !== r.actual)).toEqual([]);
  });

  it.each(DELIBERATE)('deliberate disagreement: $rule — $why', (d) => {
    const hit = results.filter((r) => r.rule === d.rule && d.name.test(r.name));
    expect(hit.length).toBeGreaterThan(0);
    for (const r of hit) expect([r.expected, r.actual]).toEqual([d.expected, d.actual]);
  });
});
