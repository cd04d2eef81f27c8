import { compliant, defineRule, insufficient, nonCompliant } from '../../rule.js';
import { activeTrails, trailsOf } from '../trail.js';
import { arr, field } from '../util.js';

/** Buckets covered by a trail's S3 data-event selectors ('*' = all buckets). */
function s3DataBuckets(sel: unknown[], adv: unknown[]): string[] {
  const out: string[] = [];
  for (const e of sel)
    for (const d of arr(field(e, 'dataResources')))
      if (field(d, 'type') === 'AWS::S3::Object')
        for (const v of arr(field(d, 'values'))) {
          const m = /^arn:aws[\w-]*:s3:::([^/]*)/.exec(String(v));
          out.push(m && m[1] !== '' ? m[1]! : '*');
        }
  for (const a of adv) {
    const fs = arr(field(a, 'fieldSelectors'));
    if (!fs.some((f) => field(f, 'field') === 'resources.type' && arr(field(f, 'equals')).includes('AWS::S3::Object')))
      continue;
    const arnSel = fs.find((f) => field(f, 'field') === 'resources.ARN');
    if (!arnSel) out.push('*');
    else
      for (const v of arr(field(arnSel, 'startsWith') ?? field(arnSel, 'equals')))
        out.push(/s3:::([^/]+)/.exec(String(v))?.[1] ?? '*');
  }
  return out;
}

export const rule = defineRule(
  {
    name: 'cloudtrail-s3-dataevents-enabled',
    resourceTypes: ['AWS::::Account'],
    triggers: ['Periodic'],
    parameters: [{ name: 'S3BucketNames', type: 'list', description: 'Buckets that must have data-event logging' }],
    severity: 'LOW',
    title: 'A trail logs S3 data events',
    description:
      'Checks whether at least one AWS CloudTrail trail is logging Amazon S3 data events for all (or the given) buckets.',
    risk: 'Without object-level logging, reads and writes of sensitive objects leave no trace.',
    remediation: 'Add an S3 data-event selector (AWS::S3::Object) to a trail.',
    frameworks: ['cis-aws-4.0.1:3.8', 'cis-aws-4.0.1:3.9'],
  },
  (ci, p, ctx) => {
    if (!ctx.known('AWS::CloudTrail::Trail')) return insufficient('CloudTrail trails were not collected');
    const covered = new Set<string>();
    for (const t of activeTrails(trailsOf(ctx, ci.resourceId)))
      for (const b of s3DataBuckets(t.eventSelectors, t.advancedEventSelectors)) covered.add(b);
    const want = Array.isArray(p.S3BucketNames) && p.S3BucketNames.length > 0 ? p.S3BucketNames : ['*'];
    const missing = covered.has('*') ? [] : want.filter((b) => !covered.has(b));
    if (missing.length > 0)
      return nonCompliant(
        want[0] === '*' && want.length === 1
          ? `no trail logs S3 data events for all buckets (covered: ${[...covered].join(', ') || 'none'})`
          : `no S3 data-event logging for ${missing.join(', ')}`,
        { path: 'supplementaryConfiguration.EventSelectors', value: [...covered] },
      );
    return compliant(`S3 data events logged for ${covered.has('*') ? 'all buckets' : want.join(', ')}`);
  },
);
