import { randomBytes, randomUUID } from 'node:crypto';

/** Key identifiers, ARNs and alias names (kms.md §4). */

const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;
export const ALIAS_NAME = /^alias\/[a-zA-Z0-9:/_-]+$/;

export type KeyRef =
  | { kind: 'key'; keyId: string; region?: string; account?: string; text: string }
  | { kind: 'alias'; name: string; region?: string; account?: string; text: string }
  | { kind: 'invalid'; text: string; reason: 'keyId' | 'arn' };

export function isKeyId(text: string): boolean {
  return KEY_ID.test(text);
}

/** Classify a KeyId parameter: key ID, key ARN, alias name or alias ARN. */
export function parseKeyRef(text: string): KeyRef {
  if (text.startsWith('arn:')) {
    const m = ARN.exec(text);
    if (!m) return { kind: 'invalid', text, reason: 'arn' };
    const [, , region, account, type, rest] = m as unknown as [string, string, string, string, string, string];
    if (type === 'key') {
      return KEY_ID.test(rest)
        ? { kind: 'key', keyId: rest, region, account, text }
        : { kind: 'invalid', text, reason: 'arn' };
    }
    return { kind: 'alias', name: `alias/${rest}`, region, account, text };
  }
  if (text.startsWith('alias/')) return { kind: 'alias', name: text, text };
  if (KEY_ID.test(text)) return { kind: 'key', keyId: text, text };
  return { kind: 'invalid', text, reason: 'keyId' };
}

export function keyArn(partition: string, region: string, account: string, keyId: string): string {
  return `arn:${partition}:kms:${region}:${account}:key/${keyId}`;
}

export function aliasArn(partition: string, region: string, account: string, aliasName: string): string {
  return `arn:${partition}:kms:${region}:${account}:${aliasName}`;
}

export function newKeyId(multiRegion: boolean): string {
  return multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID();
}

/** Key material IDs are 64 hex characters, as AWS's KeyMaterialId. */
export function newMaterialId(): string {
  return randomBytes(32).toString('hex');
}
