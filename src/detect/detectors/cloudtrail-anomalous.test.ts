import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anomalyFamily, userAgentFamily } from './anomalous.js';

/** The definition the scanner implements: first token of the trimmed agent, major version only, 40 characters. */
function reference(ua: string): string {
  const first = ua.trim().split(/\s+/)[0] ?? '';
  const slash = first.indexOf('/');
  if (slash < 0) return first.slice(0, 40);
  const major = first.slice(slash + 1).split('.')[0];
  return `${first.slice(0, slash)}/${major}`.slice(0, 40);
}

describe('user-agent family', () => {
  it('keeps the tool and its major version', () => {
    expect(userAgentFamily('aws-cli/2.13.5 Python/3.11.4 Linux/6.1.0-kali9-amd64 exe/x86_64.kali')).toBe('aws-cli/2');
    expect(userAgentFamily('  Boto3/1.28.0 md/Botocore#1.31.0')).toBe('Boto3/1');
    expect(userAgentFamily('console.amazonaws.com')).toBe('console.amazonaws.com');
    expect(userAgentFamily('[S3Console/0.4, aws-internal/3]')).toBe('[S3Console/0');
    expect(userAgentFamily('a/b/c.d e')).toBe('a/b/c');
    expect(userAgentFamily('')).toBe('');
    expect(userAgentFamily(`x${'y'.repeat(60)}`)).toHaveLength(40);
  });

  it('equals the split-based definition for any text, whitespace of every kind included', () => {
    const chars = fc.constantFrom(
      ...'ab/.-_#[], 9'.split(''),
      '\t',
      '\n',
      '\u000b',
      '\u00a0',
      '\u0085',
      '\u1680',
      '\u180e',
      '\u2000',
      '\u200a',
      '\u200b',
      '\u2028',
      '\u202f',
      '\u205f',
      '\u3000',
      '\ufeff',
      '\ud83d',
    );
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 60 }), (cs) => {
        const ua = cs.join('');
        expect(userAgentFamily(ua)).toBe(reference(ua));
      }),
      { numRuns: 3000 },
    );
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (ua) => userAgentFamily(ua) === reference(ua)));
  });
});

describe('anomaly family of an API', () => {
  it('classifies by the family lists, else List/Describe/Get as Discovery; the same answer when asked again', () => {
    for (let i = 0; i < 2; i++) {
      expect(anomalyFamily('StopLogging')).toBe('DefenseEvasion');
      expect(anomalyFamily('GetSecretValue')).toBe('CredentialAccess');
      expect(anomalyFamily('DescribeInstances')).toBe('Discovery');
      expect(anomalyFamily('PutObject')).toBeUndefined();
      expect(anomalyFamily('constructor')).toBeUndefined();
    }
  });
});
