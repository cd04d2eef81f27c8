import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCliCases, runAws, runAwsOk } from '../helpers/awscli.js';
import {
  ACCOUNT,
  type BusTestServer,
  CREDS,
  REGION,
  recordedException,
  startTestServer,
  waitForLines,
} from './harness.js';

/**
 * The real AWS CLIs (awscli v1 on PATH and AWS CLI v2 at /usr/bin/aws) against the bus server with SigV4
 * verification: each signs, serialises and parses exactly as it does against AWS.
 */
for (const { label, cli, available } of awsCliCases()) {
  let t: BusTestServer;
  const aws = (args: string[]) =>
    runAws(cli!, 'events', args, { endpoint: t.server.url, credentials: CREDS, region: REGION, home: t.dir });
  const ok = (args: string[]) =>
    runAwsOk(cli!, 'events', args, { endpoint: t.server.url, credentials: CREDS, region: REGION, home: t.dir });

  describe.skipIf(!available)(`aws events … --endpoint-url (AWS CLI ${label}: ${cli?.version ?? 'missing'})`, () => {
    beforeAll(async () => {
      t = await startTestServer();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('create-event-bus, put-rule, put-targets (file), put-events, delivery', async () => {
      expect(await ok(['create-event-bus', '--name', 'cli-bus'])).toEqual({
        EventBusArn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/cli-bus`,
      });
      const rule = await ok([
        'put-rule',
        '--name',
        'guardduty-high',
        '--event-bus-name',
        'cli-bus',
        '--event-pattern',
        '{"source": ["aws.guardduty"], "detail": {"severity": [{"numeric": [">=", 7]}]}}',
      ]);
      expect(rule.RuleArn).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:rule/cli-bus/guardduty-high`);
      const out = join(t.dir, 'cli-alerts.jsonl');
      const targets = JSON.stringify([
        {
          Id: 'jsonl',
          Arn: `file://${out}`,
          InputTransformer: {
            InputPathsMap: { sev: '$.detail.severity', type: '$.detail.type' },
            InputTemplate: '{"severity": <sev>, "type": <type>, "rule": <aws.events.rule-name>}',
          },
        },
      ]);
      expect(
        await ok(['put-targets', '--rule', 'guardduty-high', '--event-bus-name', 'cli-bus', '--targets', targets]),
      ).toEqual({ FailedEntryCount: 0, FailedEntries: [] });
      const listed = await ok(['list-targets-by-rule', '--rule', 'guardduty-high', '--event-bus-name', 'cli-bus']);
      expect((listed.Targets as { Id: string }[]).map((x) => x.Id)).toEqual(['jsonl']);
      const entries = JSON.stringify([
        {
          EventBusName: 'cli-bus',
          Source: 'aws.guardduty',
          DetailType: 'GuardDuty Finding',
          Detail: '{"severity": 8.5, "type": "UnauthorizedAccess:EC2/SSHBruteForce"}',
        },
        {
          EventBusName: 'cli-bus',
          Source: 'aws.guardduty',
          DetailType: 'GuardDuty Finding',
          Detail: '{"severity": 2}',
        },
      ]);
      const put = await ok(['put-events', '--entries', entries]);
      expect(put.FailedEntryCount).toBe(0);
      expect(await waitForLines(out, 1)).toEqual([
        { severity: 8.5, type: 'UnauthorizedAccess:EC2/SSHBruteForce', rule: 'guardduty-high' },
      ]);
      const buses = await ok(['list-event-buses']);
      expect((buses.EventBuses as { Name: string }[]).map((b) => b.Name)).toEqual(['cli-bus', 'default']);
      const describe = await ok(['describe-rule', '--name', 'guardduty-high', '--event-bus-name', 'cli-bus']);
      expect(describe).toMatchObject({
        Name: 'guardduty-high',
        State: 'ENABLED',
        EventBusName: 'cli-bus',
        CreatedBy: ACCOUNT,
      });
    });

    it('test-event-pattern: true, and the AWS-recorded error for an invalid pattern', async () => {
      const event = JSON.stringify({
        id: '1',
        source: 'aws.ec2',
        'detail-type': 'EC2 Instance State-change Notification',
        account: ACCOUNT,
        time: '2026-11-29T00:00:00Z',
        region: REGION,
        resources: [],
        detail: { state: 'running' },
      });
      expect(
        await ok(['test-event-pattern', '--event-pattern', '{"detail": {"state": ["running"]}}', '--event', event]),
      ).toEqual({
        Result: true,
      });
      const recorded = recordedException('int_nolist_EXC');
      const bad = await aws(['test-event-pattern', '--event-pattern', '{"int": 42}', '--event', event]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr.trim()).toBe(
        `An error occurred (${recorded.Code}) when calling the TestEventPattern operation: ${recorded.MessageRaw}`,
      );
    });

    it('create-archive, put-events, start-replay, describe-replay, tag-resource', async () => {
      const busArn = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/cli-bus`;
      const archive = await ok(['create-archive', '--archive-name', 'cli-archive', '--event-source-arn', busArn]);
      expect(archive).toMatchObject({
        ArchiveArn: `arn:aws:events:${REGION}:${ACCOUNT}:archive/cli-archive`,
        State: 'ENABLED',
      });
      const entries = JSON.stringify([
        {
          EventBusName: 'cli-bus',
          Source: 'aws.guardduty',
          DetailType: 'GuardDuty Finding',
          Time: '2026-11-28T12:01:00Z',
          Detail: '{"severity": 9, "type": "Recon"}',
        },
      ]);
      expect((await ok(['put-events', '--entries', entries])).FailedEntryCount).toBe(0);
      const replay = await ok([
        'start-replay',
        '--replay-name',
        'cli-replay',
        '--event-source-arn',
        archive.ArchiveArn as string,
        '--event-start-time',
        '2026-11-28T12:00:00Z',
        '--event-end-time',
        '2026-11-28T13:00:00Z',
        '--destination',
        JSON.stringify({ Arn: busArn }),
      ]);
      expect(replay.State).toBe('STARTING');
      await Promise.all(t.api.archives.running);
      const described = await ok(['describe-replay', '--replay-name', 'cli-replay']);
      expect(described).toMatchObject({
        ReplayName: 'cli-replay',
        State: 'COMPLETED',
        EventSourceArn: archive.ArchiveArn,
      });
      // The original event and its replay (with replay-name) both reached the rule's file target.
      const lines = await waitForLines(join(t.dir, 'cli-alerts.jsonl'), 3);
      expect(lines.slice(1)).toEqual([
        { severity: 9, type: 'Recon', rule: 'guardduty-high' },
        { severity: 9, type: 'Recon', rule: 'guardduty-high' },
      ]);
      await ok(['tag-resource', '--resource-arn', busArn, '--tags', 'Key=team,Value=secops']);
      expect(await ok(['list-tags-for-resource', '--resource-arn', busArn])).toEqual({
        Tags: [{ Key: 'team', Value: 'secops' }],
      });
    });

    it('list-rules pages through NextToken (--page-size 1) and returns every rule once', async () => {
      await Promise.all(
        ['page-a', 'page-b'].map((name) =>
          ok(['put-rule', '--name', name, '--event-bus-name', 'cli-bus', '--event-pattern', '{"source": ["x"]}']),
        ),
      );
      const paged = await ok(['list-rules', '--event-bus-name', 'cli-bus', '--page-size', '1']);
      expect((paged.Rules as { Name: string }[]).map((r) => r.Name)).toEqual(['guardduty-high', 'page-a', 'page-b']);
      expect(paged.NextToken).toBeUndefined();
    });
  });
}
