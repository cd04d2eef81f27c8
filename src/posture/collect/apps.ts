/** Lambda functions with their resource policies, SNS topics, SQS queues and EFS file systems. */
import { DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import { GetPolicyCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetTopicAttributesCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { emptyCi } from '../model.js';
import { type Collection, lowerCamel, tagMap } from './context.js';

type Obj = Record<string, unknown>;
const acct = (col: Collection) => col.accountId ?? 'unknown';

/** JSON-string attributes (policies) parsed, so rules read objects; unparsable text kept as is. */
function parseJsonAttr(v: string | undefined): unknown {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

export async function collectLambda(col: Collection, region: string): Promise<void> {
  const lambda = new LambdaClient(col.clientConfig(region));
  const S = 'lambda';
  const fns = await col.pages(S, region, 'ListFunctions', async (Marker, abortSignal) => {
    const r = await lambda.send(new ListFunctionsCommand({ Marker }), { abortSignal });
    return [r.Functions ?? [], r.NextMarker];
  });
  if (!fns) return;
  col.collectedTypes.add('AWS::Lambda::Function');
  await Promise.all(
    fns.map(async (f) => {
      const pol = await col.callOptional(
        S,
        region,
        'GetPolicy',
        (abortSignal) => lambda.send(new GetPolicyCommand({ FunctionName: f.FunctionArn }), { abortSignal }),
        ['ResourceNotFoundException'],
      );
      const ci = emptyCi({
        resourceType: 'AWS::Lambda::Function',
        resourceId: f.FunctionName!,
        resourceName: f.FunctionName,
        arn: f.FunctionArn,
        awsRegion: region,
        awsAccountId: acct(col),
        configuration: lowerCamel(f) as Obj,
      });
      // null = no resource-based policy (an answer); undefined = GetPolicy failed (unknown).
      if (pol !== undefined) ci.supplementaryConfiguration.Policy = pol === null ? null : parseJsonAttr(pol.Policy);
      col.add(ci);
    }),
  );
}

export async function collectSns(col: Collection, region: string): Promise<void> {
  const sns = new SNSClient(col.clientConfig(region));
  const S = 'sns';
  const topics = await col.pages(S, region, 'ListTopics', async (NextToken, abortSignal) => {
    const r = await sns.send(new ListTopicsCommand({ NextToken }), { abortSignal });
    return [r.Topics ?? [], r.NextToken];
  });
  if (!topics) return;
  col.collectedTypes.add('AWS::SNS::Topic');
  await Promise.all(
    topics.map(async (t) => {
      const TopicArn = t.TopicArn!;
      const a = await col.call(S, region, 'GetTopicAttributes', (abortSignal) =>
        sns.send(new GetTopicAttributesCommand({ TopicArn }), { abortSignal }),
      );
      const attrs: Obj = { ...(lowerCamel(a?.Attributes ?? {}) as Obj), topicArn: TopicArn };
      if (typeof attrs.policy === 'string') attrs.policy = parseJsonAttr(attrs.policy);
      // Attributes missing (call failed) must not read as "no KMS key": record nothing beyond the ARN then.
      col.add(
        emptyCi({
          resourceType: 'AWS::SNS::Topic',
          resourceId: TopicArn,
          resourceName: TopicArn.split(':').pop(),
          arn: TopicArn,
          awsRegion: region,
          awsAccountId: acct(col),
          configuration: a ? attrs : { topicArn: TopicArn },
          configurationItemStatus: a ? 'OK' : 'ResourceNotRecorded',
        }),
      );
    }),
  );
}

export async function collectSqs(col: Collection, region: string): Promise<void> {
  const sqs = new SQSClient(col.clientConfig(region));
  const S = 'sqs';
  const urls = await col.pages(S, region, 'ListQueues', async (NextToken, abortSignal) => {
    const r = await sqs.send(new ListQueuesCommand({ NextToken, MaxResults: 1000 }), { abortSignal });
    return [r.QueueUrls ?? [], r.NextToken];
  });
  if (!urls) return;
  col.collectedTypes.add('AWS::SQS::Queue');
  await Promise.all(
    urls.map(async (QueueUrl) => {
      const a = await col.call(S, region, 'GetQueueAttributes', (abortSignal) =>
        sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }), { abortSignal }),
      );
      const attrs: Obj = { ...(lowerCamel(a?.Attributes ?? {}) as Obj), queueUrl: QueueUrl };
      if (typeof attrs.policy === 'string') attrs.policy = parseJsonAttr(attrs.policy);
      col.add(
        emptyCi({
          resourceType: 'AWS::SQS::Queue',
          resourceId: QueueUrl,
          resourceName: QueueUrl.split('/').pop(),
          arn: typeof attrs.queueArn === 'string' ? attrs.queueArn : undefined,
          awsRegion: region,
          awsAccountId: acct(col),
          configuration: attrs,
          configurationItemStatus: a ? 'OK' : 'ResourceNotRecorded',
        }),
      );
    }),
  );
}

export async function collectEfs(col: Collection, region: string): Promise<void> {
  const efs = new EFSClient(col.clientConfig(region));
  const S = 'efs';
  const fss = await col.pages(S, region, 'DescribeFileSystems', async (Marker, abortSignal) => {
    const r = await efs.send(new DescribeFileSystemsCommand({ Marker }), { abortSignal });
    return [r.FileSystems ?? [], r.NextMarker];
  });
  if (!fss) return;
  col.collectedTypes.add('AWS::EFS::FileSystem');
  for (const f of fss)
    col.add(
      emptyCi({
        resourceType: 'AWS::EFS::FileSystem',
        resourceId: f.FileSystemId!,
        resourceName: f.Name,
        arn: f.FileSystemArn,
        awsRegion: region,
        awsAccountId: f.OwnerId ?? acct(col),
        tags: tagMap(f.Tags),
        configuration: lowerCamel(f) as Obj,
      }),
    );
}
