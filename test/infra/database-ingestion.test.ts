import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadProject } from '../../lib/config/loader.ts';
import { ConfigError } from '../../lib/core/model/problems.ts';
import { DapControlTable } from '../../lib/infra/control.ts';
import { DapDatabaseIngestion } from '../../lib/infra/database-ingestion.ts';
import { DapStorage } from '../../lib/infra/storage.ts';
import { environmentConfig, NO_BUNDLING, nagReport, testApp } from './fixtures.ts';

const project = loadProject(fileURLToPath(new URL('../..', import.meta.url)));

const network = {
  vpc_id: 'vpc-0a1b2c3d4e5f60718',
  subnets: [
    { id: 'subnet-0a1b2c3d4e5f60711', availability_zone: 'eu-west-2a' },
    { id: 'subnet-0a1b2c3d4e5f60722', availability_zone: 'eu-west-2b' },
  ],
  database: { cidr: '10.20.0.0/16' },
  port: 5433,
};

/** The construct composed as the stack would, over the repo's timetable source in an environment naming `networks`. */
function ingestionStack(networks: Record<string, unknown> = { timetable: network }, app: App = testApp()) {
  const env = environmentConfig({ removal_policy: 'destroy', database_networks: networks });
  const stack = new Stack(app, 'DatabaseIngestionTest', { env: { account: env.account, region: env.region } });
  const storage = new DapStorage(stack, 'Storage', { environment: env });
  const control = new DapControlTable(stack, 'Control', {
    tableName: 'dev-dap-control',
    encryptionKey: storage.key,
    removalPolicy: storage.removalPolicy,
  });
  const ingestion = new DapDatabaseIngestion(stack, 'DatabaseIngestion', {
    environment: env,
    project,
    rawBucket: storage.buckets.raw,
    metadataBucket: storage.buckets.metadata,
    rawDatabase: 'dev_dap_raw',
    controlTable: control.table,
    encryptionKey: storage.key,
    removalPolicy: storage.removalPolicy,
  });
  return { stack, storage, control, ingestion };
}

const { stack, storage, ingestion } = ingestionStack();
const template = Template.fromStack(stack);
const id = (construct: Parameters<Stack['getLogicalId']>[0]) => stack.getLogicalId(construct);
const fn = () =>
  template.toJSON().Resources[id(ingestion.functions.get('timetable')?.function.node.defaultChild as never)];
const roleId = id(ingestion.functions.get('timetable')?.role.node.defaultChild as never);

function statements(): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument.Statement,
  );
}

describe('DapDatabaseIngestion', () => {
  test('one extract Lambda per database source, in its VPC subnets, one run at a time, with the RDS CA bundle', () => {
    assert.deepEqual([...ingestion.functions.keys()], ['timetable']);
    const properties = fn().Properties;
    assert.equal(properties.ReservedConcurrentExecutions, 1);
    assert.equal(properties.Timeout, 900);
    assert.deepEqual(properties.VpcConfig.SubnetIds, ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60722']);
    assert.deepEqual(properties.VpcConfig.SecurityGroupIds, [
      { 'Fn::GetAtt': [id(ingestion.securityGroups.get('timetable')?.node.defaultChild as never), 'GroupId'] },
    ]);
    const variables = properties.Environment.Variables;
    assert.equal(variables.DAP_DATABASE_SOURCE, 'timetable');
    assert.equal(variables.RAW_DATABASE, 'dev_dap_raw');
    assert.equal(variables.NODE_EXTRA_CA_CERTS, '/var/runtime/ca-cert.pem');
    assert.deepEqual(variables.RAW_BUCKET, { Ref: id(storage.buckets.raw.node.defaultChild as never) });
    assert.ok(variables.DATABASE_SECRET_ARN);
  });

  test('its security group reaches the database port of the databases and HTTPS, nothing else', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: 'vpc-0a1b2c3d4e5f60718',
      SecurityGroupEgress: [
        Match.objectLike({ CidrIp: '10.20.0.0/16', IpProtocol: 'tcp', FromPort: 5433, ToPort: 5433 }),
        Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
      ],
    });
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    for (const group of Object.values(groups) as { Properties: { SecurityGroupIngress?: unknown } }[]) {
      assert.equal(group.Properties.SecurityGroupIngress, undefined, 'no ingress');
    }
    // With the endpoints' security group, HTTPS reaches only it; a database named by security group likewise.
    const closed = Template.fromStack(
      ingestionStack({
        timetable: {
          ...network,
          database: { security_group_id: 'sg-0123456789abcdef0' },
          https_security_group_id: 'sg-0fedcba9876543210',
        },
      }).stack,
    );
    closed.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [
        Match.objectLike({ DestinationSecurityGroupId: 'sg-0123456789abcdef0', FromPort: 5433 }),
        Match.objectLike({ DestinationSecurityGroupId: 'sg-0fedcba9876543210', FromPort: 443 }),
      ],
    });
  });

  test("it may touch its raw prefix, its config file, its checkpoint item and its tables' partitions only", () => {
    const all = statements();
    const s3 = all.filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
    const text = JSON.stringify(s3);
    assert.match(text, /\/databases\/timetable\/\*/);
    assert.match(text, /\/config\/sources\/databases\/timetable\.json\*/);
    assert.doesNotMatch(text, /"s3:DeleteObject"/);
    const glue = all.find((s) => [s.Action].flat().includes('glue:CreatePartition'));
    assert.ok(glue);
    const resources = JSON.stringify(glue.Resource);
    for (const table of ['timetable_departments', 'timetable_staff', 'timetable_rooms']) {
      assert.match(resources, new RegExp(`:table/dev_dap_raw/${table}"`));
    }
    assert.doesNotMatch(resources, /\*/);
    const dynamo = all.find((s) => [s.Action].flat().includes('dynamodb:PutItem'));
    assert.deepEqual(dynamo?.Condition, {
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['value#database/timetable/extract'] },
    });
  });

  test('the source runs on its config schedule; failures land in the dead-letter queue', () => {
    const queueArn = { 'Fn::GetAtt': [id(ingestion.deadLetterQueue.node.defaultChild as never), 'Arn'] };
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'dev-dap-extract-timetable',
      ScheduleExpression: 'cron(0 2 * * ? *)',
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: queueArn } })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
  });

  test('null deploys no extract of the source; a missing network stops synthesis naming the environment file', () => {
    const none = ingestionStack({ timetable: null });
    assert.equal(none.ingestion.functions.size, 0);
    assert.throws(
      () => ingestionStack({}),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems[0]?.file === 'config/environments/dev.json' &&
        error.problems[0]?.at === 'database_networks.timetable',
    );
  });

  test('cdk-nag finds nothing unacknowledged, and each acknowledgement says why', () => {
    const report = nagReport((app) => {
      app.node.setContext('aws:cdk:bundling-stacks', NO_BUNDLING['aws:cdk:bundling-stacks']);
      ingestionStack(undefined, app);
    });
    assert.deepEqual(report.findings, []);
    assert.ok(
      report.acknowledged.every((a) => a.reason.length > 20),
      JSON.stringify(report.acknowledged),
    );
  });
});
