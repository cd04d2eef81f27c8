import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../src/respond/actions/index.js';
import { leastPrivilegePolicy, MANAGED_POLICY_LIMIT } from '../../../src/respond/permissions.js';

describe('leastPrivilegePolicy', () => {
  it('unions the permissions of the actions, one statement per service, sorted and de-duplicated', () => {
    const r = leastPrivilegePolicy([
      { name: 'quarantine', permissions: ['ec2:DescribeInstances', 'ec2:ModifyInstanceAttribute', 'ec2:CreateTags'] },
      {
        name: 'revoke',
        permissions: ['ec2:DescribeSecurityGroups', 'ec2:RevokeSecurityGroupIngress', 'ec2:describeinstances'],
      },
      { name: 'bpa', permissions: ['s3:PutBucketPublicAccessBlock', 's3:GetBucketPublicAccessBlock'] },
      { name: 'detach', permissions: ['elasticloadbalancing:DeregisterTargets', 'auto-scaling:DetachInstances'] },
      { name: 'notify', permissions: ['http:POST'] },
    ]);
    expect(r.policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'VigilRemediationAutoScaling',
          Effect: 'Allow',
          Action: ['auto-scaling:DetachInstances'],
          Resource: '*',
        },
        {
          Sid: 'VigilRemediationEc2',
          Effect: 'Allow',
          Action: [
            'ec2:CreateTags',
            'ec2:DescribeInstances',
            'ec2:DescribeSecurityGroups',
            'ec2:ModifyInstanceAttribute',
            'ec2:RevokeSecurityGroupIngress',
          ],
          Resource: '*',
        },
        {
          Sid: 'VigilRemediationElasticloadbalancing',
          Effect: 'Allow',
          Action: ['elasticloadbalancing:DeregisterTargets'],
          Resource: '*',
        },
        {
          Sid: 'VigilRemediationS3',
          Effect: 'Allow',
          Action: ['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
          Resource: '*',
        },
      ],
    });
    expect(r.neededBy['ec2:DescribeInstances']).toEqual(['quarantine', 'revoke']);
    expect(r.skipped).toEqual(['notify: http:POST is not an IAM action']);
    expect(r.size).toBe(JSON.stringify(r.policy).length);
  });

  it('covers every permission every shipped action declares, as a valid policy document', () => {
    const r = leastPrivilegePolicy(ACTIONS);
    const allowed = new Set(r.policy.Statement.flatMap((s) => s.Action.map((a) => a.toLowerCase())));
    for (const a of ACTIONS)
      for (const p of a.permissions)
        if (!p.startsWith('http:')) expect(allowed.has(p.toLowerCase()), `${a.name} ${p}`).toBe(true);
    const sids = r.policy.Statement.map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);
    for (const s of r.policy.Statement) {
      expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/); // IAM: Sid is alphanumeric
      expect(s.Effect).toBe('Allow');
      expect(s.Resource).toBe('*');
      for (const a of s.Action) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z0-9*]+$/);
    }
    expect(r.size).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
  });
});
