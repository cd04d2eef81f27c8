import { randomBytes, randomUUID } from 'node:crypto';
import { type AuditOptions, AuditTrail, isReadOnly, requestParameters } from './audit.js';
import { authorize, type Decision } from './authz.js';
import type { EncryptionContext } from './blob.js';
import type { RequestKeys } from './conditions.js';
import { loadMaterial, type Material } from './crypto.js';
import {
  disabled,
  invalidKeyId,
  invalidKeyUsage,
  invalidState,
  KmsError,
  keyDoesNotExist,
  notFound,
} from './errors.js';
import { aliasArn, keyArn, newMaterialId, parseKeyRef } from './ids.js';
import { type AliasRecord, arnOf, type GrantRecord, type KeyRecord } from './model.js';
import { type PolicyDoc, parsePolicy } from './policy.js';
import type { Principal } from './principal.js';
import { loadRootKey, Sealer } from './rootkey.js';
import { KmsStore } from './store.js';
import { Input } from './validate.js';

/**
 * The key service: state (keys, materials, aliases, grants) in memory with write-through to SQLite, request
 * authorisation, lazy time-driven transitions (scheduled deletion, automatic rotation, imported-material expiry)
 * and one CloudTrail record per call. Operations live in ops-*.ts and are dispatched by name from `call`.
 */

export interface KmsOptions {
  /** SQLite state file; in-memory when absent. */
  state?: string;
  rootKey?: Buffer;
  rootKeyFile?: string;
  region?: string;
  account?: string;
  partition?: string;
  now?: () => number;
  audit?: AuditOptions;
  durability?: 'normal' | 'full';
}

export interface CallContext {
  region: string;
  principal: Principal;
  sourceIp?: string;
  userAgent?: string;
  requestId?: string;
}

export interface Req {
  op: string;
  in: Input;
  ctx: CallContext;
  audit: {
    resources: { ARN: string; accountId: string }[];
    additional?: Record<string, unknown>;
    response?: Record<string, unknown> | null;
    params?: Record<string, unknown>;
    decisions: Decision[];
  };
}

export type Handler = (svc: KmsService, req: Req) => Record<string, unknown> | Promise<Record<string, unknown>>;

const DAY = 86_400_000;

/** The 56 operations of the KMS API model (@aws-sdk/client-kms 3.1164.0). */
export const ALL_OPERATIONS = [
  'CancelKeyDeletion',
  'ConnectCustomKeyStore',
  'CreateAlias',
  'CreateCustomKeyStore',
  'CreateGrant',
  'CreateKey',
  'Decrypt',
  'DeleteAlias',
  'DeleteCustomKeyStore',
  'DeleteImportedKeyMaterial',
  'DeriveSharedSecret',
  'DescribeCustomKeyStores',
  'DescribeKey',
  'DisableKey',
  'DisableKeyRotation',
  'DisconnectCustomKeyStore',
  'EnableKey',
  'EnableKeyRotation',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateMac',
  'GenerateRandom',
  'GetKeyPolicy',
  'GetKeyRotationStatus',
  'GetParametersForImport',
  'GetPublicKey',
  'ImportKeyMaterial',
  'ListAliases',
  'ListGrants',
  'ListKeyPolicies',
  'ListKeyRotations',
  'ListKeys',
  'ListResourceTags',
  'ListRetirableGrants',
  'PutKeyPolicy',
  'ReEncrypt',
  'ReplicateKey',
  'RetireGrant',
  'RevokeGrant',
  'RotateKeyOnDemand',
  'ScheduleKeyDeletion',
  'Sign',
  'TagResource',
  'UntagResource',
  'UpdateAlias',
  'UpdateCustomKeyStore',
  'UpdateKeyDescription',
  'UpdatePrimaryRegion',
  'Verify',
  'VerifyMac',
  'Encapsulate',
  'Decapsulate',
  'GetKeyLastUsage',
];

export class KmsService {
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  readonly store: KmsStore;
  readonly sealer: Sealer;
  readonly auditTrail: AuditTrail;
  readonly rootKeySource: string;
  readonly rootKeyCreated: boolean;
  readonly now: () => number;
  private readonly keys = new Map<string, KeyRecord>();
  private readonly aliases = new Map<string, AliasRecord>();
  readonly grants = new Map<string, GrantRecord>();
  private readonly materials = new Map<string, Map<string, Material>>();
  private readonly policies = new Map<string, PolicyDoc>();
  private handlers: Record<string, Handler> = {};

  constructor(opts: KmsOptions = {}) {
    this.region = opts.region ?? 'us-east-1';
    this.account = opts.account ?? '111122223333';
    this.partition = opts.partition ?? 'aws';
    this.now = opts.now ?? Date.now;
    const root = opts.rootKey
      ? { key: opts.rootKey, source: 'option' }
      : loadRootKey({ file: opts.rootKeyFile, stateFile: opts.state });
    this.rootKeySource = root.source;
    this.rootKeyCreated = root.created === true;
    this.sealer = new Sealer(root.key);
    this.store = new KmsStore(opts.state, this.sealer, { durability: opts.durability });
    for (const k of this.store.loadKeys()) this.keys.set(`${k.region}/${k.keyId}`, k);
    for (const a of this.store.loadAliases()) this.aliases.set(aliasKey(a.account, a.region, a.name), a);
    for (const g of this.store.loadGrants()) this.grants.set(g.grantId, g);
    this.auditTrail = new AuditTrail(this.store, {
      now: this.now,
      maxRecords: opts.state ? undefined : 100_000,
      ...opts.audit,
    });
  }

  register(handlers: Record<string, Handler>): void {
    this.handlers = { ...this.handlers, ...handlers };
  }

  operations(): string[] {
    return Object.keys(this.handlers).sort();
  }

  /** Run one API operation as `ctx.principal`; every call (allowed, denied or failed) is audited. */
  async call(op: string, input: Record<string, unknown>, ctx: CallContext): Promise<Record<string, unknown>> {
    const req: Req = { op, in: new Input(input ?? {}), ctx, audit: { resources: [], decisions: [] } };
    const time = this.now();
    let out: Record<string, unknown> | undefined;
    let failure: KmsError | undefined;
    try {
      const handler = this.handlers[op];
      if (!handler) {
        if (!ALL_OPERATIONS.includes(op)) throw new KmsError('UnknownOperationException', '');
        throw new KmsError('UnsupportedOperationException', `${op} is not supported by this service.`);
      }
      out = await handler(this, req);
    } catch (err) {
      failure = err instanceof KmsError ? err : new KmsError('KMSInternalException', (err as Error).message, 500);
    }
    try {
      // The answer goes out only once its audit record is committed.
      await this.audit(req, input, time, failure);
    } catch (err) {
      throw new KmsError('KMSInternalException', `audit trail write failed: ${(err as Error).message}`, 500);
    }
    if (failure) throw failure;
    return out!;
  }

  private audit(req: Req, input: Record<string, unknown>, time: number, error?: KmsError): Promise<void> {
    const a = req.audit;
    const decision = a.decisions.at(-1);
    const additional = { ...a.additional };
    if (decision) additional.vigilAuthorization = { allowed: decision.allowed, reason: decision.reason };
    return this.auditTrail.record({
      time,
      eventName: req.op,
      region: req.ctx.region,
      principal: req.ctx.principal,
      sourceIp: req.ctx.sourceIp ?? '127.0.0.1',
      userAgent: req.ctx.userAgent ?? 'vigil',
      requestId: req.ctx.requestId ?? randomUUID(),
      requestParameters: { ...requestParameters(input ?? {}), ...a.params },
      responseElements: error ? null : (a.response ?? null),
      additionalEventData: Object.keys(additional).length ? additional : undefined,
      resources: a.resources,
      readOnly: isReadOnly(req.op),
      recipientAccountId: a.resources[0]?.accountId ?? req.ctx.principal.account,
      errorCode: error?.type === 'AccessDeniedException' ? 'AccessDenied' : error?.type,
      errorMessage: error?.message,
    });
  }

  // --- key lookup ------------------------------------------------------------------------------------------------

  /**
   * Resolve a KeyId parameter (key ID, key ARN, and — where the API allows — alias name or alias ARN) in the
   * request's region. AWS's messages: unparseable → `Invalid keyId 'x'`; ARN of another region → `Invalid arn
   * <region>`; unknown → `Key '<arn>' does not exist`; unknown alias → `Alias <arn> is not found.`.
   */
  findKey(req: Req, text: string, allowAlias = true): KeyRecord {
    const ref = parseKeyRef(text);
    const region = req.ctx.region;
    if (ref.kind === 'invalid') throw ref.reason === 'arn' ? notFound(`Invalid arn ${text}`) : invalidKeyId(text);
    if (ref.region && ref.region !== region) throw notFound(`Invalid arn ${ref.region}`);
    const account = ref.account ?? req.ctx.principal.account;
    let keyId: string;
    if (ref.kind === 'alias') {
      if (!allowAlias) throw invalidKeyId(text);
      const alias = this.aliases.get(aliasKey(account, region, ref.name));
      const target = alias ? this.liveKey(region, alias.keyId) : undefined;
      if (!alias || !target)
        throw notFound(`Alias ${aliasArn(this.partition, region, account, ref.name)} is not found.`);
      keyId = alias.keyId;
    } else {
      keyId = ref.keyId;
    }
    const k = this.liveKey(region, keyId);
    if (!k || k.account !== account) throw keyDoesNotExist(keyArn(this.partition, region, account, keyId));
    req.audit.resources.push({ ARN: arnOf(k), accountId: k.account });
    return k;
  }

  /** The key after applying time-driven transitions; undefined if it does not exist (or was just deleted). */
  liveKey(region: string, keyId: string): KeyRecord | undefined {
    const k = this.keys.get(`${region}/${keyId}`);
    return k ? this.tick(k) : undefined;
  }

  keysIn(account: string, region: string): KeyRecord[] {
    const out: KeyRecord[] = [];
    for (const k of [...this.keys.values()]) {
      if (k.account !== account || k.region !== region) continue;
      const live = this.tick(k);
      if (live) out.push(live);
    }
    return out;
  }

  /** Every region's record of a key ID (multi-Region primary and replicas). */
  peers(keyId: string): KeyRecord[] {
    return [...this.keys.values()].filter((k) => k.keyId === keyId);
  }

  private tick(k: KeyRecord): KeyRecord | undefined {
    const now = this.now();
    if (k.state === 'PendingDeletion' && k.deletionDate !== undefined && k.deletionDate <= now) {
      this.deleteKeyNow(k);
      return undefined;
    }
    if (k.state === 'PendingReplicaDeletion' && this.peers(k.keyId).length === 1) {
      k.state = 'PendingDeletion';
      k.deletionDate = now + (k.pendingWindowDays ?? 30) * DAY;
      this.saveKey(k);
    }
    if (k.origin === 'EXTERNAL' && k.validTo !== undefined && k.validTo <= now && k.state !== 'PendingImport') {
      this.expireImportedMaterial(k);
    }
    if (k.rotationEnabled && k.state === 'Enabled' && k.nextRotation !== undefined && k.nextRotation <= now) {
      // Multi-Region keys rotate once, from the primary; every region then shares the material and the schedule.
      const primary = k.multiRegion ? (this.keys.get(`${k.primaryRegion ?? k.region}/${k.keyId}`) ?? k) : k;
      const period = (k.rotationPeriodDays ?? 365) * DAY;
      let next = k.nextRotation;
      while (next <= now) {
        this.rotate(primary, 'AUTOMATIC', next);
        next += period;
      }
      for (const p of this.peers(k.keyId)) {
        p.nextRotation = next;
        this.saveKey(p);
      }
    }
    return k;
  }

  private deleteKeyNow(k: KeyRecord): void {
    this.store.transaction(() => {
      this.keys.delete(`${k.region}/${k.keyId}`);
      this.store.deleteKey(k.region, k.keyId);
      for (const [id, a] of this.aliases) {
        if (a.keyId === k.keyId && a.region === k.region) {
          this.aliases.delete(id);
          this.store.deleteAlias(a);
        }
      }
      for (const [id, g] of this.grants) {
        if (g.keyId === k.keyId && g.region === k.region) {
          this.grants.delete(id);
          this.store.deleteGrant(id);
        }
      }
      if (this.peers(k.keyId).length === 0) {
        this.store.deleteMaterials(k.keyId);
        this.materials.delete(k.keyId);
      }
    });
  }

  expireImportedMaterial(k: KeyRecord): void {
    this.store.transaction(() => {
      this.store.deleteMaterials(k.keyId);
      this.materials.delete(k.keyId);
      if (k.state === 'Enabled' || k.state === 'Disabled') k.state = 'PendingImport';
      k.validTo = undefined;
      k.expirationModel = undefined;
      this.saveKey(k);
    });
  }

  saveKey(k: KeyRecord): void {
    this.keys.set(`${k.region}/${k.keyId}`, k);
    this.store.putKey(k);
  }

  // --- state and usage checks --------------------------------------------------------------------------------------

  /** Cryptographic operations need an Enabled key. */
  requireEnabled(k: KeyRecord): void {
    const arn = arnOf(k);
    switch (k.state) {
      case 'Enabled':
        return;
      case 'Disabled':
        throw disabled(arn);
      case 'PendingDeletion':
        throw invalidState(`${arn} is pending deletion.`);
      case 'PendingImport':
        throw invalidState(`${arn} is pending import.`);
      case 'PendingReplicaDeletion':
        throw invalidState(`${arn} is pending replica deletion.`);
      default:
        throw new KmsError('KeyUnavailableException', `${arn} is unavailable.`);
    }
  }

  /** Management operations refused while a key awaits deletion. */
  requireNotPendingDeletion(k: KeyRecord): void {
    if (k.state === 'PendingDeletion' || k.state === 'PendingReplicaDeletion')
      throw invalidState(`${arnOf(k)} is pending deletion.`);
  }

  requireUsage(k: KeyRecord, usage: string, op: string): void {
    if (k.usage !== usage) throw invalidKeyUsage(arnOf(k), k.usage, op);
  }

  // --- material ----------------------------------------------------------------------------------------------------

  private materialMap(keyId: string): Map<string, Material> {
    let map = this.materials.get(keyId);
    if (!map) {
      map = new Map();
      const spec = this.peers(keyId)[0]?.spec;
      if (spec)
        for (const m of this.store.loadMaterials(keyId))
          map.set(m.materialId, loadMaterial(m.materialId, spec, m.bytes));
      this.materials.set(keyId, map);
    }
    return map;
  }

  material(k: KeyRecord, materialId = k.currentMaterialId): Material | undefined {
    return materialId ? this.materialMap(k.keyId).get(materialId) : undefined;
  }

  /** Material IDs of a key in creation order. */
  materialIds(k: KeyRecord): string[] {
    return [...this.materialMap(k.keyId).keys()];
  }

  /** Store new material for a key (shared by all its regions) and make it current. */
  addMaterial(k: KeyRecord, bytes: Buffer, materialId = newMaterialId()): string {
    const map = this.materialMap(k.keyId);
    const seq = map.size + 1;
    this.store.putMaterial({ keyId: k.keyId, materialId, seq, created: this.now(), bytes });
    map.set(materialId, loadMaterial(materialId, k.spec, bytes));
    for (const peer of this.peers(k.keyId)) {
      peer.currentMaterialId = materialId;
      if (peer !== k) this.saveKey(peer);
    }
    k.currentMaterialId = materialId;
    return materialId;
  }

  /** Rotate a symmetric key: new material becomes current, old material stays for decryption. */
  rotate(k: KeyRecord, type: 'AUTOMATIC' | 'ON_DEMAND', date = this.now()): string {
    const materialId = this.store.transaction(() => {
      const id = this.addMaterial(k, randomBytes(32));
      for (const peer of this.peers(k.keyId)) {
        peer.rotations = [...peer.rotations, { materialId: id, date, type }];
        if (type === 'ON_DEMAND') peer.onDemandRotations++;
        this.saveKey(peer);
      }
      return id;
    });
    return materialId;
  }

  // --- aliases -----------------------------------------------------------------------------------------------------

  alias(account: string, region: string, name: string): AliasRecord | undefined {
    return this.aliases.get(aliasKey(account, region, name));
  }

  aliasesIn(account: string, region: string): AliasRecord[] {
    return [...this.aliases.values()].filter((a) => a.account === account && a.region === region);
  }

  putAlias(a: AliasRecord): void {
    this.aliases.set(aliasKey(a.account, a.region, a.name), a);
    this.store.putAlias(a);
  }

  removeAlias(a: AliasRecord): void {
    this.aliases.delete(aliasKey(a.account, a.region, a.name));
    this.store.deleteAlias(a);
  }

  // --- policy and authorisation ------------------------------------------------------------------------------------

  policyOf(k: KeyRecord): PolicyDoc | undefined {
    let doc = this.policies.get(k.policy);
    if (!doc) {
      doc = parsePolicy(k.policy, { resourcePolicy: true }).doc;
      if (!doc) return undefined;
      if (this.policies.size > 1000) this.policies.clear();
      this.policies.set(k.policy, doc);
    }
    return doc;
  }

  /** Condition keys every request carries (aws:* globals and kms:CallerAccount). */
  baseKeys(req: Req): RequestKeys {
    const p = req.ctx.principal;
    const now = this.now();
    const keys: RequestKeys = new Map([
      ['aws:principalarn', [p.roleArn ?? p.arn]],
      ['aws:principalaccount', [p.account]],
      ['aws:principaltype', [p.type === 'Root' ? 'Account' : p.type]],
      ['aws:userid', [p.principalId]],
      ['aws:sourceip', [req.ctx.sourceIp ?? '127.0.0.1']],
      ['aws:currenttime', [new Date(now).toISOString()]],
      ['aws:epochtime', [String(Math.floor(now / 1000))]],
      ['aws:securetransport', ['false']],
      ['aws:requestedregion', [req.ctx.region]],
      ['kms:calleraccount', [p.account]],
    ]);
    if (p.type === 'IAMUser' && p.name) keys.set('aws:username', [p.name]);
    return keys;
  }

  /** Condition keys describing the key (kms:KeySpec …, aws:ResourceTag/…). */
  keyKeys(keys: RequestKeys, k: KeyRecord): RequestKeys {
    keys.set('kms:keyspec', [k.spec]);
    keys.set('kms:keyusage', [k.usage]);
    keys.set('kms:keyorigin', [k.origin]);
    keys.set('kms:multiregion', [String(k.multiRegion)]);
    if (k.multiRegion)
      keys.set('kms:multiregionkeytype', [(k.primaryRegion ?? k.region) === k.region ? 'PRIMARY' : 'REPLICA']);
    for (const t of k.tags) keys.set(`aws:resourcetag/${t.TagKey.toLowerCase()}`, [t.TagValue]);
    return keys;
  }

  /**
   * Authorise `kms:<action>` on a key; throws AccessDeniedException with AWS's wording. `grantOperation` lets a
   * grant allow it; `context` is the request's encryption context (condition keys and grant constraints).
   */
  authorizeKey(
    req: Req,
    k: KeyRecord,
    action: string,
    opts: { grantOperation?: string; context?: EncryptionContext; keys?: Record<string, string | string[]> } = {},
  ): Decision {
    const keys = this.keyKeys(this.baseKeys(req), k);
    if (opts.context) {
      const names = Object.keys(opts.context);
      for (const name of names) keys.set(`kms:encryptioncontext:${name.toLowerCase()}`, [opts.context[name]!]);
      if (names.length) keys.set('kms:encryptioncontextkeys', names);
    }
    for (const [name, v] of Object.entries(opts.keys ?? {})) keys.set(name.toLowerCase(), Array.isArray(v) ? v : [v]);
    const requested = req.in.raw.KeyId;
    if (typeof requested === 'string' && requested.includes('alias/'))
      keys.set('kms:requestalias', [requested.slice(requested.indexOf('alias/'))]);
    const grants = opts.grantOperation
      ? {
          list: [...this.grants.values()].filter((g) => g.keyId === k.keyId && g.region === k.region),
          operation: opts.grantOperation,
          context: opts.context,
        }
      : undefined;
    const decision = authorize({
      principal: req.ctx.principal,
      action: `kms:${action}`,
      resource: arnOf(k),
      keyAccount: k.account,
      keyPolicy: this.policyOf(k) ?? { Statement: [] },
      keys,
      grants,
    });
    req.audit.decisions.push(decision);
    if (!decision.allowed) throw new KmsError('AccessDeniedException', decision.message!);
    return decision;
  }

  /** Authorise an operation that is not on a key (CreateKey, ListKeys …): the identity policy decides. */
  authorizeAccount(req: Req, action: string, extra: Record<string, string | string[]> = {}): Decision {
    const keys = this.baseKeys(req);
    for (const [name, v] of Object.entries(extra)) keys.set(name.toLowerCase(), Array.isArray(v) ? v : [v]);
    const decision = authorize({ principal: req.ctx.principal, action: `kms:${action}`, resource: '*', keys });
    req.audit.decisions.push(decision);
    if (!decision.allowed) throw new KmsError('AccessDeniedException', decision.message!);
    return decision;
  }

  /** Grant tokens: at most 10, each one this service issued (InvalidGrantTokenException otherwise). */
  checkGrantTokens(req: Req): void {
    const tokens = req.in.strList('GrantTokens', { max: 10 });
    req.in.done();
    if (!tokens) return;
    for (const t of tokens) {
      if (![...this.grants.values()].some((g) => g.token === t) && !/^vgt1\.[A-Za-z0-9_-]+$/.test(t))
        throw new KmsError('InvalidGrantTokenException', 'The grant token is not valid.');
    }
  }

  dryRun(req: Req): void {
    if (req.in.bool('DryRun'))
      throw new KmsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
  }

  close(): void {
    this.auditTrail.close();
    this.store.close();
  }
}

export function aliasKey(account: string, region: string, name: string): string {
  return `${account}/${region}/${name}`;
}
