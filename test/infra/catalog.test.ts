import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadProject } from '../../lib/config/loader.ts';
import { resourceNames } from '../../lib/core/model/names.ts';
import { PATHS, type Project } from '../../lib/core/model/project.ts';
import type { EnvironmentConfig } from '../../lib/core/model/schemas.ts';
import { DapStack } from '../../lib/infra/dap-stack.ts';
import {
  devEnvironment,
  environmentConfig,
  logicalIdOf,
  nagReport,
  prodEnvironment,
  projectFolder,
  templateOf,
  testApp,
} from './fixtures.ts';

test('the raw and stage Glue databases carry the names from resourceNames and point at their buckets', () => {
  // Prepare
  const env = devEnvironment();
  const { stack, template } = templateOf(env);

  // Assess
  for (const [name, bucket] of [
    [resourceNames(env).rawDatabase, stack.storage.raw],
    [resourceNames(env).stageDatabase, stack.storage.stage],
  ] as const) {
    template.hasResourceProperties('AWS::Glue::Database', {
      CatalogId: env.account,
      DatabaseInput: {
        Name: name,
        LocationUri: { 'Fn::Join': ['', ['s3://', { Ref: logicalIdOf(bucket) }, '/']] },
      },
    });
  }
  assert.equal(stack.catalog.rawDatabaseName, 'dev_dap_raw');
  assert.equal(stack.catalog.stageDatabaseName, 'dev_dap_stage');
  assert.equal(stack.catalog.driftDatabaseName, 'dev_dap_raw_drift');
});

test('a name_prefix renames the databases, with hyphens turned into underscores', () => {
  const { template } = templateOf(environmentConfig({ name_prefix: 'acme-data' }));

  template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'acme_data_raw' } });
  template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'acme_data_stage' } });
  template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'acme_data_raw_drift' } });
});

test('the databases are retained unless the environment allows destroy', () => {
  const deletionPolicies = (env: ReturnType<typeof devEnvironment>) =>
    Object.values(templateOf(env).template.findResources('AWS::Glue::Database')).map((db) => db.DeletionPolicy);

  assert.deepEqual(deletionPolicies(devEnvironment()), ['Delete', 'Delete', 'Delete', 'Delete', 'Delete']);
  assert.deepEqual(deletionPolicies(prodEnvironment()), ['Retain', 'Retain', 'Retain', 'Retain', 'Retain']);
});

test('run reports are an Athena table: <prefix>_ops.run_reports over the process-results bucket, run_date projected', () => {
  // Prepare
  const env = devEnvironment();
  const { stack, template } = templateOf(env);
  const bucket = { Ref: logicalIdOf(stack.storage.buckets.processResults) };

  // Assess
  template.hasResourceProperties('AWS::Glue::Database', {
    DatabaseInput: { Name: 'dev_dap_ops', LocationUri: { 'Fn::Join': ['', ['s3://', bucket, '/']] } },
  });
  template.hasResourceProperties('AWS::Glue::Table', {
    DatabaseName: 'dev_dap_ops',
    TableInput: {
      Name: 'run_reports',
      PartitionKeys: [{ Name: 'run_date', Type: 'string' }],
      Parameters: Match.objectLike({
        'projection.enabled': 'true',
        'projection.run_date.type': 'date',
        'projection.run_date.format': 'yyyy-MM-dd',
        'storage.location.template': { 'Fn::Join': ['', ['s3://', bucket, '/run_reports/run_date=${run_date}/']] },
      }),
      StorageDescriptor: Match.objectLike({
        Location: { 'Fn::Join': ['', ['s3://', bucket, '/run_reports/']] },
        Columns: Match.arrayWith([
          { Name: 'run_id', Type: 'string' },
          { Name: 'status', Type: 'string' },
          Match.objectLike({ Name: 'families', Type: Match.stringLikeRegexp('^array<struct<product_family:string') }),
        ]),
        SerdeInfo: Match.objectLike({ SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' }),
      }),
    },
  });
});

// ---------------------------------------------------------------- tables and crawlers from config

/** A project with two raw sources (day folders, and ingest dates) and one partitioned stage table. */
function catalogProject(env: EnvironmentConfig): Project {
  const root = projectFolder({ [env.name]: env });
  const write = (file: string, data: unknown) => writeFileSync(join(root, file), JSON.stringify(data));
  for (const dir of [PATHS.rawTables, PATHS.stageTables]) mkdirSync(join(root, dir), { recursive: true });
  write(`${PATHS.rawTables}/clicks.json`, {
    source: 'clicks',
    format: 'json',
    location: 'clicks/{table}',
    columns: [
      { name: 'event_id', type: 'string' },
      { name: 'timestamp', type: 'bigint' },
    ],
    partition_columns: [
      { name: 'year', type: 'string' },
      { name: 'month', type: 'string' },
      { name: 'day', type: 'string' },
    ],
    tables: {
      click_started: { columns: [{ name: 'user', type: 'struct<id:string,tags:array<string>>' }] },
      click_done: { columns: [{ name: 'amount', type: 'decimal(10,2)' }] },
    },
  });
  write(`${PATHS.rawTables}/uploads.json`, {
    source: 'uploads',
    format: 'json',
    location: 'files/{table}',
    columns: [{ name: 'source_row', type: 'bigint' }],
    partition_columns: [{ name: 'ingest_date', type: 'string' }],
    tables: { shop_sales: { columns: [{ name: 'order_id', type: 'string' }] } },
  });
  write(`${PATHS.stageTables}/clicks.json`, {
    product_family: 'clicks',
    description: 'one row per event_id',
    columns: [
      { name: 'event_id', type: 'string' },
      { name: 'event_at', type: 'timestamp' },
      { name: 'amount', type: 'decimal(10,2)' },
      { name: 'attempts', type: 'bigint' },
    ],
    partition_columns: [
      { name: 'processed_date', type: 'date' },
      { name: 'event_name', type: 'string' },
    ],
  });
  mkdirSync(join(root, PATHS.processScripts), { recursive: true });
  write(`${PATHS.processScripts}/clicks_config.json`, [
    { event_name: 'page_clicked', product_family: 'clicks', enabled: true },
  ]);
  return loadProject(root);
}

const env = devEnvironment();
const project = catalogProject(env);
const stack = new DapStack(testApp(), 'dev-dap', { environment: env, project });
const template = Template.fromStack(stack);
const rawRef = { Ref: logicalIdOf(stack.storage.raw) };
const rawUrl = (path: string) => ({ 'Fn::Join': ['', ['s3://', rawRef, `/${path}`]] });

describe('raw tables declared from config', () => {
  test('are external JSON tables with the OpenX SerDe, failing on malformed JSON, keys case-insensitive', () => {
    for (const table of ['click_started', 'click_done', 'shop_sales']) {
      template.hasResourceProperties('AWS::Glue::Table', {
        DatabaseName: 'dev_dap_raw',
        TableInput: {
          Name: table,
          TableType: 'EXTERNAL_TABLE',
          StorageDescriptor: {
            SerdeInfo: {
              SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
              Parameters: { 'ignore.malformed.json': 'false', 'case.insensitive': 'true' },
            },
            InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          },
        },
      });
    }
  });

  test('carry the shared and own columns with Glue types, and the partition columns as partition keys', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: {
        Name: 'click_started',
        StorageDescriptor: {
          Location: rawUrl('clicks/click_started/'),
          Columns: [
            { Name: 'event_id', Type: 'string' },
            { Name: 'timestamp', Type: 'bigint' },
            { Name: 'user', Type: 'struct<id:string,tags:array<string>>' },
          ],
        },
        PartitionKeys: [
          { Name: 'year', Type: 'string' },
          { Name: 'month', Type: 'string' },
          { Name: 'day', Type: 'string' },
        ],
      },
    });
  });

  test('project year/month/day partitions as integers over the key layout the writers use', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: {
        Name: 'click_done',
        Parameters: {
          'projection.enabled': 'true',
          'projection.year.type': 'integer',
          'projection.year.range': '2020,2099',
          'projection.month.type': 'integer',
          'projection.month.range': '1,12',
          'projection.month.digits': '2',
          'projection.day.type': 'integer',
          'projection.day.range': '1,31',
          'projection.day.digits': '2',
          'storage.location.template': rawUrl(
            // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's projection placeholders, not JS
            'clicks/click_done/year=${year}/month=${month}/day=${day}/',
          ),
        },
      },
    });
  });

  test('project an ingest_date partition as a date up to today', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: {
        Name: 'shop_sales',
        Parameters: {
          'projection.enabled': 'true',
          'projection.ingest_date.type': 'date',
          'projection.ingest_date.format': 'yyyy-MM-dd',
          'projection.ingest_date.range': '2020-01-01,NOW',
          'projection.ingest_date.interval.unit': 'DAYS',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's projection placeholder, not JS
          'storage.location.template': rawUrl('files/shop_sales/ingest_date=${ingest_date}/'),
        },
      },
    });
  });
});

describe('stage tables', () => {
  test('are Iceberg v2 tables created by Glue under the stage bucket, partitioned by identity', () => {
    const location = { 'Fn::Join': ['', ['s3://', { Ref: logicalIdOf(stack.storage.stage) }, '/clicks/']] };
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'dev_dap_stage',
      TableInput: { Name: 'clicks', TableType: 'EXTERNAL_TABLE', StorageDescriptor: { Location: location } },
      OpenTableFormatInput: {
        IcebergInput: {
          MetadataOperation: 'CREATE',
          Version: '2',
          IcebergTableInput: {
            Location: location,
            Schema: {
              Fields: [
                { Id: 1, Name: 'event_id', Type: 'string', Required: false },
                { Id: 2, Name: 'event_at', Type: 'timestamp', Required: false },
                { Id: 3, Name: 'amount', Type: 'decimal(10,2)', Required: false },
                { Id: 4, Name: 'attempts', Type: 'long', Required: false },
                { Id: 5, Name: 'processed_date', Type: 'date', Required: false },
                { Id: 6, Name: 'event_name', Type: 'string', Required: false },
              ],
            },
            PartitionSpec: {
              Fields: [
                { FieldId: 1000, Name: 'processed_date', SourceId: 5, Transform: 'identity' },
                { FieldId: 1001, Name: 'event_name', SourceId: 6, Transform: 'identity' },
              ],
            },
          },
        },
      },
    });
  });
});

describe('incoming tables', () => {
  test("one per event: an Iceberg table with its stage table's columns, unpartitioned, under _incoming/ in the stage bucket", () => {
    const location = {
      'Fn::Join': ['', ['s3://', { Ref: logicalIdOf(stack.storage.stage) }, '/_incoming/page_clicked/']],
    };
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'dev_dap_incoming',
      TableInput: { Name: 'page_clicked', TableType: 'EXTERNAL_TABLE', StorageDescriptor: { Location: location } },
      OpenTableFormatInput: {
        IcebergInput: {
          MetadataOperation: 'CREATE',
          Version: '2',
          IcebergTableInput: {
            Location: location,
            Schema: {
              Fields: [
                { Id: 1, Name: 'event_id', Type: 'string', Required: false },
                { Id: 2, Name: 'event_at', Type: 'timestamp', Required: false },
                { Id: 3, Name: 'amount', Type: 'decimal(10,2)', Required: false },
                { Id: 4, Name: 'attempts', Type: 'long', Required: false },
                { Id: 5, Name: 'processed_date', Type: 'date', Required: false },
                { Id: 6, Name: 'event_name', Type: 'string', Required: false },
              ],
            },
            PartitionSpec: Match.absent(),
          },
        },
      },
    });
  });
});

describe('drift crawlers', () => {
  test('one per source, only logging schema changes into the drift database, crawling new folders only', () => {
    for (const [source, paths] of [
      ['clicks', ['clicks/click_started/', 'clicks/click_done/']],
      ['uploads', ['files/shop_sales/']],
    ] as const) {
      template.hasResourceProperties('AWS::Glue::Crawler', {
        Name: `dev-dap-raw-${source}-drift`,
        DatabaseName: 'dev_dap_raw_drift',
        SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' },
        RecrawlPolicy: { RecrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' },
        Targets: { S3Targets: paths.map((path) => ({ Path: rawUrl(path) })) },
        CrawlerSecurityConfiguration: 'dev-dap-raw-crawlers',
        Schedule: { ScheduleExpression: 'cron(0 2 * * ? *)' },
      });
    }
  });

  test('log to CloudWatch encrypted with the environment key', () => {
    template.hasResourceProperties('AWS::Glue::SecurityConfiguration', {
      Name: 'dev-dap-raw-crawlers',
      EncryptionConfiguration: {
        CloudWatchEncryption: {
          CloudWatchEncryptionMode: 'SSE-KMS',
          KmsKeyArn: { 'Fn::GetAtt': [stack.getLogicalId(stack.storage.key.node.defaultChild as never), 'Arn'] },
        },
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'logs.eu-west-2.amazonaws.com' },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-2:111111111111:log-group:/aws-glue/crawlers*'],
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  test("have a role per source that reads only that source's prefixes and writes Glue only in the drift database", () => {
    const role = stack.catalog.crawlerRoles.get('uploads');
    assert.ok(role);
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as never) }] },
    });
    const statements = Object.values(policies).flatMap(
      (p) =>
        (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement,
    );
    const byAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    const arn = (resource: unknown) => JSON.stringify(stack.resolve(resource));

    // No action wildcards anywhere.
    for (const s of statements) for (const a of [s.Action].flat()) assert.ok(!a.includes('*'), `wildcard action ${a}`);
    // S3: list with a prefix condition, read under files/shop_sales/ only.
    const list = byAction('s3:ListBucket');
    assert.equal(list.length, 1);
    assert.deepEqual((list[0] as unknown as { Condition: unknown }).Condition, {
      StringLike: { 's3:prefix': ['files/shop_sales/', 'files/shop_sales/*'] },
    });
    const [get] = byAction('s3:GetObject');
    assert.match(arn(get?.Resource), /"\/files\/shop_sales\/\*"/);
    assert.doesNotMatch(arn(get?.Resource), /clicks/);
    // Glue: the catalog, the drift database and its tables, nothing in raw or stage.
    const [glueWrite] = byAction('glue:CreateTable');
    assert.ok(glueWrite);
    const glueResources = arn(glueWrite.Resource);
    assert.match(glueResources, /:database\/dev_dap_raw_drift"/);
    assert.match(glueResources, /:table\/dev_dap_raw_drift\/\*"/);
    assert.doesNotMatch(glueResources, /dev_dap_raw\/|dev_dap_stage/);
    assert.ok(byAction('glue:DeleteTable').length === 0, 'the crawler never deletes tables');
  });

  test('the stack with tables and crawlers has no unacknowledged cdk-nag findings, each acknowledgement with a reason', () => {
    const report = nagReport((app) => new DapStack(app, 'dev-dap', { environment: env, project }));

    assert.deepEqual(report.findings, []);
    for (const { rule, reason } of report.acknowledged) {
      assert.ok(reason.length >= 30, `acknowledgement of ${rule} needs a specific reason, got "${reason}"`);
    }
  });
});

test('a stage column of a nested type stops synthesis naming the stage table file', () => {
  const bad = environmentConfig();
  const root = projectFolder({ dev: bad });
  mkdirSync(join(root, PATHS.stageTables), { recursive: true });
  writeFileSync(
    join(root, `${PATHS.stageTables}/nested.json`),
    JSON.stringify({ product_family: 'nested', columns: [{ name: 'tags', type: 'array<string>' }] }),
  );

  assert.throws(
    () => new DapStack(testApp(), 'dev-dap', { environment: bad, project: loadProject(root) }),
    (error: Error & { problems?: { file: string }[] }) =>
      error.problems?.[0]?.file === 'athena-scripts/stage_tables/nested.json',
  );
});
