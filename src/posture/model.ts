/**
 * The posture resource model: an AWS Config configuration item (CI) in Config's own lowerCamel describe
 * serialisation (config-rules.md §1), whatever the source. Per-source adapters (Config files, change
 * notifications, Vigil's collector, later CloudFormation) map into this one shape so each rule is written once.
 */
export type ComplianceType = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE' | 'INSUFFICIENT_DATA';

export const ACCOUNT_TYPE = 'AWS::::Account';

export interface Relationship {
  resourceType: string;
  resourceId?: string;
  resourceName?: string;
  relationshipName: string;
}

export interface ConfigItem {
  resourceType: string;
  resourceId: string;
  resourceName?: string;
  arn?: string;
  awsRegion: string;
  awsAccountId: string;
  availabilityZone?: string;
  /** Always an object here (the API form carries a JSON string; adapters parse it). */
  configuration: Record<string, unknown>;
  /** Values parsed from JSON strings where they were strings. */
  supplementaryConfiguration: Record<string, unknown>;
  tags: Record<string, string>;
  relationships: Relationship[];
  configurationItemCaptureTime?: string;
  configurationItemStatus: string;
}

/**
 * Account-level facts carried by the `AWS::::Account` CI's configuration (collected from IAM, EC2, S3 Control, …).
 * Every field is optional: absent means "not collected", which rules turn into INSUFFICIENT_DATA.
 */
export interface AccountFacts {
  /** IAM GetAccountPasswordPolicy; `null` = the account has no password policy. */
  passwordPolicy?: Record<string, unknown> | null;
  /** IAM GetAccountSummary SummaryMap. */
  accountSummary?: Record<string, number>;
  /** IAM credential report rows (CSV header names as keys). */
  credentialReport?: Record<string, string>[];
  /** EC2 GetEbsEncryptionByDefault per region. */
  ebsEncryptionByDefault?: Record<string, boolean>;
  /** S3 Control GetPublicAccessBlock; `null` = not configured. */
  s3PublicAccessBlock?: Record<string, boolean> | null;
  /** Regions where Security Hub is enabled (DescribeHub succeeded) / not enabled. */
  securityHub?: Record<string, boolean>;
}

/** A loaded set of configuration items plus what is known about coverage. */
export interface Inventory {
  items: ConfigItem[];
  /** Resource types the producer collected; undefined = unknown (a Config snapshot records what it records). */
  collectedTypes?: Set<string>;
  /** Evaluation clock (ISO); default = the newest capture time or now. */
  capturedAt?: string;
}

export function emptyCi(partial: Partial<ConfigItem> & Pick<ConfigItem, 'resourceType' | 'resourceId'>): ConfigItem {
  return {
    awsRegion: 'us-east-1',
    awsAccountId: '123456789012',
    configuration: {},
    supplementaryConfiguration: {},
    tags: {},
    relationships: [],
    configurationItemStatus: 'OK',
    ...partial,
  };
}
