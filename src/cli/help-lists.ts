/**
 * Library lists that appear in option help, repeated here because the modules that define them load heavy
 * dependencies (the zod config schema, every posture rule, the AWS SDK clients): `--help` must not pay for them.
 * src/cli/help-lists.test.ts keeps each one equal to its source.
 */

/** detect/config.ts DETECT_FORMATS. */
export const DETECT_FORMATS = ['table', 'json', 'jsonl', 'eventbridge', 'ocsf', 'asff', 'eve'] as const;

/** Object.keys(posture/packs/index.ts PACKS). */
export const PACK_IDS = ['cis-aws-4.0.1', 'security-baseline'] as const;

/** posture/collect/index.ts SERVICES. */
export const COLLECT_SERVICES = [
  'ec2',
  'iam',
  's3',
  'cloudtrail',
  'kms',
  'dynamodb',
  'rds',
  'guardduty',
  'elbv2',
  'wafv2',
  'cloudfront',
  'backup',
  'ssm',
  'lambda',
  'sns',
  'sqs',
  'efs',
] as const;

/** respond/store.ts MODES. */
export const RESPOND_MODES = ['dryRun', 'approve', 'auto'] as const;
