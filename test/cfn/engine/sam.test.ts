import { describe, expect, it } from 'vitest';
import { isUnknown } from '../../../src/cfn/index.js';
import { codes, res, tpl } from './helpers.js';

const SAM = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
    Environment:
      Variables:
        STAGE: prod
    Tags:
      team: core
Resources:
  Table:
    Type: AWS::Serverless::SimpleTable
    Properties:
      PrimaryKey: {Name: pk, Type: Number}
      SSESpecification: {SSEEnabled: true}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      EndpointConfiguration: REGIONAL
      TracingEnabled: true
  Handler:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://artifacts/handler.zip
      Handler: app.handler
      Timeout: 30
      Tracing: Active
      Environment:
        Variables:
          TABLE: !Ref Table
      Policies:
        - AmazonDynamoDBReadOnlyAccess
        - DynamoDBCrudPolicy: {TableName: !Ref Table}
        - Statement:
            - Effect: Allow
              Action: s3:GetObject
              Resource: '*'
      FunctionUrlConfig:
        AuthType: NONE
      Events:
        Get:
          Type: Api
          Properties: {Path: /items, Method: get}
        Nightly:
          Type: Schedule
          Properties: {Schedule: rate(1 day)}
        Queue:
          Type: SQS
          Properties: {Queue: arn:aws:sqs:us-east-1:123456789012:q, BatchSize: 5}
  Local:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./src
      Handler: local.handler
      Role: arn:aws:iam::123456789012:role/existing
Outputs:
  RoleArn:
    Value: !GetAtt HandlerRole.Arn
  Url:
    Value: !Sub 'https://\${ServerlessRestApi}.execute-api.\${AWS::Region}.amazonaws.com/Prod/'
`;

describe('AWS::Serverless-2016-10-31 transform', () => {
  const t = tpl(SAM);
  const types = Object.fromEntries(t.resources.map((r) => [r.logicalId, r.type]));

  it('expands functions, APIs and tables into the resources SAM generates', () => {
    expect(types).toEqual({
      Table: 'AWS::DynamoDB::Table',
      Api: 'AWS::ApiGateway::RestApi',
      ApiDeployment: 'AWS::ApiGateway::Deployment',
      Apiv1Stage: 'AWS::ApiGateway::Stage',
      Handler: 'AWS::Lambda::Function',
      HandlerRole: 'AWS::IAM::Role',
      HandlerGetPermissionProd: 'AWS::Lambda::Permission',
      HandlerNightly: 'AWS::Events::Rule',
      HandlerNightlyPermission: 'AWS::Lambda::Permission',
      HandlerQueue: 'AWS::Lambda::EventSourceMapping',
      HandlerUrl: 'AWS::Lambda::Url',
      HandlerUrlPublicPermissions: 'AWS::Lambda::Permission',
      Local: 'AWS::Lambda::Function',
      ServerlessRestApi: 'AWS::ApiGateway::RestApi',
      ServerlessRestApiDeployment: 'AWS::ApiGateway::Deployment',
      ServerlessRestApiProdStage: 'AWS::ApiGateway::Stage',
    });
    const origin = Object.fromEntries(t.resources.map((r) => [r.logicalId, r.origin?.join('/')]));
    expect(origin).toMatchObject({
      Table: 'Table',
      Apiv1Stage: 'Api',
      HandlerRole: 'Handler',
      HandlerQueue: 'Handler',
      ServerlessRestApi: 'Handler',
      Local: 'Local',
    });
    expect(res(t, 'HandlerRole').location).toEqual(res(t, 'Handler').location);
  });

  it('merges Globals (scalars overridden, maps merged) into the Lambda function', () => {
    const fn = res(t, 'Handler');
    expect(fn.origin).toEqual(['Handler']);
    expect(fn.properties).toMatchObject({
      Runtime: 'python3.12',
      Timeout: 30,
      Handler: 'app.handler',
      Code: { S3Bucket: 'artifacts', S3Key: 'handler.zip' },
      TracingConfig: { Mode: 'Active' },
      Tags: [
        { Key: 'lambda:createdBy', Value: 'SAM' },
        { Key: 'team', Value: 'core' },
      ],
    });
    const vars = (fn.properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(vars.STAGE).toBe('prod');
    expect(isUnknown(vars.TABLE) && vars.TABLE.ref).toEqual({ logicalId: 'Table' });
    const role = fn.properties.Role;
    expect(isUnknown(role) && role.ref).toEqual({ logicalId: 'HandlerRole', attribute: 'Arn' });
    // Generated properties locate at the SAM property they came from.
    expect(fn.locate(['Timeout']).line).toBe(29);
    expect(fn.locate(['TracingConfig']).line).toBe(30);
    expect(fn.locate(['Environment', 'Variables', 'TABLE']).line).toBe(33);
    expect(fn.locate(['Architectures']).line).toBe(fn.location.line);
  });

  it('builds the execution role from Policies (managed names, inline statements, templates as Unknown)', () => {
    const role = res(t, 'HandlerRole').properties;
    expect(role.ManagedPolicyArns).toEqual([
      'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      'arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess',
      'arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess',
      'arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole',
    ]);
    const pol = role.Policies as { PolicyName: string; PolicyDocument: unknown }[];
    expect(pol.map((p) => p.PolicyName)).toEqual(['HandlerRolePolicy0', 'HandlerRolePolicy1']);
    expect(isUnknown(pol[0]?.PolicyDocument) && pol[0]?.PolicyDocument.reason).toMatch(
      /DynamoDBCrudPolicy is not expanded/,
    );
    expect(pol[1]?.PolicyDocument).toEqual({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    expect(role.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Principal: { Service: ['lambda.amazonaws.com'] } }],
    });
    expect(res(t, 'HandlerRole').locate(['Policies', 1]).line).toBe(34); // the SAM Policies list
  });

  it('event sources, function URL, API and table', () => {
    expect(res(t, 'HandlerGetPermissionProd').properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
    });
    expect(res(t, 'HandlerNightly').properties).toMatchObject({ ScheduleExpression: 'rate(1 day)', State: 'ENABLED' });
    expect(res(t, 'HandlerQueue').properties).toMatchObject({
      EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:q',
      BatchSize: 5,
    });
    expect(res(t, 'HandlerUrl').properties.AuthType).toBe('NONE');
    expect(res(t, 'HandlerUrlPublicPermissions').properties).toMatchObject({
      Principal: '*',
      FunctionUrlAuthType: 'NONE',
    });
    const body = res(t, 'ServerlessRestApi').properties.Body as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(body.paths)).toEqual(['/items']);
    expect(Object.keys(body.paths['/items'] ?? {})).toEqual(['get']);
    expect(res(t, 'Api').properties).toEqual({ EndpointConfiguration: { Types: ['REGIONAL'] } });
    expect(res(t, 'Apiv1Stage').properties).toMatchObject({ StageName: 'v1', TracingEnabled: true });
    expect(res(t, 'Table').properties).toEqual({
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'N' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('a given Role means no generated role; local CodeUri is Unknown (packaged at deploy)', () => {
    const local = res(t, 'Local');
    expect(local.properties.Role).toBe('arn:aws:iam::123456789012:role/existing');
    expect(t.resources.some((r) => r.logicalId === 'LocalRole')).toBe(false);
    const code = local.properties.Code;
    expect(isUnknown(code) && code.reason).toMatch(/packaged/);
    expect(codes(t)).toEqual([]);
  });

  it('outputs may reference the resources SAM generates (symbolic, not undefined)', () => {
    const role = t.outputs.RoleArn;
    expect(isUnknown(role) && role.ref).toEqual({ logicalId: 'HandlerRole', attribute: 'Arn' });
    const url = t.outputs.Url;
    expect(isUnknown(url) && url.expr).toEqual({
      'Fn::Sub': `https://\${ServerlessRestApi}.execute-api.us-east-1.amazonaws.com/Prod/`,
    });
  });

  it('unsupported SAM types stay as written with a warning', () => {
    const s = tpl(`Transform: AWS::Serverless-2016-10-31
Resources:
  Sm:
    Type: AWS::Serverless::StateMachine
    Properties: {Definition: {}}
`);
    expect(s.resources.map((r) => r.type)).toEqual(['AWS::Serverless::StateMachine']);
    expect(s.issues.map((i) => [i.code, i.severity, i.location.line])).toEqual([['sam-unsupported', 'warning', 3]]);
  });
});
