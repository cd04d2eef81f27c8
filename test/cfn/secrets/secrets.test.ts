import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entropy, mask, matchSecrets } from '../../../src/cfn/secrets/patterns.js';
import { scanSecretsPaths, scanSecretsText } from '../../../src/cfn/secrets/scan.js';

const KEY_ID = 'AKIA2E3FK5LMNOPQRSTU';
const SECRET = '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';

describe('secret patterns', () => {
  it('finds AWS key ids and secret keys, located and masked', () => {
    const text = `[default]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n`;
    const f = scanSecretsText(text, 'creds');
    expect(f.map((x) => [x.ruleId, x.line, x.column])).toEqual([
      ['secret/aws-access-key-id', 2, 21],
      ['secret/aws-secret-access-key', 3, 25],
    ]);
    expect(f[0]!.masked).toBe('AKIA************ (20 chars)');
    expect(JSON.stringify(f)).not.toContain(KEY_ID);
    expect(JSON.stringify(f)).not.toContain(SECRET);
  });

  it('documentation examples and placeholders are allowlisted, not findings', () => {
    const m = matchSecrets('aws_access_key_id=AKIAIOSFODNN7EXAMPLE password = "changeme123"');
    expect(m.map((x) => x.allowlisted !== undefined)).toEqual([true, true]);
  });

  it('generic assignments need entropy; low-entropy words are not secrets', () => {
    expect(matchSecrets('password: "aaaaaaaaaa"')).toEqual([]);
    expect(matchSecrets('db_password = "Tr0ub4dor&3xK9"')[0]!.patternId).toBe('generic-secret-assignment');
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('abcd')).toBe(2);
  });

  it('known formats: private keys, GitHub tokens', () => {
    expect(matchSecrets('-----BEGIN RSA PRIVATE KEY-----')[0]!.patternId).toBe('private-key');
    expect(matchSecrets(`token ghp_${'a1B2c3D4e5'.repeat(3)}abcdef`)[0]!.patternId).toBe('github-token');
  });

  it('mask never shows more than 4 characters', () => {
    expect(mask('abcdefghijkl')).toBe('abcd******** (12 chars)');
    expect(mask('short')).toBe('***** (5 chars)');
  });
});

describe('vigil secrets scan over a tree', () => {
  it('walks directories, skips binaries and VCS folders, honours allowlists', () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-secrets-'));
    mkdirSync(join(root, 'src'));
    mkdirSync(join(root, 'node_modules'));
    mkdirSync(join(root, 'fixtures'));
    writeFileSync(join(root, 'src', 'app.ts'), `const id = '${KEY_ID}';\n`);
    writeFileSync(join(root, 'src', 'ok.ts'), `const id = '${KEY_ID}'; // vigil:allow-secret test fixture\n`);
    writeFileSync(join(root, 'node_modules', 'dep.js'), `const id = '${KEY_ID}';\n`);
    writeFileSync(join(root, 'src', 'blob.bin'), Buffer.from([0, 1, 2, 65, 75, 73, 65]));
    writeFileSync(join(root, 'fixtures', 'keys.txt'), `${KEY_ID}\n`);
    writeFileSync(join(root, 'fixtures', '.vigil-secrets-allow'), `^${KEY_ID}$\n`);
    const r = scanSecretsPaths([root], { cwd: root });
    expect(r.findings.map((f) => `${f.file}:${f.line}:${f.column}`)).toEqual(['src/app.ts:1:13']);
    expect(r.allowlisted.map((f) => f.file).sort()).toEqual(['fixtures/keys.txt', 'src/ok.ts']);
    expect(r.skipped).toEqual([{ file: 'src/blob.bin', reason: 'binary' }]);
    expect(r.files).toBe(3);
  });

  it('a missing path is an error, the rest is still scanned', () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-secrets-'));
    writeFileSync(join(root, 'a.env'), `AWS_SECRET_ACCESS_KEY=${SECRET}\n`);
    const r = scanSecretsPaths([join(root, 'nope'), root], { cwd: root });
    expect(r.errors.map((e) => e.reason)).toEqual(['ENOENT']);
    expect(r.findings.map((f) => f.ruleId)).toEqual(['secret/aws-secret-access-key']);
  });
});
