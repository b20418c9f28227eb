import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT_FOLDERS } from '../../lib/core/model/project.ts';
import {
  type SourceDatabaseServer,
  sampleDatabaseSql,
  startSourceDatabase,
} from '../../lib/local/source-database-server.ts';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

/**
 * `dap extract` and `dap query` as a user runs them, in their own processes, against two PostgreSQL servers on the
 * wire protocol: what readers see is the promoted extract, before and after a failed one.
 */
describe('dap extract', () => {
  let root: string;
  let north: SourceDatabaseServer;
  let south: SourceDatabaseServer;

  /** Async, since the test process itself serves the databases the CLI connects to. */
  const dap = (args: readonly string[], env: Record<string, string> = {}) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [join(REPO_ROOT, 'bin/dap.js'), '--root', root, ...args, '--data-dir', join(root, '.dap')],
        {
          env: { ...process.env, TIMETABLE_NORTH_DB: north.url, TIMETABLE_SOUTH_DB: south.url, ...env },
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'dap-extract-project-'));
    for (const folder of PROJECT_FOLDERS) cpSync(join(REPO_ROOT, folder), join(root, folder), { recursive: true });
    north = await startSourceDatabase(sampleDatabaseSql(REPO_ROOT, 'timetable', 'north'));
    south = await startSourceDatabase(sampleDatabaseSql(REPO_ROOT, 'timetable', 'south'));
  });
  after(async () => {
    await north.stop();
    await south.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** `dap query --json` writes one JSON object per row. */
  const rows = (stdout: string) =>
    stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line));

  const roomsBySource =
    'select source_id, count(*) as rooms from dev_dap_raw.timetable_rooms group by source_id order by source_id';

  test('an extract is promoted and readable; a failing one names the keys and leaves readers on the last promoted', async () => {
    const first = await dap(['extract', 'timetable']);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^timetable: extract \S+ \(snapshot \d{4}-\d\d-\d\d\) promoted; 19 row\(s\)/);
    const seen = await dap(['query', roomsBySource, '--json']);
    assert.equal(seen.status, 0, seen.stderr);
    const before = rows(seen.stdout);
    assert.deepEqual(before, [
      { source_id: 'north', rooms: '5' },
      { source_id: 'south', rooms: '2' },
    ]);

    await south.exec("INSERT INTO rooms VALUES ('south', 'Z9', 99, 10)");
    const failed = await dap(['extract', 'timetable']);
    assert.equal(failed.status, 1);
    assert.match(failed.stdout, /FAILED integrity checks, nothing promoted/);
    assert.match(
      failed.stdout,
      /^ {2}south rooms reference: 1 row\(s\): department_id not found in departments\(department_id\) of the same extract \[site=south, room_code=Z9\]$/m,
    );
    const still = await dap(['query', roomsBySource, '--json']);
    assert.deepEqual(rows(still.stdout), before, 'readers still see the promoted extract');

    await south.exec("INSERT INTO departments VALUES (99, 'Zoology', now())");
    const fixed = await dap(['extract', 'timetable']);
    assert.equal(fixed.status, 0, fixed.stdout);
    const after = await dap(['query', roomsBySource, '--json']);
    assert.deepEqual(rows(after.stdout), [
      { source_id: 'north', rooms: '5' },
      { source_id: 'south', rooms: '3' },
    ]);
  });

  test('an unknown source and an unreachable database are one line each, no stack', async () => {
    const unknown = await dap(['extract', 'nope']);
    assert.equal(unknown.status, 1);
    assert.equal(
      unknown.stderr.trim(),
      'dap: no database source "nope" in config/sources/databases/ (known: timetable)',
    );
    const unreachable = await dap(['extract', 'timetable'], {
      TIMETABLE_NORTH_DB: 'postgres://dap:secret-pw@127.0.0.1:1/timetable?sslmode=disable',
    });
    assert.equal(unreachable.status, 1);
    assert.match(
      unreachable.stderr.trim(),
      /^dap: timetable instance "north": could not open a snapshot on 127\.0\.0\.1:1\/timetable as dap \(connect ECONNREFUSED 127\.0\.0\.1:1\)$/,
    );
    assert.doesNotMatch(unreachable.stderr, /secret-pw/, 'never the password');
    const unset = await dap(['extract', 'timetable'], { TIMETABLE_SOUTH_DB: '' });
    assert.equal(
      unset.stderr.trim(),
      'dap: credential TIMETABLE_SOUTH_DB is not set (expected it in environment variables)',
    );
  });
});
