import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  GlueInputError,
  type GlueTable,
  glueFromCatalogExport,
  glueFromCloudFormation,
  keyPrefix,
} from '../../../lib/core/import/dap/glue.ts';
import {
  isRefusal,
  rawTableDeclaration,
  stageTableDeclaration,
  type TableDeclaration,
  txmaDeduplication,
} from '../../../lib/core/import/dap/tables.ts';
import { REPO_ROOT } from '../../helpers/twin-fixture.ts';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/dap-shaped');
const read = (path: string) => readFileSync(join(FIXTURE, path), 'utf8');

function declared(
  result: ReturnType<typeof rawTableDeclaration>,
): TableDeclaration & { json: Record<string, unknown> } {
  assert.ok(!isRefusal(result), JSON.stringify(result));
  return { ...result, json: JSON.parse(result.text) };
}

describe("DAP's Glue tables", () => {
  test('CloudFormation with !Sub, !Ref and !GetAtt: tables, their S3 prefixes without the bucket, and crawlers', () => {
    // Act
    const raw = glueFromCloudFormation('raw.yml', read('iac/main/resources/raw.yml'), 'raw.yml at abc^');

    // Assess
    assert.deepEqual(
      raw.tables.map((t) => [t.name, t.location, t.serde]),
      [
        ['parcel_label_created', 'txma/PARCEL_LABEL_CREATED', 'org.openx.data.jsonserde.JsonSerDe'],
        ['parcel_scanned', 'txma/PARCEL_SCANNED', 'org.openx.data.jsonserde.JsonSerDe'],
        ['parcel_returned', 'txma/PARCEL_RETURNED', 'org.openx.data.jsonserde.JsonSerDe'],
      ],
    );
    assert.equal(raw.tables[0]?.declaredIn, 'raw.yml at abc^ (ParcelLabelCreatedGlueTable)');
    assert.deepEqual(raw.crawlers, [
      {
        name: 'parcel_journey',
        prefixes: ['txma/PARCEL_DELIVERED'],
        declaredIn: 'raw.yml at abc^ (ParcelJourneyCrawler)',
      },
    ]);
    assert.deepEqual(raw.tables[1]?.columns.at(-1), {
      name: 'extensions',
      type: 'struct<depotName:string,signed-by:string>',
    });
    assert.equal(keyPrefix('s3://dev-dap-raw-layer/txma/X/'), 'txma/X');
  });

  test('an exported catalog (aws glue get-tables) reads as the same tables', () => {
    // Act
    const tables = glueFromCatalogExport('dev.json', read('exported/get-tables-dev-txma-raw.json'));

    // Assess
    assert.equal(tables.length, 1);
    assert.equal(tables[0]?.name, 'parcel_delivered');
    assert.equal(tables[0]?.location, 'txma/PARCEL_DELIVERED');
    assert.equal(tables[0]?.declaredIn, 'dev.json (table parcel_delivered of dev-txma-raw)');
    assert.deepEqual(
      tables[0]?.partitionKeys.map((c) => c.name),
      ['year', 'month', 'day'],
    );
  });

  test('input that is not Glue is one line naming the file and what was expected', () => {
    // Assess
    assert.throws(() => glueFromCatalogExport('t.json', '{"Tables": []}'), {
      name: 'GlueInputError',
      message:
        't.json: expected the output of aws glue get-tables --database-name <db>: {"TableList": [{"Name": ..., "StorageDescriptor": {...}}]}',
    });
    assert.throws(() => glueFromCatalogExport('t.json', '{'), GlueInputError);
    assert.throws(() => glueFromCloudFormation('s.yml', 'a: [1'), /^GlueInputError: s\.yml: not valid YAML: /);
    assert.throws(
      () =>
        glueFromCloudFormation(
          's.yml',
          'T:\n  Type: AWS::Glue::Table\n  Properties:\n    TableInput:\n      Name: t\n      PartitionKeys: [{Name: x}]\n',
        ),
      { message: 's.yml: T.Properties.TableInput.PartitionKeys[0]: expected {Name, Type} with two strings' },
    );
  });
});

describe('Glue tables as dap declarations', () => {
  const table = (columns: GlueTable['columns'], extra: Partial<GlueTable> = {}): GlueTable => ({
    name: 'parcel_scanned',
    columns,
    partitionKeys: [
      { name: 'year', type: 'string' },
      { name: 'month', type: 'string' },
      { name: 'day', type: 'string' },
    ],
    location: 'txma/PARCEL_SCANNED',
    serde: 'org.openx.data.jsonserde.JsonSerDe',
    declaredIn: 'raw.yml (T)',
    ...extra,
  });

  test('a raw table keeps Glue types, camelCase and hyphenated struct fields, and its upper-case S3 prefix', () => {
    // Act
    const result = declared(
      rawTableDeclaration(
        'parcel_scanned',
        table([
          { name: 'event_id', type: 'string' },
          { name: 'timestamp', type: 'int' },
          { name: 'user', type: 'struct<govuk_signin_journey_id:string,user_id:string>' },
          { name: 'extensions', type: 'struct<depotName:string,signed-by:string,scans:array<struct<atMs:bigint>>>' },
          { name: 'isNew', type: 'boolean' },
        ]),
      ),
    );

    // Assess
    assert.equal(result.path, 'athena-scripts/raw_tables/parcel_scanned.json');
    assert.deepEqual(result.json, {
      source: 'txma',
      description: "Imported from DAP's Glue table parcel_scanned, raw.yml (T)",
      format: 'json',
      location: 'txma/PARCEL_SCANNED',
      columns: [],
      partition_columns: [
        { name: 'year', type: 'string' },
        { name: 'month', type: 'string' },
        { name: 'day', type: 'string' },
      ],
      tables: {
        parcel_scanned: {
          columns: [
            { name: 'event_id', type: 'string' },
            { name: 'timestamp', type: 'int' },
            { name: 'user', type: 'struct<govuk_signin_journey_id:string,user_id:string>' },
            { name: 'extensions', type: 'struct<depotName:string,signed-by:string,scans:array<struct<atMs:bigint>>>' },
            { name: 'isnew', type: 'boolean' },
          ],
        },
      },
    });
    assert.deepEqual(result.changes, [
      'column isNew → isnew (Glue stores column names in lower case)',
      'S3 prefix txma/PARCEL_SCANNED/ kept as DAP lays it out',
    ]);
  });

  test('a table that cannot be declared says why, column by column', () => {
    // Act
    const result = rawTableDeclaration(
      'parcel_scanned',
      table(
        [
          { name: 'event-id', type: 'string' },
          { name: 'payload', type: 'struct<a:string' },
          { name: 'Kind', type: 'string' },
          { name: 'kind', type: 'string' },
        ],
        { serde: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe' },
      ),
    );

    // Assess
    assert.ok(isRefusal(result));
    assert.deepEqual(result.reasons, [
      "its SerDe is org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe: dap's raw tables are JSON (OpenX JSON SerDe)",
      'column "event-id" is not a name dap accepts (lower case letters, digits, _)',
      'column "payload": invalid column type "struct<a:string": expected ">" but found the end',
      'column "kind" is declared twice (names differ only in case)',
    ]);
  });

  test('a TxMA-shaped stage table is deduplicated on event_id, earliest by timestamp then processed_date', () => {
    // Prepare
    const glue = glueFromCloudFormation('stage.yml', read('iac/main/resources/stage.yml'));

    // Act
    const result = stageTableDeclaration('parcel_journey', glue.tables[0] as GlueTable);

    // Assess
    assert.ok(!isRefusal(result));
    const json = JSON.parse(result.text);
    assert.deepEqual(json.deduplication, {
      key: ['event_id'],
      order_by: ['timestamp', 'processed_date'],
      keep: 'earliest',
    });
    assert.deepEqual(
      json.columns.map((c: { name: string }) => c.name),
      [
        'event_id',
        'client_id',
        'user_user_id',
        'timestamp',
        'timestamp_formatted',
        'extensions_depotname',
        'extensions_signed_by',
        'extensions_proofofdelivery',
        'year',
        'month',
        'day',
      ],
    );
    assert.deepEqual(json.partition_columns, [
      { name: 'processed_date', type: 'string' },
      { name: 'event_name', type: 'string' },
    ]);
    assert.ok(
      result.changes.includes(
        'column extensions_depotName → extensions_depotname (Glue stores column names in lower case)',
      ),
    );
    assert.ok(result.changes.some((c) => c.startsWith('S3 prefix txma/PARCEL_JOURNEY/ not kept')));
    assert.equal(txmaDeduplication([{ name: 'id', type: 'string' }]), undefined);
    assert.deepEqual(
      txmaDeduplication([
        { name: 'event_id', type: 'string' },
        { name: 'timestamp', type: 'int' },
      ]),
      { key: ['event_id'], order_by: ['timestamp'], keep: 'earliest' },
    );
  });
});
