/**
 * Readers for AWS::CloudFront::Distribution CIs. Config records `configuration.distributionConfig` with CloudFront's
 * `{quantity, items}` lists (lowerCamel); the reader also takes a bare DistributionConfig.
 */
import type { ConfigItem } from '../model.js';
import { arr, field, isObj } from './util.js';

export const DISTRIBUTION = 'AWS::CloudFront::Distribution';
type Obj = Record<string, unknown>;

export function distConfig(ci: ConfigItem): Obj {
  const d = field(ci.configuration, 'distributionConfig');
  return isObj(d) ? d : ci.configuration;
}

/** `{quantity, items}` → items (also accepts a plain array). */
export function items(v: unknown): Obj[] {
  const it = Array.isArray(v) ? v : field(v, 'items');
  return arr(it).filter(isObj);
}

export function origins(ci: ConfigItem): Obj[] {
  return items(field(distConfig(ci), 'origins'));
}

/** S3 REST origins: those with an s3OriginConfig (website endpoints are custom origins). */
export function s3Origins(ci: ConfigItem): Obj[] {
  return origins(ci).filter((o) => isObj(field(o, 's3OriginConfig')));
}

export function customOrigins(ci: ConfigItem): Obj[] {
  return origins(ci).filter((o) => isObj(field(o, 'customOriginConfig')));
}

/** Default cache behavior first, then the ordered cache behaviors, each with a label for annotations. */
export function behaviors(ci: ConfigItem): { label: string; b: Obj }[] {
  const dc = distConfig(ci);
  const out: { label: string; b: Obj }[] = [];
  const def = field(dc, 'defaultCacheBehavior');
  if (isObj(def)) out.push({ label: 'default cache behavior', b: def });
  for (const b of items(field(dc, 'cacheBehaviors')))
    out.push({ label: `cache behavior ${String(field(b, 'pathPattern') ?? '?')}`, b });
  return out;
}

export const originLabel = (o: Obj) => String(field(o, 'id') ?? field(o, 'domainName') ?? '?');
