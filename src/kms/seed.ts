import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { asymmetricMatches } from './crypto.js';
import { ALIAS_NAME, isKeyId } from './ids.js';
import { defaultKeyPolicy, type KeyRecord } from './model.js';
import { parsePolicy } from './policy.js';
import type { KmsService } from './service.js';
import { type KeySpec, type KeyUsage, SPECS } from './specs.js';

/**
 * Preload keys and aliases from a seed file. The layout is local-kms's (`Keys.Symmetric.Aes[]`, `Keys.Asymmetric.
 * {Rsa,Ecc}[]`, `Aliases[]`), so its seed files load unchanged, plus Vigil's additions: `Keys.Hmac[]`,
 * `Metadata.KeySpec` (Ed25519, secp256k1, HMAC sizes), `Metadata.Policy`, `Metadata.Tags`, `Metadata.Enabled`.
 * Several `BackingKeys` are past rotations (the last is current). Material IDs are derived from the key ID and the
 * bytes, so reseeding an in-memory server gives ciphertexts that still decrypt. Keys that already exist are left
 * alone. Bad entries are reported (file, path, reason) and skipped; the rest still loads.
 */

export interface SeedIssue {
  where: string;
  reason: string;
}

export interface SeedResult {
  created: string[];
  skipped: string[];
  aliases: string[];
  issues: SeedIssue[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const EC_SPECS: Record<string, KeySpec> = {
  prime256v1: 'ECC_NIST_P256',
  secp384r1: 'ECC_NIST_P384',
  secp521r1: 'ECC_NIST_P521',
  secp256k1: 'ECC_SECG_P256K1',
};

export function loadSeedFile(svc: KmsService, file: string, region = svc.region): SeedResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return {
      created: [],
      skipped: [],
      aliases: [],
      issues: [{ where: file, reason: `cannot read: ${(err as Error).message}` }],
    };
  }
  return seed(svc, text, file, region);
}

export function seed(svc: KmsService, text: string, file: string, region = svc.region): SeedResult {
  const result: SeedResult = { created: [], skipped: [], aliases: [], issues: [] };
  let doc: unknown;
  try {
    // Failsafe schema: every scalar stays text, so an all-digit hex backing key is not read as a number.
    doc = parseYaml(text, { schema: 'failsafe' });
  } catch (err) {
    result.issues.push({ where: file, reason: `not valid YAML: ${(err as Error).message}` });
    return result;
  }
  const root = obj(doc);
  if (!root) {
    result.issues.push({ where: file, reason: 'expected a mapping with Keys and/or Aliases' });
    return result;
  }
  const keys = obj(root.Keys) ?? {};
  const sym = obj(keys.Symmetric) ?? {};
  const asym = obj(keys.Asymmetric) ?? {};
  const groups: [string, unknown[], 'backing' | 'pem'][] = [
    ['Keys.Symmetric.Aes', list(sym.Aes), 'backing'],
    ['Keys.Hmac', list(keys.Hmac), 'backing'],
    ['Keys.Asymmetric.Rsa', list(asym.Rsa), 'pem'],
    ['Keys.Asymmetric.Ecc', list(asym.Ecc), 'pem'],
  ];
  for (const [path, entries, kind] of groups) {
    entries.forEach((entry, i) => {
      const where = `${file}: ${path}[${i}]`;
      try {
        const id = seedKey(svc, obj(entry) ?? {}, kind, path, region);
        if (id.created) result.created.push(id.keyId);
        else result.skipped.push(id.keyId);
      } catch (err) {
        result.issues.push({ where, reason: (err as Error).message });
      }
    });
  }
  list(root.Aliases).forEach((entry, i) => {
    const where = `${file}: Aliases[${i}]`;
    const a = obj(entry) ?? {};
    const name = a.AliasName;
    const target = a.TargetKeyId;
    if (typeof name !== 'string' || !ALIAS_NAME.test(name) || name.startsWith('alias/aws/')) {
      result.issues.push({
        where,
        reason: `AliasName must match alias/[a-zA-Z0-9:/_-]+ (not alias/aws/): ${String(name)}`,
      });
      return;
    }
    if (typeof target !== 'string' || !svc.liveKey(region, target)) {
      result.issues.push({ where, reason: `TargetKeyId ${String(target)} is not a seeded or existing key` });
      return;
    }
    const key = svc.liveKey(region, target)!;
    if (!svc.alias(key.account, region, name)) {
      const now = svc.now();
      svc.putAlias({ account: key.account, region, name, keyId: target, created: now, updated: now });
    }
    result.aliases.push(name);
  });
  return result;
}

function seedKey(
  svc: KmsService,
  entry: Obj,
  kind: 'backing' | 'pem',
  path: string,
  region: string,
): { keyId: string; created: boolean } {
  const meta = obj(entry.Metadata) ?? {};
  const keyId = meta.KeyId;
  if (typeof keyId !== 'string' || !isKeyId(keyId))
    throw new Error(`Metadata.KeyId must be a UUID or mrk- key ID: ${String(keyId)}`);
  if (svc.liveKey(region, keyId)) return { keyId, created: false };

  let spec: KeySpec;
  let usage: KeyUsage;
  const materials: Buffer[] = [];
  if (kind === 'backing') {
    spec = (
      typeof meta.KeySpec === 'string' ? meta.KeySpec : path === 'Keys.Hmac' ? 'HMAC_256' : 'SYMMETRIC_DEFAULT'
    ) as KeySpec;
    const info = SPECS[spec];
    if (!info || (info.kind !== 'aes' && info.kind !== 'hmac'))
      throw new Error(`KeySpec ${spec} cannot use BackingKeys`);
    usage = info.kind === 'aes' ? 'ENCRYPT_DECRYPT' : 'GENERATE_VERIFY_MAC';
    const backing = list(entry.BackingKeys);
    if (backing.length === 0) throw new Error('BackingKeys must list at least one hex key');
    backing.forEach((hex, j) => {
      const want = info.kind === 'aes' ? 32 : info.hmacBytes!;
      if (typeof hex !== 'string' || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== want * 2)
        throw new Error(`BackingKeys[${j}] must be ${want * 2} hex characters`);
      materials.push(Buffer.from(hex, 'hex'));
    });
  } else {
    const pem = entry.PrivateKeyPem;
    if (typeof pem !== 'string') throw new Error('PrivateKeyPem is required');
    let key: ReturnType<typeof createPrivateKey>;
    try {
      key = createPrivateKey(pem);
    } catch (err) {
      throw new Error(`PrivateKeyPem is not a readable private key: ${(err as Error).message}`);
    }
    const d = key.asymmetricKeyDetails;
    spec =
      typeof meta.KeySpec === 'string'
        ? (meta.KeySpec as KeySpec)
        : key.asymmetricKeyType === 'rsa'
          ? (`RSA_${d?.modulusLength}` as KeySpec)
          : key.asymmetricKeyType === 'ed25519'
            ? 'ECC_NIST_EDWARDS25519'
            : (EC_SPECS[d?.namedCurve ?? ''] ?? ('unknown' as KeySpec));
    if (!SPECS[spec] || !asymmetricMatches(spec, key))
      throw new Error(`the private key does not fit a supported key spec (${spec})`);
    usage = (typeof meta.KeyUsage === 'string' ? meta.KeyUsage : 'SIGN_VERIFY') as KeyUsage;
    materials.push(key.export({ format: 'der', type: 'pkcs8' }));
  }
  if (!SPECS[spec].usages[usage]) throw new Error(`KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
  const account = typeof meta.AWSAccountId === 'string' ? meta.AWSAccountId : svc.account;
  const policy = typeof meta.Policy === 'string' ? meta.Policy : meta.Policy ? JSON.stringify(meta.Policy) : undefined;
  if (policy !== undefined) {
    const { error } = parsePolicy(policy, { resourcePolicy: true });
    if (error) throw new Error(`Metadata.Policy: ${error}`);
  }
  const now = svc.now();
  const next = meta.NextKeyRotation ?? entry.NextKeyRotation;
  const nextMs = typeof next === 'string' ? Date.parse(next) : undefined;
  const k: KeyRecord = {
    keyId,
    region,
    account,
    partition: svc.partition,
    created: now,
    description: typeof meta.Description === 'string' ? meta.Description : '',
    spec,
    usage,
    origin: meta.Origin === 'EXTERNAL' ? 'EXTERNAL' : 'AWS_KMS',
    manager: 'CUSTOMER',
    state: String(meta.Enabled).toLowerCase() === 'false' ? 'Disabled' : 'Enabled',
    policy: policy ?? defaultKeyPolicy(svc.partition, account),
    tags: list(meta.Tags).map((t) => ({ TagKey: String(obj(t)?.TagKey), TagValue: String(obj(t)?.TagValue ?? '') })),
    rotationEnabled: nextMs !== undefined && !Number.isNaN(nextMs),
    rotationPeriodDays: nextMs !== undefined && !Number.isNaN(nextMs) ? 365 : undefined,
    nextRotation: nextMs !== undefined && !Number.isNaN(nextMs) ? nextMs : undefined,
    onDemandRotations: 0,
    rotations: [],
    multiRegion: keyId.startsWith('mrk-'),
    primaryRegion: keyId.startsWith('mrk-') ? region : undefined,
  };
  if (k.origin === 'EXTERNAL') {
    k.expirationModel = 'KEY_MATERIAL_DOES_NOT_EXPIRE';
    k.importedFingerprint = svc.sealer.fingerprint(Buffer.concat([Buffer.from(`${keyId}/`), materials.at(-1)!]));
  }
  svc.store.transaction(() => {
    svc.saveKey(k);
    materials.forEach((bytes, j) => {
      // Independent of the root key, so an in-memory server reseeded after a restart (new ephemeral root key) still
      // decrypts its earlier ciphertexts. Imported-origin material uses the import fingerprint, as ImportKeyMaterial.
      const materialId =
        k.origin === 'EXTERNAL'
          ? svc.sealer.fingerprint(Buffer.concat([Buffer.from(`${keyId}/`), bytes]))
          : createHash('sha256').update(`vigil-kms seed/${keyId}/`).update(bytes).digest('hex');
      svc.addMaterial(k, bytes, materialId);
      if (j > 0) k.rotations.push({ materialId, date: now, type: 'AUTOMATIC' });
    });
    svc.saveKey(k);
  });
  return { keyId, created: true };
}
