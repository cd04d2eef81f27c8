import { rng } from './util.js';

const EVENTS = [
  ['ec2.amazonaws.com', 'DescribeInstances', true],
  ['s3.amazonaws.com', 'GetObject', true],
  ['s3.amazonaws.com', 'PutObject', false],
  ['iam.amazonaws.com', 'ListRoles', true],
  ['sts.amazonaws.com', 'AssumeRole', false],
  ['kms.amazonaws.com', 'Decrypt', true],
  ['cloudtrail.amazonaws.com', 'LookupEvents', true],
  ['lambda.amazonaws.com', 'Invoke', false],
] as const;

/** A realistic CloudTrail record (~1.2–1.5 KB as JSON) with varied values. */
export function cloudTrailRecord(i: number, next: () => number): Record<string, unknown> {
  const [eventSource, eventName, readOnly] = EVENTS[Math.floor(next() * EVENTS.length)]!;
  const t = new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const role = `app-role-${Math.floor(next() * 20)}`;
  return {
    eventVersion: '1.11',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLEID${Math.floor(next() * 1000)}:session-${i % 97}`,
      arn: `arn:aws:sts::111122223333:assumed-role/${role}/session-${i % 97}`,
      accountId: '111122223333',
      accessKeyId: `ASIA${Math.floor(next() * 1e12)
        .toString(36)
        .toUpperCase()
        .padEnd(16, 'X')}`,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLEID',
          arn: `arn:aws:iam::111122223333:role/${role}`,
          accountId: '111122223333',
          userName: role,
        },
        attributes: { creationDate: t, mfaAuthenticated: 'false' },
      },
    },
    eventTime: t,
    eventSource,
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: `10.0.${Math.floor(next() * 255)}.${Math.floor(next() * 255)}`,
    userAgent:
      'aws-sdk-java/2.20.160 Linux/5.10.199 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS Java/17.0.9 vendor/Amazon.com_Inc.',
    requestParameters: {
      bucketName: `bucket-${i % 13}`,
      key: `data/${i}/object-${Math.floor(next() * 1e6)}.parquet`,
      maxResults: 100,
    },
    responseElements: readOnly ? null : { requestId: `${i.toString(16)}-resp` },
    requestID: `${Math.floor(next() * 1e16).toString(16)}`,
    eventID: `${Math.floor(next() * 1e8).toString(16)}-1f2e-4c3d-9a8b-${i.toString(16).padStart(12, '0')}`,
    readOnly,
    resources: [{ accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::bucket-${i % 13}` }],
    eventType: 'AwsApiCall',
    managementEvent: eventSource !== 's3.amazonaws.com',
    recipientAccountId: '111122223333',
    eventCategory: eventSource === 's3.amazonaws.com' ? 'Data' : 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `${eventSource}`,
    },
  };
}

export function cloudTrailNdjson(count: number, seed = 1): string {
  const next = rng(seed);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(JSON.stringify(cloudTrailRecord(i, next)));
  return `${lines.join('\n')}\n`;
}

/** CloudTrail S3 delivery files: `{"Records":[…]}` documents of `perFile` records, one per line. */
export function cloudTrailRecordsFiles(count: number, perFile: number, seed = 2): string[] {
  const next = rng(seed);
  const files: string[] = [];
  for (let start = 0; start < count; start += perFile) {
    const records = [];
    for (let i = start; i < Math.min(count, start + perFile); i++) records.push(cloudTrailRecord(i, next));
    files.push(JSON.stringify({ Records: records }));
  }
  return files;
}

/** VPC flow log v2 default-format lines (no header, as CloudWatch Logs delivers them). */
export function vpcFlowLines(count: number, seed = 3): string {
  const next = rng(seed);
  const out: string[] = [];
  const start = 1793491200;
  for (let i = 0; i < count; i++) {
    const ok = next() > 0.1;
    out.push(
      `2 111122223333 eni-0a1b2c3d4e5f${(i % 97).toString(16).padStart(5, '0')} 10.0.${i % 256}.${(i * 7) % 256} ` +
        `${Math.floor(next() * 223) + 1}.${Math.floor(next() * 255)}.${Math.floor(next() * 255)}.${Math.floor(next() * 255)} ` +
        `${Math.floor(next() * 64511) + 1024} ${[443, 80, 22, 53, 3306][i % 5]} ${i % 7 === 0 ? 17 : 6} ` +
        `${Math.floor(next() * 100) + 1} ${Math.floor(next() * 90000) + 40} ${start + i} ${start + i + 60} ${ok ? 'ACCEPT' : 'REJECT'} OK`,
    );
  }
  return `${out.join('\n')}\n`;
}
