import { compliant, defineRule, nonCompliant } from '../../rule.js';

const TYPES = [
  'ACM::Certificate',
  'AutoScaling::AutoScalingGroup',
  'CloudFormation::Stack',
  'CodeBuild::Project',
  'DynamoDB::Table',
  'EC2::CustomerGateway',
  'EC2::Instance',
  'EC2::InternetGateway',
  'EC2::NetworkAcl',
  'EC2::NetworkInterface',
  'EC2::RouteTable',
  'EC2::SecurityGroup',
  'EC2::Subnet',
  'EC2::Volume',
  'EC2::VPC',
  'EC2::VPNConnection',
  'EC2::VPNGateway',
  'ElasticLoadBalancing::LoadBalancer',
  'ElasticLoadBalancingV2::LoadBalancer',
  'RDS::DBInstance',
  'RDS::DBSecurityGroup',
  'RDS::DBSnapshot',
  'RDS::DBSubnetGroup',
  'RDS::EventSubscription',
  'Redshift::Cluster',
  'Redshift::ClusterParameterGroup',
  'Redshift::ClusterSecurityGroup',
  'Redshift::ClusterSnapshot',
  'Redshift::ClusterSubnetGroup',
  'S3::Bucket',
].map((t) => `AWS::${t}`);

const params = [];
for (let i = 1; i <= 6; i++) {
  params.push({
    name: `tag${i}Key`,
    type: 'string' as const,
    ...(i === 1 ? { default: 'CostCenter', required: true } : {}),
    description: `Key of required tag ${i}`,
  });
  params.push({
    name: `tag${i}Value`,
    type: 'list' as const,
    description: `Optional allowed value(s) of required tag ${i}, comma-separated`,
  });
}

export const rule = defineRule(
  {
    name: 'required-tags',
    resourceTypes: TYPES,
    parameters: params,
    severity: 'LOW',
    title: 'Resources carry the required tags',
    description: 'Checks whether resources have the tags you specify (and, when given, one of the allowed values).',
    risk: 'Untagged resources escape cost allocation, ownership and automation policies.',
    remediation: 'Add the missing tags (or use tag policies and CloudFormation stack tags).',
  },
  (ci, p) => {
    for (let i = 1; i <= 6; i++) {
      const key = p[`tag${i}Key`];
      if (typeof key !== 'string' || key === '') continue;
      const allowed = p[`tag${i}Value`];
      const v = ci.tags[key];
      if (v === undefined) return nonCompliant(`missing tag ${key}`, { path: `tags.${key}`, value: null });
      if (Array.isArray(allowed) && allowed.length > 0 && !allowed.includes(v))
        return nonCompliant(`tag ${key}=${v} is not one of ${allowed.join(', ')}`, { path: `tags.${key}`, value: v });
    }
    return compliant('all required tags present');
  },
);
