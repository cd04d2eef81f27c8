import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { KmsError } from './errors.js';

/**
 * AWS Signature Version 4 verification of inbound requests (kms.md §2), with node:crypto only: rebuild the
 * canonical request from what arrived, derive the signing key from the caller's secret and compare signatures in
 * constant time. Errors carry the names AWS's JSON services return.
 */

export interface SigV4Request {
  method: string;
  /** Path and query exactly as received (`/`, `/?a=b`). */
  url: string;
  /** Header name (lower case) → values as received. */
  headers: Record<string, string[]>;
  body: Buffer;
}

export interface SigV4Secret {
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigV4Result {
  accessKeyId: string;
  region: string;
  service: string;
  date: string;
}

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 5 * 60 * 1000;

export const missingAuth = () => new KmsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
const incomplete = (message: string) => new KmsError('IncompleteSignatureException', message);
const invalidSignature = (message: string) => new KmsError('InvalidSignatureException', message);
export const unrecognizedClient = () =>
  new KmsError('UnrecognizedClientException', 'The security token included in the request is invalid.');

/** Parse `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`; throws IncompleteSignatureException. */
export function parseAuthorization(header: string): ParsedAuthorization {
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${ALGORITHM} `)) {
    throw incomplete(`Authorization header must use the ${ALGORITHM} algorithm: ${trimmed.split(' ')[0]}`);
  }
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((f) => !fields.get(f));
  if (missing.length) {
    throw incomplete(missing.map((f) => `Authorization header requires '${f}' parameter.`).join(' '));
  }
  const scope = fields.get('Credential')!.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1]!)) {
    throw incomplete(
      `Credential should be scoped to a valid date, region, service and "aws4_request": ${fields.get('Credential')}`,
    );
  }
  const signature = fields.get('Signature')!;
  if (!/^[0-9a-f]{64}$/.test(signature)) throw incomplete('Signature must be 64 lower-case hex characters.');
  return {
    accessKeyId: scope[0]!,
    date: scope[1]!,
    region: scope[2]!,
    service: scope[3]!,
    signedHeaders: fields.get('SignedHeaders')!.split(';'),
    signature,
  };
}

/** RFC 3986 encoding as SigV4 requires (unreserved characters kept, everything else %XX upper-case). */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    return text;
  }
}

/**
 * Canonical URI for services other than S3: remove dot segments, then URI-encode each (already encoded) path
 * segment again, as the SDKs do.
 */
function canonicalUri(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '.' || seg === '') continue;
    if (seg === '..') out.pop();
    else out.push(encode(seg));
  }
  const trailing = path.endsWith('/') && out.length > 0 ? '/' : '';
  return `/${out.join('/')}${trailing}`;
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const k = eq < 0 ? pair : pair.slice(0, eq);
      const v = eq < 0 ? '' : pair.slice(eq + 1);
      return [encode(safeDecode(k)), encode(safeDecode(v))] as const;
    })
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export function canonicalRequest(req: SigV4Request, signedHeaders: string[], payloadHash: string): string {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const headers = signedHeaders
    .map((name) => `${name}:${(req.headers[name] ?? []).map((v) => v.trim().replace(/\s+/g, ' ')).join(',')}\n`)
    .join('');
  return [req.method, canonicalUri(path), canonicalQuery(query), headers, signedHeaders.join(';'), payloadHash].join(
    '\n',
  );
}

const keyCache = new Map<string, Buffer>();

/** kSigning = HMAC chain over date, region, service and "aws4_request"; cached (one per key, day, region). */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${secret}\n${date}\n${region}\n${service}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
    const kRegion = createHmac('sha256', kDate).update(region).digest();
    const kService = createHmac('sha256', kRegion).update(service).digest();
    key = createHmac('sha256', kService).update('aws4_request').digest();
    if (keyCache.size > 1000) keyCache.clear();
    keyCache.set(cacheKey, key);
  }
  return key;
}

function amzTime(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN;
}

const first = (req: SigV4Request, name: string) => req.headers[name]?.[0];

/**
 * Verify a request signed in the Authorization header. `lookup` returns the secret of an access key (undefined:
 * UnrecognizedClientException). Returns the scope the request was signed for (its region is the request's region).
 */
export function verifySigV4(
  req: SigV4Request,
  lookup: (accessKeyId: string) => SigV4Secret | undefined,
  opts: { now?: number; service?: string } = {},
): SigV4Result {
  const header = first(req, 'authorization');
  if (!header) throw missingAuth();
  const auth = parseAuthorization(header);
  const service = opts.service ?? 'kms';
  const amzDate = first(req, 'x-amz-date');
  if (!amzDate)
    throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  const time = amzTime(amzDate);
  if (Number.isNaN(time)) throw incomplete(`X-Amz-Date must be in the ISO8601 basic format: ${amzDate}`);
  if (!auth.signedHeaders.includes('host'))
    throw incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  if (auth.date !== amzDate.slice(0, 8))
    throw invalidSignature(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  if (auth.service !== service)
    throw invalidSignature(`Credential should be scoped to correct service: '${service}'. `);
  const secret = lookup(auth.accessKeyId);
  if (!secret) throw unrecognizedClient();
  if (secret.sessionToken !== undefined && first(req, 'x-amz-security-token') !== secret.sessionToken)
    throw unrecognizedClient();
  const now = opts.now ?? Date.now();
  if (Math.abs(now - time) > MAX_SKEW_MS) {
    const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
    throw invalidSignature(
      time < now
        ? `Signature expired: ${amzDate} is now earlier than ${stamp(now - MAX_SKEW_MS)} (${stamp(now)} - 5 min.)`
        : `Signature not yet current: ${amzDate} is still later than ${stamp(now + MAX_SKEW_MS)} (${stamp(now)} + 5 min.)`,
    );
  }
  const bodyHash = createHash('sha256').update(req.body).digest('hex');
  const declared = first(req, 'x-amz-content-sha256');
  const payloadHash = declared === 'UNSIGNED-PAYLOAD' ? declared : bodyHash;
  if (declared && declared !== 'UNSIGNED-PAYLOAD' && declared !== bodyHash)
    throw invalidSignature('The provided x-amz-content-sha256 header does not match what was computed.');
  const canonical = canonicalRequest(req, auth.signedHeaders, payloadHash);
  const stringToSign = [
    ALGORITHM,
    amzDate,
    `${auth.date}/${auth.region}/${auth.service}/aws4_request`,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  const expected = createHmac('sha256', signingKey(secret.secretAccessKey, auth.date, auth.region, auth.service))
    .update(stringToSign)
    .digest();
  if (!timingSafeEqual(expected, Buffer.from(auth.signature, 'hex'))) {
    throw invalidSignature(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return { accessKeyId: auth.accessKeyId, region: auth.region, service: auth.service, date: auth.date };
}
