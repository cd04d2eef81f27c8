/**
 * Find the digest chains under a bucket prefix or directory: every (prefix, organization, account, source region,
 * trail, home region) that has digest files. Walks folders with delimiter listings, so log files are never listed.
 */
import { type ChainId, chainKey, parseDigestKey } from './layout.js';
import type { ObjectStore } from './store.js';
import { parseKeyDate } from './time.js';

export interface DiscoveredChain extends ChainId {
  /** Standard digests found. */
  digests: number;
  backfillDigests: number;
  /** Key dates (digest end times) of the oldest and newest digest found, epoch ms. */
  earliest: number;
  latest: number;
}

const MAX_DEPTH = 6;

/** Prefixes (ending in `AWSLogs/`) under `prefix`. */
async function awsLogsRoots(store: ObjectStore, bucket: string, prefix: string, depth = 0): Promise<string[]> {
  const at = prefix.indexOf('AWSLogs/');
  if (at >= 0 && (at === 0 || prefix[at - 1] === '/')) return [prefix.slice(0, at + 8)];
  const roots: string[] = [];
  for (const folder of await store.listFolders(bucket, prefix)) {
    if (folder.endsWith('/AWSLogs/') || folder === 'AWSLogs/') roots.push(folder);
    else if (depth < MAX_DEPTH) roots.push(...(await awsLogsRoots(store, bucket, folder, depth + 1)));
  }
  return roots;
}

/** `…/CloudTrail-Digest/<region>/` folders below an `AWSLogs/` root (plain and organization layouts). */
async function regionFolders(store: ObjectStore, bucket: string, root: string): Promise<string[]> {
  const out: string[] = [];
  const accountFolders: string[] = [];
  for (const f of await store.listFolders(bucket, root)) {
    const name = f.slice(root.length, -1);
    if (/^o-[a-z0-9]{10,32}$/.test(name)) accountFolders.push(...(await store.listFolders(bucket, f)));
    else accountFolders.push(f);
  }
  for (const account of accountFolders) {
    if (!/^\d{12}$/.test(account.split('/').at(-2) ?? '')) continue;
    out.push(...(await store.listFolders(bucket, `${account}CloudTrail-Digest/`)));
  }
  return out;
}

/** Every chain with digests under `prefix` (which may point anywhere above or inside an `AWSLogs/` tree). */
export async function discoverChains(store: ObjectStore, bucket: string, prefix: string): Promise<DiscoveredChain[]> {
  const folderPrefix = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  const chains = new Map<string, DiscoveredChain>();
  for (const root of await awsLogsRoots(store, bucket, folderPrefix)) {
    for (const region of await regionFolders(store, bucket, root)) {
      for await (const key of store.list(bucket, region)) {
        if (!key.startsWith(prefix)) continue;
        const id = parseDigestKey(key);
        if (!id) continue;
        const date = parseKeyDate(id.date);
        const k = chainKey(id);
        let c = chains.get(k);
        if (!c) {
          const { date: _d, backfill: _b, ...chain } = id;
          c = { ...chain, digests: 0, backfillDigests: 0, earliest: date, latest: date };
          chains.set(k, c);
        }
        if (id.backfill) c.backfillDigests++;
        else c.digests++;
        if (date < c.earliest) c.earliest = date;
        if (date > c.latest) c.latest = date;
      }
    }
  }
  return [...chains.values()].sort((a, b) => (chainKey(a) < chainKey(b) ? -1 : 1));
}
