import { parseIsoTime } from '../../core/time.js';
import { clip } from '../json-line.js';
import type { JsonValueContext, LogFormat, LogRecord, Sink } from '../types.js';

/**
 * Amazon GuardDuty findings (guardduty.md §4–§5, §7), read as JSON values: one finding per line (the S3 export),
 * bare arrays, `{"findings":[…]}` / `{"Findings":[…]}` (the framer unwraps these), pretty-printed documents, and
 * EventBridge "GuardDuty Finding" events whose `detail` is the finding.
 *
 * `fields` is the finding exactly as written (for an EventBridge event: its `detail`). The API/CLI representation
 * spells members in PascalCase (`Type`, `UpdatedAt`, `Service.Action` …); it is accepted too and kept as written —
 * only the helpers below look members up in either spelling.
 *
 * - time: `updatedAt` (the finding's latest occurrence), else `createdAt`.
 * - sourceIp: the remote address in `service.action` (AWS API call, network connection, port probe, Kubernetes
 *   API call, RDS login … — any `…Action` block with `remoteIpDetails`); DNS-request findings have none.
 * - actor: `resource.accessKeyDetails.userName`, else the Kubernetes user (`kubernetesUserDetails.username`) or
 *   the RDS database user (`rdsDbUserDetails.user`) when the finding names one.
 */
export const guarddutyFormat: LogFormat = {
  type: 'guardduty',
  title: 'Amazon GuardDuty findings',
  framing: 'json',
  sniff({ firstLine, head }) {
    const c = firstLine.charCodeAt(0);
    if (c !== 123 /* { */ && c !== 91 /* [ */) return 0;
    if (head.includes('"detail-type"')) {
      return /"detail-type"\s*:\s*"GuardDuty Finding"/.test(head) ? 0.97 : 0;
    }
    // CloudTrail records of GuardDuty API calls mention detectors too; they always carry eventVersion.
    if (head.includes('"eventVersion"')) return 0;
    const camel = head.includes('"schemaVersion"') && head.includes('"accountId"');
    const pascal = head.includes('"SchemaVersion"') && head.includes('"AccountId"');
    if (camel || pascal) {
      const typed = camel ? head.includes('"severity"') : head.includes('"Severity"');
      const service = camel ? head.includes('"service"') : head.includes('"Service"');
      if (typed && service) return 0.95;
      return 0.4;
    }
    // An export that found nothing: `{"findings":[]}` alone.
    return /^\s*\{\s*"[Ff]indings"\s*:\s*\[\s*\]\s*\}\s*$/.test(head) ? 0.6 : 0;
  },
  open({ file }) {
    return new GuardDutyParser(file);
  },
};

class GuardDutyParser {
  constructor(private readonly file: string) {}

  /** Only used when a caller feeds lines directly; the reader normally frames JSON and calls `value`. */
  line(text: string, lineNo: number, out: Sink): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      out.error({ file: this.file, line: lineNo, reason: `invalid JSON: ${(err as Error).message}` });
      return;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) this.value(value[i], { line: lineNo, index: i }, out);
      return;
    }
    if (isObject(value)) {
      const list = Array.isArray(value.findings)
        ? value.findings
        : Array.isArray(value.Findings)
          ? value.Findings
          : null;
      if (list) {
        for (let i = 0; i < list.length; i++) this.value(list[i], { line: lineNo, index: i }, out);
        return;
      }
    }
    this.value(value, { line: lineNo, index: undefined }, out);
  }

  value(value: unknown, at: JsonValueContext, out: Sink): void {
    const file = this.file;
    const where = at.index === undefined ? {} : { index: at.index };
    const fail = (reason: string) =>
      out.error({ file, line: at.line, reason: at.index === undefined ? reason : `record ${at.index}: ${reason}` });
    if (!isObject(value)) {
      fail(`expected a GuardDuty finding object, got ${describe(value)}`);
      return;
    }
    let finding = value;
    const detailType = value['detail-type'];
    if (detailType !== undefined) {
      if (detailType !== 'GuardDuty Finding' || !isObject(value.detail)) {
        fail(`EventBridge event is not a GuardDuty finding (detail-type ${clip(JSON.stringify(detailType))})`);
        return;
      }
      finding = value.detail;
    }
    const id = member(finding, 'id');
    const type = member(finding, 'type');
    if (typeof id !== 'string' || typeof type !== 'string') {
      fail('not a GuardDuty finding: missing id or type');
      return;
    }
    const updated = member(finding, 'updatedAt');
    const stamp = updated !== undefined && updated !== null ? updated : member(finding, 'createdAt');
    const time = findingTime(stamp);
    if (Number.isNaN(time)) {
      fail(
        stamp === undefined || stamp === null
          ? `finding ${clip(id)} has neither updatedAt nor createdAt`
          : `finding ${clip(id)}: invalid ${updated !== undefined && updated !== null ? 'updatedAt' : 'createdAt'} ${clip(JSON.stringify(stamp))}`,
      );
      return;
    }
    const record: LogRecord = { type: 'guardduty', fields: finding, time, origin: { file, line: at.line, ...where } };
    const ip = remoteIp(finding);
    if (ip !== undefined) record.sourceIp = ip;
    const actor = actorOf(finding);
    if (actor !== undefined) record.actor = actor;
    out.record(record);
  }
}

/** ISO string (the finding JSON) or epoch seconds / milliseconds (some SDK serialisations of timestamps). */
function findingTime(stamp: unknown): number {
  if (typeof stamp === 'string') return parseIsoTime(stamp);
  if (typeof stamp === 'number' && Number.isFinite(stamp)) return stamp < 1e11 ? stamp * 1000 : stamp;
  return Number.NaN;
}

/** The remote address of the finding's action, whichever `…Action` block carries it. */
export function remoteIp(finding: Record<string, unknown>): string | undefined {
  const service = member(finding, 'service');
  if (!isObject(service)) return undefined;
  const action = member(service, 'action');
  if (!isObject(action)) return undefined;
  for (const key in action) {
    const block = action[key];
    if (!isObject(block)) continue;
    const ip = ipOf(member(block, 'remoteIpDetails'));
    if (ip !== undefined) return ip;
    const probes = member(block, 'portProbeDetails');
    if (Array.isArray(probes)) {
      for (const probe of probes) {
        if (!isObject(probe)) continue;
        const pip = ipOf(member(probe, 'remoteIpDetails'));
        if (pip !== undefined) return pip;
      }
    }
  }
  return undefined;
}

function ipOf(details: unknown): string | undefined {
  if (!isObject(details)) return undefined;
  const v4 = member(details, 'ipAddressV4');
  if (typeof v4 === 'string' && v4 !== '') return v4;
  const v6 = member(details, 'ipAddressV6');
  return typeof v6 === 'string' && v6 !== '' ? v6 : undefined;
}

export function actorOf(finding: Record<string, unknown>): string | undefined {
  const resource = member(finding, 'resource');
  if (!isObject(resource)) return undefined;
  const key = member(resource, 'accessKeyDetails');
  if (isObject(key)) {
    const name = member(key, 'userName');
    if (typeof name === 'string' && name !== '') return name;
  }
  const k8s = member(resource, 'kubernetesDetails');
  if (isObject(k8s)) {
    const user = member(k8s, 'kubernetesUserDetails');
    if (isObject(user)) {
      const name = member(user, 'username');
      if (typeof name === 'string' && name !== '') return name;
    }
  }
  const rds = member(resource, 'rdsDbUserDetails');
  if (isObject(rds)) {
    const name = member(rds, 'user');
    if (typeof name === 'string' && name !== '') return name;
  }
  return undefined;
}

/** A member in the finding's camelCase spelling, else the API's PascalCase one. */
function member(obj: Record<string, unknown>, camel: string): unknown {
  const v = obj[camel];
  if (v !== undefined) return v;
  return obj[camel.charAt(0).toUpperCase() + camel.slice(1)];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `a string ${clip(JSON.stringify(v))}` : `${typeof v} ${clip(String(v))}`;
}
