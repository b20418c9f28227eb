import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  AlreadyExistsException,
  CreatePartitionCommand,
  GetTableCommand,
  GlueClient,
  UpdatePartitionCommand,
} from '@aws-sdk/client-glue';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { ExtractFailedError, makeHandler } from '../../lambdas/extract-database/handler.ts';
import {
  DeployedConfigError,
  databaseSourceKey,
  deployedDatabaseSource,
} from '../../lib/core/extract/lambda-config.ts';
import { databaseSourceSchema } from '../../lib/core/model/database-source-schema.ts';
import { GlueSnapshotCatalog } from '../../lib/engines/aws/glue-snapshot-catalog.ts';
import { SecretsManagerSecretSource } from '../../lib/engines/aws/secrets-manager-secret-source.ts';
import { FileControlStore } from '../../lib/engines/local/file-control-store.ts';
import { FolderObjectStore } from '../../lib/engines/local/folder-object-store.ts';
import { PgSourceDatabases } from '../../lib/engines/postgres/pg-source-databases.ts';
import { sampleDatabaseSql, startSourceDatabase } from '../../lib/local/source-database-server.ts';

const REPO = join(import.meta.dirname, '../..');
const configText = readFileSync(join(REPO, 'config/sources/databases/timetable.json'), 'utf8');

/**
 * The extract Lambda's handler on its AWS adapters where they meet AWS (Secrets Manager, Glue: mocked at the SDK),
 * real PostgreSQL servers on the wire protocol, and folders for S3 and DynamoDB.
 */
describe('extract-database handler', () => {
  test("reads its deployed config, extracts both databases, and registers each table's snapshot partition", async () => {
    const north = await startSourceDatabase(sampleDatabaseSql(REPO, 'timetable', 'north'));
    const south = await startSourceDatabase(sampleDatabaseSql(REPO, 'timetable', 'south'));
    const dir = await mkdtemp(join(tmpdir(), 'dap-extract-lambda-'));
    const glue = mockClient(GlueClient);
    const sm = mockClient(SecretsManagerClient);
    try {
      const store = new FolderObjectStore(join(dir, 'buckets'));
      await store.put('metadata', databaseSourceKey('timetable'), configText);
      sm.on(GetSecretValueCommand).resolves({
        SecretString: JSON.stringify({ TIMETABLE_NORTH_DB: north.url, TIMETABLE_SOUTH_DB: south.url }),
      });
      glue.on(GetTableCommand).callsFake(async (input: { Name: string }) => ({
        Table: {
          Name: input.Name,
          StorageDescriptor: { Columns: [{ Name: 'row_key', Type: 'string' }], Location: 's3://raw/old/' },
        },
      }));
      // The same day was promoted once before for departments: its partition is moved, not created.
      glue.on(CreatePartitionCommand).callsFake(async (input: { TableName: string }) => {
        if (input.TableName === 'timetable_departments') {
          throw new AlreadyExistsException({ message: 'Partition already exists.', $metadata: {} });
        }
        return {};
      });
      glue.on(UpdatePartitionCommand).resolves({});
      const handler = makeHandler({
        source: () => deployedDatabaseSource(store, 'metadata', 'timetable'),
        store,
        rawBucket: 'raw-bucket',
        control: new FileControlStore(join(dir, 'control')),
        secrets: new SecretsManagerSecretSource(
          'arn:aws:secretsmanager:eu-west-2:111111111111:secret:dev-dap/database/timetable',
          new SecretsManagerClient({}),
        ),
        databases: new PgSourceDatabases(),
        catalog: new GlueSnapshotCatalog({ database: 'dev_dap_raw', bucket: 'raw-bucket' }, new GlueClient({})),
        now: () => new Date('2026-12-06T02:00:00Z'),
      });

      const result = await handler({}, { getRemainingTimeInMillis: () => 600_000 });

      assert.equal(result.status, 'promoted');
      const created = glue.commandCalls(CreatePartitionCommand).map((call) => call.args[0].input);
      assert.deepEqual(created.map((c) => c.TableName).sort(), [
        'timetable_departments',
        'timetable_rooms',
        'timetable_staff',
      ]);
      const rooms = created.find((c) => c.TableName === 'timetable_rooms');
      assert.equal(rooms?.DatabaseName, 'dev_dap_raw');
      assert.deepEqual(rooms?.PartitionInput?.Values, ['2026-12-06']);
      assert.equal(
        rooms?.PartitionInput?.StorageDescriptor?.Location,
        `s3://raw-bucket/databases/timetable/rooms/snapshot_date=2026-12-06/${result.extract_id}/`,
      );
      assert.deepEqual(rooms?.PartitionInput?.StorageDescriptor?.Columns, [{ Name: 'row_key', Type: 'string' }]);
      const moved = glue.commandCalls(UpdatePartitionCommand).map((call) => call.args[0].input);
      assert.deepEqual(
        moved.map((m) => [m.TableName, m.PartitionValueList]),
        [['timetable_departments', ['2026-12-06']]],
      );
      // GetTable once per table, however many partitions follow.
      assert.equal(glue.commandCalls(GetTableCommand).length, 3);
    } finally {
      glue.restore();
      sm.restore();
      await north.stop();
      await south.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a failed integrity check fails the invocation (dead-letter queue, alarm) and registers no partition', async () => {
    const north = await startSourceDatabase(sampleDatabaseSql(REPO, 'timetable', 'north'));
    const south = await startSourceDatabase(sampleDatabaseSql(REPO, 'timetable', 'south'));
    const dir = await mkdtemp(join(tmpdir(), 'dap-extract-lambda-'));
    const glue = mockClient(GlueClient);
    try {
      await south.exec("UPDATE staff SET email = '' WHERE staff_id = 9");
      const store = new FolderObjectStore(join(dir, 'buckets'));
      const handler = makeHandler({
        source: async () => databaseSourceSchema.parse(JSON.parse(configText)),
        store,
        rawBucket: 'raw-bucket',
        control: new FileControlStore(join(dir, 'control')),
        secrets: { description: 'test', get: async (name) => (name === 'TIMETABLE_NORTH_DB' ? north.url : south.url) },
        databases: new PgSourceDatabases(),
        catalog: new GlueSnapshotCatalog({ database: 'dev_dap_raw', bucket: 'raw-bucket' }, new GlueClient({})),
      });
      await assert.rejects(
        handler({}, { getRemainingTimeInMillis: () => 600_000 }),
        (error: unknown) =>
          error instanceof ExtractFailedError &&
          /failed 1 integrity check\(s\), nothing promoted; first: south staff not_blank/.test(error.message),
      );
      assert.equal(glue.commandCalls(CreatePartitionCommand).length, 0);
    } finally {
      glue.restore();
      await north.stop();
      await south.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a deployed config that is missing or not a database source is one line naming the key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dap-extract-lambda-'));
    try {
      const store = new FolderObjectStore(dir);
      await assert.rejects(
        deployedDatabaseSource(store, 'metadata', 'timetable'),
        (error: unknown) =>
          error instanceof DeployedConfigError &&
          error.message ===
            'deployed config config/sources/databases/timetable.json is not a database source config (not found); deploy the stack again',
      );
      await store.put(
        'metadata',
        databaseSourceKey('timetable'),
        JSON.stringify({ source: 'timetable', engine: 'mysql' }),
      );
      await assert.rejects(
        deployedDatabaseSource(store, 'metadata', 'timetable'),
        /engine: expected engine "postgres"/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
