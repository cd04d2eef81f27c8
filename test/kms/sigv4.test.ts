import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCredentials } from '../../src/kms/credentials.js';
import { canonicalRequest, parseAuthorization, type SigV4Request, verifySigV4 } from '../../src/kms/sigv4.js';

const AKID = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const lookup = (id: string) => (id === AKID ? { secretAccessKey: SECRET } : undefined);

/** Sign with the AWS SDK's own signer (@smithy/signature-v4), the reference for what clients send. */
async function sdkSigned(
  opts: {
    path?: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string;
    date?: Date;
    secret?: string;
    service?: string;
    region?: string;
  } = {},
): Promise<SigV4Request> {
  const signer = new SignatureV4({
    service: opts.service ?? 'kms',
    region: opts.region ?? 'eu-west-2',
    credentials: { accessKeyId: AKID, secretAccessKey: opts.secret ?? SECRET },
    // The SDK's hash interface: `new Sha256()` hashes, `new Sha256(secret)` computes an HMAC.
    sha256: class {
      private h: Hash | Hmac;
      constructor(secret?: Uint8Array | string) {
        this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
      }
      update(d: Uint8Array | string) {
        this.h.update(d);
      }
      async digest() {
        return new Uint8Array(this.h.digest());
      }
    } as never,
  });
  const body = opts.body ?? '{"KeyId":"alias/x"}';
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4000,
      path: opts.path ?? '/',
      query: opts.query ?? {},
      headers: {
        host: '127.0.0.1:4000',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'TrentService.DescribeKey',
        ...opts.headers,
      },
      body,
    },
    { signingDate: opts.date ?? new Date() },
  );
  const qs = new URLSearchParams(opts.query ?? {}).toString();
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = [String(v)];
  return { method: 'POST', url: `${opts.path ?? '/'}${qs ? `?${qs}` : ''}`, headers, body: Buffer.from(body) };
}

describe('SigV4 verification', () => {
  it('reproduces the canonical request and signature of the AWS documentation example (IAM ListUsers)', () => {
    const req: SigV4Request = {
      method: 'GET',
      url: '/?Action=ListUsers&Version=2010-05-08',
      headers: {
        'content-type': ['application/x-www-form-urlencoded; charset=utf-8'],
        host: ['iam.amazonaws.com'],
        'x-amz-date': ['20150830T123600Z'],
        authorization: [
          `AWS4-HMAC-SHA256 Credential=${AKID}/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7`,
        ],
      },
      body: Buffer.alloc(0),
    };
    const hash = createHash('sha256').update('').digest('hex');
    expect(canonicalRequest(req, ['content-type', 'host', 'x-amz-date'], hash)).toBe(
      [
        'GET',
        '/',
        'Action=ListUsers&Version=2010-05-08',
        'content-type:application/x-www-form-urlencoded; charset=utf-8',
        'host:iam.amazonaws.com',
        'x-amz-date:20150830T123600Z',
        '',
        'content-type;host;x-amz-date',
        hash,
      ].join('\n'),
    );
    const now = Date.UTC(2015, 7, 30, 12, 36, 0);
    expect(verifySigV4(req, lookup, { now, service: 'iam' })).toEqual({
      accessKeyId: AKID,
      region: 'us-east-1',
      service: 'iam',
      date: '20150830',
    });
  });

  it('accepts what the AWS SDK signer produces for arbitrary paths, queries and header values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.stringMatching(/^[a-zA-Z0-9._~-]{1,8}$/), { maxLength: 3 }),
        fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
        fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ' ')),
        fc.string({ maxLength: 200 }),
        async (segments, query, headerValue, body) => {
          const req = await sdkSigned({
            path: `/${segments.join('/')}`,
            query,
            headers: { 'x-custom-header': ` ${headerValue}  ` },
            body,
          });
          return verifySigV4(req, lookup).region === 'eu-west-2';
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects tampering with body, signed headers or secret (InvalidSignatureException)', async () => {
    const good = await sdkSigned();
    const bodyTamper = { ...good, body: Buffer.from('{"KeyId":"alias/y"}') };
    expect(() => verifySigV4(bodyTamper, lookup)).toThrow(
      expect.objectContaining({
        type: 'InvalidSignatureException',
        message: 'The provided x-amz-content-sha256 header does not match what was computed.',
      }),
    );
    // Clients that do not send x-amz-content-sha256 (the JS SDK's KMS client) sign the body hash directly.
    const { 'x-amz-content-sha256': _declared, ...noHashHeader } = bodyTamper.headers;
    expect(() => verifySigV4({ ...bodyTamper, headers: noHashHeader }, lookup)).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/^The request signature we calculated does not match/),
      }),
    );
    const headerTamper = {
      ...good,
      headers: { ...good.headers, 'x-amz-target': ['TrentService.ScheduleKeyDeletion'] },
    };
    expect(() => verifySigV4(headerTamper, lookup)).toThrow(
      expect.objectContaining({ type: 'InvalidSignatureException' }),
    );
    const wrongSecret = await sdkSigned({ secret: 'not-the-secret' });
    expect(() => verifySigV4(wrongSecret, lookup)).toThrow(
      expect.objectContaining({ type: 'InvalidSignatureException' }),
    );
  });

  it('answers missing, malformed, unknown, expired and mis-scoped requests with AWS error names', async () => {
    const good = await sdkSigned();
    const { authorization, ...rest } = good.headers;
    expect(() => verifySigV4({ ...good, headers: rest }, lookup)).toThrow(
      expect.objectContaining({ type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' }),
    );
    expect(() =>
      verifySigV4({ ...good, headers: { ...good.headers, authorization: ['AWS4-HMAC-SHA256 Credential=x'] } }, lookup),
    ).toThrow(expect.objectContaining({ type: 'IncompleteSignatureException' }));
    expect(() => verifySigV4(good, () => undefined)).toThrow(
      expect.objectContaining({
        type: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      }),
    );
    const old = await sdkSigned({ date: new Date(Date.now() - 6 * 60_000) });
    expect(() => verifySigV4(old, lookup)).toThrow(
      expect.objectContaining({
        type: 'InvalidSignatureException',
        message: expect.stringMatching(/^Signature expired: \d{8}T\d{6}Z is now earlier than/),
      }),
    );
    const s3 = await sdkSigned({ service: 's3' });
    expect(() => verifySigV4(s3, lookup)).toThrow(
      expect.objectContaining({
        type: 'InvalidSignatureException',
        message: "Credential should be scoped to correct service: 'kms'. ",
      }),
    );
    expect(authorization?.[0]).toBeDefined();
    const session = (id: string) => (id === AKID ? { secretAccessKey: SECRET, sessionToken: 'tok' } : undefined);
    expect(() => verifySigV4(good, session)).toThrow(expect.objectContaining({ type: 'UnrecognizedClientException' }));
    const withToken = await sdkSigned({ headers: { 'x-amz-security-token': 'tok' } });
    expect(verifySigV4(withToken, session).accessKeyId).toBe(AKID);
  });

  it('parses the Authorization header fields', () => {
    expect(
      parseAuthorization(
        `AWS4-HMAC-SHA256 Credential=AKID/20240101/ap-south-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`,
      ),
    ).toEqual({
      accessKeyId: 'AKID',
      date: '20240101',
      region: 'ap-south-1',
      service: 'kms',
      signedHeaders: ['host', 'x-amz-date'],
      signature: 'a'.repeat(64),
    });
  });
});

describe('credentials file', () => {
  it('reads Vigil YAML with principals and identity policies', () => {
    const store = parseCredentials(
      [
        'credentials:',
        '  - accessKeyId: AKIAALICE',
        '    secretAccessKey: alice-secret-key',
        '    principal: arn:aws:iam::111122223333:user/alice',
        '    policies:',
        '      - Statement: [{ Effect: Allow, Action: "kms:*", Resource: "*" }]',
        '  - accessKeyId: AKIAROOT',
        '    secretAccessKey: root-secret-key',
      ].join('\n'),
      'creds.yaml',
      '111122223333',
    );
    expect(store.get('AKIAALICE')?.principal).toMatchObject({
      type: 'IAMUser',
      name: 'alice',
      accessKeyId: 'AKIAALICE',
    });
    expect(store.get('AKIAALICE')?.principal.identityPolicies).toHaveLength(1);
    expect(store.get('AKIAROOT')?.principal).toMatchObject({ type: 'Root', arn: 'arn:aws:iam::111122223333:root' });
  });

  it('reads the AWS shared-credentials INI format with principal_arn', () => {
    const store = parseCredentials(
      '# test\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = default-secret\n\n[app]\naws_access_key_id=AKIAAPP\naws_secret_access_key=app-secret-key\naws_session_token=tok\nprincipal_arn=arn:aws:sts::111122223333:assumed-role/app/s1\n',
      'credentials',
      '111122223333',
    );
    expect(store.size).toBe(2);
    expect(store.get('AKIAAPP')).toMatchObject({
      sessionToken: 'tok',
      principal: { type: 'AssumedRole', roleArn: 'arn:aws:iam::111122223333:role/app' },
    });
  });

  it('names the file and record for bad entries', () => {
    expect(() =>
      parseCredentials('credentials:\n  - accessKeyId: lower\n    secretAccessKey: 12345678\n', 'c.yaml', '1'),
    ).toThrow('c.yaml: credentials[0]: accessKeyId must be 4–128 upper-case letters or digits');
    expect(() =>
      parseCredentials(
        'credentials:\n  - {accessKeyId: AKIAX, secretAccessKey: "12345678", principal: bob}\n',
        'c.yaml',
        '1',
      ),
    ).toThrow('c.yaml: credentials[0]: principal bob is not an IAM or STS principal ARN');
    expect(() => parseCredentials('[p]\nnonsense\n', 'ini', '1')).toThrow(
      'ini:2: expected "[profile]" or "key = value"',
    );
    expect(() => parseCredentials('credentials: []\n', 'e.yaml', '1')).toThrow('e.yaml: no credentials defined');
  });
});
