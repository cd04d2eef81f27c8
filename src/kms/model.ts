import { keyArn } from './ids.js';
import { type KeySpec, type KeyUsage, SPECS } from './specs.js';

/** Persistent records of the key service and their API renderings. */

export type KeyState =
  | 'Creating'
  | 'Enabled'
  | 'Disabled'
  | 'PendingDeletion'
  | 'PendingImport'
  | 'PendingReplicaDeletion'
  | 'Unavailable'
  | 'Updating';

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface RotationEntry {
  materialId: string;
  /** Epoch ms. */
  date: number;
  type: 'AUTOMATIC' | 'ON_DEMAND';
}

/** One KMS key in one region (multi-Region replicas are one record per region sharing key ID and material). */
export interface KeyRecord {
  keyId: string;
  region: string;
  account: string;
  partition: string;
  /** Epoch ms. */
  created: number;
  description: string;
  spec: KeySpec;
  usage: KeyUsage;
  origin: 'AWS_KMS' | 'EXTERNAL';
  manager: 'CUSTOMER' | 'AWS';
  state: KeyState;
  /** State to return to when PendingDeletion is cancelled (AWS returns keys to Disabled). */
  deletionDate?: number;
  pendingWindowDays?: number;
  expirationModel?: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  validTo?: number;
  policy: string;
  tags: Tag[];
  rotationEnabled: boolean;
  rotationPeriodDays?: number;
  nextRotation?: number;
  onDemandRotations: number;
  rotations: RotationEntry[];
  currentMaterialId?: string;
  /** Keyed fingerprint of imported material: a re-import must bring the same bytes. */
  importedFingerprint?: string;
  multiRegion: boolean;
  primaryRegion?: string;
}

export interface AliasRecord {
  account: string;
  region: string;
  name: string;
  keyId: string;
  created: number;
  updated: number;
}

export interface GrantRecord {
  grantId: string;
  token: string;
  account: string;
  region: string;
  keyId: string;
  name?: string;
  created: number;
  granteePrincipal: string;
  retiringPrincipal?: string;
  issuingAccount: string;
  operations: string[];
  constraints?: { EncryptionContextEquals?: Record<string, string>; EncryptionContextSubset?: Record<string, string> };
}

export interface ImportTokenRecord {
  tokenId: string;
  keyId: string;
  region: string;
  wrappingAlgorithm: string;
  wrappingKeySpec: string;
  validTo: number;
}

export const arnOf = (k: KeyRecord) => keyArn(k.partition, k.region, k.account, k.keyId);
export const secs = (ms: number) => ms / 1000;

/** DescribeKey's KeyMetadata; `replicaRegions` lists every region holding this multi-Region key. */
export function keyMetadata(k: KeyRecord, replicaRegions: string[] = []): Record<string, unknown> {
  const info = SPECS[k.spec].usages[k.usage] ?? {};
  const m: Record<string, unknown> = {
    AWSAccountId: k.account,
    KeyId: k.keyId,
    Arn: arnOf(k),
    CreationDate: secs(k.created),
    Enabled: k.state === 'Enabled',
    Description: k.description,
    KeyUsage: k.usage,
    KeyState: k.state,
    Origin: k.origin,
    KeyManager: k.manager,
    CustomerMasterKeySpec: k.spec,
    KeySpec: k.spec,
    MultiRegion: k.multiRegion,
  };
  if (k.deletionDate !== undefined) m.DeletionDate = secs(k.deletionDate);
  if (k.state === 'PendingReplicaDeletion' && k.pendingWindowDays) m.PendingDeletionWindowInDays = k.pendingWindowDays;
  if (k.validTo !== undefined) m.ValidTo = secs(k.validTo);
  if (k.expirationModel) m.ExpirationModel = k.expirationModel;
  if (info.encryption) m.EncryptionAlgorithms = info.encryption;
  if (info.signing) m.SigningAlgorithms = info.signing;
  if (info.mac) m.MacAlgorithms = info.mac;
  if (info.agreement) m.KeyAgreementAlgorithms = info.agreement;
  if (k.spec === 'SYMMETRIC_DEFAULT' && k.currentMaterialId) m.CurrentKeyMaterialId = k.currentMaterialId;
  if (k.multiRegion) {
    const primary = k.primaryRegion ?? k.region;
    m.MultiRegionConfiguration = {
      MultiRegionKeyType: primary === k.region ? 'PRIMARY' : 'REPLICA',
      PrimaryKey: { Arn: keyArn(k.partition, primary, k.account, k.keyId), Region: primary },
      ReplicaKeys: replicaRegions
        .filter((r) => r !== primary)
        .map((r) => ({ Arn: keyArn(k.partition, r, k.account, k.keyId), Region: r })),
    };
  }
  return m;
}

export function defaultKeyPolicy(partition: string, account: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:${partition}:iam::${account}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}
