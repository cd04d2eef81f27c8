import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetTrailCommand,
  ListPublicKeysCommand,
} from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTrailApi, type TrailApi } from '../../src/trail/endpoint.js';
import { publicKeyEntry } from '../../src/trail/keygen.js';
import { CloudTrailKeySource } from '../../src/trail/sdk-keys.js';
import { DAY, FAKE_CREDENTIALS, keyAEntry, T0, testKeys } from './fixtures.js';

const ARN = 'arn:aws:cloudtrail:us-east-1:123456789012:trail/vigil-audit';
let api: TrailApi;
let client: CloudTrailClient;
beforeAll(async () => {
  api = await startTrailApi({
    publicKeys: [keyAEntry(), publicKeyEntry(testKeys().b, T0 - 30 * DAY, T0 - 10 * DAY)],
    trails: [{ arn: ARN, bucket: 'trail-bucket', prefix: 'audit' }],
    now: () => T0,
  });
  client = new CloudTrailClient({ endpoint: api.url, region: 'us-east-1', credentials: FAKE_CREDENTIALS });
});
afterAll(async () => {
  client?.destroy();
  await api?.close();
});

describe('Vigil’s CloudTrail endpoint, called with the official AWS SDK', () => {
  it('ListPublicKeys returns the keys whose validity overlaps the range, DER in Value', async () => {
    const r = await client.send(
      new ListPublicKeysCommand({ StartTime: new Date(T0), EndTime: new Date(T0 + 3_600_000) }),
    );
    expect(r.PublicKeyList).toHaveLength(1);
    const k = r.PublicKeyList![0]!;
    expect(k.Fingerprint).toBe(testKeys().a.fingerprint);
    expect(Buffer.from(k.Value!)).toEqual(testKeys().a.publicDer);
    expect(k.ValidityStartTime).toEqual(new Date(T0 - 30 * DAY));
    const old = await client.send(
      new ListPublicKeysCommand({ StartTime: new Date(T0 - 20 * DAY), EndTime: new Date(T0 - 20 * DAY) }),
    );
    expect(old.PublicKeyList!.map((x) => x.Fingerprint).sort()).toEqual(
      [testKeys().a.fingerprint, testKeys().b.fingerprint].sort(),
    );
    // Without a range: the keys valid now.
    expect((await client.send(new ListPublicKeysCommand({}))).PublicKeyList).toHaveLength(1);
  });

  it('DescribeTrails and GetTrail describe the configured trails', async () => {
    const d = await client.send(new DescribeTrailsCommand({}));
    expect(d.trailList).toMatchObject([
      {
        Name: 'vigil-audit',
        TrailARN: ARN,
        S3BucketName: 'trail-bucket',
        S3KeyPrefix: 'audit',
        LogFileValidationEnabled: true,
        HomeRegion: 'us-east-1',
      },
    ]);
    expect((await client.send(new GetTrailCommand({ Name: 'vigil-audit' }))).Trail?.TrailARN).toBe(ARN);
    await expect(client.send(new GetTrailCommand({ Name: 'nope' }))).rejects.toMatchObject({
      name: 'TrailNotFoundException',
    });
  });

  it('answers unknown operations and bad input with JSON 1.1 errors', async () => {
    const post = (target: string, body: string) =>
      fetch(api.url, {
        method: 'POST',
        headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
        body,
      });
    const unknown = await post('com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.CreateTrail', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const bad = await post(
      'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListPublicKeys',
      '{"StartTime":"x"}',
    );
    expect(await bad.json()).toMatchObject({ __type: 'InvalidTimeRangeException' });
    const org = await post('AWSOrganizationsV20161128.DescribeOrganization', '{}');
    expect(await org.json()).toMatchObject({ __type: 'AWSOrganizationsNotInUseException' });
  });

  it('is a key source for validation through the SDK (vigil trail validate --public-keys aws)', async () => {
    const prev = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = FAKE_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = FAKE_CREDENTIALS.secretAccessKey;
    try {
      const source = new CloudTrailKeySource({ region: 'us-east-1', endpointUrl: api.url });
      const keys = await source.keysBetween(T0, T0 + DAY);
      expect([...keys.keys()]).toEqual([testKeys().a.fingerprint]);
      expect(keys.get(testKeys().a.fingerprint)).toEqual(keyAEntry());
      const down = new CloudTrailKeySource({ region: 'us-east-1', endpointUrl: 'http://127.0.0.1:9' });
      await expect(down.keysBetween(T0, T0 + DAY)).rejects.toThrow(/ListPublicKeys \(http:\/\/127.0.0.1:9\) failed/);
    } finally {
      process.env = prev;
    }
  });
});
