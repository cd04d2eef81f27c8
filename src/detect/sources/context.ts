/**
 * The GuardDuty resource, action and entity of any record, for rule-based sources (Sigma, Suricata) whose rules do
 * not know the finding model: the affected resource and the actor come from the log type, as the built-in
 * detectors would report them, so findings of every source aggregate and route the same way.
 */
import type { LogRecord } from '../../ingest/types.js';
import { s3AccessAction, s3AccessResource, s3AccessView } from '../detectors/cloudtrail-callers.js';
import {
  accessKeyResource,
  apiCallAction,
  callerOf,
  flowOf,
  flowResource,
  networkAction,
  obj,
  str,
} from '../detectors/util.js';
import { instanceResource, localIpDetails, remoteIpDetails } from '../finding.js';
import type { GeoLookup } from '../geo.js';
import type { NetContext } from '../net.js';
import type { FindingAction } from '../types.js';

export interface RecordContext {
  resource: Record<string, unknown>;
  action: FindingAction;
  resourceRole: 'ACTOR' | 'TARGET';
  /** Stable identity of the affected resource and the actor, part of the finding key. */
  entity: string;
}

function httpTarget(r: LogRecord): { resource: Record<string, unknown>; name: string } {
  const f = r.fields;
  if (r.type === 'cloudfront') {
    const name = str(f['x-host-header']) ?? str(f['cs(Host)']) ?? 'cloudfront';
    return { resource: { resourceType: 'CloudFrontDistribution', cloudFrontDetails: { domainName: name } }, name };
  }
  if (r.type === 'waf') {
    const name = str(f.webaclId) ?? 'waf';
    return { resource: { resourceType: 'WebACL', webAclDetails: { arn: name } }, name };
  }
  const name = str(f.elb) ?? r.type;
  return { resource: { resourceType: 'LoadBalancer', loadBalancerDetails: { name } }, name };
}

function remoteConnection(ip: string | undefined, geo: GeoLookup, local?: string): FindingAction {
  return {
    actionType: 'NETWORK_CONNECTION',
    networkConnectionAction: {
      connectionDirection: 'INBOUND',
      protocol: 'TCP',
      blocked: false,
      ...(local ? { localIpDetails: localIpDetails(local) } : {}),
      ...(ip ? { remoteIpDetails: remoteIpDetails(ip, geo) } : {}),
    },
  };
}

/** The `entity` part of recordContext alone, without building resource and action blocks (cheap). */
export function recordEntity(r: LogRecord, net: NetContext): string {
  const f = r.fields;
  switch (r.type) {
    case 'cloudtrail': {
      const c = callerOf(r);
      return `${c.arn || c.principalId || c.userName}|${str(f.sourceIPAddress) ?? ''}`;
    }
    case 'vpcflow': {
      const v = flowOf(r, net);
      if (v.ok) return `${v.entity}|${v.remoteIp}`;
      break;
    }
    case 'route53resolver':
      return `${str(obj(f.srcids)?.instance) ?? str(f.srcaddr) ?? ''}|${(str(f.query_name) ?? '').replace(/\.$/, '')}`;
    case 's3access': {
      const s = s3AccessView(r);
      return `${s.bucket}|${s.requester}|${r.sourceIp ?? ''}`;
    }
    case 'alb':
    case 'cloudfront':
    case 'waf':
      return `${httpTarget(r).name}|${r.sourceIp ?? ''}`;
    default:
      break;
  }
  return `${r.type}|${r.actor ?? ''}|${r.sourceIp ?? ''}`;
}

export function recordContext(r: LogRecord, geo: GeoLookup, net: NetContext): RecordContext {
  const f = r.fields;
  switch (r.type) {
    case 'cloudtrail': {
      const c = callerOf(r);
      return {
        resource: accessKeyResource(c),
        action: apiCallAction(r, geo),
        resourceRole: 'TARGET',
        entity: recordEntity(r, net),
      };
    }
    case 'vpcflow': {
      const v = flowOf(r, net);
      if (v.ok)
        return {
          resource: flowResource(v),
          action: networkAction(v, geo),
          resourceRole: v.direction === 'OUTBOUND' ? 'ACTOR' : 'TARGET',
          entity: recordEntity(r, net),
        };
      break;
    }
    case 'route53resolver': {
      const src = str(f.srcaddr);
      const instance = str(obj(f.srcids)?.instance);
      const domain = (str(f.query_name) ?? '').replace(/\.$/, '');
      return {
        resource: instanceResource(instance, undefined, src, str(f.vpc_id)),
        action: {
          actionType: 'DNS_REQUEST',
          dnsRequestAction: { domain, protocol: str(f.transport) ?? 'UDP', blocked: false },
        },
        resourceRole: 'ACTOR',
        entity: recordEntity(r, net),
      };
    }
    case 's3access': {
      const s = s3AccessView(r);
      return {
        resource: s3AccessResource(s),
        action: s3AccessAction(r, s, geo),
        resourceRole: 'TARGET',
        entity: recordEntity(r, net),
      };
    }
    case 'alb':
    case 'cloudfront':
    case 'waf': {
      const t = httpTarget(r);
      return {
        resource: t.resource,
        action: remoteConnection(r.sourceIp, geo),
        resourceRole: 'TARGET',
        entity: recordEntity(r, net),
      };
    }
    default:
      break;
  }
  return {
    resource: { resourceType: 'Other', otherDetails: { logType: r.type } },
    action: remoteConnection(r.sourceIp, geo),
    resourceRole: 'TARGET',
    entity: recordEntity(r, net),
  };
}
