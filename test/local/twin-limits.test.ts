import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { payloadWarning, printRunResult } from '../../lib/local/progress.ts';
import type { AslMachine } from '../../lib/local/twin/definition.ts';
import { TemplateResolver } from '../../lib/local/twin/definition.ts';
import { LocalTwin, STATE_PAYLOAD_LIMIT_BYTES } from '../../lib/local/twin/local-twin.ts';
import { ATHENA_QUERY_STRING_MAX_BYTES, buildTaskHandlers, TaskError } from '../../lib/local/twin/task-handlers.ts';
import { type TwinFixture, twinFixture } from '../helpers/twin-fixture.ts';

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

  test('events that fail with long errors (32 KiB, the most a Cause holds) fail the run as AWS would', async () => {
    // Prepare: every event fails its first step with the longest cause Step Functions keeps
    const twin = await LocalTwin.open(fixture.context);
    const cause = `injected: ${'x'.repeat(32_768 - 10)}`;
    const ran: string[] = [];

    // Act
    const result = await twin.run({
      trigger: 'test',
      wrapTask: (state, handler) =>
        state !== 'PrepareTransform'
          ? async (input) => {
              ran.push(state);
              return handler(input);
            }
          : async () => {
              throw new TaskError('States.TaskFailed', cause);
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
    // Nothing after the families ran: their gathered results were the state that crossed the quota.
    assert.deepEqual(
      [...new Set(ran)].filter((state) => !['AcquireRunLease', 'PlanRun', 'CheckFamily'].includes(state)),
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
