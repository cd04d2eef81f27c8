import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox } from '../../src/bus/outbox.js';
import { EventBusRegistry } from '../../src/bus/registry.js';
import { BusRuntime } from '../../src/bus/runtime.js';
import { BusApi, type RunningBusServer, startBusServer } from '../../src/bus/server.js';
import { ControlPlaneStore } from '../../src/bus/state.js';
import { parseCredentials } from '../../src/kms/credentials.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const CREDS = { accessKeyId: 'AKIABUSTESTKEY01', secretAccessKey: 'bus-test-secret-key-0123456789' };

export interface BusTestServer {
  dir: string;
  runtime: BusRuntime;
  api: BusApi;
  server: RunningBusServer;
  close(): Promise<void>;
}

/** A SigV4-verifying bus server on a free port, with its state in a temporary SQLite file. */
export async function startTestServer(state?: string): Promise<BusTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bus-'));
  const credentials = parseCredentials(
    `credentials:\n  - accessKeyId: ${CREDS.accessKeyId}\n    secretAccessKey: ${CREDS.secretAccessKey}\n`,
    'test-credentials.yaml',
    ACCOUNT,
  );
  const outbox = new Outbox(state ?? join(dir, 'state.db'));
  const runtime = new BusRuntime({
    registry: new EventBusRegistry({ account: ACCOUNT, region: REGION }),
    outbox,
    retry: { baseMs: 10, capMs: 50 },
  });
  const api = new BusApi(runtime, new ControlPlaneStore(outbox.db));
  const server = await startBusServer({ runtime, credentials }, api);
  runtime.start();
  return {
    dir,
    runtime,
    api,
    server,
    close: async () => {
      await server.close();
      await runtime.stop();
      outbox.close();
    },
  };
}

/** Wait until a JSON-lines file has at least n lines (delivery is asynchronous). */
export async function waitForLines(file: string, n: number, timeoutMs = 5000): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lines: string[] = [];
    try {
      lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    } catch {
      // not written yet
    }
    if (lines.length >= n || Date.now() > deadline) return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The AWS-recorded TestEventPattern exception for one corpus case. */
export function recordedException(caseName: string): { Code: string; MessageRaw: string } {
  const file = join(
    import.meta.dirname,
    '../../../shared/corpora/eventbridge/localstack-patterns/snapshots/test_events_patterns.snapshot.json',
  );
  type Recorded = { exception_message: { Error: { Code: string; MessageRaw: string } } };
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Record<
    string,
    { 'recorded-content': Record<string, Recorded> }
  >;
  const key = `tests/aws/services/events/test_events_patterns.py::TestEventPattern::test_event_pattern[${caseName}]`;
  return snap[key]!['recorded-content'][caseName]!.exception_message.Error;
}
