/**
 * The tampering cases of issue 12, each with the verdicts `aws cloudtrail validate-logs` gives (worked out from
 * its chain walk in awscli/customizations/cloudtrail/validation.py and confirmed by the oracle test, which runs
 * the real CLI on the same files served from moto S3).
 */
import { gzipSync } from 'node:zlib';
import { publicKeyEntry } from '../../src/trail/keygen.js';
import type { PublicKeyEntry } from '../../src/trail/keys.js';
import { HOUR_MS } from '../../src/trail/time.js';
import {
  type BuiltChain,
  type ChainSpec,
  copyObject,
  DAY,
  digestKeyAt,
  editDigest,
  flipLogContent,
  flipStoredByte,
  keyAEntry,
  pathOf,
  readDigest,
  remove,
  resignDigest,
  setStoredByte,
  T0,
  testKeys,
  writeBackfillDigest,
} from './fixtures.js';

export interface Expected {
  code: number;
  /** Lines the CLI writes to stderr, in order (invalid files and gap notices). */
  errors: string[];
  digests?: [valid: number, total: number];
  backfill?: [valid: number, total: number];
  logs?: [valid: number, total: number];
  found?: [start: string, end: string];
  /** Whole-run failure message (no public keys). */
  fatal?: string;
}

export interface TrailCase {
  name: string;
  spec: Omit<ChainSpec, 'bucket'>;
  tamper?: (c: BuiltChain) => Promise<void>;
  keys?: () => PublicKeyEntry[];
  range?: (c: BuiltChain) => { start: number; end: number };
  /** Organization trail (the CLI needs --account-id and DescribeOrganization). */
  managementAccount?: string;
  expect: (c: BuiltChain) => Expected;
}

export const uri = (c: BuiltChain, key: string) => `s3://${c.bucket}/${key}`;
export const digestLine = (c: BuiltChain, key: string, verdict: string, backfill = false) =>
  `${backfill ? '(backfill) ' : ''}Digest file\t${uri(c, key)}\t${verdict}`;
export const logLine = (c: BuiltChain, key: string, verdict: string) => `Log file\t${uri(c, key)}\t${verdict}`;

const FOUND: [string, string] = ['2024-01-08T05:21:42Z', '2024-01-08T11:21:42Z'];
const clean = (): Expected => ({ code: 0, errors: [], digests: [6, 6], logs: [12, 12], found: FOUND });

export const CASES: TrailCase[] = [
  { name: 'clean', spec: {}, expect: clean },
  {
    name: 'log-content-flipped',
    spec: {},
    tamper: (c) => flipLogContent(c, c.logs[2]![0]!),
    expect: (c) => ({
      code: 1,
      errors: [logLine(c, c.logs[2]![0]!, "INVALID: hash value doesn't match")],
      digests: [6, 6],
      logs: [11, 12],
      found: FOUND,
    }),
  },
  {
    name: 'log-gzip-crc-flipped',
    spec: {},
    // The 6th byte from the end lies in the gzip trailer's CRC-32: decompression fails its check.
    tamper: (c) => flipStoredByte(c, c.logs[2]![0]!, 6),
    expect: (c) => ({
      code: 1,
      errors: [logLine(c, c.logs[2]![0]!, 'INVALID: invalid format')],
      digests: [6, 6],
      logs: [11, 12],
      found: FOUND,
    }),
  },
  {
    name: 'log-gzip-header-mtime-changed',
    spec: {},
    // The hash covers the decompressed content, so a changed gzip header timestamp is still valid.
    tamper: (c) => setStoredByte(c, c.logs[2]![0]!, 4, 0x55),
    expect: clean,
  },
  {
    name: 'digest-edited',
    spec: {},
    tamper: async (c) => {
      // Tamper a log and cover it up in the digest: the digest's signature no longer verifies.
      await flipLogContent(c, c.logs[3]![0]!);
      const { sha256Hex } = await import('../../src/trail/digest.js');
      const { readFile } = await import('node:fs/promises');
      const { gunzipSync } = await import('node:zlib');
      const newHash = sha256Hex(gunzipSync(await readFile(pathOf(c, c.logs[3]![0]!))));
      await editDigest(c, c.digests[3]!, (d) => {
        (d.logFiles as { hashValue: string }[])[0]!.hashValue = newHash;
      });
    },
    expect: (c) => ({
      code: 1,
      errors: [digestLine(c, c.digests[3]!, 'INVALID: signature verification failed')],
      digests: [5, 6],
      logs: [10, 10],
      found: FOUND,
    }),
  },
  {
    name: 'previous-signature-edited',
    spec: {},
    tamper: (c) =>
      editDigest(c, c.digests[4]!, (d) => {
        // Always a real change (a signature may already start with 00: 1 run in 256 would pass unedited).
        const sig = String(d.previousDigestSignature);
        d.previousDigestSignature = `${sig.startsWith('00') ? 'ff' : '00'}${sig.slice(2)}`;
      }),
    expect: (c) => ({
      code: 1,
      errors: [digestLine(c, c.digests[4]!, 'INVALID: signature verification failed')],
      digests: [5, 6],
      logs: [10, 10],
      found: FOUND,
    }),
  },
  {
    name: 'previous-signature-resigned',
    spec: {},
    // Re-signed by the key holder with a wrong previousDigestSignature: the CLI does not compare the link with
    // the previous digest's signature, so it reports everything valid (Vigil's JSON link check flags it).
    tamper: (c) =>
      resignDigest(c, c.digests[4]!, testKeys().a, (d) => {
        d.previousDigestSignature = 'ab'.repeat(256);
      }),
    expect: clean,
  },
  {
    name: 'previous-link-to-missing-digest',
    spec: {},
    tamper: (c) =>
      resignDigest(c, c.digests[4]!, testKeys().a, (d) => {
        d.previousDigestS3Object = String(d.previousDigestS3Object).replaceAll('vigil-audit', 'vigil-audot');
      }),
    // Following the bogus link: not found; the walk resumes below the bogus key's date, skipping digest 3.
    expect: (c) => ({
      code: 1,
      errors: [digestLine(c, c.digests[3]!.replaceAll('vigil-audit', 'vigil-audot'), 'INVALID: not found')],
      digests: [5, 6],
      logs: [10, 10],
      found: FOUND,
    }),
  },
  {
    name: 'digest-deleted',
    spec: {},
    tamper: (c) => remove(c, c.digests[2]!),
    expect: (c) => ({
      code: 1,
      errors: [digestLine(c, c.digests[2]!, 'INVALID: not found')],
      digests: [5, 6],
      logs: [10, 10],
      found: FOUND,
    }),
  },
  {
    name: 'log-deleted',
    spec: {},
    tamper: (c) => remove(c, c.logs[1]![1]!),
    expect: (c) => ({
      code: 1,
      errors: [logLine(c, c.logs[1]![1]!, 'INVALID: not found')],
      digests: [6, 6],
      logs: [11, 12],
      found: FOUND,
    }),
  },
  {
    name: 'digest-copied-to-newer-key',
    spec: {},
    tamper: (c) => copyObject(c, c.digests[2]!, digestKeyAt(c, T0 + 6 * HOUR_MS + 20 * 60_000)),
    expect: (c) => ({
      code: 1,
      errors: [
        digestLine(
          c,
          digestKeyAt(c, T0 + 6 * HOUR_MS + 20 * 60_000),
          'INVALID: has been moved from its original location',
        ),
      ],
      digests: [6, 7],
      logs: [12, 12],
      found: FOUND,
    }),
  },
  {
    name: 'digest-moved',
    spec: {},
    tamper: async (c) => {
      await copyObject(c, c.digests[2]!, digestKeyAt(c, T0 + 2 * HOUR_MS + 30 * 60_000));
      await remove(c, c.digests[2]!);
    },
    expect: (c) => ({
      code: 1,
      errors: [
        digestLine(c, c.digests[2]!, 'INVALID: not found'),
        digestLine(
          c,
          digestKeyAt(c, T0 + 2 * HOUR_MS + 30 * 60_000),
          'INVALID: has been moved from its original location',
        ),
      ],
      digests: [5, 7],
      logs: [10, 10],
      found: FOUND,
    }),
  },
  {
    name: 'log-moved',
    spec: {},
    tamper: async (c) => {
      const from = c.logs[3]![0]!;
      await copyObject(c, from, from.replace('/08/', '/09/'));
      await remove(c, from);
    },
    expect: (c) => ({
      code: 1,
      errors: [logLine(c, c.logs[3]![0]!, 'INVALID: not found')],
      digests: [6, 6],
      logs: [11, 12],
      found: FOUND,
    }),
  },
  {
    name: 'unknown-fingerprint',
    spec: { keyFor: (i) => (i === 3 ? testKeys().b : testKeys().a) },
    expect: (c) => ({
      code: 1,
      errors: [
        digestLine(
          c,
          c.digests[3]!,
          `INVALID: public key not found in region us-east-1 for fingerprint ${testKeys().b.fingerprint}`,
        ),
      ],
      digests: [5, 6],
      logs: [10, 10],
      found: FOUND,
    }),
  },
  {
    name: 'key-outside-validity-window',
    spec: { keyFor: (i) => (i === 3 ? testKeys().b : testKeys().a) },
    // Key B is published but its validity ended ten days before the range: ListPublicKeys does not return it.
    keys: () => [keyAEntry(), publicKeyEntry(testKeys().b, T0 - 30 * DAY, T0 - 10 * DAY)],
    expect: (c) => ({
      code: 1,
      errors: [
        digestLine(
          c,
          c.digests[3]!,
          `INVALID: public key not found in region us-east-1 for fingerprint ${testKeys().b.fingerprint}`,
        ),
      ],
      digests: [5, 6],
      logs: [10, 10],
      found: FOUND,
    }),
  },
  {
    name: 'no-public-key-in-range',
    spec: {},
    keys: () => [publicKeyEntry(testKeys().a, T0 - 30 * DAY, T0 - 10 * DAY)],
    expect: () => ({
      code: 2,
      errors: [],
      fatal: 'No public keys found between 2024-01-08T05:21:42Z and 2024-01-08T13:51:42Z',
    }),
  },
  {
    name: 'chain-restart',
    spec: { restartAt: { index: 3, downtimeHours: 2 } },
    expect: () => ({
      code: 0,
      errors: ['No log files were delivered by CloudTrail between 2024-01-08T08:21:42Z and 2024-01-08T10:21:42Z'],
      digests: [6, 6],
      logs: [12, 12],
      found: ['2024-01-08T05:21:42Z', '2024-01-08T13:21:42Z'],
    }),
  },
  {
    name: 'signature-metadata-missing',
    spec: {},
    tamper: async (c) => {
      const { unlink } = await import('node:fs/promises');
      await unlink(`${pathOf(c, c.digests[1]!)}.metadata.json`);
    },
    expect: (c) => ({
      code: 1,
      errors: [digestLine(c, c.digests[1]!, 'INVALID: signature verification failed')],
      digests: [5, 6],
      logs: [10, 10],
      found: FOUND,
    }),
  },
  {
    name: 'digest-not-gzip',
    spec: {},
    tamper: async (c) => {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(pathOf(c, c.digests[1]!), JSON.stringify(await readDigest(c, c.digests[1]!)));
    },
    expect: (c) => ({
      code: 1,
      errors: [digestLine(c, c.digests[1]!, 'INVALID: invalid format')],
      digests: [5, 6],
      logs: [10, 10],
      found: FOUND,
    }),
  },
  {
    name: 'digest-required-key-missing',
    spec: {},
    tamper: (c) =>
      editDigest(c, c.digests[1]!, (d) => {
        delete d.digestStartTime;
      }),
    expect: (c) => ({
      code: 1,
      errors: [digestLine(c, c.digests[1]!, 'INVALID: invalid format')],
      digests: [5, 6],
      logs: [10, 10],
      found: FOUND,
    }),
  },
  {
    name: 'log-not-gzip',
    spec: {},
    tamper: async (c) => {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(pathOf(c, c.logs[4]![0]!), '{"Records":[]}');
    },
    expect: (c) => ({
      code: 1,
      errors: [logLine(c, c.logs[4]![0]!, 'INVALID: invalid format')],
      digests: [6, 6],
      logs: [11, 12],
      found: FOUND,
    }),
  },
  {
    name: 'partial-range',
    spec: {},
    range: () => ({ start: T0 + 2.5 * HOUR_MS, end: T0 + 4.5 * HOUR_MS }),
    expect: () => ({
      code: 0,
      errors: [],
      digests: [3, 3],
      logs: [6, 6],
      found: ['2024-01-08T07:51:42Z', '2024-01-08T09:51:42Z'],
    }),
  },
  {
    name: 'backfill',
    spec: {},
    // Backfill digests signed by key B, valid only around their generation time (found via ListPublicKeys then).
    keys: () => [keyAEntry(), publicKeyEntry(testKeys().b, T0 + 4 * DAY, T0 + 6 * DAY)],
    tamper: async (c) => {
      const first = await writeBackfillDigest(c, {
        endMs: T0 + 2 * HOUR_MS,
        signer: testKeys().b,
        generatedMs: T0 + 5 * DAY,
        logKeys: [c.logs[1]![0]!],
      });
      await writeBackfillDigest(c, {
        endMs: T0 + 3 * HOUR_MS,
        signer: testKeys().b,
        generatedMs: T0 + 5 * DAY,
        logKeys: [c.logs[2]![0]!],
        previous: first,
      });
    },
    expect: () => ({ code: 0, errors: [], digests: [6, 6], backfill: [2, 2], logs: [14, 14], found: FOUND }),
  },
  {
    name: 'backfill-edited',
    spec: {},
    keys: () => [keyAEntry(), publicKeyEntry(testKeys().b, T0 + 4 * DAY, T0 + 6 * DAY)],
    tamper: async (c) => {
      const first = await writeBackfillDigest(c, {
        endMs: T0 + 2 * HOUR_MS,
        signer: testKeys().b,
        generatedMs: T0 + 5 * DAY,
        logKeys: [c.logs[1]![0]!],
      });
      const second = await writeBackfillDigest(c, {
        endMs: T0 + 3 * HOUR_MS,
        signer: testKeys().b,
        generatedMs: T0 + 5 * DAY,
        logKeys: [c.logs[2]![0]!],
        previous: first,
      });
      await editDigest(c, second, (d) => {
        d.digestEndTime = '2024-01-08T08:21:43Z';
      });
    },
    expect: (c) => ({
      code: 1,
      errors: [
        digestLine(
          c,
          digestKeyAt(c, T0 + 3 * HOUR_MS).replace('.json.gz', '_backfill.json.gz'),
          'INVALID: signature verification failed',
          true,
        ),
      ],
      digests: [6, 6],
      backfill: [1, 2],
      logs: [13, 13],
      found: FOUND,
    }),
  },
  {
    name: 'organization-trail',
    spec: { organizationId: 'o-a1b2c3d4e5' },
    managementAccount: '111111111111',
    tamper: (c) => flipLogContent(c, c.logs[5]![1]!),
    expect: (c) => ({
      code: 1,
      errors: [logLine(c, c.logs[5]![1]!, "INVALID: hash value doesn't match")],
      digests: [6, 6],
      logs: [11, 12],
      found: FOUND,
    }),
  },
  {
    name: 'key-prefix',
    spec: { prefix: 'audit/vigil' },
    tamper: (c) => remove(c, c.digests[4]!),
    expect: (c) => ({
      code: 1,
      errors: [digestLine(c, c.digests[4]!, 'INVALID: not found')],
      digests: [5, 6],
      logs: [10, 10],
      found: FOUND,
    }),
  },
];

/** Append a second gzip member to a log: the CLI hashes only the first member; Vigil hashes all (see docs). */
export async function appendGzipMember(c: BuiltChain, key: string): Promise<void> {
  const { appendFile } = await import('node:fs/promises');
  await appendFile(pathOf(c, key), gzipSync('{"Records":[{"eventName":"Injected"}]}'));
}
