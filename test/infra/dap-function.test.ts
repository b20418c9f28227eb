import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DapFunction } from '../../lib/infra/dap-function.ts';
import { nagReport, testApp } from './fixtures.ts';

/** One DapFunction in a stack of its own, with the key its log group is encrypted with. */
function functionStack(app: App = testApp()) {
  const stack = new Stack(app, 'FunctionTest', { env: { account: '111111111111', region: 'eu-west-2' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const fn = new DapFunction(stack, 'Plan', {
    handlerName: 'plan',
    description: 'A function under test',
    logRetention: logs.RetentionDays.TWO_WEEKS,
    encryptionKey: key,
  });
  return { stack, key, fn };
}

const { stack, key, fn } = functionStack();
const template = Template.fromStack(stack);
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

describe('DapFunction', () => {
  test('is traced by X-Ray, with the X-Ray permissions in a policy of their own', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    const roleRef = { Ref: logicalId(fn.role) };
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([roleRef]) } }),
    ) as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } }[];
    const withStar = policies.filter((policy) =>
      policy.Properties.PolicyDocument.Statement.some((s) => JSON.stringify(s.Resource) === '"*"'),
    );
    assert.equal(withStar.length, 1, 'one policy holds the "*" resource');
    assert.deepEqual(withStar[0]?.Properties.PolicyDocument.Statement, [
      {
        Effect: 'Allow',
        Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        Resource: '*',
      },
    ]);
  });

  test('logs to its own log group, with the given retention, encrypted with the given key', () => {
    // Assess
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/lambda/FunctionTest/Plan',
      RetentionInDays: 14,
      KmsKeyId: { 'Fn::GetAtt': [logicalId(key), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: logicalId(fn.logGroup) } },
    });
  });

  test("the key lets CloudWatch Logs use it for this function's log group only", () => {
    // Assess
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'logs.eu-west-2.amazonaws.com' },
            Resource: '*',
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': [
                  {
                    'Fn::Join': [
                      '',
                      [
                        'arn:',
                        { Ref: 'AWS::Partition' },
                        ':logs:eu-west-2:111111111111:log-group:/aws/lambda/FunctionTest/Plan',
                      ],
                    ],
                  },
                ],
              },
            },
          }),
        ]),
      },
    });
  });

  test('cdk-nag: no unacknowledged findings, the X-Ray "*" acknowledged with its reason', () => {
    // Act
    const report = nagReport((app) => functionStack(app));

    // Assess
    assert.deepEqual(report.findings, []);
    const xray = report.acknowledged.filter((a) => a.rule === 'AwsSolutions-IAM5[Resource::*]');
    assert.ok(xray.length > 0 && xray.every((a) => a.reason.includes('X-Ray')));
  });

  test('cdk-nag: another "*" resource on the role is a finding, not covered by the X-Ray acknowledgement', () => {
    // Prepare / Act
    const report = nagReport((app) => {
      const { fn } = functionStack(app);
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    });

    // Assess
    assert.ok(
      report.findings.includes('AwsSolutions-IAM5[Resource::*] at FunctionTest/Plan/Role/DefaultPolicy/Resource'),
      `expected an IAM5[Resource::*] finding on the function's role, got ${JSON.stringify(report.findings)}`,
    );
  });
});

type Bind = (
  fn: DapFunction,
  resources: { table: dynamodb.Table; bucket: s3.Bucket; secret: secretsmanager.Secret },
) => void;

/** A DapFunction beside an encrypted table, bucket and secret, bound by `bind` as a stack would bind it. */
function bindStack(app: App, bind: Bind) {
  const stack = new Stack(app, 'BindTest', { env: { account: '111111111111', region: 'eu-west-2' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const table = new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
  });
  const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key, enforceSSL: true });
  const secret = new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key });
  const fn = new DapFunction(stack, 'Plan', {
    handlerName: 'plan',
    description: 'A function under test',
    environment: { DAP_ENV: 'dev' },
    encryptionKey: key,
  });
  bind(fn, { table, bucket, secret });
  return { stack, fn, key, table, bucket, secret };
}

/** What `bind` added: the function's variables and the statements of its role after its own log statement. */
function bound(bind: Bind) {
  const { stack, fn, ...resources } = bindStack(testApp(), bind);
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  const template = Template.fromStack(stack);
  const policy = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: id(fn.role) }] } }),
  ).find((p) => !JSON.stringify(p).includes('xray:')) as {
    Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } };
  };
  const [, ...granted] = policy.Properties.PolicyDocument.Statement;
  const variables = (
    Object.values(template.findResources('AWS::Lambda::Function'))[0] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    }
  ).Properties.Environment.Variables;
  const arn = (construct: { node: { defaultChild?: unknown } }) => ({ 'Fn::GetAtt': [id(construct), 'Arn'] });
  return { ...resources, granted, variables, arn, id };
}

describe('DapFunction bind*: the variable and its grant, together', () => {
  test('bindTable names the table and grants its items, of the given partitions, with the key', () => {
    // Act
    const { granted, variables, arn, table, key, id } = bound((fn, { table }) =>
      fn.bindTable('CONTROL_TABLE', table, {
        items: 'read-write',
        partitions: ['lease#ingest-file:*'],
        key: table.encryptionKey,
      }),
    );

    // Assess
    assert.deepEqual(variables.CONTROL_TABLE, { Ref: id(table) });
    assert.deepEqual(granted, [
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: arn(table),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['lease#ingest-file:*'] } },
      },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: arn(key) },
    ]);
  });

  test('bindTable for reading: GetItem and kms:Decrypt only; exact partitions compare with StringEquals', () => {
    // Act
    const { granted, arn, table, key } = bound((fn, { table }) =>
      fn.bindTable('CONTROL_TABLE', table, {
        items: 'read',
        partitions: ['value#api/x/pull'],
        key: table.encryptionKey,
      }),
    );

    // Assess
    assert.deepEqual(granted, [
      {
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: arn(table),
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['value#api/x/pull'] } },
      },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: arn(key) },
    ]);
  });

  test('bindBucket names the bucket and grants the objects under each prefix, their listing and the key', () => {
    // Act
    const { granted, variables, arn, bucket, key, id } = bound((fn, { bucket }) =>
      fn.bindBucket('DATA_BUCKET', bucket, {
        objects: { prefixes: ['in/', 'out/'], read: true, write: true },
        list: 'prefixes',
        key: bucket.encryptionKey,
      }),
    );

    // Assess
    assert.deepEqual(variables.DATA_BUCKET, { Ref: id(bucket) });
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [arn(bucket), `/${prefix}*`]] });
    assert.deepEqual(granted, [
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: [objects('in/'), objects('out/')] },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: arn(bucket),
        Condition: { StringLike: { 's3:prefix': ['in/*', 'out/*'] } },
      },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: arn(key) },
    ]);
  });

  test('bindBucket with a whole-bucket listing only: no object and no key statement', () => {
    // Act
    const { granted, arn, bucket } = bound((fn, { bucket }) =>
      fn.bindBucket('RAW_BUCKET', bucket, { list: 'bucket', key: bucket.encryptionKey }),
    );

    // Assess
    assert.deepEqual(granted, [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: arn(bucket) }]);
  });

  test('bindSecret sets the secret ARN and grants reading that secret only', () => {
    // Act
    const { granted, variables, secret, id } = bound((fn, { secret }) => fn.bindSecret('API_SECRET_ARN', secret));

    // Assess
    assert.deepEqual(variables.API_SECRET_ARN, { Ref: id(secret) });
    assert.deepEqual(granted, [
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: { Ref: id(secret) },
      },
    ]);
  });

  test('a variable is set once: binding it again, or binding a setting, throws', () => {
    // Act + Assess
    bindStack(testApp(), (fn, { bucket, secret }) => {
      fn.bindSecret('API_SECRET_ARN', secret);
      assert.throws(() => fn.bindBucket('API_SECRET_ARN', bucket, { list: 'bucket' }), /API_SECRET_ARN is set twice/);
      assert.throws(() => fn.bindBucket('DAP_ENV', bucket, { list: 'bucket' }), /DAP_ENV is set twice/);
    });
  });

  test('cdk-nag: an object wildcard is acknowledged with the reason bindBucket was given, and a finding without one', () => {
    // Act
    const bind = (wildcardReason?: string) => (app: App) =>
      bindStack(app, (fn, { bucket }) =>
        fn.bindBucket('DATA_BUCKET', bucket, {
          objects: { prefixes: ['in/'], read: true },
          key: bucket.encryptionKey,
          ...(wildcardReason ? { wildcardReason } : {}),
        }),
      );
    const acknowledged = nagReport(bind('Reads whatever a sender drops under in/'));
    const unacknowledged = nagReport(bind());

    // Assess: the fixture's own table, bucket and secret have findings of their own; only the wildcard's matter here
    const wildcard = /^AwsSolutions-IAM5\[Resource::<Bucket\w+\.Arn>\/in\/\*\]/;
    assert.deepEqual(
      acknowledged.findings.filter((f) => wildcard.test(f)),
      [],
    );
    assert.deepEqual(
      acknowledged.acknowledged.filter((a) => wildcard.test(a.rule)).map((a) => a.reason),
      ['Reads whatever a sender drops under in/'],
    );
    assert.deepEqual(
      unacknowledged.findings.filter((f) => wildcard.test(f)).map((f) => f.replace(/^.* at /, '')),
      ['BindTest/Plan/Role/DefaultPolicy/Resource'],
    );
  });
});
