import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticKeySource } from '../../src/trail/keys.js';
import { JsonReporter } from '../../src/trail/report.js';
import { runValidation } from '../../src/trail/run.js';
import { formatDisplay } from '../../src/trail/time.js';
import { appendGzipMember, CASES, digestLine, type Expected, logLine } from './cases.js';
import { ACCOUNT, buildChain, keyAEntry, removeRoot, tempRoot, testKeys, vigilText } from './fixtures.js';

/** What the CLI prints without --verbose for an expected outcome (header, summary; errors on stderr). */
function expectedText(arn: string, start: number, end: number, e: Expected): { stdout: string; stderr: string } {
  let stdout = `Validating log files for trail ${arn} between ${formatDisplay(start)} and ${formatDisplay(end)}\n\n`;
  const stderr = e.errors.map((l) => `${l}\n\n`).join('');
  if (e.fatal) return { stdout, stderr };
  stdout += `Results requested for ${formatDisplay(start)} to ${formatDisplay(end)}\n`;
  stdout += e.found ? `Results found for ${e.found[0]} to ${e.found[1]}:\n` : 'No valid digests found in range\n';
  const ratio = (r: [number, number] | undefined, name: string) => {
    if (!r || r[1] === 0) return '';
    const bad = r[1] - r[0];
    return `\n${r[0]}/${r[1]} ${name} files valid${bad ? `, ${bad}/${r[1]} ${name} files INVALID` : ''}`;
  };
  stdout += `${ratio(e.digests, 'digest')}${ratio(e.backfill, 'backfill digest')}${ratio(e.logs, 'log')}\n`;
  return { stdout, stderr };
}

let root: string;
beforeAll(async () => {
  root = await tempRoot();
  testKeys();
});
afterAll(() => removeRoot(root));

describe('tampering cases give the AWS CLI verdicts (local directory with metadata sidecars)', () => {
  for (const tc of CASES) {
    it(tc.name, async () => {
      const c = await buildChain(root, { ...tc.spec, bucket: `case-${tc.name}` });
      await tc.tamper?.(c);
      const { start, end } = tc.range?.(c) ?? c;
      const e = tc.expect(c);
      // An organization trail's ARN names the management account; the digests are under the member account.
      const trailArn = tc.managementAccount ? c.trailArn.replace(ACCOUNT, tc.managementAccount) : c.trailArn;
      const accountId = tc.managementAccount ? ACCOUNT : undefined;
      const keys = tc.keys?.() ?? [keyAEntry()];
      const r = await vigilText({ location: c.dir, keys, trailArn, accountId, start, end }, false);
      const want = expectedText(trailArn, start, end, e);
      expect(r.stderr).toBe(e.fatal ? `vigil: ${e.fatal}\n` : want.stderr);
      expect(r.stdout).toBe(want.stdout);
      expect(r.code).toBe(e.code);
    });
  }
});

describe('JSON report', () => {
  const keys = () => new StaticKeySource([keyAEntry()], 'keys.json');

  it('lists every file with verdict, reason, explanation and digest time', async () => {
    const tc = CASES.find((x) => x.name === 'log-content-flipped')!;
    const c = await buildChain(root, { bucket: 'json-report' });
    await tc.tamper!(c);
    const rep = new JsonReporter();
    const results = await runValidation({ location: c.dir, keys, start: c.start, end: c.end }, rep);
    const doc = rep.document(1) as { trails: import('../../src/trail/report.js').ChainJson[]; exitCode: number };
    expect(results).toHaveLength(1);
    const t = doc.trails[0]!;
    expect(t.trailArn).toBe(c.trailArn);
    expect(t.summary).toEqual({
      digestFiles: { valid: 6, invalid: 0 },
      backfillDigestFiles: { valid: 0, invalid: 0 },
      logFiles: { valid: 11, invalid: 1 },
    });
    expect(t.files.filter((f) => f.kind === 'digest')).toHaveLength(6);
    const bad = t.files.find((f) => f.verdict !== 'valid')!;
    expect(bad).toMatchObject({
      kind: 'log',
      uri: `s3://json-report/${c.logs[2]![0]}`,
      verdict: "INVALID: hash value doesn't match",
      reason: 'hash-mismatch',
      digestTime: '2024-01-08T08:21:42Z',
      listedIn: `s3://json-report/${c.digests[2]}`,
    });
    expect(bad.detail).toMatch(/^SHA-256 of \d+ decompressed bytes is [0-9a-f]{64}, digest lists [0-9a-f]{64}$/);
    const newest = t.files[0]!;
    expect(newest).toMatchObject({
      kind: 'digest',
      verdict: 'valid',
      digestTime: '2024-01-08T11:21:42Z',
      digestStartTime: '2024-01-08T10:21:42Z',
      publicKeyFingerprint: testKeys().a.fingerprint,
    });
    expect(t.valid).toBe(false);
    expect(t.continuity).toEqual([]);
    expect(t.links).toEqual([]);
  });

  it('reports a chain restart as a gap and as a continuity break caused by the restart', async () => {
    const c = await buildChain(root, { bucket: 'json-restart', restartAt: { index: 3, downtimeHours: 2 } });
    const rep = new JsonReporter();
    await runValidation({ location: c.dir, keys, start: c.start, end: c.end }, rep);
    const t = rep.chains[0]!;
    expect(t.gaps).toEqual([
      {
        backfill: false,
        from: '2024-01-08T08:21:42Z',
        to: '2024-01-08T10:21:42Z',
        message: 'No log files were delivered by CloudTrail between 2024-01-08T08:21:42Z and 2024-01-08T10:21:42Z',
      },
    ]);
    expect(t.continuity).toMatchObject([
      { cause: 'chain-restart', from: '2024-01-08T08:21:42Z', to: '2024-01-08T10:21:42Z' },
    ]);
    expect(t.valid).toBe(true);
  });

  it('separates hours no verified digest covers (deleted digest) from restarts', async () => {
    const tc = CASES.find((x) => x.name === 'digest-deleted')!;
    const c = await buildChain(root, { bucket: 'json-deleted' });
    await tc.tamper!(c);
    const rep = new JsonReporter();
    await runValidation({ location: c.dir, keys, start: c.start, end: c.end }, rep);
    expect(rep.chains[0]!.gaps).toEqual([]);
    expect(rep.chains[0]!.continuity).toMatchObject([
      { cause: 'unverified-digests', from: '2024-01-08T07:21:42Z', to: '2024-01-08T08:21:42Z' },
    ]);
  });

  it('flags a correctly signed digest whose previousDigestSignature is not the previous signature (link check)', async () => {
    const tc = CASES.find((x) => x.name === 'previous-signature-resigned')!;
    const c = await buildChain(root, { bucket: 'json-link' });
    await tc.tamper!(c);
    const rep = new JsonReporter();
    await runValidation({ location: c.dir, keys, start: c.start, end: c.end }, rep);
    const t = rep.chains[0]!;
    expect(t.valid).toBe(true); // same verdicts as the CLI …
    const link = (i: number) => ({
      newer: `s3://json-link/${c.digests[i]}`,
      older: `s3://json-link/${c.digests[i - 1]}`,
    });
    // … plus the broken links: digest 4's forged previousDigestSignature, and digest 5's record of digest 4,
    // whose signature and content changed when it was re-signed.
    expect(t.links.map(({ field, newer, older }) => ({ field, newer, older }))).toEqual([
      { field: 'previousDigestSignature', ...link(5) },
      { field: 'previousDigestHashValue', ...link(5) },
      { field: 'previousDigestSignature', ...link(4) },
    ]);
    expect(t.links[2]!.recorded).toBe('ab'.repeat(256));
  });

  it('explains a moved digest with where it was read and where it was written', async () => {
    const tc = CASES.find((x) => x.name === 'digest-copied-to-newer-key')!;
    const c = await buildChain(root, { bucket: 'json-moved' });
    await tc.tamper!(c);
    const rep = new JsonReporter();
    await runValidation({ location: c.dir, keys, start: c.start, end: c.end }, rep);
    const moved = rep.chains[0]!.files.find((f) => f.reason === 'moved')!;
    expect(moved.detail).toBe(`read from ${moved.uri} but written as s3://json-moved/${c.digests[2]}`);
    expect(moved.digestTime).toBe('2024-01-08T11:41:42Z');
  });
});

describe('documented divergence from the AWS CLI', () => {
  it('data appended to a log as a second gzip member is a hash mismatch (the CLI hashes only the first member)', async () => {
    const c = await buildChain(root, { bucket: 'appended-member' });
    await appendGzipMember(c, c.logs[1]![0]!);
    const r = await vigilText({ location: c.dir, keys: [keyAEntry()], start: c.start, end: c.end }, false);
    expect(r.stderr).toBe(`${logLine(c, c.logs[1]![0]!, "INVALID: hash value doesn't match")}\n\n`);
    expect(r.code).toBe(1);
  });

  it('bytes after the gzip data of a log or digest are invalid format (the CLI ignores them)', async () => {
    const { appendFile } = await import('node:fs/promises');
    const c = await buildChain(root, { bucket: 'trailing-bytes' });
    await appendFile(`${c.dir}/${c.logs[1]![0]}`, 'trailing');
    await appendFile(`${c.dir}/${c.digests[4]}`, 'trailing');
    const r = await vigilText({ location: c.dir, keys: [keyAEntry()], start: c.start, end: c.end }, false);
    expect(r.stderr).toBe(
      `${digestLine(c, c.digests[4]!, 'INVALID: invalid format')}\n\n${logLine(c, c.logs[1]![0]!, 'INVALID: invalid format')}\n\n`,
    );
  });
});

describe('discovery without --trail-arn', () => {
  it('validates every region of every trail in the location, each as its own run', async () => {
    const east = await buildChain(root, { bucket: 'multi', digests: 2, logsPerDigest: 1 });
    await buildChain(root, { bucket: 'multi', digests: 3, logsPerDigest: 1, region: 'eu-west-1' });
    const r = await vigilText({ location: east.dir, keys: [keyAEntry()], end: east.end }, false);
    const blocks = r.stdout.split('Validating log files for trail ').slice(1);
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toContain('3/3 digest files valid\n3/3 log files valid');
    expect(blocks[1]).toContain('2/2 digest files valid\n2/2 log files valid');
    // Without --start-time the range starts an hour before the oldest digest's end.
    expect(blocks[0]).toContain('between 2024-01-08T05:21:42Z and');
    expect(r.code).toBe(0);
  });

  it('restricts to --region and fails clearly when nothing is there', async () => {
    const c = await buildChain(root, { bucket: 'region-filter', digests: 2, logsPerDigest: 1 });
    await expect(
      vigilText({ location: c.dir, keys: [keyAEntry()], region: 'ap-south-1', end: c.end }, false),
    ).rejects.toThrow(`no CloudTrail digest files found under ${c.dir}`);
    await expect(vigilText({ location: `${root}/does-not-exist`, keys: [keyAEntry()] }, false)).rejects.toThrow(
      /no CloudTrail digest files found under/,
    );
  });
});
