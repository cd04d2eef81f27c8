import { describe, expect, it } from 'vitest';
import { passwordPolicyWeakness } from '../../src/detect/detectors/cloudtrail-rules.js';
import { openGeo } from '../../src/detect/geo.js';
import { ThreatIntel } from '../../src/detect/intel.js';
import { parseAwsIpRanges } from '../../src/detect/ip-ranges.js';
import { ct, ctAll, MIN, only, run, T0, types } from './helpers.js';

const geo = openGeo();

describe('Stealth:IAMUser/CloudTrailLoggingDisabled', () => {
  const ev = (name: string, extra: Record<string, unknown> = {}) =>
    ct({ eventSource: 'cloudtrail.amazonaws.com', eventName: name, requestParameters: { name: 'main' }, ...extra });
  it('fires on successful StopLogging and DeleteTrail', () => {
    expect(types(run([ev('StopLogging')]))).toEqual(['Stealth:IAMUser/CloudTrailLoggingDisabled']);
    const f = only(run([ev('DeleteTrail')]), 'Stealth:IAMUser/CloudTrailLoggingDisabled');
    expect(f.severity).toBe(2);
    expect(f.resource.resourceType).toBe('AccessKey');
    expect(f.service.action.actionType).toBe('AWS_API_CALL');
    expect(f.explanation.reason).toContain('DeleteTrail');
  });
  it('does not fire on failed calls, StartLogging or an UpdateTrail that keeps its bucket', () => {
    expect(types(run([ev('StopLogging', { errorCode: 'AccessDenied' })]))).toEqual([]);
    expect(types(run([ev('StartLogging')]))).toEqual([]);
    expect(types(run([ev('UpdateTrail', { requestParameters: { name: 'main', s3BucketName: 'logs' } })]))).toEqual([]);
  });
});

describe('Stealth:IAMUser/PasswordPolicyChange', () => {
  const upd = (rp: Record<string, unknown>) => ct({ eventName: 'UpdateAccountPasswordPolicy', requestParameters: rp });
  const strong = {
    minimumPasswordLength: 14,
    requireSymbols: true,
    requireNumbers: true,
    requireUppercaseCharacters: true,
    requireLowercaseCharacters: true,
    passwordReusePrevention: 24,
  };
  it('grades severity by weakness points with the boundaries of mediumPoints (3) and highPoints (5)', () => {
    expect(passwordPolicyWeakness(strong).points).toBe(0);
    expect(only(run([upd(strong)]), 'Stealth:IAMUser/PasswordPolicyChange').severity).toBe(2);
    // 2 points (below medium): two missing classes.
    expect(
      only(
        run([upd({ ...strong, requireSymbols: false, requireNumbers: false })]),
        'Stealth:IAMUser/PasswordPolicyChange',
      ).severity,
    ).toBe(2);
    // exactly 3 points → Medium.
    expect(
      only(
        run([upd({ ...strong, requireSymbols: false, requireNumbers: false, requireUppercaseCharacters: false })]),
        'Stealth:IAMUser/PasswordPolicyChange',
      ).severity,
    ).toBe(5);
    // exactly 5 points → High (length 6 = 2, three classes = 3).
    const weak = {
      ...strong,
      minimumPasswordLength: 6,
      requireSymbols: false,
      requireNumbers: false,
      requireUppercaseCharacters: false,
    };
    expect(passwordPolicyWeakness(weak).points).toBe(5);
    expect(only(run([upd(weak)]), 'Stealth:IAMUser/PasswordPolicyChange').severity).toBe(8);
  });
  it('DeleteAccountPasswordPolicy is High; failures are ignored', () => {
    expect(
      only(run([ct({ eventName: 'DeleteAccountPasswordPolicy' })]), 'Stealth:IAMUser/PasswordPolicyChange').severity,
    ).toBe(8);
    expect(types(run([ct({ eventName: 'DeleteAccountPasswordPolicy', errorCode: 'NoSuchEntity' })]))).toEqual([]);
  });
});

describe('S3 configuration changes', () => {
  const s3 = (name: string, rp: Record<string, unknown>) =>
    ct({ eventSource: 's3.amazonaws.com', eventName: name, requestParameters: { bucketName: 'data', ...rp } });
  it('ServerAccessLoggingDisabled only for an empty logging status', () => {
    const f = only(
      run([s3('PutBucketLogging', { BucketLoggingStatus: { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' } })]),
      'Stealth:S3/ServerAccessLoggingDisabled',
    );
    expect(f.resource.resourceType).toBe('S3Bucket');
    expect(
      types(
        run([
          s3('PutBucketLogging', {
            BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'logs', TargetPrefix: 'x/' } },
          }),
        ]),
      ),
    ).toEqual([]);
  });
  it('Block Public Access: any flag false or a delete; all true is fine', () => {
    const cfg = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    expect(types(run([s3('PutBucketPublicAccessBlock', { PublicAccessBlockConfiguration: cfg })]))).toEqual([]);
    const f = only(
      run([s3('PutBucketPublicAccessBlock', { PublicAccessBlockConfiguration: { ...cfg, BlockPublicPolicy: false } })]),
      'Policy:S3/BucketBlockPublicAccessDisabled',
    );
    expect(f.explanation.reason).toContain('BlockPublicPolicy');
    expect(types(run([ct({ eventSource: 's3.amazonaws.com', eventName: 'DeleteAccountPublicAccessBlock' })]))).toEqual([
      'Policy:S3/AccountBlockPublicAccessDisabled',
    ]);
  });
  it('public grants: AllUsers / public-read / Principal "*" → anonymous; AuthenticatedUsers → public; conditional policy → none', () => {
    const acl = (uri: string) =>
      s3('PutBucketAcl', {
        AccessControlPolicy: { AccessControlList: { Grant: [{ Grantee: { URI: uri }, Permission: 'READ' }] } },
      });
    expect(types(run([acl('http://acs.amazonaws.com/groups/global/AllUsers')]))).toEqual([
      'Policy:S3/BucketAnonymousAccessGranted',
    ]);
    expect(types(run([acl('http://acs.amazonaws.com/groups/global/AuthenticatedUsers')]))).toEqual([
      'Policy:S3/BucketPublicAccessGranted',
    ]);
    expect(types(run([s3('PutBucketAcl', { 'x-amz-acl': ['public-read'] })]))).toEqual([
      'Policy:S3/BucketAnonymousAccessGranted',
    ]);
    const pol = (stmt: Record<string, unknown>) =>
      s3('PutBucketPolicy', { bucketPolicy: { Version: '2012-10-17', Statement: [stmt] } });
    expect(
      only(
        run([pol({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' })]),
        'Policy:S3/BucketAnonymousAccessGranted',
      ).severity,
    ).toBe(8);
    expect(
      types(
        run([
          pol({
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } },
          }),
        ]),
      ),
    ).toEqual([]);
    expect(
      types(run([pol({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:*' })])),
    ).toEqual([]);
  });
});

describe('root, flow-log deletion and password data', () => {
  const root = {
    type: 'Root',
    principalId: '111122223333',
    arn: 'arn:aws:iam::111122223333:root',
    accountId: '111122223333',
  };
  it('RootCredentialUsage for root calls, ShortTerm for AssumeRoot sessions, none for service-invoked calls', () => {
    expect(
      only(run([ct({ userIdentity: root, eventName: 'ListUsers' })]), 'Policy:IAMUser/RootCredentialUsage').severity,
    ).toBe(2);
    expect(types(run([ct({ userIdentity: { ...root, sessionContext: { assumedRoot: 'true' } } })]))).toEqual([
      'Policy:IAMUser/ShortTermRootCredentialUsage',
    ]);
    expect(types(run([ct({ userIdentity: { ...root, invokedBy: 'support.amazonaws.com' } })]))).toEqual([]);
    expect(types(run([ct({})]))).toEqual([]);
  });
  it('repeated root calls of one API aggregate', () => {
    const res = run(
      ctAll([{ userIdentity: root }, { userIdentity: root }, { userIdentity: root, eventName: 'GetAccountSummary' }]),
    );
    expect(res.findings.map((f) => [f.type, f.service.count])).toEqual([
      ['Policy:IAMUser/RootCredentialUsage', 2],
      ['Policy:IAMUser/RootCredentialUsage', 1],
    ]);
  });
  it('DeleteFlowLogs → DefenseImpairment (High); GetPasswordData success → UnsecuredCredentials', () => {
    expect(
      only(
        run([
          ct({
            eventSource: 'ec2.amazonaws.com',
            eventName: 'DeleteFlowLogs',
            requestParameters: { DeleteFlowLogsRequest: { FlowLogId: { content: 'fl-1' } } },
          }),
        ]),
        'DefenseImpairment:EC2/DisableOrModifyTools',
      ).severity,
    ).toBe(8);
    expect(
      types(
        run([
          ct({
            eventSource: 'ec2.amazonaws.com',
            eventName: 'GetPasswordData',
            requestParameters: { instanceId: 'i-1' },
          }),
        ]),
      ),
    ).toEqual(['CredentialAccess:EC2/UnsecuredCredentials']);
    expect(
      types(
        run([
          ct({
            eventSource: 'ec2.amazonaws.com',
            eventName: 'GetPasswordData',
            errorCode: 'Client.UnauthorizedOperation',
          }),
        ]),
      ),
    ).toEqual([]);
  });
});

describe('callers', () => {
  it('PenTest user agents (Kali, Parrot, Pentoo) and not ordinary Linux', () => {
    const ua = (s: string) => ct({ userAgent: s });
    expect(types(run([ua('aws-cli/1.16.301 Python/3.7.6 Linux/5.4.0-kali3-amd64 botocore/1.13.37')]))).toEqual([
      'PenTest:IAMUser/KaliLinux',
    ]);
    expect(types(run([ua('Boto3/1.26 Python/3.11 Linux/6.0.0-parrot1-amd64')]))).toEqual([
      'PenTest:IAMUser/ParrotLinux',
    ]);
    expect(types(run([ua('aws-cli/2 Linux/5.15.32-pentoo')]))).toEqual(['PenTest:IAMUser/PentooLinux']);
    expect(types(run([ua('aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0-13-amd64')]))).toEqual([]);
    expect(
      types(
        run([
          ct({
            userAgent: 'aws-cli/1.16 Linux/5.4.0-kali3',
            eventSource: 's3.amazonaws.com',
            eventName: 'GetObject',
            requestParameters: { bucketName: 'b', key: 'k' },
          }),
        ]),
      ),
    ).toEqual(['PenTest:S3/KaliLinux']);
  });

  it('Tor and listed callers split into Recon (List/Describe/Get) and UnauthorizedAccess, custom lists → .Custom', () => {
    const intel = new ThreatIntel();
    intel.add('192.0.2.66', 'tor-exits', 'tor');
    intel.add('198.51.100.0/24', 'my-list', 'custom');
    intel.add('203.0.113.7', 'feed', 'malicious', 'Botnet');
    const res = run(
      [
        ct({ sourceIPAddress: '192.0.2.66', eventName: 'ListBuckets' }),
        ct({ sourceIPAddress: '192.0.2.66', eventName: 'CreateUser' }),
        ct({ sourceIPAddress: '198.51.100.9', eventName: 'DescribeInstances' }),
        ct({ sourceIPAddress: '198.51.100.9', eventName: 'RunInstances' }),
        ct({ sourceIPAddress: '203.0.113.7', eventName: 'PutRolePolicy' }),
        ct({ sourceIPAddress: '198.51.99.255', eventName: 'RunInstances' }), // just outside the /24
      ],
      { intel },
    );
    expect(types(res).sort()).toEqual([
      'Recon:IAMUser/MaliciousIPCaller.Custom',
      'Recon:IAMUser/TorIPCaller',
      'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
      'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
      'UnauthorizedAccess:IAMUser/TorIPCaller',
    ]);
    const tor = only(res, 'Recon:IAMUser/TorIPCaller');
    expect(tor.service.evidence?.threatIntelligenceDetails).toEqual([
      { threatListName: 'tor-exits', threatNames: ['tor-exits'] },
    ]);
  });

  it('InstanceCredentialExfiltration.OutsideAWS: instance session from outside the ranges only', () => {
    const ranges = parseAwsIpRanges(
      JSON.stringify({
        syncToken: '1',
        prefixes: [{ ip_prefix: '18.236.0.0/15', region: 'us-west-2', service: 'EC2' }],
        ipv6_prefixes: [],
      }),
      'ip-ranges.json',
    );
    const session = (ip: string, pid = 'AROAEXAMPLEROLE:i-0a1b2c3d4e5f60718', key = 'ASIAEXAMPLE') =>
      ct({
        sourceIPAddress: ip,
        eventName: 'ListBuckets',
        userIdentity: {
          type: 'AssumedRole',
          principalId: pid,
          arn: `arn:aws:sts::111122223333:assumed-role/web/${pid.split(':')[1]}`,
          accountId: '111122223333',
          accessKeyId: key,
          sessionContext: { sessionIssuer: { userName: 'web' } },
        },
      });
    const f = only(
      run([session('81.2.69.142')], { awsRanges: ranges }),
      'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    );
    expect(f.severity).toBe(8);
    expect(f.explanation.reason).toContain('in no prefix');
    expect(types(run([session('18.237.1.2')], { awsRanges: ranges }))).toEqual([]); // inside 18.236.0.0/15
    expect(types(run([session('81.2.69.142', 'AROAEXAMPLEROLE:botocore-session')], { awsRanges: ranges }))).toEqual([]);
    expect(types(run([session('81.2.69.142', undefined, 'AKIAEXAMPLE')], { awsRanges: ranges }))).toEqual([]);
    expect(types(run([session('ec2.amazonaws.com')], { awsRanges: ranges }))).toEqual([]);
    expect(types(run([session('81.2.69.142')]))).toEqual([]); // no ip-ranges.json: silent
  });

  it('ConsoleLoginSuccess.B: two countries within the window (bundled GeoIP), not beyond it', () => {
    const login = (ip: string, at: number) =>
      ct(
        {
          eventSource: 'signin.amazonaws.com',
          eventName: 'ConsoleLogin',
          sourceIPAddress: ip,
          responseElements: { ConsoleLogin: 'Success' },
        },
        at,
      );
    // 81.2.69.142 is in GB, 8.8.8.8 in the US per the bundled database.
    expect(geo.lookup('81.2.69.142')?.countryCode).toBe('GB');
    expect(geo.lookup('8.8.8.8')?.countryCode).toBe('US');
    const f = only(
      run([login('81.2.69.142', T0), login('8.8.8.8', T0 + 60 * MIN)], { geo }),
      'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
    );
    expect(f.explanation.reason).toMatch(/GB then US 60 min apart/);
    expect(types(run([login('81.2.69.142', T0), login('8.8.8.8', T0 + 60 * MIN + 1000)], { geo }))).toEqual([]);
    expect(types(run([login('81.2.69.142', T0), login('81.2.69.160', T0 + MIN)], { geo }))).toEqual([]);
  });
});

describe('AnomalousBehavior (first-seen baseline)', () => {
  const H = 3_600_000;
  const params = { 'iam-anomalous-behavior': { learningPeriodHours: 24 } };
  it('a new API of a family, from a new network, after the learning period', () => {
    const base = ctAll([{ eventName: 'ListUsers', sourceIPAddress: '81.2.69.142' }], T0);
    const later = ct(
      { eventName: 'CreateAccessKey', sourceIPAddress: '8.8.8.8', userAgent: 'Boto3/1.26.0 Python/3.11' },
      T0 + 25 * H,
    );
    const f = only(run([...base, later], { geo, params }), 'Persistence:IAMUser/AnomalousBehavior');
    expect(f.severity).toBe(5);
    expect(f.explanation.reason).toContain('first CreateAccessKey');
  });
  it('not before the learning period ends (boundary) nor from the usual network and user agent', () => {
    const base = ct({ eventName: 'ListUsers' }, T0);
    expect(
      types(
        run([base, ct({ eventName: 'CreateAccessKey', sourceIPAddress: '8.8.8.8' }, T0 + 24 * H - 1000)], {
          geo,
          params,
        }),
      ),
    ).toEqual([]);
    expect(
      types(
        run([base, ct({ eventName: 'CreateAccessKey', sourceIPAddress: '8.8.8.8' }, T0 + 24 * H)], { geo, params }),
      ),
    ).toEqual(['Persistence:IAMUser/AnomalousBehavior']);
    expect(types(run([base, ct({ eventName: 'CreateAccessKey' }, T0 + 48 * H)], { geo, params }))).toEqual([]);
  });
  it('discovery is Low, impact and exfiltration High', () => {
    const base = ct({ eventName: 'CreateUser', sourceIPAddress: '81.2.69.142' }, T0);
    const res = run(
      [
        base,
        ct({ eventName: 'ListRoles', sourceIPAddress: '8.8.8.8' }, T0 + 30 * H),
        ct({ eventSource: 's3.amazonaws.com', eventName: 'DeleteBucket', sourceIPAddress: '8.8.8.8' }, T0 + 30 * H),
        ct(
          { eventSource: 'ec2.amazonaws.com', eventName: 'ModifySnapshotAttribute', sourceIPAddress: '8.8.8.8' },
          T0 + 30 * H,
        ),
      ],
      { geo, params },
    );
    expect(res.findings.map((f) => [f.type, f.severity])).toEqual([
      ['Discovery:IAMUser/AnomalousBehavior', 2],
      ['Exfiltration:IAMUser/AnomalousBehavior', 8],
      ['Impact:IAMUser/AnomalousBehavior', 8],
    ]);
  });
});
