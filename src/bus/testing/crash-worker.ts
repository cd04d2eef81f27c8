/**
 * Test helper process for the at-least-once test: accepts events into a file-backed outbox and delivers them
 * slowly to an output file, so the test can SIGKILL it mid-delivery and restart it.
 *
 *   crash-worker <outbox.db> <out.txt> put <count> <delayMs>
 *   crash-worker <outbox.db> <out.txt> resume 0 <delayMs>
 */
import { appendFileSync } from 'node:fs';
import { Outbox } from '../outbox.js';
import { EventBusRegistry } from '../registry.js';
import { BusRuntime } from '../runtime.js';
import type { InvokeResult, TargetInvoker } from '../targets.js';

const [dbFile, outFile, mode, countText, delayText] = process.argv.slice(2);
const delay = Number(delayText);

class SlowFileTarget implements TargetInvoker {
  async invoke(body: string): Promise<InvokeResult> {
    await new Promise((r) => setTimeout(r, delay));
    appendFileSync(outFile, `${(JSON.parse(body) as { id: string }).id}\n`);
    return { ok: true };
  }
}

const registry = new EventBusRegistry();
registry.putRule({ Name: 'all', EventPattern: JSON.stringify({ source: ['crash.test'] }) });
registry.putTargets({ Rule: 'all', Targets: [{ Id: 'slow', Arn: 'slow' }] });
const runtime = new BusRuntime({
  registry,
  outbox: new Outbox(dbFile),
  invoker: () => new SlowFileTarget(),
  concurrency: 4,
});

if (mode === 'put') {
  const count = Number(countText);
  for (let i = 0; i < count; i += 10) {
    const entries = Array.from({ length: Math.min(10, count - i) }, (_, k) => ({
      Source: 'crash.test',
      DetailType: 'Crash Test',
      Detail: JSON.stringify({ n: i + k }),
    }));
    const res = runtime.putEvents(entries);
    // Only events acknowledged here count as accepted.
    process.stdout.write(`ACCEPTED ${JSON.stringify(res.Entries.map((e) => ('EventId' in e ? e.EventId : null)))}\n`);
  }
}
await runtime.drain();
process.stdout.write('IDLE\n');
runtime.outbox.close();
