import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT_FOLDERS } from '../../lib/core/model/project.ts';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

/** Holds the environment's DuckDB file open (for writing, as a long `dap run` does, or read-only), until killed. */
const HOLDER = `
import { DuckDBInstance } from '@duckdb/node-api';
await DuckDBInstance.create(process.argv[1], { access_mode: process.argv[2] });
console.log('holding');
setInterval(() => {}, 1000);
`;

describe('commands side by side', () => {
  let root: string;
  let dataDir: string;
  const dap = (args: readonly string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [join(REPO_ROOT, 'bin/dap.js'), '--root', root, ...args, '--data-dir', dataDir], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
  /** The same, without blocking this process (so a timer can end the holder meanwhile). */
  const dapAsync = (args: readonly string[], env: Record<string, string>, onStderr: (text: string) => void) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [join(REPO_ROOT, 'bin/dap.js'), '--root', root, ...args, '--data-dir', dataDir],
        {
          env: { ...process.env, ...env },
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        onStderr(stderr);
      });
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  const hold = async (access: 'READ_WRITE' | 'READ_ONLY' = 'READ_WRITE') => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', HOLDER, join(dataDir, 'dev.duckdb'), access], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    return child;
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'dap-concurrency-'));
    for (const folder of PROJECT_FOLDERS) cpSync(join(REPO_ROOT, folder), join(root, folder), { recursive: true });
    dataDir = join(root, '.dap');
    assert.equal(dap(['query', 'select 1']).status, 0, 'the engine file exists');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('a query waits for the engine file while another process holds it, then runs', async () => {
    // Prepare
    const holder = await hold();

    // Act: the holder ends once the query says it is waiting.
    const result = await dapAsync(['query', 'select 42 as n', '--json'], { DAP_LOCK_WAIT_SECONDS: '60' }, (stderr) => {
      if (stderr.includes('waiting for the local engine')) holder.kill();
    });
    holder.kill();

    // Assess
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { n: 42 });
    assert.match(result.stderr, /^dap: waiting for the local engine .*dev\.duckdb, in use by process \d+/m);
  });

  test('queries that only read open the file read-only: they run beside another reader at once', async () => {
    // Prepare: a reader holds the file, as a long `dap query` does.
    const reader = await hold('READ_ONLY');

    try {
      // Act: no waiting allowed.
      const read = dap(['query', 'with t as (select 7 as n) select n * 6 as n from t', '--json'], {
        DAP_LOCK_WAIT_SECONDS: '0',
      });
      const write = dap(['query', 'create table main.scratch as select 1 as n'], { DAP_LOCK_WAIT_SECONDS: '0' });

      // Assess: the reading query ran beside the reader; a writing one needs the file alone.
      assert.equal(read.status, 0, read.stderr);
      assert.deepEqual(JSON.parse(read.stdout), { n: 42 });
      assert.equal(write.status, 1);
      assert.match(write.stderr, /dap: the local engine .*dev\.duckdb is in use by process \d+/);
    } finally {
      reader.kill();
    }
  });

  test('a reader that finds the catalog out of date opens for writing once to bring it up to date', async () => {
    // Prepare: a raw table's first files arrive, so its view over them must be made again.
    const empty = dap(['query', 'select count(*) as n from dev_dap_raw.crm_contacts', '--json']);
    assert.equal(empty.status, 0, empty.stderr);
    assert.deepEqual(JSON.parse(empty.stdout), { n: '0' });
    const ingested = dap([
      'ingest',
      join(REPO_ROOT, 'samples/files/crm_contacts/crm_contacts_2026-11-09.csv'),
      '--source',
      'crm_contacts',
    ]);
    assert.equal(ingested.status, 0, ingested.stderr);

    // Act
    const result = dap(['query', 'select count(*) as n from dev_dap_raw.crm_contacts', '--json']);

    // Assess: the rows are seen, and the next reader finds the file current again (read-only beside a reader).
    assert.equal(result.status, 0, result.stderr);
    assert.ok(Number(JSON.parse(result.stdout).n) > 0, result.stdout);
    const reader = await hold('READ_ONLY');
    try {
      assert.equal(dap(['query', 'select 1'], { DAP_LOCK_WAIT_SECONDS: '0' }).status, 0);
    } finally {
      reader.kill();
    }
  });

  test('past the wait it stops with one line naming the holder, no stack trace', async () => {
    // Prepare
    const holder = await hold();
    after(() => holder.kill());

    // Act
    const result = dap(['query', 'select 1'], { DAP_LOCK_WAIT_SECONDS: '1' });

    // Assess
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /dap: the local engine .*dev\.duckdb is in use by process \d+ \(.*node.*\); try again when it ends/,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  test('ingesting a file does not need the engine file at all', async () => {
    // Prepare
    const holder = await hold();
    after(() => holder.kill());

    // Act
    const result = dap(
      ['ingest', join(REPO_ROOT, 'samples/files/crm_contacts/crm_contacts_2026-11-09.csv'), '--source', 'crm_contacts'],
      { DAP_LOCK_WAIT_SECONDS: '1' },
    );

    // Assess
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /loaded/);
  });

  test('the local warehouse folder takes one process at a time; a lock left by a dead process is taken over', async () => {
    // Prepare: a live process "holds" the warehouse, then one that is gone.
    assert.equal(dap(['query', '--warehouse', 'select 1']).status, 0, 'the warehouse exists');
    const lock = join(dataDir, '_warehouse', 'dev.lock');
    const sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    after(() => sleeper.kill());
    writeFileSync(lock, JSON.stringify({ pid: sleeper.pid, command: 'dap run' }));

    // Act
    const busy = dap(['query', '--warehouse', 'select 1'], { DAP_LOCK_WAIT_SECONDS: '1' });
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeFileSync(lock, JSON.stringify({ pid: Number(dead.stdout.trim()), command: 'dap run' }));
    const takenOver = dap(['query', '--warehouse', 'select 2 as n', '--json'], { DAP_LOCK_WAIT_SECONDS: '1' });

    // Assess
    assert.equal(busy.status, 1);
    assert.match(
      busy.stderr,
      new RegExp(`the local engine .*_warehouse/dev is in use by process ${sleeper.pid} \\(dap run\\)`),
    );
    assert.equal(takenOver.status, 0, takenOver.stderr);
    assert.deepEqual(JSON.parse(takenOver.stdout), { n: 2 });
    assert.equal(existsSync(lock), false, 'the lock is given back when the command ends');
  });
});
