import { authorize } from './authz.js';
import { generateMaterialBytes } from './crypto.js';
import { invalidState, KmsError, malformedPolicy, unsupported, Violations } from './errors.js';
import { keyArn, newKeyId } from './ids.js';
import { arnOf, defaultKeyPolicy, type KeyRecord, keyMetadata, secs, type Tag } from './model.js';
import { paginate } from './pagination.js';
import { type PolicyDoc, parsePolicy } from './policy.js';
import type { Handler, KmsService, Req } from './service.js';
import { KEY_SPECS, KEY_USAGES, type KeySpec, type KeyUsage, SPECS } from './specs.js';
import type { Input } from './validate.js';

/** Key lifecycle, metadata, key policy, tags and multi-Region operations. */

const DAY = 86_400_000;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function metadataOf(svc: KmsService, k: KeyRecord): Record<string, unknown> {
  return keyMetadata(k, k.multiRegion ? svc.peers(k.keyId).map((p) => p.region) : []);
}

/** Tags as AWS validates them: lengths are ValidationException, content rules are TagException. */
export function readTags(inp: Input, name = 'Tags'): Tag[] | undefined {
  const raw = inp.list(name);
  if (!raw) return undefined;
  const v = new Violations();
  const tags: Tag[] = [];
  raw.forEach((t, i) => {
    const tag = (t ?? {}) as Record<string, unknown>;
    const key = tag.TagKey;
    const value = tag.TagValue;
    if (typeof key !== 'string') v.add(`tags.${i + 1}.member.tagKey`, 'Member must not be null', 'null');
    else if (key.length < 1 || key.length > 128)
      v.add(
        `tags.${i + 1}.member.tagKey`,
        `Member must have length ${key.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 128'}`,
        key,
      );
    if (typeof value !== 'string') v.add(`tags.${i + 1}.member.tagValue`, 'Member must not be null', 'null');
    else if (value.length > 256)
      v.add(`tags.${i + 1}.member.tagValue`, 'Member must have length less than or equal to 256', value);
    tags.push({ TagKey: String(key), TagValue: String(value) });
  });
  v.throwIfAny();
  if (tags.some((t) => t.TagKey.toLowerCase().startsWith('aws:')))
    throw new KmsError('TagException', 'Tags beginning with aws: are reserved');
  if (new Set(tags.map((t) => t.TagKey)).size !== tags.length) throw new KmsError('TagException', 'Duplicate tag keys');
  if (tags.length > 50) throw new KmsError('TagException', 'Too many tags');
  return tags;
}

function tagKeys(tags: Tag[] | undefined): Record<string, string | string[]> {
  const keys: Record<string, string | string[]> = {};
  if (!tags?.length) return keys;
  keys['aws:TagKeys'] = tags.map((t) => t.TagKey);
  for (const t of tags) keys[`aws:RequestTag/${t.TagKey}`] = t.TagValue;
  return keys;
}

/** Parse a key policy or throw MalformedPolicyDocumentException. */
export function readPolicy(text: string): PolicyDoc {
  const { doc, error } = parsePolicy(text, { resourcePolicy: true });
  if (!doc) throw malformedPolicy(error!);
  return doc;
}

/**
 * PutKeyPolicy/CreateKey lockout safety check: the caller must still be allowed kms:PutKeyPolicy under the new
 * policy, unless BypassPolicyLockoutSafetyCheck is set.
 */
function lockoutCheck(svc: KmsService, req: Req, doc: PolicyDoc, arn: string, account: string): void {
  const decision = authorize({
    principal: req.ctx.principal,
    action: 'kms:PutKeyPolicy',
    resource: arn,
    keyAccount: account,
    keyPolicy: doc,
    keys: svc.baseKeys(req),
  });
  if (!decision.allowed)
    throw malformedPolicy('The new key policy will not allow you to update the key policy in the future.');
}

const CreateKey: Handler = async (svc, req) => {
  const inp = req.in;
  const policy = inp.str('Policy', { min: 1, max: 131072 });
  const description = inp.str('Description', { max: 8192 }) ?? '';
  let usage = inp.enumOf('KeyUsage', KEY_USAGES);
  const spec = (inp.enumOf('KeySpec', KEY_SPECS) ?? inp.enumOf('CustomerMasterKeySpec', KEY_SPECS)) as
    | KeySpec
    | undefined;
  const origin = inp.enumOf('Origin', ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const);
  const bypass = inp.bool('BypassPolicyLockoutSafetyCheck') ?? false;
  const multiRegion = inp.bool('MultiRegion') ?? false;
  inp.str('CustomKeyStoreId', { min: 1, max: 64 });
  inp.done();
  const tags = readTags(inp);
  const keySpec: KeySpec = spec ?? 'SYMMETRIC_DEFAULT';
  const info = SPECS[keySpec];
  if (info.kind === 'unsupported') throw unsupported(`KeySpec ${keySpec} is not supported by this service.`);
  if (origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE' || inp.has('CustomKeyStoreId'))
    throw unsupported('Custom key stores are not supported by this service.');
  if (!usage) {
    if (keySpec !== 'SYMMETRIC_DEFAULT')
      throw new KmsError(
        'ValidationException',
        'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
      );
    usage = 'ENCRYPT_DECRYPT';
  }
  if (!info.usages[usage as KeyUsage])
    throw new KmsError('ValidationException', `KeyUsage ${usage} is not compatible with KeySpec ${keySpec}`);

  const account = req.ctx.principal.account;
  const region = req.ctx.region;
  const keyId = newKeyId(multiRegion);
  const arn = keyArn(svc.partition, region, account, keyId);
  const policyText = policy ?? defaultKeyPolicy(svc.partition, account);
  const doc = readPolicy(policyText);
  svc.authorizeAccount(req, 'CreateKey', {
    'kms:KeySpec': keySpec,
    'kms:KeyUsage': usage,
    'kms:KeyOrigin': origin ?? 'AWS_KMS',
    'kms:MultiRegion': String(multiRegion),
    'kms:BypassPolicyLockoutSafetyCheck': String(bypass),
    ...tagKeys(tags),
  });
  if (policy !== undefined && !bypass) lockoutCheck(svc, req, doc, arn, account);

  const k: KeyRecord = {
    keyId,
    region,
    account,
    partition: svc.partition,
    created: svc.now(),
    description,
    spec: keySpec,
    usage: usage as KeyUsage,
    origin: origin === 'EXTERNAL' ? 'EXTERNAL' : 'AWS_KMS',
    manager: 'CUSTOMER',
    state: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
    policy: policyText,
    tags: tags ?? [],
    rotationEnabled: false,
    onDemandRotations: 0,
    rotations: [],
    multiRegion,
    primaryRegion: multiRegion ? region : undefined,
  };
  const bytes = k.origin === 'AWS_KMS' ? await generateMaterialBytes(keySpec) : undefined;
  svc.store.transaction(() => {
    svc.saveKey(k);
    if (bytes) svc.addMaterial(k, bytes);
    svc.saveKey(k);
  });
  req.audit.resources.push({ ARN: arn, accountId: account });
  const KeyMetadata = metadataOf(svc, k);
  req.audit.response = { keyMetadata: lowerKeys(KeyMetadata) };
  return { KeyMetadata };
};

function lowerKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const name = k === 'AWSAccountId' ? 'aWSAccountId' : k.charAt(0).toLowerCase() + k.slice(1);
    out[name] =
      k === 'CreationDate' || k === 'DeletionDate' || k === 'ValidTo' ? new Date(Number(v) * 1000).toISOString() : v;
  }
  return out;
}

const DescribeKey: Handler = (svc, req) => {
  const keyId = req.in.req('KeyId');
  svc.checkGrantTokens(req);
  const k = svc.findKey(req, keyId);
  svc.authorizeKey(req, k, 'DescribeKey', { grantOperation: 'DescribeKey' });
  return { KeyMetadata: metadataOf(svc, k) };
};

const ListKeys: Handler = (svc, req) => {
  svc.authorizeAccount(req, 'ListKeys');
  const keys = svc.keysIn(req.ctx.principal.account, req.ctx.region).sort((a, b) => a.created - b.created);
  const { page, more } = paginate(req.in, keys, 1000);
  return { Keys: page.map((k) => ({ KeyId: k.keyId, KeyArn: arnOf(k) })), ...more };
};

/** Key-management operations take a key ID or ARN, never an alias. */
function managedKey(svc: KmsService, req: Req, action: string): KeyRecord {
  const keyId = req.in.req('KeyId');
  req.in.done();
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, action);
  return k;
}

const EnableKey: Handler = (svc, req) => {
  const k = managedKey(svc, req, 'EnableKey');
  svc.requireNotPendingDeletion(k);
  if (k.state === 'PendingImport') throw invalidState(`${arnOf(k)} is pending import.`);
  if (k.state !== 'Enabled') {
    k.state = 'Enabled';
    svc.saveKey(k);
  }
  return {};
};

const DisableKey: Handler = (svc, req) => {
  const k = managedKey(svc, req, 'DisableKey');
  svc.requireNotPendingDeletion(k);
  if (k.state === 'PendingImport') throw invalidState(`${arnOf(k)} is pending import.`);
  if (k.state !== 'Disabled') {
    k.state = 'Disabled';
    svc.saveKey(k);
  }
  return {};
};

const ScheduleKeyDeletion: Handler = (svc, req) => {
  const keyId = req.in.req('KeyId');
  const days = req.in.int('PendingWindowInDays', { min: 7, max: 30 }) ?? 30;
  req.in.done();
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, 'ScheduleKeyDeletion', {
    keys: { 'kms:ScheduleKeyDeletionPendingWindowInDays': String(days) },
  });
  svc.requireNotPendingDeletion(k);
  const isPrimaryWithReplicas =
    k.multiRegion && (k.primaryRegion ?? k.region) === k.region && svc.peers(k.keyId).length > 1;
  k.pendingWindowDays = days;
  if (isPrimaryWithReplicas) {
    k.state = 'PendingReplicaDeletion';
    k.deletionDate = undefined;
  } else {
    k.state = 'PendingDeletion';
    k.deletionDate = svc.now() + days * DAY;
  }
  svc.saveKey(k);
  const out: Record<string, unknown> = { KeyId: arnOf(k), KeyState: k.state, PendingWindowInDays: days };
  if (k.deletionDate !== undefined) out.DeletionDate = secs(k.deletionDate);
  req.audit.response = {
    keyId: arnOf(k),
    keyState: k.state,
    pendingWindowInDays: days,
    ...(k.deletionDate !== undefined ? { deletionDate: new Date(k.deletionDate).toISOString() } : {}),
  };
  return out;
};

const CancelKeyDeletion: Handler = (svc, req) => {
  const k = managedKey(svc, req, 'CancelKeyDeletion');
  if (k.state !== 'PendingDeletion' && k.state !== 'PendingReplicaDeletion')
    throw invalidState(`${arnOf(k)} is not pending deletion.`);
  // AWS returns a cancelled key Disabled; a key that never received material goes back to PendingImport.
  k.state = k.origin === 'EXTERNAL' && !svc.material(k) ? 'PendingImport' : 'Disabled';
  k.deletionDate = undefined;
  k.pendingWindowDays = undefined;
  svc.saveKey(k);
  return { KeyId: arnOf(k) };
};

const UpdateKeyDescription: Handler = (svc, req) => {
  const keyId = req.in.req('KeyId');
  const description = req.in.str('Description', { required: true, max: 8192 }) ?? '';
  req.in.done();
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, 'UpdateKeyDescription');
  svc.requireNotPendingDeletion(k);
  k.description = description;
  svc.saveKey(k);
  return {};
};

function policyName(req: Req): void {
  const name = req.in.str('PolicyName', { min: 1, max: 128 });
  req.in.done();
  if (name !== undefined && name !== 'default') throw new KmsError('NotFoundException', 'No such policy exists');
}

const GetKeyPolicy: Handler = (svc, req) => {
  const keyId = req.in.req('KeyId');
  policyName(req);
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, 'GetKeyPolicy');
  return { Policy: k.policy, PolicyName: 'default' };
};

const PutKeyPolicy: Handler = (svc, req) => {
  const keyId = req.in.req('KeyId');
  const policy = req.in.str('Policy', { required: true, min: 1, max: 131072 }) ?? '';
  const bypass = req.in.bool('BypassPolicyLockoutSafetyCheck') ?? false;
  policyName(req);
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, 'PutKeyPolicy', { keys: { 'kms:BypassPolicyLockoutSafetyCheck': String(bypass) } });
  svc.requireNotPendingDeletion(k);
  const doc = readPolicy(policy);
  if (!bypass) lockoutCheck(svc, req, doc, arnOf(k), k.account);
  k.policy = policy;
  svc.saveKey(k);
  return {};
};

const ListKeyPolicies: Handler = (svc, req) => {
  const keyId = req.in.req('KeyId');
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, 'ListKeyPolicies');
  const { page, more } = paginate(req.in, ['default']);
  return { PolicyNames: page, ...more };
};

const TagResource: Handler = (svc, req) => {
  const keyId = req.in.req('KeyId');
  req.in.list('Tags') ?? req.in.v.add('tags', 'Member must not be null', 'null');
  req.in.done();
  const tags = readTags(req.in) ?? [];
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, 'TagResource', { keys: tagKeys(tags) });
  svc.requireNotPendingDeletion(k);
  const merged = new Map(k.tags.map((t) => [t.TagKey, t.TagValue]));
  for (const t of tags) merged.set(t.TagKey, t.TagValue);
  if (merged.size > 50) throw new KmsError('TagException', 'Too many tags');
  k.tags = [...merged].map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
  svc.saveKey(k);
  return {};
};

const UntagResource: Handler = (svc, req) => {
  const keyId = req.in.req('KeyId');
  const keys = req.in.strList('TagKeys') ?? [];
  if (!req.in.has('TagKeys')) req.in.v.add('tagKeys', 'Member must not be null', 'null');
  req.in.done();
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, 'UntagResource', { keys: { 'aws:TagKeys': keys } });
  svc.requireNotPendingDeletion(k);
  k.tags = k.tags.filter((t) => !keys.includes(t.TagKey));
  svc.saveKey(k);
  return {};
};

const ListResourceTags: Handler = (svc, req) => {
  const keyId = req.in.req('KeyId');
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, 'ListResourceTags');
  const { page, more } = paginate(req.in, k.tags, 50);
  return { Tags: page, ...more };
};

const ReplicateKey: Handler = (svc, req) => {
  const inp = req.in;
  const keyId = inp.req('KeyId');
  const replicaRegion = inp.str('ReplicaRegion', { required: true, min: 1, max: 32 }) ?? '';
  const policy = inp.str('Policy', { min: 1, max: 131072 });
  const bypass = inp.bool('BypassPolicyLockoutSafetyCheck') ?? false;
  const description = inp.str('Description', { max: 8192 }) ?? '';
  inp.done();
  const tags = readTags(inp);
  if (!REGION.test(replicaRegion)) throw new KmsError('ValidationException', `${replicaRegion} is not a valid region`);
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, 'ReplicateKey', { keys: { 'kms:ReplicaRegion': replicaRegion } });
  if (!k.multiRegion || (k.primaryRegion ?? k.region) !== k.region)
    throw unsupported(`${arnOf(k)} is not a multi-region primary key.`);
  svc.requireNotPendingDeletion(k);
  const replicaArn = keyArn(k.partition, replicaRegion, k.account, k.keyId);
  if (svc.peers(k.keyId).some((p) => p.region === replicaRegion))
    throw new KmsError('AlreadyExistsException', `${replicaArn} already exists.`);
  const policyText = policy ?? defaultKeyPolicy(k.partition, k.account);
  const doc = readPolicy(policyText);
  if (policy !== undefined && !bypass) lockoutCheck(svc, req, doc, replicaArn, k.account);
  const replica: KeyRecord = {
    ...k,
    region: replicaRegion,
    created: svc.now(),
    description,
    policy: policyText,
    tags: tags ?? [],
    state: k.state === 'PendingImport' ? 'PendingImport' : 'Enabled',
    deletionDate: undefined,
    pendingWindowDays: undefined,
    primaryRegion: k.region,
  };
  svc.saveKey(replica);
  req.audit.resources.push({ ARN: replicaArn, accountId: k.account });
  // AWS answers while the replica is still being created.
  const ReplicaKeyMetadata = { ...metadataOf(svc, replica), KeyState: 'Creating', Enabled: false };
  req.audit.response = { replicaKeyMetadata: lowerKeys(ReplicaKeyMetadata) };
  return { ReplicaKeyMetadata, ReplicaPolicy: policyText, ReplicaTags: replica.tags };
};

const UpdatePrimaryRegion: Handler = (svc, req) => {
  const keyId = req.in.req('KeyId');
  const primaryRegion = req.in.str('PrimaryRegion', { required: true, min: 1, max: 32 }) ?? '';
  req.in.done();
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, 'UpdatePrimaryRegion', { keys: { 'kms:PrimaryRegion': primaryRegion } });
  if (!k.multiRegion || (k.primaryRegion ?? k.region) !== k.region)
    throw unsupported(`${arnOf(k)} is not a multi-region primary key.`);
  const peers = svc.peers(k.keyId);
  if (!peers.some((p) => p.region === primaryRegion))
    throw new KmsError(
      'NotFoundException',
      `Key '${keyArn(k.partition, primaryRegion, k.account, k.keyId)}' does not exist`,
    );
  svc.store.transaction(() => {
    for (const p of peers) {
      p.primaryRegion = primaryRegion;
      svc.saveKey(p);
    }
  });
  return {};
};

export const keyOperations: Record<string, Handler> = {
  CreateKey,
  DescribeKey,
  ListKeys,
  EnableKey,
  DisableKey,
  ScheduleKeyDeletion,
  CancelKeyDeletion,
  UpdateKeyDescription,
  GetKeyPolicy,
  PutKeyPolicy,
  ListKeyPolicies,
  TagResource,
  UntagResource,
  ListResourceTags,
  ReplicateKey,
  UpdatePrimaryRegion,
};
