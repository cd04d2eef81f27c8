import { randomBytes } from 'node:crypto';
import { KmsError, type Violations, validation } from './errors.js';
import { arnOf, type GrantRecord, type KeyRecord, secs } from './model.js';
import { paginate } from './pagination.js';
import { principalFromArn, principalNamed } from './principal.js';
import type { Handler, KmsService } from './service.js';
import { GRANT_OPERATIONS } from './specs.js';

/**
 * Grants (kms.md §10): a grant lets its grantee use a key for the listed operations, optionally constrained to an
 * encryption context. Grants take effect immediately (this service is strongly consistent), so grant tokens only
 * need to be ones this service issued.
 */

/** Operations a grant may list, by key usage. */
const BY_USAGE: Record<string, string[]> = {
  ENCRYPT_DECRYPT: [
    'Decrypt',
    'Encrypt',
    'GenerateDataKey',
    'GenerateDataKeyWithoutPlaintext',
    'ReEncryptFrom',
    'ReEncryptTo',
    'GenerateDataKeyPair',
    'GenerateDataKeyPairWithoutPlaintext',
    'GetPublicKey',
  ],
  SIGN_VERIFY: ['Sign', 'Verify', 'GetPublicKey'],
  GENERATE_VERIFY_MAC: ['GenerateMac', 'VerifyMac'],
  KEY_AGREEMENT: ['DeriveSharedSecret', 'GetPublicKey'],
};
const ALWAYS = ['CreateGrant', 'RetireGrant', 'DescribeKey'];

function grantEntry(g: GrantRecord, k: KeyRecord | undefined): Record<string, unknown> {
  const e: Record<string, unknown> = {
    KeyId: k ? arnOf(k) : g.keyId,
    GrantId: g.grantId,
    CreationDate: secs(g.created),
    GranteePrincipal: g.granteePrincipal,
    IssuingAccount: `arn:aws:iam::${g.issuingAccount}:root`,
    Operations: g.operations,
  };
  if (g.name) e.Name = g.name;
  if (g.retiringPrincipal) e.RetiringPrincipal = g.retiringPrincipal;
  if (g.constraints) e.Constraints = g.constraints;
  return e;
}

function checkPrincipal(v: Violations, member: string, value: string | undefined): void {
  if (value !== undefined && !principalFromArn(value))
    v.add(
      member,
      'Member must be an IAM principal ARN (user, role, assumed-role, federated-user or account root)',
      value,
    );
}

const CreateGrant: Handler = (svc, req) => {
  const inp = req.in;
  const keyId = inp.req('KeyId');
  const grantee = inp.str('GranteePrincipal', { required: true, min: 1, max: 256 });
  const retiring = inp.str('RetiringPrincipal', { min: 1, max: 256 });
  const operations = inp.strList('Operations', { min: 1 }) ?? [];
  if (!inp.has('Operations')) inp.v.add('operations', 'Member must not be null', 'null');
  const bad = operations.filter((o) => !(GRANT_OPERATIONS as readonly string[]).includes(o));
  if (bad.length)
    inp.v.add(
      'operations',
      `Member must satisfy constraint: [Member must satisfy enum value set: [${GRANT_OPERATIONS.join(', ')}]]`,
      `[${bad.join(', ')}]`,
    );
  const constraintsRaw = inp.obj('Constraints');
  const name = inp.str('Name', { min: 1, max: 256 });
  if (name !== undefined && !/^[a-zA-Z0-9:/_-]+$/.test(name))
    inp.v.add('name', 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$', name);
  checkPrincipal(inp.v, 'granteePrincipal', grantee);
  checkPrincipal(inp.v, 'retiringPrincipal', retiring);
  svc.checkGrantTokens(req);
  const constraints = readConstraints(constraintsRaw);
  const k = svc.findKey(req, keyId, false);
  const decision = svc.authorizeKey(req, k, 'CreateGrant', {
    grantOperation: 'CreateGrant',
    keys: {
      'kms:GrantOperations': operations,
      'kms:GranteePrincipal': grantee!,
      ...(retiring ? { 'kms:RetiringPrincipal': retiring } : {}),
      'kms:GrantIsForAWSResource': 'false',
      ...(constraints ? { 'kms:GrantConstraintType': Object.keys(constraints) } : {}),
    },
  });
  // A grantee creating grants through its own grant may only pass on operations that grant has.
  if (decision.grantId) {
    const parent = svc.grants.get(decision.grantId)!;
    const extra = operations.filter((o) => !parent.operations.includes(o));
    if (extra.length)
      throw new KmsError(
        'AccessDeniedException',
        `User: ${req.ctx.principal.arn} is not authorized to perform: kms:CreateGrant on resource: ${arnOf(k)} because grant ${parent.grantId} does not include ${extra.join(', ')}`,
      );
  }
  svc.requireNotPendingDeletion(k);
  const allowed = [...ALWAYS, ...(BY_USAGE[k.usage] ?? [])];
  const invalid = operations.filter((o) => !allowed.includes(o));
  if (invalid.length)
    throw validation(`Grant operations ${invalid.join(', ')} are not valid for a ${k.usage} key ${arnOf(k)}.`);
  svc.dryRun(req);
  const same = [...svc.grants.values()].find(
    (g) =>
      name !== undefined &&
      g.name === name &&
      g.keyId === k.keyId &&
      g.region === k.region &&
      g.granteePrincipal === grantee &&
      g.retiringPrincipal === retiring &&
      JSON.stringify(g.operations) === JSON.stringify(operations) &&
      JSON.stringify(g.constraints) === JSON.stringify(constraints),
  );
  const g: GrantRecord = same ?? {
    grantId: randomBytes(32).toString('hex'),
    token: `vgt1.${randomBytes(48).toString('base64url')}`,
    account: k.account,
    region: k.region,
    keyId: k.keyId,
    name,
    created: svc.now(),
    granteePrincipal: grantee!,
    retiringPrincipal: retiring,
    issuingAccount: req.ctx.principal.account,
    operations,
    constraints,
  };
  if (!same) {
    svc.grants.set(g.grantId, g);
    svc.store.putGrant(g);
  }
  req.audit.response = { grantId: g.grantId };
  return { GrantToken: g.token, GrantId: g.grantId };
};

function readConstraints(raw: Record<string, unknown> | undefined): GrantRecord['constraints'] {
  if (!raw) return undefined;
  const out: NonNullable<GrantRecord['constraints']> = {};
  for (const name of ['EncryptionContextEquals', 'EncryptionContextSubset'] as const) {
    const v = raw[name];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string'))
      throw new KmsError('SerializationException', `Constraints.${name} must be a map of strings`);
    out[name] = v as Record<string, string>;
  }
  return Object.keys(out).length ? out : undefined;
}

const ListGrants: Handler = (svc, req) => {
  const keyId = req.in.req('KeyId');
  const grantId = req.in.str('GrantId', { min: 1, max: 128 });
  const grantee = req.in.str('GranteePrincipal', { min: 1, max: 256 });
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, 'ListGrants');
  const grants = [...svc.grants.values()]
    .filter((g) => g.keyId === k.keyId && g.region === k.region)
    .filter(
      (g) =>
        (grantId === undefined || g.grantId === grantId) && (grantee === undefined || g.granteePrincipal === grantee),
    )
    .sort((a, b) => a.created - b.created);
  const { page, more } = paginate(req.in, grants, 50);
  return { Grants: page.map((g) => grantEntry(g, k)), ...more };
};

const ListRetirableGrants: Handler = (svc, req) => {
  const retiring = req.in.req('RetiringPrincipal', { min: 1, max: 256 });
  svc.authorizeAccount(req, 'ListRetirableGrants');
  const grants = [...svc.grants.values()]
    .filter((g) => g.retiringPrincipal === retiring && g.region === req.ctx.region)
    .sort((a, b) => a.created - b.created);
  const { page, more } = paginate(req.in, grants, 50);
  return {
    Grants: page.map((g) => grantEntry(g, svc.liveKey(g.region, g.keyId))),
    ...more,
  };
};

function removeGrant(svc: KmsService, g: GrantRecord): void {
  svc.grants.delete(g.grantId);
  svc.store.deleteGrant(g.grantId);
}

function grantById(svc: KmsService, k: KeyRecord, grantId: string): GrantRecord {
  const g = svc.grants.get(grantId);
  if (!g || g.keyId !== k.keyId || g.region !== k.region)
    throw new KmsError('InvalidGrantIdException', `Grant ${grantId} does not exist for key ${arnOf(k)}.`);
  return g;
}

const RetireGrant: Handler = (svc, req) => {
  const token = req.in.str('GrantToken', { min: 1, max: 8192 });
  const keyId = req.in.str('KeyId', { min: 1, max: 2048 });
  const grantId = req.in.str('GrantId', { min: 1, max: 128 });
  req.in.done();
  let g: GrantRecord | undefined;
  let k: KeyRecord | undefined;
  if (token !== undefined) {
    g = [...svc.grants.values()].find((x) => x.token === token);
    if (!g) throw new KmsError('InvalidGrantTokenException', 'The grant token is not valid.');
    k = svc.liveKey(g.region, g.keyId);
    if (k) req.audit.resources.push({ ARN: arnOf(k), accountId: k.account });
  } else if (keyId !== undefined && grantId !== undefined) {
    k = svc.findKey(req, keyId, false);
    g = grantById(svc, k, grantId);
  } else {
    throw validation('Grant token OR (grant ID, key ID) must be specified');
  }
  const p = req.ctx.principal;
  const mayRetire =
    (g.retiringPrincipal !== undefined && principalNamed(p, g.retiringPrincipal)) ||
    (g.operations.includes('RetireGrant') && principalNamed(p, g.granteePrincipal));
  if (!mayRetire) {
    if (!k)
      throw new KmsError(
        'AccessDeniedException',
        `User: ${p.arn} is not authorized to perform: kms:RetireGrant because it is neither the retiring principal nor a grantee with the RetireGrant operation`,
      );
    svc.authorizeKey(req, k, 'RetireGrant');
  }
  svc.dryRun(req);
  removeGrant(svc, g);
  return {};
};

const RevokeGrant: Handler = (svc, req) => {
  const keyId = req.in.req('KeyId');
  const grantId = req.in.req('GrantId', { min: 1, max: 128 });
  req.in.done();
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, 'RevokeGrant');
  const g = grantById(svc, k, grantId);
  svc.dryRun(req);
  removeGrant(svc, g);
  return {};
};

export const grantOperations: Record<string, Handler> = {
  CreateGrant,
  ListGrants,
  ListRetirableGrants,
  RetireGrant,
  RevokeGrant,
};
