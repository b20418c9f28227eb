import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LocalTwin } from '../../lib/local/twin/local-twin.ts';
import { TaskError } from '../../lib/local/twin/task-handlers.ts';
import { twinFixture } from '../helpers/twin-fixture.ts';

test('a reporting family is not built in a run where a family it depends on failed; the others are', async () => {
  // Prepare: user_journey depends on dcmaw_app_journey (as shipped); single_customer_view here only on eventbrite
  const fixture = await twinFixture((root) => {
    writeFileSync(
      join(root, 'redshift-scripts/reporting_model_product_family_config.json'),
      JSON.stringify([
        { product_family: 'user_journey', enabled: true, depends_on: ['auth_account_creation', 'dcmaw_app_journey'] },
        { product_family: 'single_customer_view', enabled: true, depends_on: ['eventbrite'] },
      ]),
    );
  });
  try {
    const twin = await LocalTwin.open(fixture.context);

    // Act: every MERGE into the dcmaw stage table fails
    const run = await twin.run({
      now: () => new Date(Date.now() + 3 * 86_400_000),
      wrapTask: (state, handler) =>
        state !== 'MergeIntoStage'
          ? handler
          : async (input) => {
              if (String((input as { QueryString: string }).QueryString).includes('"dcmaw_app_journey"'))
                throw new TaskError('States.TaskFailed', 'injected: the dcmaw MERGE failed');
              return handler(input);
            },
    });

    // Assess
    assert.equal(run.outcome, 'PARTIAL');
    const reporting = new Map(run.report?.reporting.map((r) => [r.product_family, r]));
    assert.equal(reporting.get('user_journey')?.status, 'SKIPPED');
    assert.match(
      reporting.get('user_journey')?.error ?? '',
      /conformed\.sp_user_journey not called: family "dcmaw_app_journey" failed in this run/,
    );
    assert.equal(reporting.get('single_customer_view')?.status, 'SUCCEEDED');
    const warehouse = await fixture.context.warehouse();
    const facts = await warehouse.database.query('select count(*)::int as n from conformed.fact_user_journey_event');
    assert.equal(facts.rows[0]?.n, 0, 'nothing was loaded from the failed run');
    const audit = await warehouse.database.query(
      "select count(*)::int as n from conformed.procedure_audit where procedure_name like '%sp_user_journey%'",
    );
    assert.equal(audit.rows[0]?.n, 0, 'the skipped procedure was never called');
  } finally {
    await fixture.cleanup();
  }
});
