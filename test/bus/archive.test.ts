import { join } from 'node:path';
import {
  CancelReplayCommand,
  CreateArchiveCommand,
  CreateEventBusCommand,
  DeleteArchiveCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListArchivesCommand,
  ListReplaysCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
  UpdateArchiveCommand,
} from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withReplayName } from '../../src/bus/archive.js';
import { ACCOUNT, type BusTestServer, CREDS, REGION, startTestServer, waitForLines } from './harness.js';

let t: BusTestServer;
let client: EventBridgeClient;
const BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/orders`;
const ARCHIVE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:archive/orders-archive`;

beforeAll(async () => {
  t = await startTestServer();
  client = new EventBridgeClient({ region: REGION, endpoint: t.server.url, credentials: CREDS, maxAttempts: 1 });
  await client.send(new CreateEventBusCommand({ Name: 'orders' }));
});
afterAll(async () => {
  client.destroy();
  await t.close();
});

const entry = (minute: number, command: string) => ({
  EventBusName: 'orders',
  Source: 'core.update-account-command',
  DetailType: 'core.update-account-command',
  Detail: JSON.stringify({ command, minute }),
  Time: new Date(Date.UTC(2026, 10, 28, 12, minute)),
});

describe('archives and replays (AWS-recorded shapes and messages)', () => {
  it('creates, lists, describes, updates and deletes archives', async () => {
    const pattern = '{"detail": {"command": ["update-account"]}}';
    const created = await client.send(
      new CreateArchiveCommand({
        ArchiveName: 'orders-archive',
        EventSourceArn: BUS_ARN,
        EventPattern: pattern,
        RetentionDays: 1,
        Description: 'description of the archive',
      }),
    );
    expect(created).toMatchObject({ ArchiveArn: ARCHIVE_ARN, State: 'ENABLED' });
    expect(created.CreationTime).toBeInstanceOf(Date);
    await expect(
      client.send(new CreateArchiveCommand({ ArchiveName: 'orders-archive', EventSourceArn: BUS_ARN })),
    ).rejects.toMatchObject({
      name: 'ResourceAlreadyExistsException',
      message: 'Archive orders-archive already exists.',
    });
    await expect(
      client.send(
        new CreateArchiveCommand({
          ArchiveName: 'x',
          EventSourceArn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/nope`,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Event bus nope does not exist.' });

    const put = await client.send(
      new PutEventsCommand({ Entries: [entry(1, 'update-account'), entry(2, 'other'), entry(3, 'update-account')] }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const described = await client.send(new DescribeArchiveCommand({ ArchiveName: 'orders-archive' }));
    expect(described).toMatchObject({
      ArchiveArn: ARCHIVE_ARN,
      ArchiveName: 'orders-archive',
      Description: 'description of the archive',
      EventPattern: pattern,
      EventSourceArn: BUS_ARN,
      RetentionDays: 1,
      State: 'ENABLED',
      EventCount: 2,
    });
    expect(described.SizeBytes).toBeGreaterThan(0);
    const listed = await client.send(new ListArchivesCommand({ NamePrefix: 'orders' }));
    expect(listed.Archives?.map((a) => [a.ArchiveName, a.EventCount, a.State])).toEqual([
      ['orders-archive', 2, 'ENABLED'],
    ]);
    expect((await client.send(new ListArchivesCommand({ NamePrefix: 'zzz' }))).Archives).toEqual([]);
    await expect(client.send(new UpdateArchiveCommand({ ArchiveName: 'nope' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'At least one of EventPattern, RetentionDays or Description must be provided.',
    });
    await client.send(new CreateArchiveCommand({ ArchiveName: 'tmp', EventSourceArn: BUS_ARN }));
    await client.send(new DeleteArchiveCommand({ ArchiveName: 'tmp' }));
    await expect(client.send(new DescribeArchiveCommand({ ArchiveName: 'tmp' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Archive tmp does not exist.',
    });
  });

  it('replays a time window to the filtered rules with replay-name, and reports COMPLETED', async () => {
    await client.send(
      new PutRuleCommand({
        Name: 'all',
        EventBusName: 'orders',
        EventPattern: '{"source": ["core.update-account-command"]}',
      }),
    );
    await client.send(
      new PutRuleCommand({
        Name: 'other',
        EventBusName: 'orders',
        EventPattern: '{"source": ["core.update-account-command"]}',
      }),
    );
    const out = join(t.dir, 'replayed.jsonl');
    const other = join(t.dir, 'other.jsonl');
    await client.send(
      new PutTargetsCommand({ Rule: 'all', EventBusName: 'orders', Targets: [{ Id: 'f', Arn: `file://${out}` }] }),
    );
    await client.send(
      new PutTargetsCommand({ Rule: 'other', EventBusName: 'orders', Targets: [{ Id: 'f', Arn: `file://${other}` }] }),
    );
    const ruleArn = `arn:aws:events:${REGION}:${ACCOUNT}:rule/orders/all`;
    const window = {
      EventStartTime: new Date(Date.UTC(2026, 10, 28, 12, 0)),
      EventEndTime: new Date(Date.UTC(2026, 10, 28, 12, 2, 30)),
    };
    const started = await client.send(
      new StartReplayCommand({
        ReplayName: 'r1',
        EventSourceArn: ARCHIVE_ARN,
        Description: 'description of the replay',
        Destination: { Arn: BUS_ARN, FilterArns: [ruleArn] },
        ...window,
      }),
    );
    expect(started).toMatchObject({ ReplayArn: `arn:aws:events:${REGION}:${ACCOUNT}:replay/r1`, State: 'STARTING' });
    await Promise.all(t.api.archives.running);
    const lines = await waitForLines(out, 1);
    expect(lines).toHaveLength(1);
    expect(Object.keys(lines[0]!)).toEqual([
      'version',
      'id',
      'detail-type',
      'source',
      'account',
      'time',
      'region',
      'replay-name',
      'resources',
      'detail',
    ]);
    expect(lines[0]).toMatchObject({
      'replay-name': 'r1',
      time: '2026-11-28T12:01:00Z',
      detail: { command: 'update-account', minute: 1 },
    });
    const d = await client.send(new DescribeReplayCommand({ ReplayName: 'r1' }));
    expect(d).toMatchObject({
      ReplayName: 'r1',
      State: 'COMPLETED',
      Description: 'description of the replay',
      EventSourceArn: ARCHIVE_ARN,
      Destination: { Arn: BUS_ARN, FilterArns: [ruleArn] },
      EventStartTime: window.EventStartTime,
      EventEndTime: window.EventEndTime,
      EventLastReplayedTime: new Date(Date.UTC(2026, 10, 28, 12, 1)),
    });
    expect(d.ReplayEndTime).toBeInstanceOf(Date);
    expect(
      (await client.send(new ListReplaysCommand({ EventSourceArn: ARCHIVE_ARN }))).Replays?.map((r) => r.ReplayName),
    ).toEqual(['r1']);
    // Destination.FilterArns: only rule `all` received the replayed event; `other` matched it too but got nothing.
    const replayed = t.runtime.outbox.deliveriesOf().filter((x) => x.body?.includes('"replay-name":"r1"'));
    expect(replayed.map((x) => x.ruleName)).toEqual(['all']);
    await expect(client.send(new CancelReplayCommand({ ReplayName: 'r1' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('rejects bad replays with AWS messages', async () => {
    const ok = {
      ReplayName: 'r2',
      EventSourceArn: ARCHIVE_ARN,
      Destination: { Arn: BUS_ARN },
      EventStartTime: new Date(0),
      EventEndTime: new Date(1000_000),
    };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ReplayName: 'r1' }, 'ResourceAlreadyExistsException', 'Replay r1 already exists.'],
      [
        { EventSourceArn: `arn:aws:events:${REGION}:${ACCOUNT}:archive/gone` },
        'ValidationException',
        'Parameter EventSourceArn is not valid. Reason: Archive gone does not exist.',
      ],
      [
        { Destination: { Arn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default` } },
        'ValidationException',
        'Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.',
      ],
      [
        { Destination: { Arn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/missing` } },
        'ResourceNotFoundException',
        'Event bus missing does not exist.',
      ],
      [
        { EventEndTime: new Date(0) },
        'ValidationException',
        'Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.',
      ],
    ];
    for (const [override, name, message] of cases) {
      await expect(client.send(new StartReplayCommand({ ...ok, ...override } as never))).rejects.toMatchObject({
        name,
        message,
      });
    }
    await expect(client.send(new DescribeReplayCommand({ ReplayName: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Replay nope does not exist.',
    });
  });

  it('inserts replay-name between region and resources', () => {
    expect(Object.keys(withReplayName({ version: '0', region: 'r', resources: [], detail: {} }, 'x'))).toEqual([
      'version',
      'region',
      'replay-name',
      'resources',
      'detail',
    ]);
  });

  it('cancels a running replay between pages (CANCELLING → CANCELLED) and one not yet started', async () => {
    const api = t.api;
    api.call('CreateArchive', { ArchiveName: 'bulk', EventSourceArn: BUS_ARN, EventPattern: '{"source": ["bulk"]}' });
    for (let i = 0; i < 120; i++) {
      const Entries = Array.from({ length: 10 }, (_, k) => ({
        EventBusName: 'orders',
        Source: 'bulk',
        DetailType: 'n',
        Detail: JSON.stringify({ n: i * 10 + k }),
        Time: Date.UTC(2026, 10, 28, 12) / 1000 + i,
      }));
      api.call('PutEvents', { Entries });
    }
    expect(api.call('DescribeArchive', { ArchiveName: 'bulk' })).toMatchObject({ EventCount: 1200 });
    const window = { EventStartTime: Date.UTC(2026, 10, 28) / 1000, EventEndTime: Date.UTC(2026, 10, 29) / 1000 };
    const source = `arn:aws:events:${REGION}:${ACCOUNT}:archive/bulk`;
    api.call('StartReplay', { ReplayName: 'early', EventSourceArn: source, Destination: { Arn: BUS_ARN }, ...window });
    expect(api.call('CancelReplay', { ReplayName: 'early' })).toMatchObject({ State: 'CANCELLING' });
    api.call('StartReplay', { ReplayName: 'mid', EventSourceArn: source, Destination: { Arn: BUS_ARN }, ...window });
    // RUNNING is set just before the first page (500 events) goes out; the replay then yields: cancel there.
    while ((api.call('DescribeReplay', { ReplayName: 'mid' }) as { State: string }).State !== 'RUNNING') {
      await new Promise((r) => setImmediate(r));
    }
    api.call('CancelReplay', { ReplayName: 'mid' });
    await Promise.all(api.archives.running);
    expect(api.call('DescribeReplay', { ReplayName: 'early' })).toMatchObject({ State: 'CANCELLED' });
    const mid = api.call('DescribeReplay', { ReplayName: 'mid' }) as { State: string; EventLastReplayedTime?: Date };
    expect(mid.State).toBe('CANCELLED');
    // 10 events per second: the first page ends with the events of 12:00:49.
    expect(mid.EventLastReplayedTime).toEqual(new Date(Date.UTC(2026, 10, 28, 12, 0, 49)));
  });
});
