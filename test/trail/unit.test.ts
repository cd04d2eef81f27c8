import { createPublicKey, sign } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  hexProblem,
  missingRequiredKey,
  parseDigestBody,
  stringToSign,
  verifySignature,
} from '../../src/trail/digest.js';
import {
  decodeKeyValue,
  encodeKeyValue,
  keyObject,
  overlaps,
  parsePublicKeyList,
  toPublicKeyListJson,
} from '../../src/trail/keys.js';
import {
  digestKey,
  digestKeyDate,
  digestKeyRegex,
  isBackfillKey,
  logFileKey,
  parseDigestKey,
  parseTrailArn,
  trailArn,
} from '../../src/trail/layout.js';
import {
  formatDisplay,
  formatKeyDate,
  parseInstant,
  parseKeyDate,
  parseUserUtc,
  parseWallClockUtc,
} from '../../src/trail/time.js';
import { keyAEntry, T0, testKeys } from './fixtures.js';

// The digest key of the AWS CloudTrail User Guide's digest example.
const DOC_KEY =
  'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_S3-trail_us-east-2_20150817T150131Z.json.gz';

describe('layout', () => {
  const chain = {
    prefix: '',
    accountId: '111122223333',
    sourceRegion: 'us-east-2',
    trailName: 'S3-trail',
    homeRegion: 'us-east-2',
  };

  it('builds digest keys exactly as CloudTrail names them', () => {
    expect(digestKey(chain, Date.UTC(2015, 7, 17, 15, 1, 31))).toBe(DOC_KEY);
    expect(
      digestKey({ ...chain, prefix: 'p/q', organizationId: 'o-exampleorgid' }, Date.UTC(2015, 7, 17, 15, 1, 31), true),
    ).toBe(
      'p/q/AWSLogs/o-exampleorgid/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_S3-trail_us-east-2_20150817T150131Z_backfill.json.gz',
    );
    expect(logFileKey(chain, Date.UTC(2015, 7, 17, 14, 5, 9), 'abcdEFGH12345678')).toBe(
      'AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/111122223333_CloudTrail_us-east-2_20150817T1405Z_abcdEFGH12345678.json.gz',
    );
  });

  it('cuts the key date by position like the CLI, for standard and backfill digests', () => {
    expect(digestKeyDate(DOC_KEY)).toBe('20150817T150131Z');
    const backfill = DOC_KEY.replace('.json.gz', '_backfill.json.gz');
    expect(isBackfillKey(backfill)).toBe(true);
    expect(digestKeyDate(backfill)).toBe('20150817T150131Z');
  });

  it('matches only the trail’s own digests', () => {
    const re = digestKeyRegex(chain);
    expect(re.test(DOC_KEY)).toBe(true);
    expect(re.test(DOC_KEY.replace('_S3-trail_', '_other_'))).toBe(false);
    expect(re.test(DOC_KEY.replace('.json.gz', '_backfill.json.gz'))).toBe(true);
    expect(re.test(`x/${DOC_KEY}`)).toBe(false);
  });

  it('recognises any digest key, with trail names containing underscores', () => {
    expect(parseDigestKey(DOC_KEY)).toEqual({ ...chain, date: '20150817T150131Z', backfill: false });
    const k = digestKey({ ...chain, trailName: 'my_trail_1', prefix: 'a/b', organizationId: 'o-abcdefghij' }, T0);
    expect(parseDigestKey(k)).toMatchObject({
      trailName: 'my_trail_1',
      homeRegion: 'us-east-2',
      prefix: 'a/b',
      organizationId: 'o-abcdefghij',
    });
    expect(parseDigestKey('AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/x.json.gz')).toBeUndefined();
  });

  it('splits and builds trail ARNs', () => {
    expect(parseTrailArn('arn:aws:cloudtrail:us-east-1:123456789012:trail/foo')).toEqual({
      homeRegion: 'us-east-1',
      accountId: '123456789012',
      trailName: 'foo',
    });
    expect(parseTrailArn('arn:aws:cloudtrail:us-east-1:1234:trail/foo')).toBeUndefined();
    expect(trailArn('cn-north-1', '123456789012', 't')).toBe('arn:aws-cn:cloudtrail:cn-north-1:123456789012:trail/t');
  });
});

describe('time', () => {
  it('formats display and key dates', () => {
    expect(formatDisplay(Date.UTC(2015, 7, 17, 14, 1, 31, 999))).toBe('2015-08-17T14:01:31Z');
    expect(formatKeyDate(Date.UTC(2015, 7, 17, 14, 1, 31))).toBe('20150817T140131Z');
    expect(parseKeyDate('20150817T140131Z')).toBe(Date.UTC(2015, 7, 17, 14, 1, 31));
    expect(parseKeyDate('2015081')).toBeNaN();
  });

  it('takes digest wall-clock times as UTC, as the CLI does', () => {
    expect(parseWallClockUtc('2015-08-17T14:01:31Z')).toBe(Date.UTC(2015, 7, 17, 14, 1, 31));
    expect(parseWallClockUtc('2015-08-17T14:01:31+02:00')).toBe(Date.UTC(2015, 7, 17, 14, 1, 31));
    expect(parseWallClockUtc('2015-02-31T00:00:00Z')).toBeNaN();
    expect(parseWallClockUtc(null)).toBeNaN();
  });

  it('accepts user times only in UTC', () => {
    expect(parseUserUtc('2015-01-08T05:21:42Z')).toBe(Date.UTC(2015, 0, 8, 5, 21, 42));
    expect(parseUserUtc('2015-01-08')).toBe(Date.UTC(2015, 0, 8));
    expect(parseUserUtc('2015-01-08T05:21:42+02:00')).toMatch(/zone offset \+02:00/);
    expect(parseUserUtc('yesterday')).toMatch(/not an ISO-8601 UTC time/);
  });

  it('reads ListPublicKeys instants as epoch seconds or ISO with offsets', () => {
    expect(parseInstant(1439823691)).toBe(1439823691000);
    expect(parseInstant('2015-08-17T16:01:31+02:00')).toBe(Date.UTC(2015, 7, 17, 14, 1, 31));
    expect(parseInstant('garbage')).toBeNaN();
  });
});

describe('digest parsing and the string to sign', () => {
  it('joins end time, bucket/object, digest SHA-256 and previous signature with newlines', () => {
    const d = {
      digestEndTime: '2015-08-17T15:01:31Z',
      digestS3Bucket: 'S3-bucket-name',
      digestS3Object: DOC_KEY,
      previousDigestSignature: 'a1b2',
    };
    expect(stringToSign(d, 'ff'.repeat(32))).toBe(
      `2015-08-17T15:01:31Z\nS3-bucket-name/${DOC_KEY}\n${'ff'.repeat(32)}\na1b2`,
    );
    expect(stringToSign({ ...d, previousDigestSignature: null }, 'ab').endsWith('\nab\nnull')).toBe(true);
  });

  it('reports invalid format for non-gzip, non-JSON and non-object digests', () => {
    expect(parseDigestBody(Buffer.from('{}'))).toMatchObject({ ok: false, detail: expect.stringMatching(/^not gzip/) });
    expect(parseDigestBody(gzipSync('{'))).toMatchObject({ ok: false, detail: expect.stringMatching(/^not JSON/) });
    expect(parseDigestBody(gzipSync(Buffer.from([0x7b, 0xff, 0x7d])))).toMatchObject({ ok: false });
    expect(parseDigestBody(gzipSync('[1]'))).toMatchObject({ ok: false, detail: 'digest JSON is not an object' });
    const ok = parseDigestBody(gzipSync('{"a":1}'));
    expect(ok.ok && ok.inflated.toString()).toBe('{"a":1}');
  });

  it('needs the CLI’s required keys (null values allowed)', () => {
    const full = {
      digestPublicKeyFingerprint: 'f',
      digestS3Bucket: 'b',
      digestS3Object: 'o',
      previousDigestSignature: null,
      digestEndTime: 'e',
      digestStartTime: 's',
    };
    expect(missingRequiredKey(full)).toBeUndefined();
    const { digestEndTime: _e, ...rest } = full;
    expect(missingRequiredKey(rest)).toBe('digestEndTime');
  });

  it('rejects signatures that are not a SHA-256 PKCS#1 v1.5 signature by the key', () => {
    const key = keyObject(keyAEntry());
    if (key instanceof Error) throw key;
    const msg = 'x\ny';
    const good = sign('sha256', Buffer.from(msg), testKeys().a.privateKey).toString('hex');
    expect(verifySignature(msg, good, key)).toBe(true);
    expect(verifySignature(`${msg} `, good, key)).toBe(false);
    expect(verifySignature(msg, 'ff'.repeat(256), key)).toBe(false); // larger than the modulus
    expect(verifySignature(msg, good.slice(2), key)).toBe(false); // short
    expect(verifySignature(msg, '', key)).toBe(false);
    expect(verifySignature(msg, sign('sha1', Buffer.from(msg), testKeys().a.privateKey).toString('hex'), key)).toBe(
      false,
    );
  });

  it('describes undecodable signatures with Python binascii’s messages', () => {
    expect(hexProblem('abc')).toBe('Odd-length string');
    expect(hexProblem('zz')).toBe('Non-hexadecimal digit found');
    expect(hexProblem('00ff')).toBeUndefined();
  });
});

describe('public keys', () => {
  it('round-trips ListPublicKeys JSON and decodes single or double base64 values', () => {
    const k = keyAEntry();
    const doc = toPublicKeyListJson([k]) as { PublicKeyList: { Value: string }[] };
    expect(doc.PublicKeyList[0]!.Value).toBe(k.der.toString('base64'));
    const { keys, issues } = parsePublicKeyList(JSON.stringify(doc), 'k.json');
    expect(issues).toEqual([]);
    expect(keys[0]).toEqual(k);
    const twice = Buffer.from(encodeKeyValue(k.der)).toString('base64');
    expect(decodeKeyValue(twice)).toEqual(k.der);
    expect(decodeKeyValue(k.der)).toEqual(k.der);
    expect(decodeKeyValue('!!!')).toBeUndefined();
    // The DER is a PKCS#1 RSAPublicKey of the signing key.
    expect(createPublicKey({ key: k.der, format: 'der', type: 'pkcs1' }).asymmetricKeyDetails?.modulusLength).toBe(
      2048,
    );
    expect(k.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('reports bad entries by index and keeps the good ones', () => {
    const good = (toPublicKeyListJson([keyAEntry()]) as { PublicKeyList: unknown[] }).PublicKeyList[0];
    const text = JSON.stringify({
      PublicKeyList: [
        good,
        { Fingerprint: 'x', Value: 'AAAA', ValidityStartTime: 1, ValidityEndTime: 2 },
        5,
        { Value: 'x' },
      ],
    });
    const { keys, issues } = parsePublicKeyList(text, 'k.json');
    expect(keys).toHaveLength(1);
    expect(issues).toEqual([
      { index: 1, reason: 'Value of key x is not base64 DER' },
      { index: 2, reason: 'not an object' },
      { index: 3, reason: 'Fingerprint missing' },
    ]);
    expect(() => parsePublicKeyList('{', 'k.json')).toThrow(/k.json: not JSON/);
    expect(() => parsePublicKeyList('{"a":1}', 'k.json')).toThrow(/expected \{"PublicKeyList"/);
  });

  it('selects keys by validity overlap, like ListPublicKeys', () => {
    const k = { ...keyAEntry(), validityStart: 100, validityEnd: 200 };
    expect(overlaps(k, 150, 300)).toBe(true);
    expect(overlaps(k, 0, 100)).toBe(true);
    expect(overlaps(k, 201, 300)).toBe(false);
    expect(testKeys().a.fingerprint).not.toBe(testKeys().b.fingerprint);
  });
});
