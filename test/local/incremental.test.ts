import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { RAW_TO_STAGE_LEASE } from '../../lib/core/run-guard.ts';
import { type RunReport, runSummaryMessage } from '../../lib/core/run-report.ts';
import { FileControlStore } from '../../lib/engines/local/file-control-store.ts';
import type { LocalContext } from '../../lib/local/context.ts';
import { LocalTwin, type TwinRunOptions } from '../../lib/local/twin/local-twin.ts';
import { type TwinFixture, twinFixture } from '../helpers/twin-fixture.ts';

/** The TxMA stage tables' rows, sorted, as one comparable value. */
async function stageSnapshot(context: LocalContext): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = {};
  for (const family of ['auth_account_creation', 'ipv_identity_journey', 'dcmaw_app_journey']) {
    const result = await context.engine.execute(
      `select * from ${context.names.stageDatabase}.${family} order by event_name, event_id`,
    );
    snapshot[family] = [...result.rows];
  }
  return snapshot;
}

const at = (iso: string) => () => new Date(iso);

/** Sets every raw file's modification time, as if it had been delivered then. */
function deliveredAt(fixture: TwinFixture, iso: string): void {
  const dir = join(fixture.dataDir, fixture.context.names.buckets.raw);
  for (const entry of readdirSync(dir, { recursive: true })) {
    const path = join(dir, String(entry));
    if (statSync(path).isFile()) utimesSync(path, new Date(iso), new Date(iso));
  }
}

async function run(fixture: TwinFixture, options: TwinRunOptions): Promise<RunReport> {
  const twin = await LocalTwin.open(fixture.context);
  const result = await twin.run(options);
  assert.ok(result.report, `the run wrote a report (${result.outcome} ${result.error?.name ?? ''})`);
  return result.report;
}

function events(report: RunReport) {
  return report.families.flatMap((f) => f.events);
}

function rawBytesOfDay(fixture: TwinFixture, event: string, day: string): { files: number; bytes: number } {
  const [year, month, dayOfMonth] = day.split('-');
  const dir = join(
    fixture.dataDir,
    fixture.context.names.buckets.raw,
    'txma',
    event,
    `year=${year}`,
    `month=${month}`,
    `day=${dayOfMonth}`,
  );
  let files = 0;
  let bytes = 0;
  try {
    for (const name of readdirSync(dir)) {
      files++;
      bytes += statSync(join(dir, name)).size;
    }
  } catch {}
  return { files, bytes };
}

describe('incremental, idempotent runs', () => {
  test('a second run with no new data writes nothing and scans no raw partition', async () => {
    // Prepare
    const fixture = await twinFixture();
    try {
      deliveredAt(fixture, '2024-01-18T00:00:00Z');
      const now = at('2024-01-25T12:00:00Z');
      const first = await run(fixture, { now });
      const before = await stageSnapshot(fixture.context);

      // Act
      const second = await run(fixture, { now });

      // Assess
      assert.equal(first.status, 'SUCCEEDED');
      assert.ok(first.totals.rows_written > 0 && first.totals.raw_partitions > 0);
      assert.equal(second.status, 'SUCCEEDED');
      assert.equal(second.totals.rows_written, 0);
      assert.equal(second.totals.raw_partitions, 0);
      assert.equal(second.totals.bytes_scanned, 0);
      assert.ok(
        events(second).every((e) => e.skipped && e.query_id === null),
        'no query ran',
      );
      assert.deepEqual(await stageSnapshot(fixture.context), before);
    } finally {
      await fixture.cleanup();
    }
  });

  test('after a full load, a run with one new day reads only that day, and ends where one full run does', async () => {
    // Prepare: the sample spans delivery days 2024-01-15 to 2024-01-17
    const incremental = await twinFixture();
    const full = await twinFixture();
    try {
      deliveredAt(incremental, '2024-01-18T00:00:00Z');
      deliveredAt(full, '2024-01-18T00:00:00Z');
      await run(incremental, { now: at('2024-01-17T12:00:00Z') }); // days up to 2024-01-16

      // Act
      const next = await run(incremental, { now: at('2024-01-18T12:00:00Z') }); // the new day 2024-01-17
      const once = await run(full, { now: at('2024-01-18T12:00:00Z') });

      // Assess: each event read exactly the files of 2024-01-17, as the report records
      for (const event of events(next).filter((e) => e.event_name.match(/^(auth|ipv|dcmaw)_/))) {
        const day = rawBytesOfDay(incremental, event.event_name, '2024-01-17');
        assert.deepEqual(event.window, { from: '2024-01-16', to: '2024-01-17' });
        assert.equal(event.raw_partitions, day.files > 0 ? 1 : 0, event.event_name);
        assert.equal(event.raw_bytes, day.bytes, `${event.event_name} bytes`);
        assert.equal(event.bytes_scanned, day.bytes, `${event.event_name} scanned`);
      }
      assert.ok(
        next.totals.bytes_scanned < once.totals.bytes_scanned / 2,
        'the increment costs a fraction of a full run',
      );
      assert.deepEqual(await stageSnapshot(incremental.context), await stageSnapshot(full.context));
    } finally {
      await incremental.cleanup();
      await full.cleanup();
    }
  });

  // Each boundary, and on which entry to stop there (per-event and per-family steps after some work is done).
  const crashPoints: Record<string, number> = {
    LoadIncoming: 3,
    MergeIntoStage: 3,
    RenewRunLease: 3,
    CheckFamily: 2,
    CommitFamily: 2,
    WriteRunReport: 1,
    ReleaseRunLease: 1,
  };
  const boundaries = Object.keys(crashPoints);
  test(`a crash at any step boundary, then a re-run, gives the tables of one clean run (${boundaries.join(', ')})`, async () => {
    const clean = await twinFixture();
    try {
      deliveredAt(clean, '2024-01-18T00:00:00Z');
      await run(clean, { now: at('2024-01-25T12:00:00Z') });
      const expected = await stageSnapshot(clean.context);

      for (const boundary of boundaries) {
        // Prepare: a run stopped the moment it reaches the boundary
        const fixture = await twinFixture();
        try {
          deliveredAt(fixture, '2024-01-18T00:00:00Z');
          const twin = await LocalTwin.open(fixture.context);
          let entered = 0;
          const crashed = await twin.run({
            runId: `crash-at-${boundary}`,
            now: at('2024-01-25T12:00:00Z'),
            onStateEntered: (state, abort) => {
              if (state === boundary && ++entered === crashPoints[boundary]) abort();
            },
          });
          assert.equal(crashed.outcome, 'CRASHED', boundary);
          // The crashed run's lease lapses (time passes); a new run takes over.
          await new FileControlStore(fixture.dataDir, { table: fixture.context.names.controlTable }).releaseLease(
            RAW_TO_STAGE_LEASE,
            crashed.runId,
          );

          // Act
          const rerun = await twin.run({ now: at('2024-01-25T13:00:00Z') });

          // Assess
          assert.equal(rerun.outcome, 'SUCCEEDED', boundary);
          assert.deepEqual(await stageSnapshot(fixture.context), expected, `identical after a crash at ${boundary}`);
        } finally {
          await fixture.cleanup();
        }
      }
    } finally {
      await clean.cleanup();
    }
  });

  test('late data: within lateness it is loaded once; outside it is reported, then loaded once by a backfill', async () => {
    const fixture = await twinFixture();
    try {
      // Prepare: everything delivered on time
      deliveredAt(fixture, '2024-01-15T00:00:00Z');
      const event = 'auth_create_account';
      const rawDir = join(fixture.dataDir, fixture.context.names.buckets.raw, 'txma', event);
      const record = (id: string, ts: number) =>
        `${JSON.stringify({ event_id: id, event_name: 'AUTH_CREATE_ACCOUNT', timestamp: ts, timestamp_formatted: new Date(ts * 1000).toISOString(), client_id: 'c', component_id: 'auth', user: { user_id: 'u' }, extensions: {} })}\n`;

      // Act 1: at 00:30 on the 17th, day 16 is not settled yet (lateness 1 hour); a file lands in it at 00:45
      await run(fixture, { now: at('2024-01-17T00:30:00Z') });
      const withinLateness = join(rawDir, 'year=2024/month=01/day=16/late-within.json');
      writeFileSync(withinLateness, record('late-within-1', 1705447000));
      utimesSync(withinLateness, new Date('2024-01-17T00:45:00Z'), new Date('2024-01-17T00:45:00Z'));
      const settled = await run(fixture, { now: at('2024-01-17T02:00:00Z') });

      // Assess 1: loaded exactly once, nothing reported late
      const count = async (id: string) =>
        Number(
          (
            await fixture.context.engine.execute(
              `select count(*) as n from ${fixture.context.names.stageDatabase}.auth_account_creation where event_id = '${id}'`,
            )
          ).rows[0]?.n,
        );
      assert.equal(await count('late-within-1'), 1);
      assert.equal(settled.totals.late_files, 0);

      // Act 2: a file lands in day 16 after it was committed
      const outside = join(rawDir, 'year=2024/month=01/day=16/late-outside.json');
      writeFileSync(outside, record('late-outside-1', 1705447100));
      utimesSync(outside, new Date('2024-01-17T05:00:00Z'), new Date('2024-01-17T05:00:00Z'));
      const next = await run(fixture, { now: at('2024-01-17T06:00:00Z') });

      // Assess 2: not loaded, but reported with its key
      const reported = events(next).find((e) => e.event_name === event);
      assert.equal(reported?.late_files, 1);
      assert.deepEqual(reported?.late_file_sample, [
        'txma/auth_create_account/year=2024/month=01/day=16/late-outside.json',
      ]);
      assert.deepEqual(reported?.late_days, ['2024-01-16']);
      assert.match(
        runSummaryMessage(next),
        /1 late file\(s\) for auth_create_account on 2024-01-16: load them with dap backfill --family auth_account_creation --event auth_create_account --from 2024-01-16 --to 2024-01-16/,
      );
      assert.equal(await count('late-outside-1'), 0);

      // Act 3: backfill day 16 for the family
      const backfill = await run(fixture, {
        now: at('2024-01-17T06:30:00Z'),
        families: ['auth_account_creation'],
        replay: { from: '2024-01-16', to: '2024-01-16' },
      });

      // Assess 3: loaded once, and the backfill did not move the watermark
      assert.equal(backfill.status, 'SUCCEEDED');
      assert.equal(await count('late-outside-1'), 1);
      assert.equal(await count('late-within-1'), 1);
      assert.deepEqual(backfill.families[0]?.committed, []);
    } finally {
      await fixture.cleanup();
    }
  });

  test('duplicate event_ids, in one window and across windows, end as one row by the configured rule', async () => {
    const fixture = await twinFixture();
    try {
      // Prepare: three ids, each delivered twice
      deliveredAt(fixture, '2024-01-15T00:00:00Z');
      const rawDir = join(fixture.dataDir, fixture.context.names.buckets.raw, 'txma', 'auth_create_account');
      const line = (id: string, ts: number, client: string) =>
        `${JSON.stringify({ event_id: id, event_name: 'AUTH_CREATE_ACCOUNT', timestamp: ts, client_id: client, component_id: 'auth', user: { user_id: 'u' }, extensions: {} })}\n`;
      const put = (day: string, name: string, body: string) => {
        mkdirSync(join(rawDir, `year=2024/month=01/day=${day}`), { recursive: true });
        const path = join(rawDir, `year=2024/month=01/day=${day}/${name}`);
        writeFileSync(path, body);
        utimesSync(path, new Date('2024-01-15T00:00:00Z'), new Date('2024-01-15T00:00:00Z'));
      };
      // same window: the earlier timestamp wins whatever the file order
      put('15', 'dup-a.json', line('dup-same', 1705300100, 'later') + line('dup-same', 1705300000, 'earlier'));
      // across windows: the first copy is earlier; the re-delivery two days later must not replace it
      put('15', 'dup-b1.json', line('dup-across', 1705300000, 'first'));
      put('17', 'dup-b2.json', line('dup-across', 1705300500, 'redelivered-later'));
      // across windows: a copy delivered later but timestamped earlier replaces the first
      put('15', 'dup-c1.json', line('dup-earlier-later', 1705300500, 'first-delivered'));
      put('17', 'dup-c2.json', line('dup-earlier-later', 1705300000, 'earlier-timestamp'));

      // Act: one window for the 15th and 16th, then one for the 17th
      await run(fixture, { now: at('2024-01-17T12:00:00Z') });
      await run(fixture, { now: at('2024-01-18T12:00:00Z') });

      // Assess
      const rows = await fixture.context.engine.execute(
        `select event_id, client_id, cast(processed_date as varchar) as processed_date from ${fixture.context.names.stageDatabase}.auth_account_creation where event_id like 'dup-%' order by event_id`,
      );
      assert.deepEqual(rows.rows, [
        { event_id: 'dup-across', client_id: 'first', processed_date: '2024-01-15' },
        { event_id: 'dup-earlier-later', client_id: 'earlier-timestamp', processed_date: '2024-01-17' },
        { event_id: 'dup-same', client_id: 'earlier', processed_date: '2024-01-15' },
      ]);
    } finally {
      await fixture.cleanup();
    }
  });

  test('a failing check fails its family only, keeps its watermark, and the next run retries its window', async () => {
    // Prepare: a check that every auth row fails
    const fixture = await twinFixture((root) => {
      const file = join(root, 'athena-scripts/stage_tables/auth_account_creation.json');
      const table = JSON.parse(readFileSync(file, 'utf8'));
      table.checks.push({ type: 'expression', name: 'always_fails', expression: 'event_id is null' });
      writeFileSync(file, JSON.stringify(table));
    });
    try {
      deliveredAt(fixture, '2024-01-18T00:00:00Z');

      // Act
      const first = await run(fixture, { now: at('2024-01-25T12:00:00Z') });
      const second = await run(fixture, { now: at('2024-01-25T13:00:00Z') });

      // Assess
      assert.equal(first.status, 'PARTIAL');
      const auth = first.families.find((f) => f.product_family === 'auth_account_creation');
      assert.equal(auth?.status, 'FAILED');
      const check = auth?.checks.find((c) => c.name === 'always_fails');
      assert.equal(check?.status, 'FAILED');
      assert.ok((check?.failing_count ?? 0) > 0);
      assert.equal(check?.sample_keys.length, 10);
      assert.deepEqual(auth?.committed, []);
      for (const other of first.families.filter((f) => f.product_family !== 'auth_account_creation')) {
        assert.equal(other.status, 'SUCCEEDED', other.product_family);
      }
      // The failed family's window is retried; the others have nothing new.
      const secondAuth = second.families.find((f) => f.product_family === 'auth_account_creation');
      assert.ok(secondAuth?.events.every((e) => !e.skipped && e.window?.from === '0000-00-00'));
      for (const other of second.families.filter((f) => f.product_family !== 'auth_account_creation')) {
        assert.ok(
          other.events.every((e) => e.skipped),
          `${other.product_family} has nothing new`,
        );
      }
    } finally {
      await fixture.cleanup();
    }
  });

  test('a backfill of a range equals a fresh run over that range', async () => {
    const backfilled = await twinFixture();
    const fresh = await twinFixture();
    try {
      deliveredAt(backfilled, '2024-01-18T00:00:00Z');
      deliveredAt(fresh, '2024-01-18T00:00:00Z');
      // Prepare: the backfilled environment already holds every day, and someone deleted the 16th's rows
      await run(backfilled, { now: at('2024-01-25T12:00:00Z') });
      await backfilled.context.engine.execute(
        `delete from ${backfilled.context.names.stageDatabase}.ipv_identity_journey where processed_date > date '2024-01-15'`,
      );

      // Act
      const report = await run(backfilled, {
        now: at('2024-01-25T13:00:00Z'),
        families: ['ipv_identity_journey'],
        replay: { from: '2024-01-15', to: '2024-01-17' },
      });
      await run(fresh, { now: at('2024-01-25T12:00:00Z') });

      // Assess
      assert.equal(report.status, 'SUCCEEDED');
      assert.deepEqual(
        (await stageSnapshot(backfilled.context)).ipv_identity_journey,
        (await stageSnapshot(fresh.context)).ipv_identity_journey,
      );
    } finally {
      await backfilled.cleanup();
      await fresh.cleanup();
    }
  });

  test('complete_through counts days as complete on the real clock: watermarks say so, and a file added later to one is late', async () => {
    const fixture = await twinFixture();
    try {
      // Prepare: the samples' days (January 2024) and a day counted complete before it ends
      deliveredAt(fixture, '2024-01-15T00:00:00Z');
      const event = 'auth_create_account';
      const through = '2024-01-20';
      const now = at('2024-01-20T09:00:00Z');

      // Act 1: at 09:00 on the 20th the clock alone settles the 19th; complete_through takes the 20th too
      const first = await run(fixture, { now, completeThrough: through });
      const watermark = await new FileControlStore(fixture.dataDir, {
        table: fixture.context.names.controlTable,
      }).get<{ through: string; at: string }>(`watermark/raw-to-stage/${event}`);

      // Act 2: a file lands in the 18th, after it was committed
      const rawDir = join(fixture.dataDir, fixture.context.names.buckets.raw, 'txma', event);
      const late = join(rawDir, 'year=2024/month=01/day=18/added-after.json');
      mkdirSync(join(rawDir, 'year=2024/month=01/day=18'), { recursive: true });
      writeFileSync(
        late,
        `${JSON.stringify({ event_id: 'added-after', event_name: 'AUTH_CREATE_ACCOUNT', timestamp: 1705568400 })}\n`,
      );
      utimesSync(late, new Date('2024-01-20T10:00:00Z'), new Date('2024-01-20T10:00:00Z'));
      const next = await run(fixture, { now: at('2024-01-20T11:00:00Z') });

      // Assess
      assert.equal(events(first).find((e) => e.event_name === event)?.window?.to, through);
      assert.equal(watermark?.value.through, through);
      assert.equal(watermark?.value.at, '2024-01-20T09:00:00.000Z');
      assert.deepEqual(events(next).find((e) => e.event_name === event)?.late_days, ['2024-01-18']);
    } finally {
      await fixture.cleanup();
    }
  });
});
