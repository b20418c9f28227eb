import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalTwin } from '../../lib/local/twin/local-twin.ts';
import { TaskError } from '../../lib/local/twin/task-handlers.ts';
import { twinFixture } from '../helpers/twin-fixture.ts';

test('a reporting family is not built in a run where a family it depends on failed; the others are', async () => {
  // Prepare: single_customer_view depends on eventbrite (its procedures read it), user_journey does not
  const fixture = await twinFixture();
  try {
    const twin = await LocalTwin.open(fixture.context);

    // Act: every eventbrite event fails in its first step
    const run = await twin.run({
      now: () => new Date(Date.now() + 3 * 86_400_000),
      wrapTask: (state, handler) =>
        state !== 'PrepareTransform'
          ? handler
          : async (input) => {
              if ((input as { product_family?: string }).product_family === 'eventbrite')
                throw new TaskError('States.TaskFailed', 'injected: the eventbrite step failed');
              return handler(input);
            },
    });

    // Assess
    assert.equal(run.outcome, 'PARTIAL');
    const reporting = new Map(run.report?.reporting.map((r) => [r.product_family, r]));
    assert.equal(reporting.get('single_customer_view')?.status, 'SKIPPED');
    assert.match(
      reporting.get('single_customer_view')?.error ?? '',
      /conformed\.sp_single_customer_view not called: family "eventbrite" failed in this run/,
    );
    assert.equal(reporting.get('user_journey')?.status, 'SUCCEEDED');
    const warehouse = await fixture.context.warehouse();
    const customers = await warehouse.database.query('select count(*)::int as n from conformed.scv_customer');
    assert.equal(customers.rows[0]?.n, 0, 'nothing was loaded from the failed run');
    const audit = await warehouse.database.query(
      "select count(*)::int as n from conformed.procedure_audit where procedure_name like '%sp_single_customer_view%'",
    );
    assert.equal(audit.rows[0]?.n, 0, 'the skipped procedure was never called');
    const facts = await warehouse.database.query('select count(*)::int as n from conformed.fact_user_journey_event');
    assert.ok(Number(facts.rows[0]?.n ?? 0) > 0, 'the family that does not depend on eventbrite was built');
  } finally {
    await fixture.cleanup();
  }
});
