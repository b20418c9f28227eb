import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ATHENA_QUERY_STRING_MAX_BYTES } from '../../lib/core/athena-limits.ts';
import { SUMMARY_MESSAGE_MAX_CHARS } from '../../lib/core/run-report.ts';
import { failsInLongErrorRun, largeProjectFiles } from '../../lib/core/samples/large-project.ts';
import { type LocalContext, openLocal } from '../../lib/local/context.ts';
import { payloadWarning, printRunResult } from '../../lib/local/progress.ts';
import type { AslMachine } from '../../lib/local/twin/definition.ts';
import { TemplateResolver } from '../../lib/local/twin/definition.ts';
import { LocalTwin, STATE_PAYLOAD_LIMIT_BYTES } from '../../lib/local/twin/local-twin.ts';
import { buildTaskHandlers, TaskError } from '../../lib/local/twin/task-handlers.ts';
import { writeFiles } from '../helpers/project-fixture.ts';
import { type TwinFixture, twinFixture } from '../helpers/twin-fixture.ts';
import { tempDir } from '../infra/fixtures.ts';

/**
 * The twin fails a run where Step Functions would: a state given or returning more than 256 KiB fails the execution
 * with States.DataLimitExceeded, however lenient the local interpreter is.
 */
describe('the twin enforces the 256 KiB state payload quota', () => {
  let fixture: TwinFixture;
  before(async () => {
    fixture = await twinFixture();
  });
  after(async () => fixture.cleanup());

  test('a run stays far inside the quota, and says how close it came', async () => {
    // Act
    const twin = await LocalTwin.open(fixture.context);
    const result = await twin.run({ trigger: 'test' });

    // Assess
    assert.equal(result.outcome, 'SUCCEEDED');
    assert.ok(result.largestPayload && result.largestPayload.bytes > 1000, JSON.stringify(result.largestPayload));
    assert.ok(result.largestPayload.bytes < STATE_PAYLOAD_LIMIT_BYTES / 2, JSON.stringify(result.largestPayload));
    assert.equal(payloadWarning(result), undefined);
  });

  test('a state over 60% of the quota is a warning in the run summary', () => {
    const near = { largestPayload: { state: 'WriteRunReport', direction: 'output' as const, bytes: 160_481 } };
    assert.equal(
      payloadWarning(near),
      "warning: state WriteRunReport's output was 160481 bytes, 61% of Step Functions' 262144-byte quota; a run with more events or longer errors would fail in AWS (States.DataLimitExceeded)",
    );
    assert.equal(payloadWarning({ largestPayload: { ...near.largestPayload, bytes: 157_286 } }), undefined);
  });

  test('a Map whose gathered results pass 256 KiB fails the run as AWS would', async () => {
    // Prepare: each event's prepared window carries 100 KB, within the quota alone; the events Map of a family of
    // three or more events gathers more than 256 KiB
    const twin = await LocalTwin.open(fixture.context);
    const sample = ['x'.repeat(100_000)];
    const ran: string[] = [];

    // Act
    const result = await twin.run({
      trigger: 'test',
      wrapTask: (state, handler) => async (input) => {
        ran.push(state);
        const output = await handler(input);
        return state === 'PrepareTransform' ? { ...(output as object), late_file_sample: sample } : output;
      },
    });

    // Assess
    assert.equal(result.outcome, 'CRASHED');
    assert.equal(result.error?.name, 'States.DataLimitExceeded');
    assert.match(
      result.error?.cause ?? '',
      /^The state '\w+' (returned a result|was given an input) of \d+ bytes, exceeding the maximum number of bytes service limit \(262144\)\.$/,
    );
    assert.ok((result.largestPayload?.bytes ?? 0) > STATE_PAYLOAD_LIMIT_BYTES);
    // Nothing after the families ran: a family's gathered results were the state that crossed the quota.
    const after = ['MigrateWarehouse', 'CallProcedure', 'WriteRunReport', 'ReleaseRunLease', 'NotifyRunProblem'];
    assert.ok(ran.includes('PrepareTransform'));
    assert.deepEqual(
      ran.filter((state) => after.includes(state)),
      [],
      `ran after the quota was crossed: ${[...new Set(ran)]}`,
    );
    const lines: string[] = [];
    assert.equal(
      printRunResult(result, (line) => lines.push(line)),
      1,
    );
    assert.match(lines.join('\n'), /^run \S+ FAILED: States\.DataLimitExceeded The state '\w+' .* \(262144\)\.$/);
  });
});

/**
 * Issue 22's target: no state payload above half of 256 KiB at 500 events, whatever the events' errors. What a run
 * carries in its state must not grow with events × error length: the report still holds every event and every error.
 */
describe('a run of 500 events over 50 families stays within half the quota', () => {
  let context: LocalContext;
  let twin: LocalTwin;
  before(async () => {
    const root = tempDir('dap-large-run-');
    writeFiles(root, largeProjectFiles());
    context = await openLocal({ root, env: 'dev', dataDir: join(root, '.dap') });
    twin = await LocalTwin.open(context);
  });
  after(async () => context?.close());

  test('a run with nothing to load', async () => {
    // Act
    const result = await twin.run({ trigger: 'test' });

    // Assess
    assert.equal(result.outcome, 'SUCCEEDED');
    assert.equal(result.report?.totals.events, 500);
    assert.ok(
      (result.largestPayload?.bytes ?? 0) <= STATE_PAYLOAD_LIMIT_BYTES / 2,
      JSON.stringify(result.largestPayload),
    );
  });

  test('a run where events fail with 32 KiB causes reports every event and every whole error', async () => {
    // Prepare: every event of family_001 and the first of each even-numbered family fail with the longest Cause
    // Step Functions keeps
    const cause = (event: string) => `${event}: ${'x'.repeat(32_768 - event.length - 2)}`;

    // Act
    const result = await twin.run({
      trigger: 'test',
      wrapTask: (state, handler) =>
        state === 'PrepareTransform'
          ? async (input) => {
              const event = String((input as { event_name?: unknown }).event_name);
              if (failsInLongErrorRun(event)) throw new TaskError('States.TaskFailed', cause(event));
              return handler(input);
            }
          : handler,
    });

    // Assess
    assert.equal(result.outcome, 'PARTIAL', JSON.stringify(result.error));
    assert.ok(
      (result.largestPayload?.bytes ?? 0) <= STATE_PAYLOAD_LIMIT_BYTES / 2,
      JSON.stringify(result.largestPayload),
    );
    const events = result.report?.families.flatMap((f) => f.events) ?? [];
    assert.equal(events.length, 500);
    const failed = events.filter((e) => e.status === 'FAILED');
    assert.equal(failed.length, 10 + 25);
    for (const event of failed) assert.equal(event.error, `States.TaskFailed: ${cause(event.event_name)}`);
    assert.ok(
      events
        .filter((e) => e.status === 'SUCCEEDED')
        .every((e) => !failsInLongErrorRun(e.event_name) && e.error === null),
    );
    assert.equal(result.report?.totals.families_failed, 26);
    // The notification says what failed within a bounded length, and where the rest is.
    assert.ok((result.notifications[0]?.message.length ?? 0) <= SUMMARY_MESSAGE_MAX_CHARS);
    assert.match(result.notifications[0]?.message ?? '', /And \d+ more failures in the run report$/);
  });
});

describe("the twin enforces Athena's 262,144-byte query string", () => {
  const machine: AslMachine = {
    StartAt: 'Query',
    States: { Query: { Type: 'Task', Resource: 'arn:aws:states:::athena:startQueryExecution.sync' } },
  };
  const resolver = new TemplateResolver({ Resources: {} }, { account: '111111111111', region: 'eu-west-2' });
  const ran: string[] = [];
  const engine = {
    execute: async (sql: string) => {
      ran.push(sql);
      return { queryId: 'q', rows: [], columns: [], durationMs: 1 };
    },
  };
  const handlers = buildTaskHandlers(machine, resolver, { lambdas: {}, engine: engine as never, notify: () => {} });

  test('a query at the limit runs; one byte over fails as Athena refuses it, and never reaches the engine', async () => {
    // Prepare
    const query = (bytes: number) => `select '${'x'.repeat(bytes - 9)}'`;
    const run = handlers.Query;
    assert.ok(run);

    // Act
    await run({ QueryString: query(ATHENA_QUERY_STRING_MAX_BYTES) });
    const refused = await run({ QueryString: query(ATHENA_QUERY_STRING_MAX_BYTES + 1) }).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    assert.equal(ran.length, 1);
    assert.equal(Buffer.byteLength(ran[0] ?? ''), ATHENA_QUERY_STRING_MAX_BYTES);
    assert.ok(refused instanceof TaskError);
    const reason = JSON.parse(refused.message).QueryExecution.Status.StateChangeReason;
    assert.equal(
      reason,
      "1 validation error detected: Value at 'queryString' failed to satisfy constraint: Member must have length less than or equal to 262144 (it has 262145 bytes)",
    );
  });
});
