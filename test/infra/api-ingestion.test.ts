import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadProject } from '../../lib/config/loader.ts';
import { connectorConfigSchema } from '../../lib/core/connectors/connector-config.ts';
import { ConfigError } from '../../lib/core/model/problems.ts';
import { DapApiIngestion } from '../../lib/infra/api-ingestion.ts';
import { DapControlTable } from '../../lib/infra/control.ts';
import { DapStorage } from '../../lib/infra/storage.ts';
import { devEnvironment, NO_BUNDLING, nagReport, testApp } from './fixtures.ts';

const project = loadProject(fileURLToPath(new URL('../..', import.meta.url)));

/** The construct composed as the stack would: storage, a control table, and API ingestion over the repo's sources. */
function ingestionStack(app: App = testApp()) {
  const env = devEnvironment();
  const stack = new Stack(app, 'ApiIngestionTest', { env: { account: env.account, region: env.region } });
  const storage = new DapStorage(stack, 'Storage', { environment: env });
  const control = new DapControlTable(stack, 'Control', {
    tableName: 'dev-dap-control',
    encryptionKey: storage.key,
    removalPolicy: storage.removalPolicy,
  });
  const ingestion = new DapApiIngestion(stack, 'ApiIngestion', {
    environment: env,
    project,
    rawBucket: storage.raw,
    controlTable: control.table,
    encryptionKey: storage.key,
    removalPolicy: storage.removalPolicy,
  });
  return { stack, storage, control, ingestion };
}

const { stack, storage, control, ingestion } = ingestionStack();
const template = Template.fromStack(stack);
const id = (construct: Parameters<Stack['getLogicalId']>[0]) => stack.getLogicalId(construct);
const fnId = (source: string) => id(ingestion.functions.get(source)?.function.node.defaultChild as never);
const roleId = (source: string) => id(ingestion.functions.get(source)?.role.node.defaultChild as never);

/** Every statement of the policies attached to a source's role. */
function statementsOf(source: string): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId(source) }]) },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument.Statement,
  );
}

describe('DapApiIngestion', () => {
  test('one pull Lambda per API source, one run at a time, stopping before its configured time limit', () => {
    // Assess
    assert.deepEqual([...ingestion.functions.keys()], ['eventbrite', 'smartsurvey']);
    for (const source of ['eventbrite', 'smartsurvey']) {
      const fn = template.toJSON().Resources[fnId(source)];
      assert.equal(fn.Properties.ReservedConcurrentExecutions, 1, source);
      assert.equal(fn.Properties.Timeout, project.apiSources.get(source)?.lambda_timeout_seconds);
      const variables = fn.Properties.Environment.Variables;
      const connector = connectorConfigSchema.parse(JSON.parse(variables.DAP_API_CONNECTOR));
      assert.equal(connector.source.source, source);
      assert.deepEqual(variables.RAW_BUCKET, { Ref: id(storage.raw.node.defaultChild as never) });
      assert.deepEqual(variables.CONTROL_TABLE, { Ref: id(control.table.node.defaultChild as never) });
      assert.ok(variables.API_SECRET_ARN);
    }
  });

  test('each source runs on the schedule of its config file; failed runs and failed invocations go to the DLQ', () => {
    // Prepare
    const queueArn = { 'Fn::GetAtt': [id(ingestion.deadLetterQueue.node.defaultChild as never), 'Arn'] };

    // Assess
    for (const [source, schedule] of [
      ['eventbrite', 'rate(1 hour)'],
      ['smartsurvey', 'rate(6 hours)'],
    ] as const) {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: schedule,
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [fnId(source), 'Arn'] },
            DeadLetterConfig: { Arn: queueArn },
            RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
          }),
        ],
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId(source) },
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: queueArn } },
      });
    }
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [id(storage.key.node.defaultChild as never), 'Arn'] },
    });
  });

  test("EventBridge may use the queue's key for the sources' schedule rules only, from this account", () => {
    // Prepare
    const ruleArn = (name: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:eu-west-2:111111111111:rule/${name}`]],
    });

    // Assess
    for (const source of ['eventbrite', 'smartsurvey']) {
      template.hasResourceProperties('AWS::Events::Rule', { Name: `dev-dap-pull-${source}` });
    }
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnEquals: { 'aws:SourceArn': [ruleArn('dev-dap-pull-eventbrite'), ruleArn('dev-dap-pull-smartsurvey')] },
            },
          }),
        ]),
      },
    });
  });

  test('a schedule rule name longer than EventBridge allows stops synthesis, naming the source file', () => {
    // Prepare
    const longName = 'a_source_name_long_enough_to_overflow_the_rule_name_limit';
    const eventbrite = project.apiSources.get('eventbrite');
    assert.ok(eventbrite);
    const longProject = { ...project, apiSources: new Map([[longName, { ...eventbrite, source: longName }]]) };
    const env = devEnvironment();
    const scope = new Stack(testApp(), 'LongName', { env: { account: env.account, region: env.region } });
    const storage = new DapStorage(scope, 'Storage', { environment: env });
    const control = new DapControlTable(scope, 'Control', {
      tableName: 'dev-dap-control',
      encryptionKey: storage.key,
      removalPolicy: storage.removalPolicy,
    });

    // Act / Assess
    assert.throws(
      () =>
        new DapApiIngestion(scope, 'ApiIngestion', {
          environment: env,
          project: longProject,
          rawBucket: storage.raw,
          controlTable: control.table,
          encryptionKey: storage.key,
        }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems[0]?.file === `config/sources/apis/${longName}.json` &&
        /EventBridge allows 64/.test(error.problems[0].message),
    );
  });

  test('each source has its own secret, named after the environment, that only its Lambda reads', () => {
    // Assess
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'dev-dap/api/eventbrite' });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'dev-dap/api/smartsurvey' });
    const secretRef = { Ref: id(ingestion.secrets.get('eventbrite')?.node.defaultChild as never) };
    const reads = (source: string) =>
      statementsOf(source).some(
        (s) =>
          JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue') &&
          JSON.stringify(s.Resource) === JSON.stringify(secretRef),
      );
    assert.ok(reads('eventbrite'));
    assert.ok(!reads('smartsurvey'));
  });

  test('least privilege: PutObject only under the source raw prefixes, its own checkpoint item, no wildcard actions', () => {
    // Prepare
    const rawArn = { 'Fn::GetAtt': [id(storage.raw.node.defaultChild as never), 'Arn'] };
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [rawArn, `/${prefix}/*`]] });

    // Act
    const eventbrite = statementsOf('eventbrite');

    // Assess
    const s3 = eventbrite.filter((s) => JSON.stringify(s.Action).includes('s3:'));
    assert.deepEqual(s3, [
      {
        Action: 's3:PutObject',
        Effect: 'Allow',
        Resource: [
          objects('eventbrite/eventbrite_events'),
          objects('eventbrite/eventbrite_orders'),
          objects('eventbrite/eventbrite_organizations'),
        ],
      },
    ]);
    const dynamo = eventbrite.filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
    assert.deepEqual(dynamo, [
      {
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [id(control.table.node.defaultChild as never), 'Arn'] },
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['value#api/eventbrite/pull'] } },
      },
    ]);
    for (const source of ['eventbrite', 'smartsurvey']) {
      const actions = statementsOf(source).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
      assert.ok(
        actions.every((action) => !action.endsWith('*')),
        `${source}: ${actions.join(', ')}`,
      );
    }
    assert.ok(!JSON.stringify(statementsOf('smartsurvey')).includes('eventbrite'));
  });

  test('cdk-nag AwsSolutions: no unacknowledged findings, and every acknowledgement has a reason', () => {
    // Act
    const report = nagReport((app) => {
      app.node.setContext('aws:cdk:bundling-stacks', NO_BUNDLING['aws:cdk:bundling-stacks']);
      ingestionStack(app);
    });

    // Assess
    assert.deepEqual(report.findings, []);
    assert.ok(
      report.acknowledged.every((a) => a.reason.length > 20),
      JSON.stringify(report.acknowledged),
    );
  });
});
