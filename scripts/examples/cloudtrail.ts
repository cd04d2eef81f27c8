import { BASE_TIME, END_TIME, isoSeconds, keyStamp, MINUTE, SECOND, WINDOW, windowStart } from './clock.js';
import { awsLogsDir, type Ctx, groupBy } from './context.js';
import { awsService, type Identity, roleSession, rootConsole, userConsole, userWithKey } from './identity.js';
import { type Rng, rngFor } from './prng.js';
import { type S3Request, s3Host } from './s3model.js';
import { SCENARIO_IDS, TIMES } from './scenarios.js';
import {
  ALB,
  ALL_HOSTS,
  ATTACKERS,
  BUCKETS,
  CI_RUNNER_IPS,
  HOSTS,
  type Host,
  KMS_KEYS,
  OFFICE_IPS,
  PROD,
  REGION,
  REGION2,
  ROLES,
  SG,
  TRAILS,
  UA,
  USERS,
  VPC_APP,
  WEB_ACLS,
} from './world.js';
import type { Tagged } from './writer.js';

/**
 * CloudTrail (logs.md §1): management events of the whole account plus S3 data events of the
 * anycompany-customer-exports bucket, delivered by the multi-region trail "management-events" as
 * `{"Records":[…]}` gzip files per region and five-minute window.
 */

export interface CtEvent {
  time: number;
  identity: Identity;
  source: string;
  name: string;
  region?: string;
  ip: string;
  ua: string;
  params?: Record<string, unknown> | null;
  response?: Record<string, unknown> | null;
  additional?: Record<string, unknown>;
  /** ConsoleLogin failures carry only a message. */
  error?: { code?: string; message: string };
  readOnly: boolean;
  resources?: Record<string, unknown>[];
  eventType?: 'AwsApiCall' | 'AwsConsoleSignIn' | 'AwsServiceEvent';
  category?: 'Management' | 'Data';
  requestId?: string;
  /** Endpoint host for tlsDetails; omitted for calls made by AWS services. */
  endpoint?: string;
  console?: boolean;
  account?: string;
  version?: string;
  scenarios?: string[];
}

/** Render one CloudTrail record with the key order CloudTrail writes. */
export function ctRecord(r: Rng, e: CtEvent): Record<string, unknown> {
  const rec: Record<string, unknown> = {
    eventVersion: e.version ?? (e.category === 'Data' ? '1.10' : '1.11'),
    userIdentity: e.identity,
    eventTime: isoSeconds(e.time),
    eventSource: e.source,
    eventName: e.name,
    awsRegion: e.region ?? REGION,
    sourceIPAddress: e.ip,
    userAgent: e.ua,
  };
  if (e.error?.code) rec.errorCode = e.error.code;
  if (e.error) rec.errorMessage = e.error.message;
  rec.requestParameters = e.params ?? null;
  rec.responseElements = e.response ?? null;
  if (e.additional) rec.additionalEventData = e.additional;
  if (e.eventType !== 'AwsConsoleSignIn') rec.requestID = e.requestId ?? r.uuid();
  rec.eventID = r.uuid();
  rec.readOnly = e.readOnly;
  if (e.resources) rec.resources = e.resources;
  rec.eventType = e.eventType ?? 'AwsApiCall';
  rec.managementEvent = e.category !== 'Data';
  rec.recipientAccountId = e.account ?? PROD;
  rec.eventCategory = e.category ?? 'Management';
  if (e.endpoint)
    rec.tlsDetails = {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: e.endpoint,
    };
  if (e.console) rec.sessionCredentialFromConsole = 'true';
  return rec;
}

/** Regional endpoint host of a service. */
export function endpoint(service: string, region = REGION): string {
  if (service === 'iam') return 'iam.amazonaws.com';
  if (service === 'signin') return 'signin.aws.amazon.com';
  return `${service}.${region}.amazonaws.com`;
}

/** CloudTrail prints IAM dates like `Nov 1, 2026, 1:34:10 AM`. */
export function iamDate(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const h = d.getUTCHours();
  const hh = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${months[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${hh}:${mm}:${ss} ${h < 12 ? 'AM' : 'PM'}`;
}

function s3Additional(r: Rng, out = 0, inBytes = 0, hostId?: string): Record<string, unknown> {
  return {
    SignatureVersion: 'SigV4',
    CipherSuite: 'TLS_AES_128_GCM_SHA256',
    bytesTransferredIn: inBytes,
    AuthenticationMethod: 'AuthHeader',
    'x-amz-id-2': hostId ?? `${r.base64(76)}=`,
    bytesTransferredOut: out,
  };
}

class Trail {
  readonly events: CtEvent[] = [];
  /** One temporary key per instance profile session (instances keep their credentials for hours). */
  readonly instanceKeys = new Map<string, string>();
  constructor(readonly r: Rng) {}

  add(e: CtEvent): CtEvent {
    this.events.push(e);
    return e;
  }

  /** An API call by a principal: sets the endpoint from the event source. */
  call(e: Omit<CtEvent, 'endpoint'> & { endpoint?: string }): CtEvent {
    const service = e.source.replace('.amazonaws.com', '');
    return this.add({
      ...e,
      endpoint: e.endpoint ?? endpoint(service === 'monitoring' ? 'monitoring' : service, e.region),
    });
  }
}

function instanceIdentity(t: Trail, h: Host, invokedBy?: string): Identity {
  let key = t.instanceKeys.get(h.name);
  if (!key) t.instanceKeys.set(h.name, (key = t.r.iamId('ASIA', 16)));
  return roleSession(h.role!, h.eni.instance!, key, BASE_TIME - 47 * MINUTE, { ec2: true, invokedBy });
}

function ssmAgents(t: Trail): void {
  const r = t.r;
  for (const h of ALL_HOSTS.filter((x) => x.role)) {
    const offset = r.int(0, 299) * SECOND;
    for (let ms = BASE_TIME + offset; ms < END_TIME; ms += 5 * MINUTE) {
      const subnet = h.eni.subnet;
      t.call({
        time: ms + r.int(0, 900),
        identity: instanceIdentity(t, h),
        source: 'ssm.amazonaws.com',
        name: 'UpdateInstanceInformation',
        ip: h.egressIp,
        ua: UA.ssmAgent,
        params: {
          instanceId: h.eni.instance,
          agentVersion: '3.3.987.0',
          agentName: 'amazon-ssm-agent',
          platformType: 'Linux',
          platformName: h.platform,
          platformVersion: h.platform === 'Ubuntu' ? '24.04' : '2023',
          iPAddress: h.eni.ip,
          computerName: `ip-${h.eni.ip.replaceAll('.', '-')}.ec2.internal`,
          agentStatus: 'Active',
          availabilityZone: subnet.az,
          availabilityZoneId: subnet.azId,
        },
        readOnly: false,
      });
      if ((ms - BASE_TIME - offset) % (10 * MINUTE) === 0)
        t.call({
          time: ms + r.int(1_000, 3_000),
          identity: instanceIdentity(t, h),
          source: 'ssm.amazonaws.com',
          name: 'ListInstanceAssociations',
          ip: h.egressIp,
          ua: UA.ssmAgent,
          params: { instanceId: h.eni.instance, maxResults: 20 },
          readOnly: true,
        });
    }
  }
}

const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${PROD}:secret:prod/shop-web/db-credentials-Xk3Pq9`;

function webServers(t: Trail): void {
  const r = t.r;
  for (const h of [HOSTS.web1, HOSTS.web2]) {
    for (let ms = BASE_TIME + r.int(60, 600) * SECOND; ms < END_TIME; ms += r.int(12, 18) * MINUTE) {
      t.call({
        time: ms,
        identity: instanceIdentity(t, h),
        source: 'secretsmanager.amazonaws.com',
        name: 'GetSecretValue',
        ip: h.egressIp,
        ua: UA.javaSdk,
        params: { secretId: 'prod/shop-web/db-credentials' },
        readOnly: true,
      });
      t.add({
        time: ms,
        identity: instanceIdentity(t, h, 'secretsmanager.amazonaws.com'),
        source: 'kms.amazonaws.com',
        name: 'Decrypt',
        ip: 'secretsmanager.amazonaws.com',
        ua: 'secretsmanager.amazonaws.com',
        params: {
          encryptionContext: { SecretARN: SECRET_ARN, SecretVersionId: 'c8f1e2d3-4b5a-4c6d-9e7f-8a9b0c1d2e3f' },
          encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        },
        resources: [{ accountId: PROD, type: 'AWS::KMS::Key', ARN: KMS_KEYS.secrets }],
        readOnly: true,
      });
    }
    // At start-up the app tries to read its own tags, which its role does not allow.
    t.call({
      time: BASE_TIME + r.int(20, 50) * SECOND,
      identity: instanceIdentity(t, h),
      source: 'ec2.amazonaws.com',
      name: 'DescribeTags',
      ip: h.egressIp,
      ua: UA.javaSdk,
      params: { filterSet: { items: [{ name: 'resource-id', valueSet: { items: [{ value: h.eni.instance }] } }] } },
      error: {
        code: 'Client.UnauthorizedOperation',
        message: `You are not authorized to perform this operation. User: arn:aws:sts::${PROD}:assumed-role/${h.role!.name}/${h.eni.instance} is not authorized to perform: ec2:DescribeTags because no identity-based policy allows the ec2:DescribeTags action`,
      },
      readOnly: true,
    });
  }
}

function awsServices(t: Trail): void {
  const r = t.r;
  // CloudTrail encrypts each log file it delivers (SSE-KMS): one GenerateDataKey per file.
  for (const region of [REGION, REGION2])
    for (let ms = BASE_TIME + WINDOW; ms <= END_TIME; ms += WINDOW)
      if (ms < END_TIME)
        t.add({
          time: ms + r.int(5, 50) * SECOND,
          identity: awsService('cloudtrail.amazonaws.com'),
          source: 'kms.amazonaws.com',
          name: 'GenerateDataKey',
          ip: 'cloudtrail.amazonaws.com',
          ua: 'cloudtrail.amazonaws.com',
          params: {
            keySpec: 'AES_256',
            encryptionContext: {
              'aws:cloudtrail:arn': TRAILS.main,
              'aws:s3:arn': `arn:aws:s3:::${BUCKETS.trail}/AWSLogs/${PROD}/CloudTrail/${region}`,
            },
            keyId: KMS_KEYS.trail,
          },
          resources: [{ accountId: PROD, type: 'AWS::KMS::Key', ARN: KMS_KEYS.trail }],
          readOnly: true,
        });
  // AWS Config's recorder describes resources in both regions.
  const configKey = r.iamId('ASIA', 16);
  const configId = (created: number) =>
    roleSession(ROLES.config, 'AWSConfig-Describe', configKey, created, { invokedBy: 'config.amazonaws.com' });
  const describe: [string, Record<string, unknown>][] = [
    ['DescribeInstances', { instancesSet: {}, filterSet: {} }],
    ['DescribeSecurityGroups', { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} }],
    ['DescribeNetworkInterfaces', { networkInterfaceIdSet: {}, filterSet: {} }],
    ['DescribeVolumes', { volumeSet: {}, filterSet: {} }],
    ['DescribeRouteTables', { routeTableIdSet: {}, filterSet: {} }],
  ];
  for (const region of [REGION, REGION2])
    for (let ms = BASE_TIME + r.int(30, 200) * SECOND; ms < END_TIME; ms += 10 * MINUTE)
      for (let k = r.int(2, 4); k > 0; k--) {
        const [name, params] = r.pick(describe);
        t.add({
          time: ms + k * r.int(1, 9) * SECOND,
          identity: configId(BASE_TIME - 22 * MINUTE),
          source: 'ec2.amazonaws.com',
          name,
          region,
          ip: 'config.amazonaws.com',
          ua: 'config.amazonaws.com',
          params,
          readOnly: true,
        });
      }
  // Config notices the security group change (scenario 8) and records the new configuration.
  t.add({
    time: TIMES.sgOpen.start + 24 * SECOND,
    identity: configId(BASE_TIME - 22 * MINUTE),
    source: 'ec2.amazonaws.com',
    name: 'DescribeSecurityGroups',
    ip: 'config.amazonaws.com',
    ua: 'config.amazonaws.com',
    params: { securityGroupSet: {}, securityGroupIdSet: { items: [{ groupId: SG.bastion.id }] }, filterSet: {} },
    readOnly: true,
  });
  // Lambda assumes the order processor's role when it refreshes credentials.
  for (const ms of [BASE_TIME + 4 * MINUTE + 11 * SECOND, BASE_TIME + 64 * MINUTE + 40 * SECOND]) {
    const key = r.iamId('ASIA', 16);
    t.add({
      time: ms,
      identity: awsService('lambda.amazonaws.com'),
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      ip: 'lambda.amazonaws.com',
      ua: 'lambda.amazonaws.com',
      params: { roleArn: ROLES.orderLambda.arn, roleSessionName: 'order-processor' },
      response: {
        credentials: { accessKeyId: key, sessionToken: sessionToken(r), expiration: iamDate(ms + 12 * 60 * MINUTE) },
      },
      resources: [{ accountId: PROD, type: 'AWS::IAM::Role', ARN: ROLES.orderLambda.arn }],
      readOnly: true,
    });
  }
}

function sessionToken(r: Rng): string {
  return `IQoJb3JpZ2luX2VjE${r.base64(140)}`;
}

function terraformRun(t: Trail, start: number, runId: string, change: boolean): void {
  const r = t.r;
  const ip = r.pick(CI_RUNNER_IPS);
  const ci = userWithKey(USERS.ciDeploy);
  let ms = start;
  const next = (lo = 300, hi = 2_500) => (ms += r.int(lo, hi));
  t.call({
    time: ms,
    identity: ci,
    source: 'sts.amazonaws.com',
    name: 'GetCallerIdentity',
    ip,
    ua: `${UA.githubCli} md/command#sts.get-caller-identity`,
    readOnly: true,
  });
  const session = `gha-shop-infra-${runId}`;
  const key = r.iamId('ASIA', 16);
  t.call({
    time: next(),
    identity: ci,
    source: 'sts.amazonaws.com',
    name: 'AssumeRole',
    ip,
    ua: `${UA.githubCli} md/command#sts.assume-role`,
    params: { roleArn: ROLES.terraform.arn, roleSessionName: session, durationSeconds: 3600 },
    response: {
      credentials: { accessKeyId: key, sessionToken: sessionToken(r), expiration: iamDate(ms + 60 * MINUTE) },
      assumedRoleUser: {
        assumedRoleId: `${ROLES.terraform.id}:${session}`,
        arn: `arn:aws:sts::${PROD}:assumed-role/${ROLES.terraform.name}/${session}`,
      },
    },
    resources: [
      {
        accountId: PROD,
        type: 'AWS::IAM::AccessKey',
        ARN: `arn:aws:iam::${PROD}:access-key/${USERS.ciDeploy.accessKey}`,
      },
      { accountId: PROD, type: 'AWS::IAM::Role', ARN: ROLES.terraform.arn },
    ],
    readOnly: true,
  });
  const tf = roleSession(ROLES.terraform, session, key, ms);
  const calls: [string, string, Record<string, unknown> | null][] = [
    ['sts', 'GetCallerIdentity', null],
    ['ec2', 'DescribeVpcs', { vpcSet: { items: [{ vpcId: VPC_APP.id }] }, filterSet: {} }],
    [
      'ec2',
      'DescribeSubnets',
      { subnetSet: {}, filterSet: { items: [{ name: 'vpc-id', valueSet: { items: [{ value: VPC_APP.id }] } }] } },
    ],
    [
      'ec2',
      'DescribeSecurityGroups',
      {
        securityGroupSet: {},
        securityGroupIdSet: { items: [{ groupId: SG.web.id }, { groupId: SG.bastion.id }] },
        filterSet: {},
      },
    ],
    [
      'ec2',
      'DescribeSecurityGroupRules',
      {
        DescribeSecurityGroupRulesRequest: {
          Filter: { Name: 'group-id', Value: { content: SG.web.id, tag: 1 } },
          MaxResults: 1000,
        },
      },
    ],
    [
      'ec2',
      'DescribeInstances',
      {
        instancesSet: { items: [{ instanceId: HOSTS.web1.eni.instance }, { instanceId: HOSTS.web2.eni.instance }] },
        filterSet: {},
      },
    ],
    ['ec2', 'DescribeInstanceAttribute', { instanceId: HOSTS.web1.eni.instance, attribute: 'disableApiTermination' }],
    ['elasticloadbalancing', 'DescribeLoadBalancers', { loadBalancerArns: [ALB.arn] }],
    ['elasticloadbalancing', 'DescribeLoadBalancerAttributes', { loadBalancerArn: ALB.arn }],
    ['elasticloadbalancing', 'DescribeTargetGroups', { targetGroupArns: [ALB.targetGroup] }],
    ['elasticloadbalancing', 'DescribeTargetGroupAttributes', { targetGroupArn: ALB.targetGroup }],
    ['elasticloadbalancing', 'DescribeListeners', { loadBalancerArn: ALB.arn }],
    ['iam', 'GetRole', { roleName: ROLES.shopWeb.name }],
    ['iam', 'ListRolePolicies', { roleName: ROLES.shopWeb.name }],
    ['iam', 'ListAttachedRolePolicies', { roleName: ROLES.shopWeb.name }],
    ['iam', 'GetRole', { roleName: ROLES.orderLambda.name }],
    ['iam', 'ListAttachedRolePolicies', { roleName: ROLES.orderLambda.name }],
    ['rds', 'DescribeDBClusters', { dBClusterIdentifier: 'shop-prod-db' }],
    ['wafv2', 'GetWebACL', { name: WEB_ACLS.shop.name, scope: 'REGIONAL', id: WEB_ACLS.shop.arn.split('/').pop() }],
    ['lambda', 'GetFunction', { functionName: 'order-processor' }],
  ];
  for (const [svc, name, params] of calls)
    t.call({
      time: next(),
      identity: tf,
      source: `${svc}.amazonaws.com`,
      name,
      ip,
      ua: UA.terraform,
      params,
      readOnly: true,
    });
  for (const [name, params] of [
    ['GetBucketPolicy', { policy: '' }],
    ['GetBucketVersioning', { versioning: '' }],
    ['GetBucketEncryption', { encryption: '' }],
  ] as const)
    t.call({
      time: next(),
      identity: tf,
      source: 's3.amazonaws.com',
      name,
      ip,
      ua: UA.terraform,
      params: { bucketName: BUCKETS.exports, Host: s3Host(BUCKETS.exports), ...params },
      additional: s3Additional(r),
      requestId: r.upperHex(16),
      endpoint: s3Host(BUCKETS.exports),
      readOnly: true,
    });
  if (change) {
    const fn = `arn:aws:lambda:${REGION}:${PROD}:function:order-processor`;
    t.call({
      time: next(2_000, 5_000),
      identity: tf,
      source: 'lambda.amazonaws.com',
      name: 'UpdateFunctionCode20150331v2',
      ip,
      ua: UA.terraform,
      params: {
        functionName: 'order-processor',
        s3Bucket: BUCKETS.assets,
        s3Key: 'lambda/order-processor/2026-11-01-0105.zip',
        publish: true,
      },
      response: {
        functionName: 'order-processor',
        functionArn: `${fn}:48`,
        runtime: 'nodejs20.x',
        role: ROLES.orderLambda.arn,
        handler: 'index.handler',
        codeSize: 2_884_213,
        timeout: 30,
        memorySize: 512,
        lastModified: `${isoSeconds(ms).slice(0, -1)}.000+0000`,
        codeSha256: `${r.base64(43)}=`,
        version: '48',
        state: 'Pending',
        lastUpdateStatus: 'InProgress',
        architectures: ['arm64'],
      },
      readOnly: false,
    });
    t.call({
      time: next(),
      identity: tf,
      source: 'ec2.amazonaws.com',
      name: 'CreateTags',
      ip,
      ua: UA.terraform,
      params: {
        resourcesSet: { items: [{ resourceId: HOSTS.web1.eni.instance }, { resourceId: HOSTS.web2.eni.instance }] },
        tagSet: { items: [{ key: 'release', value: 'shop-web-1.43.38' }] },
      },
      response: { requestId: r.uuid(), _return: true },
      readOnly: false,
    });
  }
}

function consoleSession(
  t: Trail,
  u: (typeof USERS)[keyof typeof USERS],
  ip: string,
  start: number,
  browserUa: string,
  failedFirst = false,
): Identity {
  const r = t.r;
  if (failedFirst)
    t.add({
      time: start - 17 * SECOND,
      identity: { type: 'IAMUser', principalId: u.id, accountId: PROD, accessKeyId: '', userName: u.name },
      source: 'signin.amazonaws.com',
      name: 'ConsoleLogin',
      ip,
      ua: browserUa,
      error: { message: 'Failed authentication' },
      response: { ConsoleLogin: 'Failure' },
      additional: {
        LoginTo: 'https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true',
        MobileVersion: 'No',
        MFAUsed: 'No',
      },
      eventType: 'AwsConsoleSignIn',
      readOnly: false,
    });
  t.add({
    time: start,
    identity: { type: 'IAMUser', principalId: u.id, arn: u.arn, accountId: PROD, userName: u.name },
    source: 'signin.amazonaws.com',
    name: 'ConsoleLogin',
    ip,
    ua: browserUa,
    response: { ConsoleLogin: 'Success' },
    additional: {
      LoginTo: 'https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true',
      MobileVersion: 'No',
      MFAIdentifier: `arn:aws:iam::${PROD}:mfa/${u.name}`,
      MFAUsed: 'Yes',
    },
    eventType: 'AwsConsoleSignIn',
    readOnly: false,
  });
  return userConsole(u, r.iamId('ASIA', 16), start, true);
}

function humans(t: Trail): void {
  const r = t.r;
  // alice (admin): morning check of alarms, instances and targets, also in the DR region.
  let ms = BASE_TIME + 8 * MINUTE + 2 * SECOND;
  const alice = consoleSession(t, USERS.alice, OFFICE_IPS[0], ms, UA.officeBrowser);
  const aliceCalls: [string, string, Record<string, unknown> | null, string?][] = [
    ['monitoring', 'DescribeAlarms', { stateValue: 'ALARM', maxRecords: 100 }],
    ['monitoring', 'DescribeAlarms', { maxRecords: 100 }],
    ['ec2', 'DescribeInstances', { instancesSet: {}, filterSet: {} }],
    ['ec2', 'DescribeInstanceStatus', { instancesSet: {}, filterSet: {}, includeAllInstances: true }],
    ['elasticloadbalancing', 'DescribeLoadBalancers', null],
    ['elasticloadbalancing', 'DescribeTargetHealth', { targetGroupArn: ALB.targetGroup }],
    ['rds', 'DescribeDBClusters', null],
    ['ec2', 'DescribeInstances', { instancesSet: {}, filterSet: {} }, REGION2],
    ['ec2', 'DescribeVolumes', { volumeSet: {}, filterSet: {} }, REGION2],
    ['iam', 'ListUsers', null],
    ['iam', 'GetAccountSummary', null],
  ];
  for (const [svc, name, params, region] of aliceCalls) {
    ms += r.int(8, 60) * SECOND;
    t.call({
      time: ms,
      identity: alice,
      source: `${svc}.amazonaws.com`,
      name,
      region,
      ip: OFFICE_IPS[0],
      ua: svc === 'ec2' ? UA.ec2Console : UA.console,
      params,
      readOnly: true,
      console: true,
    });
  }

  // bob (developer): console sign-in (one typo), looks at the bastion's security group and opens SSH to the world.
  ms = BASE_TIME + 30 * MINUTE + 58 * SECOND;
  const bob = consoleSession(t, USERS.bob, OFFICE_IPS[1], ms, UA.officeBrowser, true);
  for (const [name, params] of [
    ['DescribeInstances', { instancesSet: {}, filterSet: {} }],
    ['DescribeSecurityGroups', { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} }],
    [
      'DescribeSecurityGroupRules',
      {
        DescribeSecurityGroupRulesRequest: { Filter: { Name: 'group-id', Value: { content: SG.bastion.id, tag: 1 } } },
      },
    ],
  ] as const) {
    ms += r.int(40, 240) * SECOND;
    t.call({
      time: ms,
      identity: bob,
      source: 'ec2.amazonaws.com',
      name,
      ip: OFFICE_IPS[1],
      ua: UA.ec2Console,
      params,
      readOnly: true,
      console: true,
    });
  }
  const sgr = `sgr-0${r.hex(16)}`;
  t.call({
    time: TIMES.sgOpen.start,
    identity: bob,
    source: 'ec2.amazonaws.com',
    name: 'AuthorizeSecurityGroupIngress',
    ip: OFFICE_IPS[1],
    ua: UA.ec2Console,
    params: {
      groupId: SG.bastion.id,
      ipPermissions: {
        items: [
          {
            ipProtocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            groups: {},
            ipRanges: { items: [{ cidrIp: '0.0.0.0/0', description: 'temporary debug' }] },
            ipv6Ranges: {},
            prefixListIds: {},
          },
        ],
      },
    },
    response: {
      requestId: r.uuid(),
      _return: true,
      securityGroupRuleSet: {
        items: [
          {
            groupOwnerId: PROD,
            groupId: SG.bastion.id,
            securityGroupRuleId: sgr,
            isEgress: false,
            ipProtocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            cidrIpv4: '0.0.0.0/0',
            description: 'temporary debug',
          },
        ],
      },
    },
    readOnly: false,
    console: true,
    scenarios: [SCENARIO_IDS.sgOpen],
  });
  ms = TIMES.sgOpen.start + 9 * SECOND;
  t.call({
    time: ms,
    identity: bob,
    source: 'ec2.amazonaws.com',
    name: 'DescribeSecurityGroupRules',
    ip: OFFICE_IPS[1],
    ua: UA.ec2Console,
    params: {
      DescribeSecurityGroupRulesRequest: { Filter: { Name: 'group-id', Value: { content: SG.bastion.id, tag: 1 } } },
    },
    readOnly: true,
    console: true,
  });

  // bob's CLI (long-term key): lists buckets, is denied a bucket policy, lists log groups.
  const bobCli = userWithKey(USERS.bob);
  ms = BASE_TIME + 47 * MINUTE + 5 * SECOND;
  t.call({
    time: ms,
    identity: bobCli,
    source: 's3.amazonaws.com',
    name: 'ListBuckets',
    ip: OFFICE_IPS[1],
    ua: `${UA.cliOffice} md/command#s3.ls`,
    params: { Host: `s3.${REGION}.amazonaws.com` },
    additional: s3Additional(r),
    requestId: r.upperHex(16),
    endpoint: `s3.${REGION}.amazonaws.com`,
    readOnly: true,
  });
  ms += 31 * SECOND;
  t.call({
    time: ms,
    identity: bobCli,
    source: 's3.amazonaws.com',
    name: 'GetBucketPolicy',
    ip: OFFICE_IPS[1],
    ua: `${UA.cliOffice} md/command#s3api.get-bucket-policy`,
    params: { bucketName: BUCKETS.assets, Host: s3Host(BUCKETS.assets), policy: '' },
    error: { code: 'AccessDenied', message: 'Access Denied' },
    additional: s3Additional(r),
    requestId: r.upperHex(16),
    endpoint: s3Host(BUCKETS.assets),
    readOnly: true,
  });
  ms += 75 * SECOND;
  t.call({
    time: ms,
    identity: bobCli,
    source: 'logs.amazonaws.com',
    name: 'DescribeLogGroups',
    ip: OFFICE_IPS[1],
    ua: `${UA.cliOffice} md/command#logs.describe-log-groups`,
    params: { logGroupNamePrefix: '/aws/lambda/order' },
    readOnly: true,
  });

  // data-analyst: Athena queries over the exports from the office (Boto3 in a notebook).
  const analyst = userWithKey(USERS.dataAnalyst);
  ms = BASE_TIME + 13 * MINUTE + 40 * SECOND;
  for (let q = 0; q < 3; q++) {
    const qid = r.uuid();
    t.call({
      time: ms,
      identity: analyst,
      source: 'athena.amazonaws.com',
      name: 'StartQueryExecution',
      ip: OFFICE_IPS[0],
      ua: UA.boto3,
      params: {
        queryString: [
          'SELECT country, count(*) AS customers FROM customers_export GROUP BY 1 ORDER BY 2 DESC LIMIT 20',
          "SELECT date_trunc('day', signup_ts) AS d, count(*) FROM customers_export GROUP BY 1",
          "SELECT avg(lifetime_value) FROM customers_export WHERE country = 'GB'",
        ][q],
        clientRequestToken: r.uuid(),
        queryExecutionContext: { database: 'analytics' },
        resultConfiguration: { outputLocation: `s3://${BUCKETS.athena}/` },
        workGroup: 'primary',
      },
      response: { queryExecutionId: qid },
      readOnly: false,
    });
    t.add({
      time: ms + 900,
      identity: { ...analyst, invokedBy: 'athena.amazonaws.com' },
      source: 'glue.amazonaws.com',
      name: 'GetTable',
      ip: 'athena.amazonaws.com',
      ua: 'athena.amazonaws.com',
      params: { catalogId: PROD, databaseName: 'analytics', name: 'customers_export' },
      readOnly: true,
    });
    for (let k = 0; k < 3; k++)
      t.call({
        time: ms + (k + 1) * 1_600,
        identity: analyst,
        source: 'athena.amazonaws.com',
        name: 'GetQueryExecution',
        ip: OFFICE_IPS[0],
        ua: UA.boto3,
        params: { queryExecutionId: qid },
        readOnly: true,
      });
    t.call({
      time: ms + 6_000,
      identity: analyst,
      source: 'athena.amazonaws.com',
      name: 'GetQueryResults',
      ip: OFFICE_IPS[0],
      ua: UA.boto3,
      params: { queryExecutionId: qid, maxResults: 1000 },
      readOnly: true,
    });
    ms += r.int(60, 180) * SECOND;
  }
}

function rootLogin(t: Trail): void {
  const r = t.r;
  const scen = [SCENARIO_IDS.rootNoMfa];
  const ip = ATTACKERS.rootLogin;
  const start = TIMES.rootLogin.start;
  t.add({
    time: start,
    identity: { type: 'Root', principalId: PROD, arn: `arn:aws:iam::${PROD}:root`, accountId: PROD, accessKeyId: '' },
    source: 'signin.amazonaws.com',
    name: 'ConsoleLogin',
    ip,
    ua: UA.rootBrowser,
    response: { ConsoleLogin: 'Success' },
    additional: {
      LoginTo: 'https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true',
      MobileVersion: 'No',
      MFAUsed: 'No',
    },
    eventType: 'AwsConsoleSignIn',
    readOnly: false,
    scenarios: scen,
  });
  const root = rootConsole(r.iamId('ASIA', 16), start);
  const calls: [number, string, string, Record<string, unknown> | null][] = [
    [28, 'iam', 'GetAccountSummary', null],
    [53, 'iam', 'ListUsers', null],
    [88, 'iam', 'ListAccessKeys', null],
    [138, 'ec2', 'DescribeRegions', { regionSet: {}, allRegions: false }],
    [238, 'iam', 'ListAccountAliases', null],
  ];
  for (const [s, svc, name, params] of calls)
    t.call({
      time: start + s * SECOND,
      identity: root,
      source: `${svc}.amazonaws.com`,
      name,
      ip,
      ua: UA.console,
      params,
      readOnly: true,
      console: true,
      scenarios: scen,
    });
}

function leakedCiKey(t: Trail): void {
  const r = t.r;
  const ip = ATTACKERS.ciKeyAbuse;
  const ci = userWithKey(USERS.ciDeploy);
  const ua = UA.attackerCli;
  const p = [SCENARIO_IDS.iamPersistence];
  const s = TIMES.persistence.start;
  const created = s + 68 * SECOND;
  const c = (
    time: number,
    svc: string,
    name: string,
    params: Record<string, unknown> | null,
    readOnly: boolean,
    scen: string[],
    extra: Partial<CtEvent> = {},
  ) =>
    t.call({
      time,
      identity: ci,
      source: `${svc}.amazonaws.com`,
      name,
      ip,
      ua,
      params,
      readOnly,
      scenarios: scen,
      ...extra,
    });
  c(s, 'sts', 'GetCallerIdentity', null, true, p);
  c(s + 38 * SECOND, 'iam', 'ListUsers', null, true, p);
  c(s + 56 * SECOND, 'iam', 'ListAttachedUserPolicies', { userName: USERS.ciDeploy.name }, true, p);
  c(created, 'iam', 'CreateUser', { userName: USERS.backdoor.name }, false, p, {
    response: {
      user: {
        path: '/',
        userName: USERS.backdoor.name,
        userId: USERS.backdoor.id,
        arn: USERS.backdoor.arn,
        createDate: iamDate(created),
      },
    },
  });
  c(
    created + 15 * SECOND,
    'iam',
    'AttachUserPolicy',
    { userName: USERS.backdoor.name, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    false,
    p,
  );
  c(created + 31 * SECOND, 'iam', 'CreateAccessKey', { userName: USERS.backdoor.name }, false, p, {
    response: {
      accessKey: {
        userName: USERS.backdoor.name,
        accessKeyId: USERS.backdoor.accessKey,
        status: 'Active',
        createDate: iamDate(created + 31 * SECOND),
      },
    },
  });
  // The backdoor key in use minutes later, from the same address.
  const bd = userWithKey(USERS.backdoor);
  const later = TIMES.persistence.end - 30 * SECOND;
  t.call({
    time: later,
    identity: bd,
    source: 'sts.amazonaws.com',
    name: 'GetCallerIdentity',
    ip,
    ua,
    readOnly: true,
    scenarios: p,
  });
  t.call({
    time: later + 15 * SECOND,
    identity: bd,
    source: 'ec2.amazonaws.com',
    name: 'DescribeInstances',
    ip,
    ua,
    params: { instancesSet: {}, filterSet: {} },
    readOnly: true,
    scenarios: p,
  });
  t.call({
    time: later + 30 * SECOND,
    identity: bd,
    source: 's3.amazonaws.com',
    name: 'ListBuckets',
    ip,
    ua,
    params: { Host: `s3.${REGION}.amazonaws.com` },
    additional: s3Additional(r),
    requestId: r.upperHex(16),
    endpoint: `s3.${REGION}.amazonaws.com`,
    readOnly: true,
    scenarios: p,
  });

  // Scenario 1: the same actor blinds the account's own trail.
  const d = [SCENARIO_IDS.stopLogging];
  const ds = TIMES.stopLogging.start;
  c(ds, 'cloudtrail', 'DescribeTrails', { trailNameList: [], includeShadowTrails: true }, true, d);
  c(ds + 25 * SECOND, 'cloudtrail', 'GetTrailStatus', { name: TRAILS.audit }, true, d);
  c(ds + 52 * SECOND, 'cloudtrail', 'StopLogging', { name: TRAILS.audit }, false, d, {
    resources: [{ accountId: PROD, type: 'AWS::CloudTrail::Trail', ARN: TRAILS.audit }],
  });
  c(TIMES.stopLogging.end, 'cloudtrail', 'DeleteTrail', { name: TRAILS.audit }, false, d, {
    resources: [{ accountId: PROD, type: 'AWS::CloudTrail::Trail', ARN: TRAILS.audit }],
  });
}

function exfilManagement(t: Trail): void {
  const r = t.r;
  const ip = ATTACKERS.exfilTor;
  const id = userWithKey(USERS.dataAnalyst);
  const scen = [SCENARIO_IDS.s3Exfil];
  const s = TIMES.s3Exfil.start;
  t.call({
    time: s,
    identity: id,
    source: 'sts.amazonaws.com',
    name: 'GetCallerIdentity',
    ip,
    ua: UA.exfilCli.replace('s3.cp', 'sts.get-caller-identity'),
    readOnly: true,
    scenarios: scen,
  });
  t.call({
    time: s + 15 * SECOND,
    identity: id,
    source: 's3.amazonaws.com',
    name: 'ListBuckets',
    ip,
    ua: UA.exfilCli.replace('s3.cp', 's3.ls'),
    params: { Host: `s3.${REGION}.amazonaws.com` },
    additional: s3Additional(r),
    requestId: r.upperHex(16),
    endpoint: `s3.${REGION}.amazonaws.com`,
    readOnly: true,
    scenarios: scen,
  });
}

/** S3 data events of the customer-exports bucket, from the shared S3 request model. */
function s3DataEvents(t: Trail, reqs: readonly S3Request[]): void {
  for (const q of reqs) {
    if (q.bucket !== BUCKETS.exports || !q.eventName || !q.identity) continue;
    const resources: Record<string, unknown>[] = q.key
      ? [
          { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${q.bucket}/${q.key}` },
          { accountId: PROD, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${q.bucket}` },
        ]
      : [{ accountId: PROD, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${q.bucket}` }];
    const params: Record<string, unknown> = { bucketName: q.bucket, Host: s3Host(q.bucket) };
    if (q.key) params.key = q.key;
    if (q.prefix !== undefined) Object.assign(params, { 'list-type': '2', prefix: q.prefix, 'encoding-type': 'url' });
    const put = q.eventName === 'PutObject';
    t.add({
      time: q.ms,
      identity: q.identity,
      source: 's3.amazonaws.com',
      name: q.eventName,
      ip: q.remoteIp,
      ua: q.userAgent,
      params,
      response: put
        ? { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': KMS_KEYS.secrets }
        : null,
      additional: s3Additional(t.r, put ? 0 : q.bytesSent, put ? (q.objectSize ?? 0) : 0, q.hostId),
      requestId: q.requestId,
      resources,
      category: 'Data',
      readOnly: !put,
      endpoint: s3Host(q.bucket),
      scenarios: q.scenarios,
    });
  }
}

export function generateCloudTrail(ctx: Ctx, s3: readonly S3Request[]): void {
  const r = rngFor('cloudtrail');
  const t = new Trail(r);
  ssmAgents(t);
  webServers(t);
  awsServices(t);
  terraformRun(t, BASE_TIME + 15 * MINUTE + 20 * SECOND, '11720418533', false);
  terraformRun(t, BASE_TIME + 65 * MINUTE + 40 * SECOND, '11721306790', true);
  humans(t);
  rootLogin(t);
  exfilManagement(t);
  leakedCiKey(t);
  s3DataEvents(t, s3);

  const events = t.events.filter((e) => e.time < END_TIME).sort((a, b) => a.time - b.time);
  const byFile = groupBy(events, (e) => `${e.region ?? REGION}|${windowStart(e.time)}`);
  for (const [key, list] of byFile) {
    const [region, w] = key.split('|');
    const delivered = Number(w) + WINDOW;
    const rows: Tagged<Record<string, unknown>>[] = list.map((e) => ({
      value: ctRecord(r, e),
      scenarios: e.scenarios,
    }));
    const name = `${PROD}_CloudTrail_${region}_${keyStamp(delivered)}_${rngFor(`ct:${key}`).alnum(16)}.json.gz`;
    ctx.writer.cloudTrail(`${awsLogsDir(PROD, 'CloudTrail', region, delivered)}/${name}`, rows);
  }
  const exfil = s3.filter((q) => q.scenarios?.includes(SCENARIO_IDS.s3Exfil));
  ctx.scenarios.fact(SCENARIO_IDS.s3Exfil, 'getObjectCount', exfil.filter((q) => q.eventName === 'GetObject').length);
  ctx.scenarios.fact(
    SCENARIO_IDS.s3Exfil,
    'bytesDownloaded',
    exfil.reduce((n, q) => n + q.bytesSent, 0),
  );
  ctx.scenarios.fact(SCENARIO_IDS.iamPersistence, 'createdUser', USERS.backdoor.arn);
  ctx.scenarios.fact(SCENARIO_IDS.iamPersistence, 'attachedPolicy', 'arn:aws:iam::aws:policy/AdministratorAccess');
  ctx.scenarios.fact(SCENARIO_IDS.iamPersistence, 'newAccessKeyId', USERS.backdoor.accessKey);
  ctx.scenarios.fact(SCENARIO_IDS.stopLogging, 'eventNames', [
    'DescribeTrails',
    'GetTrailStatus',
    'StopLogging',
    'DeleteTrail',
  ]);
  ctx.scenarios.fact(SCENARIO_IDS.rootNoMfa, 'mfaUsed', 'No');
  ctx.scenarios.fact(SCENARIO_IDS.sgOpen, 'rule', {
    groupId: SG.bastion.id,
    protocol: 'tcp',
    port: 22,
    cidr: '0.0.0.0/0',
  });
}
