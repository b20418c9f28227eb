import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { type DapCheckout, importDap } from '../../../lib/core/import/dap/import-dap.ts';
import { REPORT_FILE } from '../../../lib/core/import/dap/report.ts';
import { rewriteStageSchema, runbookReason } from '../../../lib/core/import/dap/warehouse.ts';
import { REPO_ROOT } from '../../helpers/twin-fixture.ts';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/dap-shaped');
const CATALOG = 'exported/get-tables-dev-txma-raw.json';

function fixtureFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of (readdirSync(FIXTURE, { recursive: true }) as string[]).sort()) {
    const full = join(FIXTURE, entry);
    if (statSync(full).isFile()) files.set(relative(FIXTURE, full).split(sep).join('/'), readFileSync(full, 'utf8'));
  }
  return files;
}

function checkout(options: { catalog?: boolean } = {}): DapCheckout {
  const files = fixtureFiles();
  return {
    label: 'dap-shaped',
    files,
    catalogs: options.catalog === false ? [] : [{ file: CATALOG, text: files.get(CATALOG) ?? '' }],
  };
}

const fileOf = (result: ReturnType<typeof importDap>, path: string) => {
  const file = result.files.find((f) => f.path === path);
  assert.ok(file, `${path} was not written; written: ${result.files.map((f) => f.path).join(', ')}`);
  return file.text;
};

describe('dap import dap (the conversion)', () => {
  test('writes every file of a dap project from a DAP-shaped checkout, and its report', () => {
    // Act
    const result = importDap(checkout());

    // Assess
    assert.deepEqual(
      result.files.map((f) => f.path),
      [
        'athena-scripts/dml/insert_into/parcel_delivered.sql',
        'athena-scripts/dml/insert_into/parcel_label_created.sql',
        'athena-scripts/dml/insert_into/parcel_returned.sql',
        'athena-scripts/dml/insert_into/parcel_scanned.sql',
        'athena-scripts/process_scripts/parcel_journey_config.json',
        'athena-scripts/process_scripts/product_family_config.json',
        'athena-scripts/raw_tables/parcel_delivered.json',
        'athena-scripts/raw_tables/parcel_label_created.json',
        'athena-scripts/raw_tables/parcel_returned.json',
        'athena-scripts/raw_tables/parcel_scanned.json',
        'athena-scripts/stage_tables/parcel_journey.json',
        'config/environments/dev.json',
        'config/environments/prod.json',
        'config/environments/test.json',
        'redshift-scripts/migrations/R__grants_for_procedure.sql',
        'redshift-scripts/migrations/V0.0.1__setup_schemas.sql',
        'redshift-scripts/migrations/V0.1.1__setup_sp_parcel_data_objects.sql',
        'redshift-scripts/migrations/V0.1.2__setup_call_sp_parcel_data_objects.sql',
        'redshift-scripts/migrations/V0.1.3__setup_ref_depot_insert.sql',
        'redshift-scripts/migrations/V2.1__CreateTableDDL_refactored.sql',
        'redshift-scripts/migrations/V2.2__add_depot_region_-dpt_1.sql',
        'redshift-scripts/procedures/sp_parcel_journey.sql',
        'redshift-scripts/reporting_model_product_family_config.json',
        REPORT_FILE,
      ],
    );
    // Families and events as they are.
    for (const path of ['product_family_config.json', 'parcel_journey_config.json']) {
      const from = `athena-scripts/process_scripts/${path}`;
      assert.equal(fileOf(result, from), checkout().files.get(from));
    }
    const dev = JSON.parse(fileOf(result, 'config/environments/dev.json'));
    assert.deepEqual(dev.redshift, {
      database: 'dap_parcel_reporting_db',
      schema: 'conformed',
      stage_schema: 'dap_parcel_stage',
      base_capacity_rpu: 8,
      max_capacity_rpu: 32,
    });
    // The crawler's table came from the exported catalog, with its struct fields as the data spells them.
    const delivered = JSON.parse(fileOf(result, 'athena-scripts/raw_tables/parcel_delivered.json'));
    assert.equal(delivered.location, 'txma/PARCEL_DELIVERED');
    assert.deepEqual(delivered.tables.parcel_delivered.columns.at(-1), {
      name: 'extensions',
      type: 'struct<proofOfDelivery:struct<photoTaken:boolean,signature-kind:string>>',
    });
  });

  test('the same checkout gives the same files, byte for byte', () => {
    // Act
    const first = importDap(checkout());
    const second = importDap(checkout());

    // Assess
    assert.deepEqual(second.files, first.files);
  });

  test('without the catalog the crawler-made raw table is reported with why, and everything else is written', () => {
    // Act
    const result = importDap(checkout({ catalog: false }));

    // Assess
    const report = fileOf(result, REPORT_FILE);
    assert.ok(!result.files.some((f) => f.path === 'athena-scripts/raw_tables/parcel_delivered.json'));
    assert.ok(result.files.some((f) => f.path === 'athena-scripts/raw_tables/parcel_scanned.json'));
    assert.ok(
      report.includes(
        '- raw table of event parcel_delivered: no declaration: a Glue crawler (parcel_journey, iac/main/resources/raw.yml (ParcelJourneyCrawler)) makes it from txma/PARCEL_DELIVERED/, so its columns are known only to the deployed catalog; pass --glue-catalog <the output of aws glue get-tables --database-name <env>-txma-raw> to declare it',
      ),
      report,
    );
  });

  test('without the Glue YAML the report says to read it at an earlier revision', () => {
    // Prepare
    const files = fixtureFiles();
    files.delete('iac/main/resources/raw.yml');
    files.delete('iac/main/resources/stage.yml');

    // Act
    const result = importDap({ label: 'dap-shaped', files });

    // Assess
    const report = fileOf(result, REPORT_FILE);
    assert.match(
      report,
      /- iac\/main\/resources\/stage\.yml: not in the checkout \(DAP removed it in commit e45e303f\): import with --glue-from e45e303f\^ to read it from before; its tables are not declared/,
    );
    assert.match(
      report,
      /- stage table of family parcel_journey: no Glue table parcel_journey in iac\/main\/resources\/stage\.yml/,
    );
    assert.ok(result.files.some((f) => f.path === 'athena-scripts/dml/insert_into/parcel_scanned.sql'));
  });

  test('setup scripts become migrations in the runbook order, its CALL after the procedure, then Flyway as named', () => {
    // Act
    const result = importDap(checkout());

    // Assess
    assert.equal(
      fileOf(result, 'redshift-scripts/migrations/V0.0.1__setup_schemas.sql'),
      'create schema if not exists conformed;\ncreate schema if not exists parcel_reporting;\ncreate schema if not exists reference_data;\n',
    );
    assert.equal(
      fileOf(result, 'redshift-scripts/migrations/V0.1.2__setup_call_sp_parcel_data_objects.sql'),
      'CALL dap_parcel_reporting_db.conformed.sp_parcel_data_objects();\n',
    );
    const setup = fileOf(result, 'redshift-scripts/migrations/V0.1.1__setup_sp_parcel_data_objects.sql');
    assert.match(setup, /FROM \{\{stage_schema\}\}\.parcel_journey\n/);
    assert.equal(
      setup.replace('{{stage_schema}}.parcel_journey', '"dap_parcel_reporting_db"."dap_parcel_stage"."parcel_journey"'),
      checkout().files.get('redshift-scripts/setup_process/sp_parcel_data_objects.sql'),
    );
    const procedure = fileOf(result, 'redshift-scripts/procedures/sp_parcel_journey.sql');
    assert.match(procedure, /^CREATE OR replace PROCEDURE \{\{reporting_schema\}\}\.sp_parcel_journey \(\)/);
    assert.match(procedure, /"dap_parcel_reporting_db"\."conformed"\."ref_depot"/);
    assert.deepEqual(JSON.parse(fileOf(result, 'redshift-scripts/reporting_model_product_family_config.json')), [
      { product_family: 'parcel_journey', enabled: true, depends_on: ['parcel_journey'] },
    ]);
    const report = fileOf(result, REPORT_FILE);
    for (const line of [
      '- redshift-scripts/flyway/migrations/dap_parcel_reporting_db/Task_Before_After_Release.txt: Flyway does not run it: not named V<version>__<description>.sql or R__<description>.sql',
      '- redshift-scripts/migrations/V2.2__add_depot_region_-dpt_1.sql ← redshift-scripts/flyway/migrations/dap_parcel_reporting_db/V2.2__add depot region -dpt_1.sql: renamed from "V2.2__add depot region -dpt_1.sql": dap\'s migration names hold letters, digits, _, . and - only; Flyway database folder dap_parcel_reporting_db: its scripts run in redshift.database (dap_parcel_reporting_db)',
    ]) {
      assert.ok(report.includes(line), `${line}\nnot in\n${report}`);
    }
    assert.match(
      report,
      /- redshift-scripts\/setup_process\/redshift_setup_process_scripts\.sql: prose, not SQL \(line 22: /,
    );
  });

  test('a runbook is prose or values to replace by hand; the stage schema is rewritten only as a name', () => {
    // Assess
    assert.equal(runbookReason('-- copy the file\ncreate table t (a int);\n'), undefined);
    assert.match(
      runbookReason('grant usage on schema s to "IAMR:{env}-role";\n') ?? '',
      /values to replace by hand \(line 1/,
    );
    const changes: string[] = [];
    const facts = { database: 'db', reportingSchema: 'conformed', stageSchema: 'dap_txma_stage' };
    assert.equal(
      rewriteStageSchema(
        'select * from "db"."dap_txma_stage"."T", dap_txma_stage.x, \'dap_txma_stage.y\' -- dap_txma_stage.z',
        facts,
        changes,
      ),
      'select * from {{stage_schema}}."T", {{stage_schema}}.x, \'dap_txma_stage.y\' -- dap_txma_stage.z',
    );
    assert.deepEqual(changes, ['2 references to the Spectrum stage schema dap_txma_stage → {{stage_schema}}']);
  });

  test('a folder that is not a DAP checkout is one line naming the file it lacks', () => {
    // Assess
    assert.throws(() => importDap({ label: '/tmp/x', files: new Map() }), {
      name: 'DapCheckoutError',
      message:
        '/tmp/x: no athena-scripts/process_scripts/product_family_config.json: expected a checkout of DAP (govuk-one-login/data-analytics-platform)',
    });
  });
});
