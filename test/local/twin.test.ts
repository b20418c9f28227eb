import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { enabledFamilies } from '../../lib/core/model/plan.ts';
import { RAW_TO_STAGE_LEASE } from '../../lib/core/run-guard.ts';
import type { EventReport } from '../../lib/core/run-report.ts';
import { FileControlStore } from '../../lib/engines/local/file-control-store.ts';
import { progressLines } from '../../lib/local/live-progress.ts';
import type { AslMachine } from '../../lib/local/twin/definition.ts';
import { TemplateResolver } from '../../lib/local/twin/definition.ts';
import { LocalTwin } from '../../lib/local/twin/local-twin.ts';
import { buildTaskHandlers, TaskError, UnsupportedTaskError } from '../../lib/local/twin/task-handlers.ts';
import { distinctRawEventIds, stageRows, type TwinFixture, twinFixture } from '../helpers/twin-fixture.ts';

describe('the local twin runs the synthesized state machine', () => {
  describe('happy path', () => {
    let fixture: TwinFixture;
    before(async () => {
      fixture = await twinFixture();
    });
    after(async () => fixture.cleanup());

    test('every enabled family and event runs, disabled ones do not, and stage holds one row per event_id', async () => {
      // Prepare
      const { context } = fixture;
      const twin = await LocalTwin.open(context);

      const lines: string[] = [];

      // Act
      const result = await twin.run({ trigger: 'test', progress: progressLines((line) => lines.push(line)) });

      // Assess: the report lists exactly the enabled families and events
      assert.equal(result.outcome, 'SUCCEEDED');
      // Assess: live progress ends every event it starts with ✓, those with no new data saying so
      const started = lines.filter((line) => line.startsWith('  … ')).map((line) => line.slice(4));
      const ended = lines
        .filter((line) => line.startsWith('  ✓ '))
        .map((line) => line.slice(4).split(/[:(]/)[0]?.trim());
      assert.deepEqual([...ended].sort(), [...started].sort());
      assert.ok(
        lines.some((line) => / \/ eventbrite_orders: nothing new \(\d+\.\d s\)$/.test(line)),
        lines.join('\n'),
      );
      const planned = enabledFamilies(context.project);
      assert.deepEqual(
        result.report?.families.map((f) => [f.product_family, f.events.map((e) => e.event_name)]),
        planned.map((f) => [f.productFamily, [...f.events]]),
      );
      const ran = new Set(result.report?.families.flatMap((f) => f.events.map((e) => e.event_name)));
      assert.equal(ran.has('auth_update_profile_phone_number'), false, 'a disabled event does not run');
      assert.equal(
        result.report?.families.some((f) => f.product_family === 'orch_spot'),
        false,
        'a disabled family does not run',
      );

      // Assess: each event's rows in its family's stage table, one per distinct raw event_id, as the report says
      // The fixture holds TxMA samples only; the API families' windows are empty and are skipped.
      for (const family of planned) {
        const table = context.project.stageTables.get(family.productFamily)?.table ?? family.productFamily;
        for (const event of family.events) {
          const reportedEvent: EventReport | undefined = result.report?.families
            .flatMap((f) => f.events)
            .find((e) => e.event_name === event);
          if (context.project.rawTables.get(event)?.source !== 'txma') {
            assert.equal(reportedEvent?.skipped, true, `${event} has no raw data and is skipped`);
            continue;
          }
          const expected = await distinctRawEventIds(context, event);
          assert.ok(expected > 0, `the sample has ${event} records`);
          assert.equal(await stageRows(context, table, event), expected, `${event} rows in ${table}`);
          const reported: EventReport | undefined = result.report?.families
            .flatMap((f) => f.events)
            .find((e) => e.event_name === event);
          assert.equal(reported?.rows_written, expected, `${event} rows written in the report`);
          assert.match(reported?.query_id ?? '', /^[0-9a-f-]{36}$/);
        }
      }
      assert.equal(await stageRows(context, 'orch_spot'), 0);
      assert.deepEqual(result.notifications, [], 'a successful run notifies no one');
    });

    test('the run report is stored in the process-results bucket under its run date', async () => {
      const { context } = fixture;
      const twin = await LocalTwin.open(context);

      const result = await twin.run({ runId: 'report-layout-run' });

      assert.match(result.reportKey ?? '', /^run_reports\/run_date=\d{4}-\d{2}-\d{2}\/report-layout-run\.json$/);
      const stored = await context.store.get(context.names.buckets.processResults, result.reportKey ?? '');
      const report = JSON.parse(new TextDecoder().decode(stored));
      assert.equal(report.run_id, 'report-layout-run');
      assert.equal(report.environment, 'dev');
      assert.equal(report.trigger, 'manual');
      assert.equal(report.status, 'SUCCEEDED');
    });
  });

  describe('failure isolation', () => {
    let fixture: TwinFixture;
    before(async () => {
      // Prepare: a transform that parses and checks fine but fails at run time on the data
      fixture = await twinFixture((root) => {
        const file = join(root, 'athena-scripts/dml/insert_into/dcmaw_cri_start.sql');
        const sql = readFileSync(file, 'utf8');
        const broken = sql.replace(
          'extensions.journey_type as app_journey_type',
          'cast(extensions.journey_type as integer) as app_journey_type',
        );
        assert.notEqual(broken, sql);
        writeFileSync(file, broken);
      });
    });
    after(async () => fixture.cleanup());

    test('a family whose SQL fails is recorded, the others commit, and the run is PARTIAL and notified', async () => {
      const { context } = fixture;
      const twin = await LocalTwin.open(context);

      const result = await twin.run();

      assert.equal(result.outcome, 'PARTIAL');
      assert.equal(result.error?.name, 'dap.RunPartial');
      const dcmaw = result.report?.families.find((f) => f.product_family === 'dcmaw_app_journey');
      assert.equal(dcmaw?.status, 'FAILED');
      const failedEvent = dcmaw?.events.find((e) => e.event_name === 'dcmaw_cri_start');
      assert.equal(failedEvent?.status, 'FAILED');
      assert.match(failedEvent?.error ?? '', /^States\.TaskFailed: Conversion Error: Could not convert string/);
      // The family's other events still ran: an event's failure is its own.
      assert.equal(dcmaw?.events.find((e) => e.event_name === 'dcmaw_cri_vc_issued')?.status, 'SUCCEEDED');
      for (const family of ['auth_account_creation', 'ipv_identity_journey']) {
        assert.equal(result.report?.families.find((f) => f.product_family === family)?.status, 'SUCCEEDED');
        assert.ok((await stageRows(context, family)) > 0, `${family} rows are committed`);
      }
      assert.equal(await stageRows(context, 'dcmaw_app_journey', 'dcmaw_cri_start'), 0);
      assert.equal(result.notifications.length, 1);
      assert.match(
        result.notifications[0]?.message ?? '',
        /PARTIAL.*dcmaw_app_journey: dcmaw_cri_start \(States\.TaskFailed: Conversion Error/,
      );
    });

    test('a run limited to one family runs only that family', async () => {
      const { context } = fixture;
      const twin = await LocalTwin.open(context);

      const result = await twin.run({ families: ['auth_account_creation'] });

      assert.equal(result.outcome, 'SUCCEEDED');
      assert.deepEqual(
        result.report?.families.map((f) => f.product_family),
        ['auth_account_creation'],
      );
    });

    test('a run asking for an unknown family fails before touching any family and releases its lease', async () => {
      const { context } = fixture;
      const twin = await LocalTwin.open(context);

      const result = await twin.run({ families: ['no_such_family'] });

      assert.equal(result.outcome, 'CRASHED');
      assert.equal(result.error?.name, 'dap.RunFailed');
      assert.match(result.error?.cause ?? '', /family \\?"no_such_family\\?" is not in product_family_config\.json/);
      const lease = await new FileControlStore(context.dataDir, { table: context.names.controlTable }).getLease(
        RAW_TO_STAGE_LEASE,
      );
      assert.equal(lease, undefined, 'the lease was released');
    });
  });

  describe('guard and retries', () => {
    let fixture: TwinFixture;
    before(async () => {
      fixture = await twinFixture();
    });
    after(async () => fixture.cleanup());

    test('two runs started together: exactly one proceeds, the other says who runs and since when', async () => {
      const { context } = fixture;
      const twin = await LocalTwin.open(context);

      const results = await Promise.all([twin.run({ runId: 'run-a' }), twin.run({ runId: 'run-b' })]);

      const outcomes = results.map((r) => r.outcome).sort();
      assert.deepEqual(outcomes, ['ALREADY_RUNNING', 'SUCCEEDED']);
      const refused = results.find((r) => r.outcome === 'ALREADY_RUNNING');
      const winner = results.find((r) => r.outcome === 'SUCCEEDED');
      const message = (refused?.output as { message?: string } | undefined)?.message ?? '';
      assert.match(message, new RegExp(`a run is already in progress: ${winner?.runId} since \\d{4}-\\d{2}-\\d{2}T`));
      assert.equal(refused?.report, undefined, 'the refused run wrote no report');
    });

    test('a stale lease past its expiry is taken over', async () => {
      // Prepare: a run that crashed an hour ago without releasing its lease
      const { context } = fixture;
      const control = new FileControlStore(context.dataDir, { table: context.names.controlTable });
      const anHourAgo = new Date(Date.now() - 3_600_000);
      const taken = await control.acquireLease(RAW_TO_STAGE_LEASE, 'crashed-run', anHourAgo, 60);
      assert.equal(taken.acquired, true);
      const twin = await LocalTwin.open(context);

      // Act
      const result = await twin.run({ runId: 'after-crash' });

      // Assess
      assert.equal(result.outcome, 'SUCCEEDED');
      assert.equal(await control.getLease(RAW_TO_STAGE_LEASE), undefined);
    });

    test('Athena throttling on the first attempt is retried and the run succeeds', async () => {
      // Prepare: every transform is throttled once
      const { context } = fixture;
      const twin = await LocalTwin.open(context);
      const attempts = new Map<string, number>();

      // Act: a replay of the sample days, as earlier runs in this suite committed them
      const result = await twin.run({
        replay: { from: '2024-01-01', to: '2024-01-31' },
        retryIntervalOverrides: { LoadIncoming: 0 },
        wrapTask: (state, handler) =>
          state !== 'LoadIncoming'
            ? handler
            : async (input) => {
                const token = (input as { ClientRequestToken: string }).ClientRequestToken;
                const attempt = (attempts.get(token) ?? 0) + 1;
                attempts.set(token, attempt);
                if (attempt === 1) throw new TaskError('Athena.TooManyRequestsException', 'Rate exceeded');
                return handler(input);
              },
      });

      // Assess: every event with raw data in its window was throttled once and then ran
      assert.equal(result.outcome, 'SUCCEEDED');
      const ran = result.report?.families.flatMap((f) => f.events).filter((e) => !e.skipped) ?? [];
      assert.ok(ran.length >= 10);
      assert.equal(attempts.size, ran.length);
      assert.deepEqual([...new Set(attempts.values())], [2], 'each transform ran exactly twice');
    });
  });

  test('a Task whose resource the twin cannot run stops with an error naming the state and the resource', () => {
    // Prepare: a definition with a Glue job inside a Map, which the twin has no stand-in for
    const machine: AslMachine = {
      StartAt: 'Outer',
      States: {
        Outer: {
          Type: 'Map',
          ItemProcessor: {
            StartAt: 'RunGlueJob',
            States: { RunGlueJob: { Type: 'Task', Resource: 'arn:aws:states:::glue:startJobRun.sync' } },
          },
        },
      },
    };
    const resolver = new TemplateResolver({ Resources: {} }, { account: '111111111111', region: 'eu-west-2' });

    // Act & Assess
    assert.throws(
      () => buildTaskHandlers(machine, resolver, { lambdas: {}, engine: undefined as never, notify: () => {} }),
      (error: unknown) =>
        error instanceof UnsupportedTaskError &&
        error.message ===
          'state "RunGlueJob" uses resource "arn:aws:states:::glue:startJobRun.sync", which the local twin cannot run: no local implementation for this service integration',
    );
  });
});
