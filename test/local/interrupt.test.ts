import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT_FOLDERS } from '../../lib/core/model/project.ts';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

/** Recovery as a user meets it: Ctrl-C during a run, and a lease left behind. */
describe('stopping a run and clearing its lease', () => {
  let root: string;
  let dataDir: string;
  const lease = () => join(dataDir, '_control', 'dev-dap-control', 'leases', 'raw-to-stage.json');
  const dap = (args: readonly string[]) =>
    spawnSync(process.execPath, [join(REPO_ROOT, 'bin/dap.js'), '--root', root, ...args, '--data-dir', dataDir], {
      encoding: 'utf8',
    });

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'dap-interrupt-'));
    for (const folder of PROJECT_FOLDERS) cpSync(join(REPO_ROOT, folder), join(root, folder), { recursive: true });
    dataDir = join(root, '.dap');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('Ctrl-C stops the run, gives the lease back and exits 130; the next run starts at once', async () => {
    // Prepare: a run, interrupted once it is working on its families
    const child = spawn(process.execPath, [
      join(REPO_ROOT, 'bin/dap.js'),
      '--root',
      root,
      'run',
      '--data-dir',
      dataDir,
    ]);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('  … ') && !child.killed) child.kill('SIGINT');
    });

    // Act
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const next = dap(['run']);

    // Assess
    assert.equal(code, 130, stdout);
    assert.match(stdout, /INTERRUPTED: stopped before it finished; its lease is released/);
    assert.equal(next.status, 0, next.stdout + next.stderr);
    assert.match(next.stdout, /SUCCEEDED/);
    assert.equal(existsSync(lease()), false);
  });

  test('dap unlock clears a lease whose holder is gone, and refuses one whose holder runs unless --force', () => {
    // Prepare: a lease held by this (running) test process, then by one that has ended
    const record = (pid: number) =>
      JSON.stringify({
        name: 'raw-to-stage',
        holder: 'run-left-behind',
        acquired_at: new Date().toISOString(),
        renewed_at: new Date().toISOString(),
        expires_at: new Date(Date.now() + 900_000).toISOString(),
        expires_at_epoch: Math.floor(Date.now() / 1000) + 900,
        holder_pid: pid,
      });
    dap(['query', 'select 1']);
    const leases = join(dataDir, '_control', 'dev-dap-control', 'leases');
    mkdirSync(leases, { recursive: true });
    writeFileSync(lease(), record(process.pid));

    // Act
    const refused = dap(['unlock']);
    const forced = dap(['unlock', '--force']);
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeFileSync(lease(), record(Number(dead.stdout.trim())));
    const cleared = dap(['unlock']);
    const nothing = dap(['unlock']);

    // Assess
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /^dap: the lease raw-to-stage is held by run run-left-behind \(acquired .*\) and its process \d+ is still running; use --force/,
    );
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(forced.stdout, /released the lease raw-to-stage of run run-left-behind/);
    assert.equal(cleared.status, 0, cleared.stderr);
    assert.match(cleared.stdout, /released the lease raw-to-stage of run run-left-behind/);
    assert.match(nothing.stdout, /no lease raw-to-stage is held/);
    assert.equal(existsSync(lease()), false);
  });
});
