import { KmsError, unsupported } from './errors.js';
import { arnOf, type KeyRecord, secs } from './model.js';
import { paginate } from './pagination.js';
import type { Handler, KmsService, Req } from './service.js';

/**
 * Rotation (kms.md §7): only symmetric customer-managed keys with AWS_KMS origin rotate; the period is 90–2560 days
 * (365 by default); on-demand rotation at most 10 times per key and it does not move the automatic schedule;
 * every past key material stays available for decryption. Multi-Region keys rotate from the primary, and the new
 * material is shared with the replicas. Automatic rotation happens when a key is next used after its date.
 */

const DAY = 86_400_000;
const MAX_ON_DEMAND = 10;

function rotatable(svc: KmsService, req: Req, action: string): KeyRecord {
  const keyId = req.in.req('KeyId');
  req.in.done();
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, action);
  if (k.spec !== 'SYMMETRIC_DEFAULT') throw unsupported('');
  if (k.origin !== 'AWS_KMS')
    throw unsupported(`${arnOf(k)} origin is ${k.origin} which is not valid for this operation.`);
  return k;
}

function requirePrimary(k: KeyRecord): void {
  if (k.multiRegion && (k.primaryRegion ?? k.region) !== k.region)
    throw unsupported(`${arnOf(k)} is not a multi-region primary key.`);
}

/** Rotation settings are shared by every region of a multi-Region key. */
function saveRotation(svc: KmsService, k: KeyRecord): void {
  svc.store.transaction(() => {
    for (const p of svc.peers(k.keyId)) {
      p.rotationEnabled = k.rotationEnabled;
      p.rotationPeriodDays = k.rotationPeriodDays;
      p.nextRotation = k.nextRotation;
      svc.saveKey(p);
    }
  });
}

const EnableKeyRotation: Handler = (svc, req) => {
  const period = req.in.int('RotationPeriodInDays', { min: 90, max: 2560 });
  const k = rotatable(svc, req, 'EnableKeyRotation');
  requirePrimary(k);
  svc.requireEnabled(k);
  const days = period ?? k.rotationPeriodDays ?? 365;
  if (!k.rotationEnabled || days !== k.rotationPeriodDays) k.nextRotation = svc.now() + days * DAY;
  k.rotationEnabled = true;
  k.rotationPeriodDays = days;
  saveRotation(svc, k);
  return {};
};

const DisableKeyRotation: Handler = (svc, req) => {
  const k = rotatable(svc, req, 'DisableKeyRotation');
  requirePrimary(k);
  svc.requireEnabled(k);
  k.rotationEnabled = false;
  k.nextRotation = undefined;
  saveRotation(svc, k);
  return {};
};

const GetKeyRotationStatus: Handler = (svc, req) => {
  const keyId = req.in.req('KeyId');
  req.in.done();
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, 'GetKeyRotationStatus');
  if (k.spec !== 'SYMMETRIC_DEFAULT') throw unsupported('');
  svc.requireNotPendingDeletion(k);
  const out: Record<string, unknown> = { KeyRotationEnabled: k.rotationEnabled, KeyId: arnOf(k) };
  if (k.rotationEnabled) {
    out.RotationPeriodInDays = k.rotationPeriodDays;
    out.NextRotationDate = secs(k.nextRotation!);
  }
  return out;
};

const RotateKeyOnDemand: Handler = (svc, req) => {
  const k = rotatable(svc, req, 'RotateKeyOnDemand');
  requirePrimary(k);
  svc.requireEnabled(k);
  if (k.onDemandRotations >= MAX_ON_DEMAND) {
    throw new KmsError(
      'LimitExceededException',
      `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${arnOf(k)}`,
    );
  }
  const materialId = svc.rotate(k, 'ON_DEMAND');
  req.audit.additional = { keyMaterialId: materialId };
  return { KeyId: arnOf(k) };
};

const ListKeyRotations: Handler = (svc, req) => {
  const keyId = req.in.req('KeyId');
  const include = req.in.enumOf('IncludeKeyMaterial', ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] as const);
  const k = svc.findKey(req, keyId, false);
  svc.authorizeKey(req, k, 'ListKeyRotations');
  if (k.spec !== 'SYMMETRIC_DEFAULT') throw unsupported('');
  const entries: Record<string, unknown>[] = k.rotations.map((r) => ({
    KeyId: arnOf(k),
    KeyMaterialId: r.materialId,
    RotationDate: secs(r.date),
    RotationType: r.type,
    KeyMaterialState: r.materialId === k.currentMaterialId ? 'CURRENT' : 'NON_CURRENT',
  }));
  if (include === 'ALL_KEY_MATERIAL') {
    const rotated = new Set(k.rotations.map((r) => r.materialId));
    for (const id of svc.materialIds(k)) {
      if (!rotated.has(id))
        entries.unshift({
          KeyId: arnOf(k),
          KeyMaterialId: id,
          KeyMaterialState: id === k.currentMaterialId ? 'CURRENT' : 'NON_CURRENT',
        });
    }
  }
  const { page, more } = paginate(req.in, entries);
  return { Rotations: page, ...more };
};

export const rotationOperations: Record<string, Handler> = {
  EnableKeyRotation,
  DisableKeyRotation,
  GetKeyRotationStatus,
  RotateKeyOnDemand,
  ListKeyRotations,
};
