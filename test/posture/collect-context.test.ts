import { describe, expect, it } from 'vitest';
import { Collection, lowerCamel } from '../../src/posture/collect/context.js';
import { parseCredentialReport } from '../../src/posture/collect/iam.js';

describe('collection plumbing', () => {
  it('pages follow the token and count one call per page', async () => {
    const col = new Collection({ regions: ['us-east-1'] });
    const pages: Record<string, [number[], string | undefined]> = {
      '': [[1, 2], 't1'],
      t1: [[3], 't2'],
      t2: [[4], undefined],
    };
    const r = await col.pages('svc', 'us-east-1', 'List', async (tok) => pages[tok ?? '']!);
    expect(r).toEqual([1, 2, 3, 4]);
    expect(col.calls.get('svc:List')).toBe(3);
  });
  it('a failing page makes the list unknown and is recorded', async () => {
    const col = new Collection({ regions: ['us-east-1'] });
    const r = await col.pages('svc', 'eu-west-1', 'List', async (tok) => {
      if (tok) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return [[1], 'next'];
    });
    expect(r).toBeUndefined();
    expect(col.errors).toEqual([
      { service: 'svc', region: 'eu-west-1', operation: 'List', reason: 'ThrottlingException: Rate exceeded' },
    ]);
  });
  it('not-found answers are null, other failures undefined', async () => {
    const col = new Collection({ regions: ['us-east-1'] });
    const nf = await col.callOptional(
      'iam',
      'global',
      'GetLoginProfile',
      async () => {
        throw Object.assign(new Error('no'), { name: 'NoSuchEntityException' });
      },
      ['NoSuchEntityException'],
    );
    expect(nf).toBeNull();
    const denied = await col.callOptional(
      'iam',
      'global',
      'GetLoginProfile',
      async () => {
        throw Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
      },
      ['NoSuchEntityException'],
    );
    expect(denied).toBeUndefined();
    expect(col.errors[0]!.reason).toBe('AccessDenied: not authorized');
  });
  it('lowerCamel turns SDK output into Config spelling; dates become ISO', () => {
    expect(
      lowerCamel({
        DBInstanceIdentifier: 'a',
        IpPermissions: [{ IpRanges: [{ CidrIp: 'x' }] }],
        T: new Date(0),
        $metadata: {},
      }),
    ).toEqual({
      dBInstanceIdentifier: 'a',
      ipPermissions: [{ ipRanges: [{ cidrIp: 'x' }] }],
      t: '1970-01-01T00:00:00.000Z',
    });
  });
  it('credential report CSV', () => {
    const rows = parseCredentialReport(
      'user,arn,mfa_active\n<root_account>,arn:aws:iam::1:root,true\nbob,arn:aws:iam::1:user/bob,false\n',
    );
    expect(rows).toEqual([
      { user: '<root_account>', arn: 'arn:aws:iam::1:root', mfa_active: 'true' },
      { user: 'bob', arn: 'arn:aws:iam::1:user/bob', mfa_active: 'false' },
    ]);
  });
});
