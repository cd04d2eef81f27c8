import { datePath } from './clock.js';
import type { ShopTraffic } from './http.js';
import type { Scenarios } from './scenarios.js';
import type { ExampleWriter } from './writer.js';

/** What every log module receives: the output collector, the scenario registry and the shared traffic models. */
export interface Ctx {
  writer: ExampleWriter;
  scenarios: Scenarios;
  shop: ShopTraffic;
  /** Internet-bound TCP connections of the batch VPC (filled by the flow log module, read by Network Firewall). */
  egress: EgressConnection[];
}

export interface EgressConnection {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** Epoch ms. */
  start: number;
  end: number;
  up: [packets: number, bytes: number];
  down: [packets: number, bytes: number];
  /** Still open when the data ends (Suricata has not written its netflow record yet). */
  open?: boolean;
  scenarios?: readonly string[];
}

/** `AWSLogs/<account>/<service>/<region>/YYYY/MM/DD` — the standard S3 delivery prefix. */
export function awsLogsDir(account: string, service: string, region: string, ms: number): string {
  return `AWSLogs/${account}/${service}/${region}/${datePath(ms)}`;
}

/** Group items by a key (e.g. the five-minute window), keys in ascending order, items in input order. */
export function groupBy<T, K extends string | number>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const it of items) {
    const k = key(it);
    let list = m.get(k);
    if (!list) m.set(k, (list = []));
    list.push(it);
  }
  return new Map([...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** Merge scenario tag lists (undefined when none). */
export function tags(...lists: (readonly string[] | undefined)[]): string[] | undefined {
  const all = lists.flatMap((l) => l ?? []);
  return all.length > 0 ? [...new Set(all)] : undefined;
}
