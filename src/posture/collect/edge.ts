/** Load balancers (ELBv2 with attributes and listeners), WAFv2 web ACLs (associations, logging), CloudFront. */
import { CloudFrontClient, GetDistributionCommand, ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import {
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetLoggingConfigurationCommand,
  GetWebACLCommand,
  ListResourcesForWebACLCommand,
  ListWebACLsCommand,
  type Scope,
  WAFV2Client,
} from '@aws-sdk/client-wafv2';
import { emptyCi } from '../model.js';
import { type Collection, lowerCamel } from './context.js';

type Obj = Record<string, unknown>;
const acct = (col: Collection) => col.accountId ?? 'unknown';

export async function collectElbv2(col: Collection, region: string): Promise<void> {
  const elb = new ElasticLoadBalancingV2Client(col.clientConfig(region));
  const S = 'elbv2';
  const lbs = await col.pages(S, region, 'DescribeLoadBalancers', async (Marker, abortSignal) => {
    const r = await elb.send(new DescribeLoadBalancersCommand({ Marker }), { abortSignal });
    return [r.LoadBalancers ?? [], r.NextMarker];
  });
  if (!lbs) return;
  col.collectedTypes.add('AWS::ElasticLoadBalancingV2::LoadBalancer');
  let listenersComplete = true;
  await Promise.all(
    lbs.map(async (lb) => {
      const LoadBalancerArn = lb.LoadBalancerArn!;
      const [attrs, listeners] = await Promise.all([
        col.call(S, region, 'DescribeLoadBalancerAttributes', (abortSignal) =>
          elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn }), { abortSignal }),
        ),
        col.pages(S, region, 'DescribeListeners', async (Marker, abortSignal) => {
          const r = await elb.send(new DescribeListenersCommand({ LoadBalancerArn, Marker }), { abortSignal });
          return [r.Listeners ?? [], r.NextMarker];
        }),
      ]);
      const ci = emptyCi({
        resourceType: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        resourceId: LoadBalancerArn,
        resourceName: lb.LoadBalancerName,
        arn: LoadBalancerArn,
        awsRegion: region,
        awsAccountId: acct(col),
        configuration: lowerCamel(lb) as Obj,
      });
      if (attrs) ci.supplementaryConfiguration.LoadBalancerAttributes = lowerCamel(attrs.Attributes ?? []);
      col.add(ci);
      if (!listeners) listenersComplete = false;
      for (const l of listeners ?? [])
        col.add(
          emptyCi({
            resourceType: 'AWS::ElasticLoadBalancingV2::Listener',
            resourceId: l.ListenerArn!,
            arn: l.ListenerArn,
            awsRegion: region,
            awsAccountId: acct(col),
            configuration: lowerCamel(l) as Obj,
            relationships: [
              {
                resourceType: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
                resourceId: LoadBalancerArn,
                relationshipName: 'Is attached to LoadBalancer',
              },
            ],
          }),
        );
    }),
  );
  // A listener list that failed for one load balancer would let "no HTTP listener" pass for complete.
  if (listenersComplete) col.collectedTypes.add('AWS::ElasticLoadBalancingV2::Listener');
}

/**
 * WAFv2 web ACLs of one scope. REGIONAL ACLs record the load balancers they protect (ListResourcesForWebACL);
 * CLOUDFRONT ACLs (us-east-1 only) are referenced from the distribution's WebACLId instead.
 */
export async function collectWafv2(col: Collection, region: string, scope: Scope): Promise<boolean> {
  const waf = new WAFV2Client(col.clientConfig(region));
  const S = 'wafv2';
  const acls = await col.pages(S, region, 'ListWebACLs', async (NextMarker, abortSignal) => {
    const r = await waf.send(new ListWebACLsCommand({ Scope: scope, NextMarker, Limit: 100 }), { abortSignal });
    return [r.WebACLs ?? [], (r.WebACLs ?? []).length > 0 ? r.NextMarker : undefined];
  });
  if (!acls) return false;
  await Promise.all(
    acls.map(async (a) => {
      const ResourceArn = a.ARN!;
      const [full, logging, assoc] = await Promise.all([
        col.call(S, region, 'GetWebACL', (abortSignal) =>
          waf.send(new GetWebACLCommand({ Id: a.Id, Name: a.Name, Scope: scope }), { abortSignal }),
        ),
        col.callOptional(
          S,
          region,
          'GetLoggingConfiguration',
          (abortSignal) => waf.send(new GetLoggingConfigurationCommand({ ResourceArn }), { abortSignal }),
          ['WAFNonexistentItemException'],
        ),
        scope === 'REGIONAL'
          ? col.call(S, region, 'ListResourcesForWebACL', (abortSignal) =>
              waf.send(new ListResourcesForWebACLCommand({ WebACLArn: ResourceArn }), { abortSignal }),
            )
          : Promise.resolve(undefined),
      ]);
      const ci = emptyCi({
        resourceType: 'AWS::WAFv2::WebACL',
        resourceId: a.Id!,
        resourceName: a.Name,
        arn: ResourceArn,
        awsRegion: scope === 'CLOUDFRONT' ? 'global' : region,
        awsAccountId: acct(col),
        configuration: { ...(lowerCamel(full?.WebACL ?? a) as Obj), arn: ResourceArn, scope },
      });
      delete ci.configuration.aRN;
      if (logging !== undefined)
        ci.supplementaryConfiguration.LoggingConfiguration =
          logging === null ? null : lowerCamel(logging.LoggingConfiguration ?? null);
      if (assoc) ci.supplementaryConfiguration.AssociatedResources = assoc.ResourceArns ?? [];
      col.add(ci);
    }),
  );
  return true;
}

/** CloudFront is global: collected once (from us-east-1), with the full DistributionConfig of each distribution. */
export async function collectCloudFront(col: Collection): Promise<void> {
  const cf = new CloudFrontClient(col.clientConfig('us-east-1'));
  const S = 'cloudfront';
  const list = await col.pages(S, 'global', 'ListDistributions', async (Marker, abortSignal) => {
    const r = await cf.send(new ListDistributionsCommand({ Marker }), { abortSignal });
    const l = r.DistributionList;
    return [l?.Items ?? [], l?.IsTruncated ? l.NextMarker : undefined];
  });
  if (!list) return;
  col.collectedTypes.add('AWS::CloudFront::Distribution');
  await Promise.all(
    list.map(async (d) => {
      const full = await col.call(S, 'global', 'GetDistribution', (abortSignal) =>
        cf.send(new GetDistributionCommand({ Id: d.Id }), { abortSignal }),
      );
      const dist = full?.Distribution;
      // Without GetDistribution the summary still carries origins, behaviours, WebACLId and the certificate.
      const configuration: Obj = dist
        ? { ...(lowerCamel(dist) as Obj), arn: dist.ARN }
        : { id: d.Id, arn: d.ARN, domainName: d.DomainName, distributionConfig: lowerCamel(d) };
      delete configuration.aRN;
      col.add(
        emptyCi({
          resourceType: 'AWS::CloudFront::Distribution',
          resourceId: d.Id!,
          arn: d.ARN,
          awsRegion: 'us-east-1',
          awsAccountId: acct(col),
          configuration,
        }),
      );
    }),
  );
}
