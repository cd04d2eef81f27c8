/** `vigil bus …` actions: serve the EventBridge API, test a pattern, put events (registered in bus.ts). */
import { readFileSync } from 'node:fs';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { loadBusConfig } from '../../bus/config.js';
import { Outbox } from '../../bus/outbox.js';
import { compilePattern, explain, type Pattern, PatternError, parseEvent } from '../../bus/pattern/index.js';
import { EventBusRegistry } from '../../bus/registry.js';
import { BusRuntime } from '../../bus/runtime.js';
import { BusScheduler } from '../../bus/scheduler.js';
import { BusApi, startBusServer } from '../../bus/server.js';
import { ControlPlaneStore } from '../../bus/state.js';
import { UsageError, VigilError } from '../../core/errors.js';
import { type CredentialStore, loadCredentials } from '../../kms/credentials.js';
import { createKmsService } from '../../kms/index.js';
import { mountKms } from '../../kms/server.js';
import { prepareBusTargets } from '../bus-targets.js';
import { checkServeOptions, requestLogger } from '../serve-checks.js';
import { writeOut } from '../stdout.js';

interface PutEventsOptions {
  entries?: string;
  source?: string;
  detailType?: string;
  detail?: string;
  resources?: string;
  eventBusName?: string;
  endpointUrl?: string;
  region?: string;
}

export async function putEvents(o: PutEventsOptions): Promise<void> {
  let entries: PutEventsRequestEntry[];
  if (o.entries !== undefined) {
    if (o.source || o.detailType || o.detail)
      throw new UsageError('use either --entries or --source/--detail-type/--detail');
    let parsed: unknown;
    try {
      parsed = JSON.parse(readArg('--entries', o.entries));
    } catch (e) {
      throw new UsageError(`--entries is not JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new UsageError('--entries must be a JSON list of PutEvents entries');
    entries = parsed as PutEventsRequestEntry[];
    if (o.eventBusName) for (const e of entries) e.EventBusName ??= o.eventBusName;
  } else {
    if (!o.source || !o.detailType || o.detail === undefined) {
      throw new UsageError('give --entries, or --source, --detail-type and --detail');
    }
    entries = [
      {
        Source: o.source,
        DetailType: o.detailType,
        Detail: readArg('--detail', o.detail),
        ...(o.resources ? { Resources: o.resources.split(',').filter(Boolean) } : {}),
        ...(o.eventBusName ? { EventBusName: o.eventBusName } : {}),
      },
    ];
  }
  const client = new EventBridgeClient({
    region: o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(o.endpointUrl ? { endpoint: o.endpointUrl } : {}),
    maxAttempts: 3,
  });
  try {
    const r = await client.send(new PutEventsCommand({ Entries: entries }));
    await writeOut(`${JSON.stringify({ FailedEntryCount: r.FailedEntryCount, Entries: r.Entries }, null, 2)}\n`);
    if ((r.FailedEntryCount ?? 0) > 0) process.exitCode = 1;
  } catch (e) {
    const err = e as Error & { name: string };
    throw new VigilError(`PutEvents failed: ${err.name}: ${err.message}`);
  } finally {
    client.destroy();
  }
}

interface ServeOptions {
  port: number;
  host: string;
  state?: string;
  credentials?: string;
  rules?: string;
  region: string;
  accountId: string;
  allowUnauthenticated?: boolean;
  logRequests?: boolean;
  kms?: boolean;
  kmsState?: string;
}

interface TestPatternOptions {
  pattern: string;
  event: string;
  explain?: boolean;
}

/** `JSON` or `@file` (the AWS CLI's file:// convention is also accepted). */
export function readArg(flag: string, value: string): string {
  const file = value.startsWith('@') ? value.slice(1) : value.startsWith('file://') ? value.slice(7) : undefined;
  if (file === undefined) return value;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new VigilError(`${flag} ${file}: cannot read: ${(err as Error).message}`);
  }
}

export async function testPattern(o: TestPatternOptions): Promise<void> {
  const patternText = readArg('--pattern', o.pattern);
  const eventText = readArg('--event', o.event);
  let pattern: Pattern;
  try {
    pattern = compilePattern(patternText);
  } catch (e) {
    // AWS's InvalidEventPatternException text, location included, exit 2.
    if (e instanceof PatternError) throw new VigilError(`InvalidEventPatternException: ${e.rawMessage}`);
    throw e;
  }
  const event = parseEvent(eventText);
  if (!event.ok) throw new VigilError(`--event: ${event.error}`);
  const result = explain(pattern, event.event);
  await writeOut(`${result.matched}\n`);
  if (o.explain) await writeOut(`${JSON.stringify(result, null, 2)}\n`);
}

export async function serve(o: ServeOptions): Promise<void> {
  checkServeOptions(o, 'change rules and targets');
  const credentials: CredentialStore | undefined = o.credentials
    ? loadCredentials(o.credentials, o.accountId)
    : undefined;
  let outbox: Outbox;
  try {
    outbox = new Outbox(o.state);
  } catch (e) {
    throw new VigilError(`--state ${o.state}: ${(e as Error).message}`);
  }
  await prepareBusTargets();
  const runtime = new BusRuntime({
    registry: new EventBusRegistry({ account: o.accountId, region: o.region }),
    outbox,
  });
  const err = (text: string) => process.stderr.write(`vigil bus: ${text}\n`);
  const api = new BusApi(runtime, new ControlPlaneStore(outbox.db));
  for (const p of api.restoreProblems) err(`${o.state}: not restored: ${p}`);
  if (o.rules) {
    let text: string;
    try {
      text = readFileSync(o.rules, 'utf8');
    } catch (e) {
      outbox.close();
      throw new VigilError(`--rules ${o.rules}: cannot read: ${(e as Error).message}`);
    }
    const r = loadBusConfig(runtime.registry, text, o.rules);
    for (const issue of r.issues) err(`${issue.where}: ${issue.reason}`);
    err(`${o.rules}: ${r.buses} buses, ${r.rules} rules, ${r.targets} targets loaded, ${r.issues.length} rejected`);
    api.persist();
  }
  let running: Awaited<ReturnType<typeof startBusServer>>;
  try {
    running = await startBusServer(
      {
        runtime,
        credentials,
        host: o.host,
        port: o.port,
        onRequest: requestLogger(o.logRequests, err),
      },
      api,
    );
  } catch (e) {
    outbox.close();
    throw new VigilError(`cannot listen on ${o.host}:${o.port}: ${(e as Error).message}`);
  }
  const kms =
    o.kms || o.kmsState ? createKmsService({ state: o.kmsState, region: o.region, account: o.accountId }) : undefined;
  if (kms) await mountKms(running.server, { service: kms, credentials });
  runtime.start();
  const scheduler = new BusScheduler(runtime);
  scheduler.start();
  await writeOut(`vigil bus: listening on ${running.url}\n`);
  if (kms) err(`KMS API mounted on the same port (state ${o.kmsState ?? 'in memory'})`);
  const rules = runtime.registry.allBuses().reduce((n, b) => n + b.rules.size, 0);
  err(
    `region ${o.region}, account ${o.accountId}, state ${o.state ?? 'in memory'}, ${rules} rules, ` +
      (credentials ? `SigV4 verified (${credentials.size} access keys)` : 'DEV MODE: signatures are not checked'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      scheduler.stop();
      running
        .close()
        .then(() => runtime.stop())
        .then(() => {
          kms?.close();
          outbox.close();
          resolve();
        });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
