/**
 * A small CloudTrail-compatible endpoint (AWS JSON 1.1 protocol) answering what `aws cloudtrail validate-logs`
 * asks: ListPublicKeys, DescribeTrails and GetTrail, plus Organizations' DescribeOrganization for organization
 * trails. Point the AWS CLI at it with `--endpoint-url` (and AWS_ENDPOINT_URL_ORGANIZATIONS) to validate
 * Vigil-signed trails, or any trail whose public keys you hold, with the AWS CLI itself.
 *
 * It serves only public material and binds to 127.0.0.1 by default; requests are not authenticated.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeKeyValue, overlaps, type PublicKeyEntry } from './keys.js';
import { parseTrailArn } from './layout.js';

export interface TrailDescription {
  arn: string;
  bucket: string;
  prefix?: string;
  isOrganizationTrail?: boolean;
  isMultiRegionTrail?: boolean;
}

export interface TrailApiOptions {
  publicKeys: PublicKeyEntry[];
  trails?: TrailDescription[];
  organization?: { id: string; masterAccountId: string };
  host?: string;
  port?: number;
  now?: () => number;
}

export interface TrailApi {
  url: string;
  close(): Promise<void>;
  /** Operations served so far (for diagnostics and tests). */
  readonly calls: { target: string; body: unknown }[];
}

/**
 * X-Amz-Target is `<service>.<Operation>`. botocore sends the full CloudTrail namespace
 * (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListPublicKeys`); SDK v3 sends `CloudTrail_20131101.…`.
 */
const CLOUDTRAIL = 'CloudTrail_20131101.';
const ORGANIZATIONS = 'AWSOrganizationsV20161128.';

function normaliseTarget(target: string): string {
  const i = target.indexOf(CLOUDTRAIL);
  return i > 0 && target.slice(0, i) === 'com.amazonaws.cloudtrail.v20131101.' ? target.slice(i) : target;
}

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Seconds since the epoch, or an ISO string (botocore sends numbers; other clients may send strings). */
function timeParam(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v * 1000;
  if (typeof v === 'string') {
    const t = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  throw new ApiError('InvalidTimeRangeException', `${name} is not a timestamp: ${JSON.stringify(v)}`);
}

function trailJson(t: TrailDescription) {
  const arn = parseTrailArn(t.arn);
  return {
    Name: arn?.trailName ?? t.arn,
    S3BucketName: t.bucket,
    ...(t.prefix ? { S3KeyPrefix: t.prefix } : {}),
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: t.isMultiRegionTrail ?? true,
    HomeRegion: arn?.homeRegion,
    TrailARN: t.arn,
    LogFileValidationEnabled: true,
    HasCustomEventSelectors: false,
    HasInsightSelectors: false,
    IsOrganizationTrail: t.isOrganizationTrail ?? false,
  };
}

export function handleOperation(o: TrailApiOptions, target: string, body: Record<string, unknown>): unknown {
  const now = (o.now ?? Date.now)();
  const trails = o.trails ?? [];
  switch (normaliseTarget(target)) {
    case `${CLOUDTRAIL}ListPublicKeys`: {
      const start = timeParam(body.StartTime, 'StartTime') ?? now;
      const end = timeParam(body.EndTime, 'EndTime') ?? now;
      if (start > end) throw new ApiError('InvalidTimeRangeException', 'StartTime must not be after EndTime');
      return {
        PublicKeyList: o.publicKeys
          .filter((k) => overlaps(k, start, end))
          .map((k) => ({
            Value: encodeKeyValue(k.der),
            ValidityStartTime: k.validityStart / 1000,
            ValidityEndTime: k.validityEnd / 1000,
            Fingerprint: k.fingerprint,
          })),
      };
    }
    case `${CLOUDTRAIL}DescribeTrails`: {
      const names = Array.isArray(body.trailNameList) ? (body.trailNameList as unknown[]).map(String) : [];
      const list = names.length
        ? trails.filter((t) => names.includes(t.arn) || names.includes(parseTrailArn(t.arn)?.trailName ?? ''))
        : trails;
      return { trailList: list.map(trailJson) };
    }
    case `${CLOUDTRAIL}GetTrail`: {
      const name = String(body.Name ?? '');
      const t = trails.find((x) => x.arn === name || parseTrailArn(x.arn)?.trailName === name);
      if (!t) throw new ApiError('TrailNotFoundException', `Unknown trail: ${name}`);
      return { Trail: trailJson(t) };
    }
    case `${ORGANIZATIONS}DescribeOrganization`: {
      if (!o.organization) {
        throw new ApiError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
      }
      const { id, masterAccountId } = o.organization;
      return {
        Organization: {
          Id: id,
          Arn: `arn:aws:organizations::${masterAccountId}:organization/${id}`,
          FeatureSet: 'ALL',
          MasterAccountArn: `arn:aws:organizations::${masterAccountId}:account/${id}/${masterAccountId}`,
          MasterAccountId: masterAccountId,
        },
      };
    }
    default:
      throw new ApiError('UnknownOperationException', `Vigil's CloudTrail endpoint does not implement ${target}`);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1 << 20) throw new ApiError('SerializationException', 'request body too large', 413);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function startTrailApi(o: TrailApiOptions): Promise<TrailApi> {
  const calls: { target: string; body: unknown }[] = [];
  const send = (res: ServerResponse, status: number, payload: unknown) => {
    const text = JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': crypto.randomUUID(),
    });
    res.end(text);
  };
  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (req.method !== 'POST') throw new ApiError('UnknownOperationException', 'expected POST', 404);
        const target = String(req.headers['x-amz-target'] ?? '');
        const text = await readBody(req);
        let body: Record<string, unknown>;
        try {
          body = text.trim() ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          throw new ApiError('SerializationException', 'request body is not JSON');
        }
        calls.push({ target, body });
        send(res, 200, handleOperation(o, target, body ?? {}));
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError('InternalFailure', String(err), 500);
        send(res, e.status, { __type: e.type, message: e.message });
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
      const addr = server.address() as AddressInfo;
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({
        url: `http://${host}:${addr.port}`,
        calls,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
