import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applicationOrder, migrationOrderProblems } from '../../../lib/core/import/dap/migration-order.ts';

/** Scripts in DAP's shapes: a setup procedure that creates the one-time views, and migrations that call readers. */
const creator = {
  path: 'redshift-scripts/migrations/V0.1.12__setup_sp_conformed_stage_views.sql',
  text: `CREATE OR REPLACE PROCEDURE conformed.sp_conformed_stage_views()
AS $$
BEGIN
Create or replace view conformed.v_stg_depot_one_time AS SELECT * FROM dap_parcel_stage.parcel_journey;
Create or replace view "conformed"."v_stg_courier" AS SELECT 1 AS x;
END;
$$ LANGUAGE plpgsql;
`,
};
const reader = {
  path: 'redshift-scripts/migrations/V0.1.18__setup_sp_depot_beyond_mvp.sql',
  text: `CREATE OR replace PROCEDURE conformed.sp_depot_beyond_mvp ()
AS $$
BEGIN
  INSERT INTO conformed.dim_depot SELECT depot_id FROM conformed.v_stg_depot_one_time AS st
  -- FROM conformed.in_a_comment is not read
  JOIN conformed.ref_region r ON r.id = st.region_id;
END;
$$ LANGUAGE plpgsql;
`,
};
const tables = {
  path: 'redshift-scripts/migrations/V0.1.1__setup_tables.sql',
  text: 'create table if not exists conformed.dim_depot (depot_id varchar);\ncreate table conformed.ref_region (id int);\n',
};
const caller = {
  path: 'redshift-scripts/migrations/V0.1.23__setup_call_sp_depot_beyond_mvp.sql',
  text: 'CALL dap_parcel_reporting_db.conformed.sp_depot_beyond_mvp ();\n',
};
const familyProcedure = {
  path: 'redshift-scripts/procedures/sp_parcel_journey.sql',
  text: `CREATE OR REPLACE PROCEDURE {{reporting_schema}}.sp_parcel_journey() AS $$
BEGIN
  INSERT INTO conformed.dim_depot SELECT x FROM "conformed".v_stg_courier;
END;
$$ LANGUAGE plpgsql;
`,
};

describe("DAP's reporting scripts in the order a fresh warehouse applies them", () => {
  test('versioned scripts apply by version (0.1.9 before 0.1.10), repeatable ones after them', () => {
    // Prepare
    const paths = [
      'redshift-scripts/procedures/sp_a.sql',
      'redshift-scripts/migrations/V0.1.10__b.sql',
      'redshift-scripts/migrations/R__grants.sql',
      'redshift-scripts/migrations/V0.1.9__a.sql',
      'redshift-scripts/migrations/V2__c.sql',
    ];

    // Act
    const order = applicationOrder(paths.map((path) => ({ path, text: '' }))).map((s) => s.path);

    // Assess
    assert.deepEqual(order, [
      'redshift-scripts/migrations/V0.1.9__a.sql',
      'redshift-scripts/migrations/V0.1.10__b.sql',
      'redshift-scripts/migrations/V2__c.sql',
      'redshift-scripts/migrations/R__grants.sql',
      'redshift-scripts/procedures/sp_a.sql',
    ]);
  });

  test('a CALL of a procedure that reads a view only another procedure creates, never called, is flagged on the script that fails', () => {
    // Act
    const problems = migrationOrderProblems([caller, reader, creator, tables]);

    // Assess: one problem, on V0.1.23, naming the view, the creating procedure and its script
    assert.deepEqual([...problems.keys()], [caller.path]);
    const [problem] = problems.get(caller.path) ?? [];
    assert.match(
      problem ?? '',
      /^CALL conformed\.sp_depot_beyond_mvp\(\) reads conformed\.v_stg_depot_one_time, which only the procedure conformed\.sp_conformed_stage_views \(V0\.1\.12__setup_sp_conformed_stage_views\.sql\) creates, and no script applied before calls it/,
    );
  });

  test('a migration that calls the creating procedure first clears it; names no script creates are not judged', () => {
    // Prepare: the views created by a CALL before V0.1.23; the stage schema's table is created nowhere here
    const first = {
      path: 'redshift-scripts/migrations/V0.1.13__call_views.sql',
      text: 'call conformed.sp_conformed_stage_views();\n',
    };

    // Act
    const problems = migrationOrderProblems([caller, reader, creator, tables, first]);

    // Assess
    assert.deepEqual([...problems], []);
  });

  test("a run's call of a family procedure is judged after every script, with placeholders filled", () => {
    // Act
    const problems = migrationOrderProblems([creator, tables, familyProcedure], ['conformed.sp_parcel_journey'], {
      reporting_schema: 'conformed',
    });

    // Assess
    assert.deepEqual([...problems.keys()], [familyProcedure.path]);
    assert.match(
      problems.get(familyProcedure.path)?.[0] ?? '',
      /^a run's CALL conformed\.sp_parcel_journey\(\) reads conformed\.v_stg_courier, which only the procedure conformed\.sp_conformed_stage_views/,
    );
  });
});
