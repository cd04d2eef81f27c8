import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DetectionEngine } from '../../src/detect/engine.js';
import { ThreatIntel } from '../../src/detect/intel.js';
import { LOG_TYPES, type LogRecord } from '../../src/ingest/types.js';

/** Field names the detectors read, per log type: random values of any JSON type go into them. */
const FIELDS = [
  'eventName',
  'eventSource',
  'userIdentity',
  'sourceIPAddress',
  'userAgent',
  'requestParameters',
  'responseElements',
  'errorCode',
  'recipientAccountId',
  'awsRegion',
  'requestID',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'action',
  'tcp-flags',
  'flow-direction',
  'instance-id',
  'interface-id',
  'vpc-id',
  'query_name',
  'rcode',
  'answers',
  'srcids',
  'operation',
  'bucket_name',
  'requester',
  'useragent',
  'requestid',
  'client:port',
  'request',
  'elb',
  'c-ip',
  'cs-uri-stem',
  'cs-uri-query',
  'x-edge-result-type',
];

const value = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.ipV4(),
  fc.constantFrom(
    'StopLogging',
    'ConsoleLogin',
    'PutBucketAcl',
    'GetObject',
    'ACCEPT',
    'REJECT',
    'NXDOMAIN',
    'Miss',
    'Root',
    'REST.GET.OBJECT',
  ),
  fc.jsonValue(),
);

const identity = fc.record(
  {
    type: fc.constantFrom('Root', 'AssumedRole', 'IAMUser', 'AWSService', 7),
    arn: value,
    principalId: fc.oneof(value, fc.constant('AROAX:i-0123456789abcdef0')),
    accessKeyId: fc.oneof(value, fc.constant('ASIAEXAMPLE')),
    userName: value,
    invokedBy: value,
    sessionContext: fc.oneof(value, fc.record({ sessionIssuer: value, assumedRoot: value }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);

const requestParameters = fc.record(
  {
    name: value,
    bucketName: value,
    BucketLoggingStatus: value,
    PublicAccessBlockConfiguration: fc.oneof(
      value,
      fc.dictionary(fc.constantFrom('BlockPublicAcls', 'IgnorePublicAcls'), value),
    ),
    AccessControlPolicy: value,
    'x-amz-acl': value,
    bucketPolicy: fc.oneof(value, fc.record({ Statement: value }, { requiredKeys: [] })),
    minimumPasswordLength: value,
    instanceId: value,
  },
  { requiredKeys: [] },
);

const record = fc.record({
  type: fc.constantFrom(...LOG_TYPES),
  fields: fc
    .tuple(
      fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 14 }),
      fc.option(identity),
      fc.option(requestParameters),
    )
    .map(([f, u, rp]) => ({ ...f, ...(u ? { userIdentity: u } : {}), ...(rp ? { requestParameters: rp } : {}) })),
  time: fc.oneof(fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }), fc.constant(Number.NaN)),
  sourceIp: fc.option(fc.oneof(fc.ipV4(), fc.string()), { nil: undefined }),
  line: fc.nat(),
});

describe('detectors never throw on odd records', () => {
  it('random field types and values: no detector error, no exception', () => {
    const intel = new ThreatIntel();
    intel.add('10.0.0.0/8', 'x', 'tor');
    intel.add('0.0.0.0/0', 'all', 'c2');
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), (recs) => {
        const engine = new DetectionEngine({ intel });
        for (const r of recs) {
          const rec: LogRecord = {
            type: r.type,
            fields: r.fields,
            time: r.time,
            sourceIp: r.sourceIp,
            origin: { file: 'fuzz', line: r.line },
          };
          engine.process(rec);
        }
        const res = engine.finish();
        expect(res.stats.detectorErrors).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
