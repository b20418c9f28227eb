import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { loadProject } from '../../lib/config/loader.ts';
import { stateKey } from '../../lib/core/connectors/pull-state.ts';
import { resourceNames } from '../../lib/core/model/names.ts';
import { environmentSchema } from '../../lib/core/model/schemas.ts';
import type { RunReport } from '../../lib/core/run-report.ts';
import { runTransform } from '../../lib/core/transform.ts';
import { DuckDbEngine } from '../../lib/engines/local/duckdb-engine.ts';
import { FileControlStore } from '../../lib/engines/local/file-control-store.ts';
import { FolderObjectStore } from '../../lib/engines/local/folder-object-store.ts';
import { registerPull } from '../../lib/local/commands/pull.ts';
import { pullShippedSamples } from '../../lib/local/pull-samples.ts';
import { loadReplaySamples, matchSample } from '../../lib/local/replay-server.ts';
import { LocalTwin } from '../../lib/local/twin/local-twin.ts';
import { REPO_ROOT, stageRows, twinFixture } from '../helpers/twin-fixture.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const project = loadProject(repoRoot);
const environment = environmentSchema.parse({ name: 'pulltest', account: '000000000000', region: 'eu-west-2' });
const names = resourceNames(environment);

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dap-pull-'));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function filesUnder(dir: string): Promise<string[]> {
  try {
    return ((await readdir(dir, { recursive: true })) as string[]).filter((f) => f.endsWith('.json.gz')).sort();
  } catch {
    return [];
  }
}

describe('pulling the shipped samples (npm start)', () => {
  test('every API source is pulled from the replay server into raw, and the transforms flatten it', async () => {
    // Prepare
    const dir = await dataDir();
    const store = new FolderObjectStore(dir);

    // Act
    const summary = await pullShippedSamples({ project, names, dataDir: dir, store });

    // Assess
    assert.deepEqual(summary.unmatched, []);
    assert.deepEqual(
      summary.results.map((r) => [r.source, r.status, r.pagesByEndpoint]),
      [
        ['eventbrite', 'complete', { organizations: 1, events: 2, orders: 4 }],
        ['smartsurvey', 'complete', { surveys: 1, responses: 2 }],
      ],
    );
    const engine = await DuckDbEngine.open({ project, environment, dataDir: dir, databasePath: ':memory:' });
    try {
      const attendees = await runTransform(engine, project, engine.names, 'eventbrite_orders');
      const answers = await runTransform(engine, project, engine.names, 'smartsurvey_responses');
      const statuses = await engine.execute(
        `select attendance_status, count(*) as attendees from "${names.stageDatabase}".eventbrite group by 1 order by 1`,
      );
      const kinds = await engine.execute(
        `select answer_kind, count(*) as answers from "${names.stageDatabase}".smartsurvey group by 1 order by 1`,
      );
      assert.equal(attendees.rowsWritten, 9);
      assert.equal(answers.rowsWritten, 12);
      assert.deepEqual(statuses.rows, [
        { attendance_status: 'attending', attendees: '3' },
        { attendance_status: 'cancelled', attendees: '1' },
        { attendance_status: 'checked_in', attendees: '3' },
        { attendance_status: 'refunded', attendees: '1' },
        { attendance_status: 'transferred', attendees: '1' },
      ]);
      assert.deepEqual(kinds.rows, [
        { answer_kind: 'free_text', answers: '2' },
        { answer_kind: 'matrix_row', answers: '3' },
        { answer_kind: 'multiple_choice', answers: '3' },
        { answer_kind: 'other_text', answers: '1' },
        { answer_kind: 'single_choice', answers: '3' },
      ]);
    } finally {
      await engine.close();
    }
  });

  test('a second pull is incremental: it asks for changes since the first pull minus the overlap', async () => {
    // Prepare
    const dir = await dataDir();
    const store = new FolderObjectStore(dir);
    await pullShippedSamples({ project, names, dataDir: dir, store });
    const control = new FileControlStore(dir, { table: names.controlTable });
    const first = await control.get<{ watermarks: Record<string, string> }>(stateKey('eventbrite'));

    // Act
    const summary = await pullShippedSamples({ project, names, dataDir: dir, store });

    // Assess
    assert.ok(first?.value.watermarks.orders);
    assert.ok(summary.results.every((r) => r.status === 'complete'));
    const second = await control.get<{ last_complete: { id: string } }>(stateKey('eventbrite'));
    assert.match(second?.value.last_complete.id ?? '', /-000002$/);
  });
});

describe('dap pull', () => {
  test('--replay pulls one source into the data folder, and a later run starts a new pull', async () => {
    // Prepare
    const dir = await dataDir();
    const program = new Command().option('--root <dir>').exitOverride();
    registerPull(program);
    const argv = ['node', 'dap', '--root', repoRoot, 'pull', 'smartsurvey', '--replay', '--data-dir', dir];
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);

    // Act
    try {
      await program.parseAsync(argv);
    } finally {
      console.log = log;
    }

    // Assess
    const files = await filesUnder(join(dir, 'dev-dap-raw', 'smartsurvey'));
    assert.equal(files.length, 3);
    assert.ok(files.every((file) => /^smartsurvey_(surveys|responses)\/year=\d{4}\/month=\d\d\/day=\d\d\//.test(file)));
    assert.match(lines.join('\n'), /^smartsurvey: complete; 3 page\(s\) \[surveys 1, responses 2\]/);
  });

  test('without --replay and without credentials, the pull fails naming the variable to set', async () => {
    // Prepare
    const dir = await dataDir();
    const program = new Command().option('--root <dir>').exitOverride();
    registerPull(program);
    const saved = process.env.EVENTBRITE_TOKEN;
    delete process.env.EVENTBRITE_TOKEN;
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);

    // Act
    try {
      await program.parseAsync(['node', 'dap', '--root', repoRoot, 'pull', 'eventbrite', '--data-dir', dir]);
    } finally {
      console.log = log;
      if (saved !== undefined) process.env.EVENTBRITE_TOKEN = saved;
    }

    // Assess
    assert.match(
      lines.join('\n'),
      /eventbrite: FAILED: credential EVENTBRITE_TOKEN is not set \(expected it in environment variables\)/,
    );
    assert.equal(process.exitCode, 1);
    process.exitCode = 0;
  });
});

describe('replay samples', () => {
  test('a request matches the sample with the same path and the most of its query parameters', async () => {
    // Prepare
    const samples = await loadReplaySamples(join(repoRoot, 'samples/apis'), 'eventbrite');

    // Act
    const first = matchSample(samples, '/organizations/463021789012/events/', new URLSearchParams('expand=venue'));
    const second = matchSample(
      samples,
      '/organizations/463021789012/events/',
      new URLSearchParams('expand=venue&continuation=eyJwYWdlIjogMn0'),
    );

    // Assess
    const eventIds = (sample: ReturnType<typeof matchSample>) => {
      assert.ok(sample, 'no sample matched');
      return (sample.response.body as { events: { id: string }[] }).events.map((e) => e.id);
    };
    assert.deepEqual(eventIds(first), ['780001', '780002']);
    assert.deepEqual(eventIds(second), ['780003']);
  });
});

/** The replay samples beside the fixture's config, as `npm start` has them. */
function withApiSamples(root: string): void {
  cpSync(join(REPO_ROOT, 'samples', 'apis'), join(root, 'samples', 'apis'), { recursive: true });
}

describe('a pull, then a run', () => {
  test('pages of a completed pull are loaded at once, re-read until their day settles, and never counted late', async () => {
    // Prepare
    const fixture = await twinFixture(withApiSamples);
    after(() => fixture.cleanup());
    const { context } = fixture;
    await pullShippedSamples(context);
    const families = ['eventbrite', 'smartsurvey'];
    const runOnce = async () => {
      const result = await (await LocalTwin.open(context)).run({ families });
      assert.ok(result.report, `the run wrote a report (${result.outcome})`);
      return result.report;
    };

    // Act
    const first = await runOnce();
    const attendees = await stageRows(context, 'eventbrite');
    await pullShippedSamples(context);
    const second = await runOnce();

    // Assess
    const today = new Date().toISOString().slice(0, 10);
    const orders = (report: RunReport) =>
      report.families.flatMap((f) => f.events).find((e) => e.event_name === 'eventbrite_orders');
    assert.equal(first.status, 'SUCCEEDED');
    assert.ok((orders(first)?.rows_written ?? 0) > 0, 'the pulled pages are in stage after the first run');
    assert.equal(orders(first)?.window?.to, today);
    assert.ok(attendees > 0);
    // today is not settled: no watermark moves past yesterday, so the second pull's pages are read, not late
    assert.ok(first.families.every((f) => f.committed.every((c) => c.through < today)));
    assert.equal(orders(second)?.late_files, 0);
    assert.ok((orders(second)?.rows_written ?? 0) > 0);
    assert.equal(await stageRows(context, 'eventbrite'), attendees, 're-reading the day converges on the same rows');
  });

  test('the pages of a pull still in progress are not read', async () => {
    // Prepare
    const fixture = await twinFixture(withApiSamples);
    after(() => fixture.cleanup());
    const { context } = fixture;
    await pullShippedSamples(context);
    const control = new FileControlStore(context.dataDir, { table: context.names.controlTable });
    const state = await control.get<Record<string, unknown>>(stateKey('eventbrite'));
    assert.ok(state);
    const active = {
      id: 'x',
      started_at: new Date().toISOString(),
      since: {},
      tasks: [],
      pages_written: 0,
      records_written: 0,
    };
    await control.put(stateKey('eventbrite'), { ...state.value, active }, state.version);

    // Act
    const result = await (await LocalTwin.open(context)).run({ families: ['eventbrite'] });

    // Assess
    const orders = result.report?.families[0]?.events[0];
    assert.equal(orders?.event_name, 'eventbrite_orders');
    assert.equal(orders?.skipped, true, 'a day a pull is still writing is not complete');
  });
});
