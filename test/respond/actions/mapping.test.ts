import { describe, expect, it } from 'vitest';
import { allFindingTypes } from '../../../src/detect/detectors/index.js';
import { ALL_RULES } from '../../../src/posture/rules/index.js';
import { validateParams } from '../../../src/respond/actions/define.js';
import { actionByName } from '../../../src/respond/actions/index.js';
import {
  DEFAULT_MAPPING,
  extractParams,
  getPath,
  lookupFindingType,
  mergeMapping,
  parsePath,
  resolveRemediation,
} from '../../../src/respond/mapping.js';

const gd = (type: string, detail: Record<string, unknown>) => ({
  version: '0',
  source: 'aws.guardduty',
  'detail-type': 'GuardDuty Finding',
  time: '2026-11-29T06:00:00Z',
  detail: {
    type,
    severity: 8,
    title: `${type} title`,
    description: 'desc',
    updatedAt: '2026-11-29T05:59:00.000Z',
    ...detail,
  },
});
const instance = {
  resourceType: 'Instance',
  instanceDetails: {
    instanceId: 'i-0abc123',
    networkInterfaces: [{ networkInterfaceId: 'eni-1', subnetId: 'subnet-0aa', vpcId: 'vpc-0bb' }],
  },
};
const accessKey = (userType: string, userName: string, key: string) => ({
  resourceType: 'AccessKey',
  accessKeyDetails: { accessKeyId: key, userName, userType, principalId: 'AIDA' },
});
const config = (rule: string, resourceType: string, resourceId: string, compliance = 'NON_COMPLIANT') => ({
  source: 'aws.config',
  'detail-type': 'Config Rules Compliance Change',
  detail: {
    configRuleName: rule,
    resourceType,
    resourceId,
    awsRegion: 'eu-west-1',
    awsAccountId: '123456789012',
    newEvaluationResult: { complianceType: compliance },
  },
});

/** Resolve and validate against the action's own schema: the mapping produces runnable params. */
function resolveValid(event: unknown, env: NodeJS.ProcessEnv = {}) {
  const r = resolveRemediation(DEFAULT_MAPPING, event, env)!;
  expect(r, 'mapped').toBeDefined();
  expect(r.missing).toEqual([]);
  const action = actionByName(r.action)!;
  const v = validateParams(action, r.params);
  expect(v.ok, JSON.stringify(v)).toBe(true);
  return r;
}

describe('paths', () => {
  it('dots, indexes and quoted keys', () => {
    expect(parsePath("$.a.b[0]['AWS::CloudTrail::Trail']")).toEqual(['a', 'b', 0, 'AWS::CloudTrail::Trail']);
    expect(parsePath('a.b')).toBeUndefined();
    expect(parsePath('$.a..b')).toBeUndefined();
    expect(getPath({ a: [{ b: 1 }] }, '$.a[0].b')).toBe(1);
    expect(getPath({ a: 1 }, '$.a.b.c')).toBeUndefined();
  });
});

describe('default mapping table', () => {
  it('every entry names an existing action; keys are known finding types / rule names', () => {
    const types = allFindingTypes();
    for (const [key, e] of Object.entries(DEFAULT_MAPPING.findingTypes)) {
      expect(actionByName(e!.action), `${key} → ${e!.action}`).toBeDefined();
      const known = key.endsWith('*') ? types.some((t) => t.startsWith(key.slice(0, -1))) : types.includes(key);
      expect(known, `finding type ${key} is emitted by some detector`).toBe(true);
    }
    const rules = new Set(ALL_RULES.map((r) => r.meta.name));
    for (const [key, e] of Object.entries(DEFAULT_MAPPING.configRules)) {
      expect(actionByName(e!.action), `${key} → ${e!.action}`).toBeDefined();
      expect(rules.has(key), `Config rule ${key} exists in src/posture/rules`).toBe(true);
    }
  });
  it('every finding type the detectors emit has a default', () => {
    expect(allFindingTypes().filter((t) => !lookupFindingType(DEFAULT_MAPPING, t))).toEqual([]);
  });
  it('exact keys win over wildcards; the longest wildcard wins', () => {
    expect(lookupFindingType(DEFAULT_MAPPING, 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B')!.entry.action).toBe(
      'iam-delete-login-profile',
    );
    expect(lookupFindingType(DEFAULT_MAPPING, 'UnauthorizedAccess:IAMUser/TorIPCaller')!.key).toBe(
      'UnauthorizedAccess:IAMUser/*',
    );
  });
});

describe('resolving events to runnable parameters', () => {
  it('compromised instance → quarantine', () => {
    const r = resolveValid(gd('CryptoCurrency:EC2/BitcoinTool.B!DNS', { resource: instance }));
    expect(r).toMatchObject({
      action: 'ec2-quarantine-instance',
      params: { instanceId: 'i-0abc123' },
      matched: { table: 'findingTypes', key: 'CryptoCurrency:EC2/*', on: 'CryptoCurrency:EC2/BitcoinTool.B!DNS' },
    });
  });
  it('SSH brute force → NACL deny of the remote address in the instance subnet', () => {
    const r = resolveValid(
      gd('UnauthorizedAccess:EC2/SSHBruteForce', {
        resource: instance,
        service: {
          action: {
            actionType: 'NETWORK_CONNECTION',
            networkConnectionAction: { remoteIpDetails: { ipAddressV4: '198.51.100.7' } },
          },
        },
      }),
    );
    expect(r.params).toEqual({ ip: '198.51.100.7', subnetId: 'subnet-0aa' });
  });
  it('port probe → the first probing address', () => {
    const r = resolveValid(
      gd('Recon:EC2/PortProbeUnprotectedPort', {
        resource: instance,
        service: {
          action: {
            portProbeAction: { portProbeDetails: [{ remoteIpDetails: { ipAddressV4: '203.0.113.9' } }] },
          },
        },
      }),
    );
    expect(r.params.ip).toBe('203.0.113.9');
  });
  it('credentials: key deactivation; instance credentials outside AWS → role sessions revoked up to the finding', () => {
    const k = resolveValid(
      gd('UnauthorizedAccess:IAMUser/TorIPCaller', { resource: accessKey('IAMUser', 'alice', 'AKIAEXAMPLE000000001') }),
    );
    expect(k.params).toEqual({ accessKeyId: 'AKIAEXAMPLE000000001', userName: 'alice' });
    const s = resolveValid(
      gd('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', {
        resource: accessKey('AssumedRole', 'web-role', 'ASIAEXAMPLE000000001'),
      }),
    );
    expect(s).toMatchObject({
      action: 'iam-revoke-role-sessions',
      params: { roleName: 'web-role', issuedBefore: '2026-11-29T05:59:00.000Z' },
    });
  });
  it('CloudTrail disabled: trail from GuardDuty affectedResources or Vigil evidence', () => {
    const aws = resolveValid(
      gd('Stealth:IAMUser/CloudTrailLoggingDisabled', {
        service: { action: { awsApiCallAction: { affectedResources: { 'AWS::CloudTrail::Trail': 'main' } } } },
      }),
    );
    expect(aws.params).toEqual({ trailName: 'main' });
    const vigil = resolveValid(
      gd('Stealth:IAMUser/CloudTrailLoggingDisabled', { explanation: { evidence: { trail: 'org-trail' } } }),
    );
    expect(vigil.params).toEqual({ trailName: 'org-trail' });
  });
  it('public bucket finding → bucket Block Public Access', () => {
    const r = resolveValid(
      gd('Policy:S3/BucketAnonymousAccessGranted', {
        resource: { s3BucketDetails: [{ name: 'logs', type: 'Destination' }] },
      }),
    );
    expect(r).toMatchObject({ action: 's3-block-public-access-bucket', params: { bucket: 'logs' } });
  });
  it(`root usage notifies; the URL stays \${env:…} in the params (expanded only when sending)`, () => {
    const r = resolveValid(gd('Policy:IAMUser/RootCredentialUsage', {}));
    expect(r.action).toBe('notify-webhook');
    expect(r.params).toMatchObject({
      url: `\${env:VIGIL_NOTIFY_URL}`,
      title: 'Policy:IAMUser/RootCredentialUsage title',
      severity: 8,
    });
  });
  it('Config NON_COMPLIANT → action; COMPLIANT and unmapped rules → nothing', () => {
    expect(resolveValid(config('restricted-ssh', 'AWS::EC2::SecurityGroup', 'sg-0123abcd')).params).toEqual({
      groupId: 'sg-0123abcd',
      ports: [22],
    });
    expect(
      resolveRemediation(DEFAULT_MAPPING, config('restricted-ssh', 'AWS::EC2::SecurityGroup', 'sg-1', 'COMPLIANT')),
    ).toBeUndefined();
    expect(resolveRemediation(DEFAULT_MAPPING, config('eip-attached', 'AWS::EC2::EIP', 'eipalloc-1'))).toBeUndefined();
    expect(resolveValid(config('s3-bucket-level-public-access-prohibited', 'AWS::S3::Bucket', 'logs')).action).toBe(
      's3-block-public-access-bucket',
    );
  });
  it(`mapped values, templates and \${env:} literals`, () => {
    expect(
      resolveValid(config('rds-snapshots-public-prohibited', 'AWS::RDS::DBClusterSnapshot', 'snap-c')).params,
    ).toEqual({ snapshotId: 'snap-c', snapshotType: 'cluster' });
    expect(
      resolveValid(config('rds-snapshots-public-prohibited', 'AWS::RDS::DBSnapshot', 'snap-i')).params.snapshotType,
    ).toBe('instance');
    const b = resolveValid(config('dynamodb-in-backup-plan', 'AWS::DynamoDB::Table', 'orders'), {
      VIGIL_BACKUP_PLAN_ID: 'plan-1',
    });
    expect(b.params).toEqual({
      backupPlanId: 'plan-1',
      resourceArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
    });
    const unset = resolveRemediation(
      DEFAULT_MAPPING,
      config('dynamodb-in-backup-plan', 'AWS::DynamoDB::Table', 'orders'),
      {},
    )!;
    expect(unset.missing).toEqual(['backupPlanId (environment variable VIGIL_BACKUP_PLAN_ID is not set)']);
  });
  it('a missing path is reported by parameter name', () => {
    const r = resolveRemediation(DEFAULT_MAPPING, gd('Backdoor:EC2/Spambot', {}), {})!;
    expect(r.missing).toEqual(['instanceId ($.detail.resource.instanceDetails.instanceId)']);
    expect(extractParams({ action: 'x', params: { a: { path: '$.nope', default: 3 } } }, {}).params).toEqual({ a: 3 });
  });
});

describe('user overrides', () => {
  it('replace an entry, add one, disable one with null', () => {
    const m = mergeMapping(DEFAULT_MAPPING, {
      findingTypes: {
        'UnauthorizedAccess:EC2/SSHBruteForce': {
          action: 'wafv2-block-ip',
          params: {
            ip: '$.detail.service.action.networkConnectionAction.remoteIpDetails.ipAddressV4',
            ipSetName: 'bl',
            ipSetId: 'id-1',
          },
        },
        'Trojan:EC2/DNSDataExfiltration': null,
      },
      configRules: {
        'eip-attached': {
          action: 'tag-resource',
          params: { resource: '$.detail.resourceId', tags: { unused: 'true' } },
        },
      },
    });
    const ssh = resolveRemediation(
      m,
      gd('UnauthorizedAccess:EC2/SSHBruteForce', {
        service: { action: { networkConnectionAction: { remoteIpDetails: { ipAddressV4: '198.51.100.7' } } } },
      }),
    )!;
    expect(ssh).toMatchObject({
      action: 'wafv2-block-ip',
      params: { ip: '198.51.100.7', ipSetName: 'bl', ipSetId: 'id-1' },
    });
    expect(resolveRemediation(m, gd('Trojan:EC2/DNSDataExfiltration', { resource: instance }))).toBeUndefined();
    expect(resolveRemediation(m, gd('Trojan:EC2/DropPoint', { resource: instance }))!.action).toBe(
      'ec2-quarantine-instance',
    );
    expect(resolveRemediation(m, config('eip-attached', 'AWS::EC2::EIP', 'eipalloc-0a'))!.params).toEqual({
      resource: 'eipalloc-0a',
      tags: { unused: 'true' },
    });
    // The default table is not modified.
    expect(DEFAULT_MAPPING.configRules['eip-attached']).toBeUndefined();
  });
});
