import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadProject } from '../../lib/config/loader.ts';
import { DapControlTable } from '../../lib/infra/control.ts';
import { DapFileIngestion } from '../../lib/infra/ingestion.ts';
import { DapStorage } from '../../lib/infra/storage.ts';
import { devEnvironment, nagReport, testApp } from './fixtures.ts';

const project = loadProject(fileURLToPath(new URL('../..', import.meta.url)));

/** The construct composed as the stack would: storage, a control table, and file ingestion over the repo's sources. */
function ingestionStack(app: App = testApp()) {
  const env = devEnvironment();
  const stack = new Stack(app, 'FileIngestionTest', { env: { account: env.account, region: env.region } });
  const storage = new DapStorage(stack, 'Storage', { environment: env });
  const control = new DapControlTable(stack, 'Control', {
    tableName: 'dev-dap-control',
    encryptionKey: storage.key,
    removalPolicy: storage.removalPolicy,
  });
  const ingestion = new DapFileIngestion(stack, 'FileIngestion', {
    environment: env,
    project,
    landingBucket: storage.buckets.landing,
    rawBucket: storage.raw,
    archiveBucket: storage.buckets.archive,
    quarantineBucket: storage.buckets.quarantine,
    metadataBucket: storage.buckets.metadata,
    controlTable: control.table,
    key: storage.key,
    removalPolicy: storage.removalPolicy,
  });
  return { stack, storage, control, ingestion };
}

const { stack, storage, control, ingestion } = ingestionStack();
const template = Template.fromStack(stack);
const id = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);
const ref = (construct: { node: { defaultChild?: unknown } }) => ({ Ref: id(construct) });
const arn = (construct: { node: { defaultChild?: unknown } }) => ({ 'Fn::GetAtt': [id(construct), 'Arn'] });
const objectsUnder = (bucket: { node: { defaultChild?: unknown } }, prefix: string) => ({
  'Fn::Join': ['', [arn(bucket), `/${prefix}*`]],
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

function roleStatements(): Statement[] {
  const roleId = stack.getLogicalId(ingestion.function.role.node.defaultChild as never);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}

const actionsOn = (resource: unknown) =>
  roleStatements()
    .filter((s) => JSON.stringify(s.Resource).includes(JSON.stringify(resource)))
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .sort();

describe('DapFileIngestion', () => {
  test('the landing bucket sends its events to EventBridge', () => {
    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'dev-dap-landing-111111111111',
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    assert.equal(
      Object.keys(template.findResources('Custom::S3BucketNotifications')).length,
      0,
      'no custom-resource Lambda just to switch the flag',
    );
  });

  test('the rule matches Object Created in the landing bucket under landing/ and targets the Lambda, with a DLQ', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [ref(storage.buckets.landing)] }, object: { key: [{ prefix: 'landing/' }] } },
      },
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: arn(ingestion.function.function),
          DeadLetterConfig: { Arn: arn(ingestion.deadLetterQueue) },
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 21600 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: arn(ingestion.rule),
    });
  });

  test('failed invocations are retried twice, then go to the KMS-encrypted, TLS-only dead-letter queue', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(ingestion.function.function),
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: arn(ingestion.deadLetterQueue) } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'dev-dap-file-ingest-failures',
      KmsMasterKeyId: arn(storage.key),
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('EventBridge may use the key for the dead-letter queue only for this rule, from this account', () => {
    // Assess
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnEquals: {
                'aws:SourceArn': [
                  {
                    'Fn::Join': [
                      '',
                      ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-2:111111111111:rule/dev-dap-file-ingest'],
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

  test('the Lambda knows its buckets and table from its environment, and has room to work', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 2048,
      Timeout: 900,
      EphemeralStorage: Match.absent(),
      Environment: {
        Variables: Match.objectLike({
          LANDING_BUCKET: ref(storage.buckets.landing),
          RAW_BUCKET: ref(storage.raw),
          ARCHIVE_BUCKET: ref(storage.buckets.archive),
          QUARANTINE_BUCKET: ref(storage.buckets.quarantine),
          METADATA_BUCKET: ref(storage.buckets.metadata),
          CONTROL_TABLE: ref(control.table),
          DAP_ENV: 'dev',
        }),
      },
    });
  });

  test('least privilege: named actions only, each bucket only under the prefixes ingestion owns', () => {
    // Prepare
    const statements = roleStatements();

    // Assess
    for (const s of statements) {
      for (const action of Array.isArray(s.Action) ? s.Action : [s.Action]) {
        assert.ok(!action.includes('*'), `no wildcard action (${action})`);
      }
    }
    assert.deepEqual(actionsOn(objectsUnder(storage.buckets.landing, 'landing/')), ['s3:DeleteObject', 's3:GetObject']);
    assert.deepEqual(actionsOn(objectsUnder(storage.raw, '_staging/ingest/')), [
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ]);
    for (const dataset of [
      'crm_contacts',
      'event_registrations',
      'prospect_organisations',
      'shop_customers',
      'shop_sales',
    ]) {
      assert.deepEqual(actionsOn(objectsUnder(storage.raw, `files/${dataset}/`)), [
        's3:DeleteObject',
        's3:GetObject',
        's3:PutObject',
      ]);
    }
    assert.deepEqual(actionsOn(objectsUnder(storage.buckets.archive, '')), ['s3:DeleteObject', 's3:PutObject']);
    assert.deepEqual(actionsOn(objectsUnder(storage.buckets.quarantine, '')), ['s3:DeleteObject', 's3:PutObject']);
    assert.deepEqual(actionsOn(objectsUnder(storage.buckets.metadata, 'config/')), ['s3:GetObject']);
    assert.deepEqual(actionsOn(arn(storage.key)), ['kms:Decrypt', 'kms:GenerateDataKey']);
    const tableStatement = statements.find((s) => JSON.stringify(s.Resource) === JSON.stringify(arn(control.table)));
    assert.deepEqual(tableStatement?.Condition, {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['value#ingest-file/*', 'lease#ingest-file:*'] },
    });
    const landingList = statements.find(
      (s) =>
        s.Action === 's3:ListBucket' && JSON.stringify(s.Resource) === JSON.stringify(arn(storage.buckets.landing)),
    );
    assert.deepEqual(landingList?.Condition, { StringLike: { 's3:prefix': ['landing/*'] } });
  });

  test('zero unacknowledged cdk-nag findings, and every acknowledgement gives its reason', () => {
    // Act
    const report = nagReport((app) => ingestionStack(app));

    // Assess
    assert.deepEqual(report.findings, []);
    for (const { rule, reason } of report.acknowledged) assert.ok(reason.length > 20, `${rule} has a reason`);
  });
});
