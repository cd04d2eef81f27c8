/** `vigil waf validate | test | proxy` actions (registered in waf.ts). */
import { createReadStream, createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import ipaddr from 'ipaddr.js';
import { UsageError, VigilError } from '../../core/errors.js';
import { ingestAll } from '../../ingest/run.js';
import type { LogRecord } from '../../ingest/types.js';
import { startWafProxy } from '../../waf/http.js';
import { type FileIssue, type LoadOptions, loadWebAclFiles, WafEngine, wafLogRecord } from '../../waf/index.js';
import { IP_REPUTATION_LISTS, type IpReputationLists } from '../../waf/managed.js';
import type { WebAcl } from '../../waf/model.js';
import { type Replayed, requestFromJson, requestFromRecord } from '../../waf/replay.js';
import { emptySummary, formatSummary, resultLine, testOne } from '../../waf/tester.js';
import { writeOut } from '../stdout.js';

/**
 * `--ip-reputation NAME=FILE`: the addresses of one AWSManagedRulesAmazonIpReputationList list (AWS's threat data is
 * not public), one IP or CIDR per line, `#` comments.
 */
function ipReputationLists(specs: string[]): IpReputationLists {
  const out: IpReputationLists = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = spec.slice(0, eq) as (typeof IP_REPUTATION_LISTS)[number];
    if (eq < 0 || !IP_REPUTATION_LISTS.includes(name))
      throw new UsageError(`--ip-reputation must be NAME=FILE with NAME one of ${IP_REPUTATION_LISTS.join(', ')}`);
    const file = spec.slice(eq + 1);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`--ip-reputation ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const cidrs: string[] = [];
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.replace(/#.*/, '').trim();
      if (line === '') return;
      const cidr = line.includes('/') ? line : `${line}/${line.includes(':') ? 128 : 32}`;
      if (!ipaddr.isValidCIDR(cidr)) throw new UsageError(`${file}:${i + 1}: not an IP address or CIDR: ${line}`);
      cidrs.push(cidr);
    });
    out[name] = [...(out[name] ?? []), ...cidrs];
  }
  return out;
}

function loadAcl(files: string[], name: string | undefined, ipReputation: string[] = []): WebAcl {
  if (files.length === 0) throw new UsageError('--web-acl FILE is required');
  const opts: LoadOptions = { ipReputation: ipReputationLists(ipReputation) };
  if (name !== undefined) opts.aclName = name;
  const { acl, issues } = loadWebAclFiles(files, opts);
  if (!acl) throw new VigilError(`invalid web ACL:\n${issues.map(fmtIssue).join('\n')}`);
  return acl;
}

function fmtIssue(i: FileIssue): string {
  return `  ${i.file}: ${i.path}: ${i.message}`;
}

/** `vigil waf …`: validate a WebACL and test it offline against HTTP logs or JSONL requests. */

function textLine(l: Record<string, unknown>): string {
  const m = (l.matches as { location?: string; fieldName?: string; matchedData?: string[] }[] | undefined)?.[0];
  const why = m
    ? ` [${m.location ?? ''}${m.fieldName ? `:${m.fieldName}` : ''} ${JSON.stringify(m.matchedData ?? [])}]`
    : '';
  const logged = l.logged as { action: string; terminatingRuleId: string } | undefined;
  const was = logged ? ` (logged ${logged.action} by ${logged.terminatingRuleId})` : '';
  const grp = l.terminatingGroupRule ? `/${l.terminatingGroupRule}` : '';
  return `${l.source} ${l.action} ${l.terminatingRuleId}${grp}${why} ${l.method} ${l.uri} from ${l.clientIp}${was}`;
}

export const validateAction = async (o: { webAcl: string[]; acl: string[]; name?: string; ipReputation: string[] }) => {
  const acl = loadAcl([...o.webAcl, ...o.acl], o.name, o.ipReputation);
  const lines = [
    `web ACL ${acl.name}: ${acl.rules.length} rules, ${acl.capacity} WCU, default ${acl.defaultAction.type}`,
  ];
  for (const r of acl.rules) {
    const act = r.action?.type ?? `OverrideAction ${r.override}`;
    lines.push(`  ${String(r.priority).padStart(5)}  ${r.name}  ${r.kind}  ${act}  ${r.wcu} WCU`);
  }
  await writeOut(`${lines.join('\n')}\n`);
};

export const testAction = async (
  inputs: string[],
  o: {
    webAcl: string[];
    acl: string[];
    name?: string;
    ipReputation: string[];
    requests?: boolean;
    all?: boolean;
    format: string;
    logOut?: string;
  },
) => {
  const acl = loadAcl([...o.webAcl, ...o.acl], o.name, o.ipReputation);
  const engine = new WafEngine(acl);
  const summary = emptySummary();
  const json = o.format === 'json';
  let logOut: WriteStream | undefined;
  if (o.logOut) logOut = createWriteStream(o.logOut);
  const pending: string[] = [];
  const handle = (source: string, rep: Replayed) => {
    if ('skip' in rep) {
      summary.skipped++;
      return;
    }
    if ('error' in rep) {
      summary.errors++;
      process.stderr.write(`${source}: ${rep.error}\n`);
      return;
    }
    const d = testOne(engine, rep.req, summary, rep.logged);
    if (logOut) logOut.write(`${JSON.stringify(wafLogRecord(acl, rep.req, d))}\n`);
    const changed = rep.logged !== undefined && rep.logged.action !== '' && rep.logged.action !== d.action;
    if (o.all || d.action !== 'ALLOW' || changed) {
      const line = resultLine(source, rep.req, d, rep.logged);
      pending.push(json ? JSON.stringify(line) : textLine(line));
    }
  };
  const flush = async () => {
    if (pending.length === 0) return;
    const text = `${pending.join('\n')}\n`;
    pending.length = 0;
    await writeOut(text);
  };
  if (o.requests) {
    for (const file of inputs) {
      const stream = file === '-' ? process.stdin : createReadStream(file);
      const done = new Promise<void>((resolve) => {
        stream.on('error', (err: NodeJS.ErrnoException) => {
          summary.errors++;
          process.stderr.write(`${file}: cannot read: ${err.code ?? err.message}\n`);
          resolve();
        });
        const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
        let n = 0;
        rl.on('line', (line) => {
          n++;
          if (line.trim() === '') return;
          let v: unknown;
          try {
            v = JSON.parse(line);
          } catch (err) {
            handle(`${file}:${n}`, { error: `invalid JSON: ${(err as Error).message}` });
            return;
          }
          handle(`${file}:${n}`, requestFromJson(v));
        });
        rl.on('close', () => resolve());
      });
      await done;
      await flush();
    }
  } else {
    await ingestAll(
      inputs,
      {},
      {
        record: (r: LogRecord) => handle(`${r.origin.file}:${r.origin.line}`, requestFromRecord(r)),
        error: (e) => {
          summary.errors++;
          process.stderr.write(`${e.file}${e.line ? `:${e.line}` : ''}: ${e.reason}\n`);
        },
        drain: () => flush(),
      },
      { job: 'records', workers: 1 },
    );
    await flush();
  }
  if (logOut) await new Promise<void>((resolve) => logOut.end(resolve));
  await writeOut(json ? `${JSON.stringify({ summary })}\n` : formatSummary(summary));
};

export const proxyAction = async (o: {
  webAcl: string[];
  acl: string[];
  name?: string;
  ipReputation: string[];
  upstream: string;
  listen: number;
  host: string;
  failOpen?: boolean;
  clientIpHeader?: string;
  ja3Header?: string;
  ja4Header?: string;
  logOut?: string;
}) => {
  const acl = loadAcl([...o.webAcl, ...o.acl], o.name, o.ipReputation);
  try {
    new URL(o.upstream);
  } catch {
    throw new UsageError(`--upstream must be a URL, got ${JSON.stringify(o.upstream)}`);
  }
  const log = o.logOut ? createWriteStream(o.logOut, { flags: 'a' }) : undefined;
  const opts: Parameters<typeof startWafProxy>[1] = { upstream: o.upstream, port: o.listen, host: o.host };
  if (o.failOpen) opts.failOpen = true;
  if (o.clientIpHeader) opts.clientIpHeader = o.clientIpHeader;
  if (o.ja3Header) opts.ja3Header = o.ja3Header;
  if (o.ja4Header) opts.ja4Header = o.ja4Header;
  if (log) opts.onLog = (r) => log.write(`${JSON.stringify(r)}\n`);
  const { port } = await startWafProxy(new WafEngine(acl), opts).catch((err: Error) => {
    throw new VigilError(`cannot listen on ${o.host}:${o.listen}: ${err.message}`);
  });
  process.stderr.write(
    `vigil waf proxy: ${acl.name} (${acl.capacity} WCU) on http://${o.host}:${port} -> ${o.upstream}\n`,
  );
};
