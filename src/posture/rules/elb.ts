/** Readers for load-balancer CIs (Classic ELB and ELBv2) and their listeners. */
import type { ConfigItem } from '../model.js';
import { arr, field, isObj } from './util.js';

export const ELBV2 = 'AWS::ElasticLoadBalancingV2::LoadBalancer';
export const ELB = 'AWS::ElasticLoadBalancing::LoadBalancer';
export const LISTENER = 'AWS::ElasticLoadBalancingV2::Listener';
export const WEBACL = 'AWS::WAFv2::WebACL';

/**
 * An ELBv2 attribute: Config records `supplementaryConfiguration.LoadBalancerAttributes` as `[{key, value}]`; undefined
 * when the attributes were not recorded, null when recorded without this key.
 */
export function v2Attr(ci: ConfigItem, key: string): string | null | undefined {
  const attrs = ci.supplementaryConfiguration.LoadBalancerAttributes;
  if (attrs === undefined) return undefined;
  for (const a of arr(attrs)) if (field(a, 'key') === key) return String(field(a, 'value') ?? '');
  return null;
}

export const v2AttrPath = (key: string) => `supplementaryConfiguration.LoadBalancerAttributes[key=${key}].value`;

export function lbType(ci: ConfigItem): string {
  return String(field(ci.configuration, 'type') ?? 'application').toLowerCase();
}

export function lbArn(ci: ConfigItem): string {
  return ci.arn ?? String(field(ci.configuration, 'loadBalancerArn') ?? ci.resourceId);
}

export function lbName(ci: ConfigItem): string {
  return String(field(ci.configuration, 'loadBalancerName') ?? ci.resourceName ?? ci.resourceId);
}

/** Classic ELB listeners: Config's `listenerDescriptions[].listener`. */
export function classicListeners(ci: ConfigItem): Record<string, unknown>[] {
  return arr(field(ci.configuration, 'listenerDescriptions'))
    .map((d) => field(d, 'listener') ?? d)
    .filter(isObj);
}
