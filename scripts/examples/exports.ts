import { BASE_TIME, END_TIME, MINUTE, SECOND } from './clock.js';
import { ctRecord, endpoint, iamDate } from './cloudtrail.js';
import type { Ctx } from './context.js';
import { awsService, type Identity, roleSession } from './identity.js';
import { rngFor } from './prng.js';
import { DEV, REGION, ROLES, UA } from './world.js';

/**
 * "Loose" CloudTrail exports outside the AWSLogs layout, from the development account 444455556666:
 * an NDJSON file (one record per line, as pipelines and `jq -c` write them) and a file of EventBridge
 * "AWS API Call via CloudTrail" envelopes (one per line, as a Firehose target of an EventBridge rule writes them).
 */

const HOME_IP = '2.125.160.218';

function devIdentity(session: string, key: string, created: number): Identity {
  return roleSession(ROLES.devDeveloper, session, key, created, { account: DEV });
}

export function generateExports(ctx: Ctx): void {
  const r = rngFor('exports');
  const records: Record<string, unknown>[] = [];
  const dana = devIdentity('dana.kim@anycompany.example', r.iamId('ASIA', 16), BASE_TIME + 4 * MINUTE);
  const deployer = roleSession(
    ROLES.devLambdaDeploy,
    'gha-orders-api-deploy',
    r.iamId('ASIA', 16),
    BASE_TIME + 30 * MINUTE,
    { account: DEV },
  );
  const cli = `${UA.cliOffice} md/command#`;
  const add = (
    time: number,
    id: Identity,
    svc: string,
    name: string,
    params: Record<string, unknown> | null,
    readOnly: boolean,
    extra: Record<string, unknown> = {},
  ) =>
    records.push(
      ctRecord(r, {
        time,
        identity: id,
        source: `${svc}.amazonaws.com`,
        name,
        ip: id === deployer ? '20.42.11.61' : HOME_IP,
        ua: id === deployer ? UA.githubCli : `${cli}${svc}.${name.replace(/\d{8}(v\d)?$/, '').toLowerCase()}`,
        params,
        readOnly,
        endpoint: endpoint(svc),
        account: DEV,
        ...extra,
      }),
    );
  // A developer debugging a Lambda function from home: reads, logs, a stack update.
  const reads: [string, string, Record<string, unknown> | null][] = [
    ['sts', 'GetCallerIdentity', null],
    ['lambda', 'ListFunctions20150331', null],
    ['lambda', 'GetFunction20150331v2', { functionName: 'orders-api' }],
    [
      'logs',
      'DescribeLogStreams',
      { logGroupName: '/aws/lambda/orders-api', orderBy: 'LastEventTime', descending: true },
    ],
    ['logs', 'FilterLogEvents', { logGroupName: '/aws/lambda/orders-api', filterPattern: 'ERROR' }],
    ['cloudformation', 'DescribeStacks', { stackName: 'orders-api-dev' }],
    ['cloudformation', 'DescribeStackEvents', { stackName: 'orders-api-dev' }],
    ['ec2', 'DescribeInstances', { instancesSet: {}, filterSet: {} }],
    ['ssm', 'GetParameter', { name: '/orders-api/dev/db-url', withDecryption: false }],
  ];
  let t = BASE_TIME + 4 * MINUTE + 30 * SECOND;
  while (t < END_TIME - 10 * MINUTE && records.length < 90) {
    const [svc, name, params] = r.pick(reads);
    add(t, dana, svc, name, params, true);
    t += r.int(20, 110) * SECOND;
  }
  const stack = `arn:aws:cloudformation:${REGION}:${DEV}:stack/orders-api-dev/5b2e8c40-97d1-11f1-a3c2-0affd3e4b5c7`;
  add(
    BASE_TIME + 41 * MINUTE,
    dana,
    'cloudformation',
    'UpdateStack',
    { stackName: 'orders-api-dev', usePreviousTemplate: true, capabilities: ['CAPABILITY_IAM'] },
    false,
    {
      response: { stackId: stack },
    },
  );
  // CloudFormation performs the update on the developer's behalf.
  records.push(
    ctRecord(r, {
      time: BASE_TIME + 41 * MINUTE + 20 * SECOND,
      identity: { ...dana, invokedBy: 'cloudformation.amazonaws.com' },
      source: 'lambda.amazonaws.com',
      name: 'UpdateFunctionConfiguration20150331v2',
      ip: 'cloudformation.amazonaws.com',
      ua: 'cloudformation.amazonaws.com',
      params: { functionName: 'orders-api', memorySize: 1024, timeout: 20 },
      response: { functionName: 'orders-api', memorySize: 1024, timeout: 20, lastUpdateStatus: 'InProgress' },
      readOnly: false,
      account: DEV,
    }),
  );
  // The CI deploy role publishes a new version.
  for (const [k, name, params] of [
    [
      0,
      'UpdateFunctionCode20150331v2',
      {
        functionName: 'orders-api',
        s3Bucket: 'anycompany-dev-artifacts',
        s3Key: 'orders-api/7f3c1e2.zip',
        publish: false,
      },
    ],
    [1, 'PublishVersion20150331', { functionName: 'orders-api', description: '7f3c1e2' }],
    [2, 'UpdateAlias20150331', { functionName: 'orders-api', name: 'live', functionVersion: '112' }],
  ] as const)
    add(BASE_TIME + 52 * MINUTE + k * 9 * SECOND, deployer, 'lambda', name, params, false);
  records.sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)));
  ctx.writer.jsonLines(
    'exports/dev-account-cloudtrail.ndjson',
    'cloudtrail',
    records.map((value) => ({ value })),
    false,
  );

  // EventBridge rule on the dev account's default bus: mutating IAM/Lambda/S3/EC2 calls and console sign-ins.
  const envelopes: Record<string, unknown>[] = [];
  const envelope = (detailType: string, rec: Record<string, unknown>) =>
    envelopes.push({
      version: '0',
      id: r.uuid(),
      'detail-type': detailType,
      source: `aws.${String(rec.eventSource).replace('.amazonaws.com', '')}`,
      account: DEV,
      time: rec.eventTime,
      region: rec.awsRegion,
      resources: [],
      detail: rec,
    });
  let e = BASE_TIME + 6 * MINUTE;
  const signIn = ctRecord(r, {
    time: e,
    identity: {
      type: 'AssumedRole',
      principalId: `${ROLES.devDeveloper.id}:dana.kim@anycompany.example`,
      arn: `arn:aws:sts::${DEV}:assumed-role/${ROLES.devDeveloper.name}/dana.kim@anycompany.example`,
      accountId: DEV,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: ROLES.devDeveloper.id,
          arn: ROLES.devDeveloper.arn,
          accountId: DEV,
          userName: ROLES.devDeveloper.name,
        },
        webIdFederationData: {},
        attributes: { creationDate: '2026-11-01T00:04:00Z', mfaAuthenticated: 'false' },
      },
    },
    source: 'signin.amazonaws.com',
    name: 'ConsoleLogin',
    ip: HOME_IP,
    ua: UA.officeBrowser,
    response: { ConsoleLogin: 'Success' },
    additional: {
      LoginTo: 'https://us-east-1.console.aws.amazon.com/lambda/home?region=us-east-1',
      MobileVersion: 'No',
      MFAUsed: 'No',
    },
    eventType: 'AwsConsoleSignIn',
    readOnly: false,
    account: DEV,
  });
  envelope('AWS Console Sign In via CloudTrail', signIn);
  const role = `arn:aws:iam::${DEV}:role/orders-api-worker`;
  const calls: [string, string, Record<string, unknown>, Record<string, unknown> | null][] = [
    [
      'iam',
      'CreateRole',
      {
        roleName: 'orders-api-worker',
        assumeRolePolicyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
      },
      {
        role: {
          path: '/',
          roleName: 'orders-api-worker',
          roleId: 'AROAZ7QKW3MBQ8DSX2VHA',
          arn: role,
          createDate: iamDate(e + 8 * MINUTE),
        },
      },
    ],
    [
      'iam',
      'AttachRolePolicy',
      { roleName: 'orders-api-worker', policyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' },
      null,
    ],
    [
      'iam',
      'PutRolePolicy',
      {
        roleName: 'orders-api-worker',
        policyName: 'orders-table-rw',
        policyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:${REGION}:${DEV}:table/orders-dev"}]}`,
      },
      null,
    ],
    [
      'lambda',
      'CreateFunction20150331',
      {
        functionName: 'orders-api-worker',
        runtime: 'nodejs20.x',
        role,
        handler: 'worker.handler',
        timeout: 30,
        memorySize: 256,
        architectures: ['arm64'],
      },
      {
        functionName: 'orders-api-worker',
        functionArn: `arn:aws:lambda:${REGION}:${DEV}:function:orders-api-worker`,
        state: 'Pending',
      },
    ],
    [
      'ec2',
      'CreateSecurityGroup',
      { groupName: 'orders-api-worker', groupDescription: 'orders-api worker egress', vpcId: 'vpc-0c2e4a6b8d0f1a3c5' },
      { requestId: r.uuid(), _return: true, groupId: 'sg-0f2a4c6e8b0d1f3a5' },
    ],
    [
      'ec2',
      'AuthorizeSecurityGroupEgress',
      {
        groupId: 'sg-0f2a4c6e8b0d1f3a5',
        ipPermissions: {
          items: [
            {
              ipProtocol: 'tcp',
              fromPort: 443,
              toPort: 443,
              groups: {},
              ipRanges: { items: [{ cidrIp: '10.20.0.0/16' }] },
              ipv6Ranges: {},
              prefixListIds: {},
            },
          ],
        },
      },
      { requestId: r.uuid(), _return: true },
    ],
    [
      's3',
      'PutBucketPolicy',
      {
        bucketName: 'anycompany-dev-artifacts',
        Host: 'anycompany-dev-artifacts.s3.us-east-1.amazonaws.com',
        bucketPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyInsecureTransport',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: ['arn:aws:s3:::anycompany-dev-artifacts', 'arn:aws:s3:::anycompany-dev-artifacts/*'],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
        policy: '',
      },
      null,
    ],
    [
      'lambda',
      'AddPermission20150331v2',
      {
        functionName: 'orders-api-worker',
        statementId: 'sqs-invoke',
        action: 'lambda:InvokeFunction',
        principal: 'sqs.amazonaws.com',
      },
      {
        statement:
          '{"Sid":"sqs-invoke","Effect":"Allow","Principal":{"Service":"sqs.amazonaws.com"},"Action":"lambda:InvokeFunction"}',
      },
    ],
    ['iam', 'DeleteRolePolicy', { roleName: 'orders-api-legacy', policyName: 'orders-table-rw' }, null],
    ['iam', 'DeleteRole', { roleName: 'orders-api-legacy' }, null],
  ];
  for (const [svc, name, params, response] of calls) {
    e += r.int(2, 9) * MINUTE + r.int(0, 59) * SECOND;
    envelope(
      'AWS API Call via CloudTrail',
      ctRecord(r, {
        time: e,
        identity: dana,
        source: `${svc}.amazonaws.com`,
        name,
        region: svc === 'iam' ? 'us-east-1' : REGION,
        ip: HOME_IP,
        ua: UA.console,
        params,
        response,
        readOnly: false,
        endpoint: endpoint(svc),
        account: DEV,
        console: true,
      }),
    );
  }
  // A service-initiated event (AwsServiceEvent) delivered through the same rule.
  e += 3 * MINUTE;
  envelope(
    'AWS Service Event via CloudTrail',
    ctRecord(r, {
      time: e,
      identity: awsService('kms.amazonaws.com'),
      source: 'kms.amazonaws.com',
      name: 'RotateKey',
      ip: 'kms.amazonaws.com',
      ua: 'kms.amazonaws.com',
      readOnly: false,
      eventType: 'AwsServiceEvent',
      resources: [
        {
          accountId: DEV,
          type: 'AWS::KMS::Key',
          ARN: `arn:aws:kms:${REGION}:${DEV}:key/1c9e7a5b-3d2f-4e6a-8b0c-9d1e2f3a4b5c`,
        },
      ],
      account: DEV,
    }),
  );
  ctx.writer.jsonLines(
    'exports/dev-account-eventbridge-events.jsonl',
    'cloudtrail',
    envelopes.map((value) => ({ value })),
    false,
  );
}
