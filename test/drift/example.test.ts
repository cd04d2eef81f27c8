/** The bundled drifted stack (examples/drift, scripts/examples/drift.ts): exactly the planted changes and their authors. */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDrift } from '../../src/drift/index.js';

const DIR = resolve(import.meta.dirname, '../../examples/drift');

describe('examples/drift', () => {
  it('reports the planted drift, the unmanaged resources and who made each change', async () => {
    const r = await runDrift({
      template: join(DIR, 'stack.yaml'),
      snapshot: [join(DIR, 'config-snapshot.json')],
      cloudtrail: [join(DIR, 'cloudtrail.json')],
      stackName: 'shop-edge',
      since: '2026-11-01T00:10:00Z',
    });
    expect(r.issues).toEqual([]);
    const lines = r.StackResourceDrifts.flatMap((d) => [
      `${d.LogicalResourceId} ${d.StackResourceDriftStatus}`,
      ...(d.PropertyDifferences ?? []).map((p) => `  ${p.DifferenceType} ${p.PropertyPath}`),
      ...(d.attribution ?? []).map((a) => `  by ${a.principalArn?.split(':').pop()} ${a.eventName}`),
    ]);
    expect(lines).toEqual([
      'WebSg MODIFIED',
      '  ADD /SecurityGroupIngress/1',
      '  by user/alice AuthorizeSecurityGroupIngress',
      'Assets MODIFIED',
      '  REMOVE /BucketEncryption',
      '  NOT_EQUAL /Tags/0/Value',
      // The PutBucketTagging at 00:05 predates --since: not attributed.
      '  by assumed-role/OpsAdmin/bob DeleteBucketEncryption',
      '  by assumed-role/OpsAdmin/bob PutBucketTagging',
      'AppRole DELETED',
      '  by user/alice DetachRolePolicy',
      '  by user/alice DeleteRole',
    ]);
    expect(r.unmanaged.map((u) => `${u.resourceId} ${u.attribution?.map((a) => a.eventName).join(',')}`)).toEqual([
      'sg-0aa11bb22cc33dd44 CreateSecurityGroup',
      'shop-edge-scratch CreateBucket',
    ]);
    expect(r.summary.coverage).toBe(50);
  });
});
