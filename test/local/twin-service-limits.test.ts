import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadProject } from '../../lib/config/loader.ts';
import { resourceNames } from '../../lib/core/model/names.ts';
import { environment } from '../../lib/core/model/project.ts';
import { DuckDbEngine } from '../../lib/engines/local/duckdb-engine.ts';
import {
  type AslMachine,
  stateMachineDefinition,
  TemplateResolver,
  taskStates,
} from '../../lib/local/twin/definition.ts';
import {
  buildTaskHandlers,
  LAMBDA_REQUEST_MAX_BYTES,
  LAMBDA_RESPONSE_MAX_BYTES,
  TaskError,
  type TaskHandler,
} from '../../lib/local/twin/task-handlers.ts';
import { cachedTemplate } from '../../lib/local/twin/template-cache.ts';
import { projectFixture } from '../helpers/project-fixture.ts';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

/** What a task failed with, as the state machine sees it: its error name and its Cause, parsed when it is JSON. */
async function failure(run: Promise<unknown>): Promise<{ name: string; cause: Record<string, unknown> | string }> {
  const error = await run.then(
    () => assert.fail('expected the task to fail'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof TaskError, String(error));
  try {
    return { name: error.name, cause: JSON.parse(error.message) as Record<string, unknown> };
  } catch {
    return { name: error.name, cause: error.message };
  }
}

const RESOLVE_IN = { account: '111111111111', region: 'eu-west-2' };

describe("the twin's Lambda invocations keep to Lambda's 6 MB synchronous payloads", () => {
  const machine: AslMachine = {
    StartAt: 'Invoke',
    States: {
      Invoke: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'arn:aws:lambda:eu-west-2:111111111111:function:EchoFunction' },
      },
    },
  };
  const resolver = new TemplateResolver(
    {
      Resources: {
        EchoFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: { Environment: { Variables: { DAP_HANDLER: 'echo' } } },
        },
      },
    },
    RESOLVE_IN,
  );
  const calls: unknown[] = [];
  /** Returns a string whose JSON is exactly `event.bytes` bytes. */
  const echo = async (event: unknown) => {
    calls.push(event);
    const { bytes } = event as { bytes: number };
    return 'x'.repeat(bytes - 2);
  };
  const handlers = buildTaskHandlers(machine, resolver, {
    lambdas: { echo },
    engine: undefined as never,
    notify: () => {},
  });
  const invoke = handlers.Invoke as TaskHandler;

  test('a response of 6,291,556 bytes returns; one byte more fails as Function.ResponseSizeTooLarge', async () => {
    // Act
    const within = (await invoke({ Payload: { bytes: LAMBDA_RESPONSE_MAX_BYTES } })) as { Payload: string };
    const over = await failure(invoke({ Payload: { bytes: LAMBDA_RESPONSE_MAX_BYTES + 1 } }));

    // Assess
    assert.equal(Buffer.byteLength(JSON.stringify(within.Payload)), 6_291_556);
    assert.equal(over.name, 'Function.ResponseSizeTooLarge');
    assert.deepEqual(over.cause, {
      errorMessage:
        'Response payload size exceeded maximum allowed payload size (6291556 bytes). echo returned 6291557 bytes.',
      errorType: 'Function.ResponseSizeTooLarge',
    });
  });

  test('a request over 6,291,456 bytes is refused by Lambda before the function runs', async () => {
    // Prepare: the event's JSON is exactly the limit, then a byte more
    const event = (bytes: number) => ({ bytes: 10, padding: 'x'.repeat(bytes - '{"bytes":10,"padding":""}'.length) });
    calls.length = 0;

    // Act
    await invoke({ Payload: event(LAMBDA_REQUEST_MAX_BYTES) });
    const over = await failure(invoke({ Payload: event(LAMBDA_REQUEST_MAX_BYTES + 1) }));

    // Assess
    assert.equal(calls.length, 1, 'the function ran for the request within the limit only');
    assert.equal(Buffer.byteLength(JSON.stringify(calls[0])), 6_291_456);
    assert.equal(over.name, 'Lambda.RequestEntityTooLargeException');
    assert.equal(
      over.cause,
      'Request must be smaller than 6291456 bytes for the InvokeFunction operation (the request to echo has 6291457 bytes)',
    );
  });
});

describe("the twin's Athena tasks run in the workgroup the stack defines, with its bytes-scanned cutoff", () => {
  let engine: DuckDbEngine;
  let workgroup: string;
  let dayBytes: number;
  let cleanup: () => void;
  let query: TaskHandler;

  before(async () => {
    const fixture = projectFixture();
    const dataDir = mkdtempSync(join(tmpdir(), 'dap-twin-athena-'));
    cleanup = () => {
      fixture.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    };
    for (const day of ['2026-11-19', '2026-11-20']) {
      const folder = join(dataDir, 'dev-dap-raw', 'shop', 'order_placed', `day=${day}`);
      mkdirSync(folder, { recursive: true });
      const records = Array.from({ length: 20 }, (_, i) => JSON.stringify({ event_id: `${day}-${i}`, timestamp: i }));
      writeFileSync(join(folder, 'part-0.json'), `${records.join('\n')}\n`);
      dayBytes = statSync(join(folder, 'part-0.json')).size;
    }
    const project = loadProject(fixture.root);
    const dev = environment(project, 'dev');
    // A cutoff of one day and a half; Athena's own floor (10 MB, which config enforces) would need 10 MB of files.
    engine = await DuckDbEngine.open({
      project,
      environment: { ...dev, athena: { bytes_scanned_cutoff: Math.floor(dayBytes * 1.5) } },
      dataDir,
      databasePath: ':memory:',
    });
    workgroup = engine.names.workgroup;
    const machine: AslMachine = {
      StartAt: 'Query',
      States: { Query: { Type: 'Task', Resource: 'arn:aws:states:::athena:startQueryExecution.sync' } },
    };
    const handlers = buildTaskHandlers(machine, new TemplateResolver({ Resources: {} }, RESOLVE_IN), {
      lambdas: {},
      engine,
      notify: () => {},
    });
    query = handlers.Query as TaskHandler;
  });
  after(async () => {
    await engine?.close();
    cleanup?.();
  });

  test('a query within the cutoff succeeds and reports the bytes it scanned', async () => {
    const output = (await query({
      QueryString: 'select count(*) from dev_dap_raw.order_placed where "day" = ?',
      ExecutionParameters: ["'2026-11-20'"],
      WorkGroup: workgroup,
    })) as { QueryExecution: { Status: { State: string }; Statistics: { DataScannedInBytes: number } } };
    assert.equal(output.QueryExecution.Status.State, 'SUCCEEDED');
    assert.equal(output.QueryExecution.Statistics.DataScannedInBytes, dayBytes);
  });

  test('a query scanning more than the cutoff ends CANCELLED with Athena’s reason, failing its task', async () => {
    const over = await failure(
      query({ QueryString: 'select count(*) from dev_dap_raw.order_placed', WorkGroup: workgroup }),
    );
    assert.equal(over.name, 'States.TaskFailed');
    const execution = (over.cause as { QueryExecution: Record<string, unknown> }).QueryExecution;
    assert.deepEqual(execution.Status, {
      State: 'CANCELLED',
      StateChangeReason: `Bytes scanned limit was exceeded: the query read ${dayBytes * 2} bytes, over workgroup dev-dap-workgroup's cutoff of ${Math.floor(dayBytes * 1.5)} bytes per query`,
    });
    assert.deepEqual(execution.Statistics, { DataScannedInBytes: dayBytes * 2 });
    assert.equal(execution.WorkGroup, workgroup);
  });

  test('a MERGE writing 101 partitions fails as Athena fails it', async () => {
    const over = await failure(
      query({
        QueryString: `merge into dev_dap_stage.sales as t using (select 'e' || i as event_id, 'n' || i as event_name from range(101) r(i)) as s on t.event_id = s.event_id when not matched then insert (event_id, event_name) values (s.event_id, s.event_name)`,
        WorkGroup: workgroup,
      }),
    );
    const status = (over.cause as { QueryExecution: { Status: unknown } }).QueryExecution.Status;
    assert.deepEqual(status, {
      State: 'FAILED',
      StateChangeReason:
        'ICEBERG_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers for partitions (the statement writes 101 partitions of dev_dap_stage.sales)',
    });
  });
});

test('the workgroup the Athena tasks name, and its cutoff, are the ones the engine enforces: from the same config', async () => {
  // Prepare: the repo's own project, as the stack synthesizes it for dev
  const project = loadProject(REPO_ROOT);
  const dev = environment(project, 'dev');
  const { template } = await cachedTemplate(project, dev);
  const resolver = new TemplateResolver(template, dev);
  const names = resourceNames(dev);

  // Act
  const machine = stateMachineDefinition(template, resolver, names.stateMachine);
  const named = new Set(
    taskStates(machine)
      .filter(({ state }) => state.Resource?.includes(':athena:'))
      .map(({ state }) => state.Parameters?.WorkGroup),
  );
  const workgroups = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Athena::WorkGroup');

  // Assess
  assert.deepEqual([...named], [names.workgroup]);
  assert.equal(workgroups.length, 1);
  const properties = workgroups[0]?.Properties as {
    Name: string;
    WorkGroupConfiguration: { BytesScannedCutoffPerQuery: number; EnforceWorkGroupConfiguration: boolean };
  };
  assert.equal(properties.Name, names.workgroup);
  assert.equal(properties.WorkGroupConfiguration.BytesScannedCutoffPerQuery, dev.athena.bytes_scanned_cutoff);
  assert.equal(properties.WorkGroupConfiguration.EnforceWorkGroupConfiguration, true);
});
