import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LeaseLostError, VersionConflictError } from '../../../lib/core/run-guard.ts';
import {
  ControlLockTimeoutError,
  FileControlStore,
  safeFileName,
} from '../../../lib/engines/local/file-control-store.ts';

const LEASE = 'raw-to-stage';
const T0 = new Date('2026-11-21T10:00:00.000Z');
const seconds = (n: number): Date => new Date(T0.getTime() + n * 1000);
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const raceScript = fileURLToPath(new URL('../../fixtures/run-guard/race-for-lease.ts', import.meta.url));

let dataDir: string;
let store: FileControlStore;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'dap-control-'));
  store = new FileControlStore(dataDir);
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('FileControlStore leases', () => {
  test('a free lease is acquired and stored like the DynamoDB item', async () => {
    // Act
    const attempt = await store.acquireLease(LEASE, 'run-a', T0, 60);

    // Assess
    assert.deepEqual(attempt, {
      acquired: true,
      lease: {
        name: LEASE,
        holder: 'run-a',
        acquiredAt: '2026-11-21T10:00:00.000Z',
        renewedAt: '2026-11-21T10:00:00.000Z',
        expiresAt: '2026-11-21T10:01:00.000Z',
      },
    });
    const stored = JSON.parse(
      await readFile(join(dataDir, '_control', 'control', 'leases', 'raw-to-stage.json'), 'utf8'),
    );
    assert.equal(stored.holder, 'run-a');
    assert.equal(stored.expires_at_epoch, T0.getTime() / 1000 + 60);
    assert.deepEqual(await store.getLease(LEASE), attempt.acquired ? attempt.lease : undefined);
  });

  test('a lease whose holder process is gone is taken over at once, saying whose it was', async () => {
    // Prepare: a lease written by a process that has ended (a Ctrl-C'd or killed dap run)
    const dead = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '0']);
      child.on('exit', () => resolve(child.pid ?? -1));
    });
    await store.acquireLease(LEASE, 'run-a', T0, 900);
    const path = store.leasePath(LEASE);
    const record = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...record, holder_pid: dead }));
    const told: string[] = [];
    const next = new FileControlStore(dataDir, {
      onTakeover: (lease, pid) => told.push(`${lease.holder} ${pid}`),
    });

    // Act: well within the lease's 15 minutes
    const attempt = await next.acquireLease(LEASE, 'run-b', seconds(60), 900);

    // Assess
    assert.equal(attempt.acquired, true);
    assert.deepEqual(told, [`run-a ${dead}`]);
  });

  test('a lease whose holder process is alive is not taken over', async () => {
    // Prepare: this very process holds it, under another run id
    await store.acquireLease(LEASE, 'run-a', T0, 900);

    // Act
    const attempt = await new FileControlStore(dataDir).acquireLease(LEASE, 'run-b', seconds(60), 900);

    // Assess
    assert.equal(attempt.acquired, false);
  });

  test('a second holder is refused and told who holds the lease since when', async () => {
    // Prepare
    await store.acquireLease(LEASE, 'run-a', T0, 60);

    // Act
    const attempt = await store.acquireLease(LEASE, 'run-b', seconds(30), 60);

    // Assess
    assert.equal(attempt.acquired, false);
    assert.ok(!attempt.acquired);
    assert.equal(attempt.current.holder, 'run-a');
    assert.equal(attempt.current.acquiredAt, T0.toISOString());
    assert.equal(attempt.current.expiresAt, seconds(60).toISOString());
  });

  test('the same holder re-acquiring keeps its original acquired_at and extends the expiry', async () => {
    // Prepare
    await store.acquireLease(LEASE, 'run-a', T0, 60);

    // Act
    const attempt = await store.acquireLease(LEASE, 'run-a', seconds(20), 60);

    // Assess
    assert.ok(attempt.acquired);
    assert.equal(attempt.lease.acquiredAt, T0.toISOString());
    assert.equal(attempt.lease.renewedAt, seconds(20).toISOString());
    assert.equal(attempt.lease.expiresAt, seconds(80).toISOString());
  });

  test('a lease is still held during its expiry second and taken over once that second has passed', async () => {
    // Prepare
    await store.acquireLease(LEASE, 'run-a', T0, 60);

    // Act
    const atExpiry = await store.acquireLease(LEASE, 'run-b', seconds(60.5), 60);
    const afterExpiry = await store.acquireLease(LEASE, 'run-b', seconds(61), 60);

    // Assess
    assert.equal(atExpiry.acquired, false);
    assert.ok(afterExpiry.acquired);
    assert.equal(afterExpiry.lease.holder, 'run-b');
    assert.equal(afterExpiry.lease.acquiredAt, seconds(61).toISOString(), 'a takeover starts a new tenure');
  });

  test('renew by the holder extends the lease and keeps acquired_at', async () => {
    // Prepare
    await store.acquireLease(LEASE, 'run-a', T0, 60);

    // Act
    const renewed = await store.renewLease(LEASE, 'run-a', seconds(50), 60);

    // Assess
    assert.equal(renewed.acquiredAt, T0.toISOString());
    assert.equal(renewed.renewedAt, seconds(50).toISOString());
    assert.equal(renewed.expiresAt, seconds(110).toISOString());
    assert.equal((await store.acquireLease(LEASE, 'run-b', seconds(100), 60)).acquired, false);
  });

  test('renew by another holder throws LeaseLostError naming the lease, us and the holder', async () => {
    // Prepare
    await store.acquireLease(LEASE, 'run-a', T0, 60);

    // Act
    const renewal = store.renewLease(LEASE, 'run-b', seconds(10), 60);

    // Assess
    await assert.rejects(renewal, (error: unknown) => {
      assert.ok(error instanceof LeaseLostError);
      assert.equal(error.name, 'LeaseLostError');
      assert.match(error.message, /lease "raw-to-stage" is no longer held by run-b: run-a holds it/);
      return true;
    });
  });

  test('renew after the lease was released throws LeaseLostError saying nobody holds it', async () => {
    // Prepare
    await store.acquireLease(LEASE, 'run-a', T0, 60);
    await store.releaseLease(LEASE, 'run-a');

    // Act
    const renewal = store.renewLease(LEASE, 'run-a', seconds(10), 60);

    // Assess
    await assert.rejects(renewal, { name: 'LeaseLostError', message: /nobody holds it/ });
  });

  test('release by a non-holder does nothing; release by the holder frees the lease', async () => {
    // Prepare
    await store.acquireLease(LEASE, 'run-a', T0, 60);

    // Act
    await store.releaseLease(LEASE, 'run-b');
    const afterStrangerRelease = await store.getLease(LEASE);
    await store.releaseLease(LEASE, 'run-a');

    // Assess
    assert.equal(afterStrangerRelease?.holder, 'run-a');
    assert.equal(await store.getLease(LEASE), undefined);
    assert.ok((await store.acquireLease(LEASE, 'run-b', seconds(1), 60)).acquired);
  });

  test('race: 20 concurrent acquires from different holders in one process, exactly one wins', async () => {
    // Act
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, index) => store.acquireLease(LEASE, `run-${index}`, T0, 60)),
    );

    // Assess
    const winners = attempts.filter((attempt) => attempt.acquired);
    assert.equal(winners.length, 1);
    const winner = winners[0]?.acquired ? winners[0].lease.holder : undefined;
    for (const attempt of attempts) {
      if (!attempt.acquired) assert.equal(attempt.current.holder, winner, 'every loser is told the winner');
    }
    assert.equal((await store.getLease(LEASE))?.holder, winner);
    assert.deepEqual(
      (await readdir(join(dataDir, '_control', 'control', 'leases'))).filter((file) => file !== 'raw-to-stage.json'),
      [],
      'no lock or temporary file is left behind',
    );
  });

  test('race across processes: 4 processes start together, exactly one wins, and 4 x 25 versioned increments all land', async () => {
    // Prepare
    const goFile = join(dataDir, 'go');
    const contenders = Array.from({ length: 4 }, (_, index) => startContender(`process-${index}`, goFile, 25));
    await Promise.all(contenders.map((contender) => contender.ready));

    // Act
    await writeFile(goFile, 'go');
    const results = await Promise.all(contenders.map((contender) => contender.result));

    // Assess
    const winners = results.filter((result) => result.acquired);
    assert.equal(winners.length, 1, `expected one winner, got ${JSON.stringify(results)}`);
    for (const result of results) assert.equal(result.holderSeen, winners[0]?.holder);
    assert.deepEqual(await store.get('counter'), { value: 100, version: 100 });
  });
});

describe('FileControlStore versioned values', () => {
  test('put and get with optimistic versions; a stale writer gets VersionConflictError', async () => {
    // Prepare
    const watermark = { event: 'order_placed', until: new Date('2026-11-21T09:00:00Z') };

    // Act
    const missing = await store.get('watermark#sales');
    const first = await store.put('watermark#sales', watermark, 0);
    const createTwice = await store.put('watermark#sales', watermark, 0).catch((error: unknown) => error);
    const second = await store.put('watermark#sales', { ...watermark, until: '2026-11-21T10:00:00.000Z' }, 1);
    const staleWrite = await store.put('watermark#sales', watermark, 1).catch((error: unknown) => error);

    // Assess
    assert.equal(missing, undefined);
    assert.equal(first, 1);
    assert.ok(createTwice instanceof VersionConflictError);
    assert.equal(createTwice.key, 'watermark#sales');
    assert.equal(createTwice.expectedVersion, 0);
    assert.equal(createTwice.actualVersion, 1);
    assert.equal(second, 2);
    assert.ok(staleWrite instanceof VersionConflictError);
    assert.match(staleWrite.message, /expected at version 1 but is at version 2/);
    assert.deepEqual(await store.get('watermark#sales'), {
      value: { event: 'order_placed', until: '2026-11-21T10:00:00.000Z' },
      version: 2,
    });
  });

  test('updating a value that does not exist reports actual version 0', async () => {
    // Act
    const update = store.put('cursor#eventbrite', 'page-2', 3);

    // Assess
    await assert.rejects(update, { name: 'VersionConflictError', message: /version 0 \(it does not exist\)/ });
  });

  test('20 concurrent read-increment-put loops in one process lose no update', async () => {
    // Act
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (;;) {
          const current = await store.get<number>('counter');
          try {
            return await store.put('counter', (current?.value ?? 0) + 1, current?.version ?? 0);
          } catch (error) {
            if (!(error instanceof VersionConflictError)) throw error;
            conflicts++;
          }
        }
      }),
    );

    // Assess
    assert.deepEqual(await store.get('counter'), { value: 20, version: 20 });
    assert.ok(conflicts > 0, 'the loops really did collide');
  });
});

describe('FileControlStore locks and file names', () => {
  test('a stale lock left by a crashed writer is broken', async () => {
    // Prepare
    const lockPath = `${store.leasePath(LEASE)}.lock`;
    await store.acquireLease(LEASE, 'run-a', T0, 60);
    await writeFile(lockPath, 'crashed-writer');
    const longAgo = new Date(Date.now() - 120_000);
    await utimes(lockPath, longAgo, longAgo);

    // Act
    const attempt = await store.acquireLease(LEASE, 'run-b', seconds(10), 60);

    // Assess
    assert.equal(attempt.acquired, false);
    assert.deepEqual(await readdir(join(dataDir, '_control', 'control', 'leases')), ['raw-to-stage.json']);
  });

  test('a live lock makes a writer wait, then give up with ControlLockTimeoutError naming the lock', async () => {
    // Prepare
    const impatient = new FileControlStore(dataDir, { lockTimeoutMs: 200 });
    await impatient.acquireLease(LEASE, 'run-a', T0, 60);
    const lockPath = `${impatient.leasePath(LEASE)}.lock`;
    await writeFile(lockPath, 'busy-writer');

    // Act
    const startedAt = Date.now();
    const attempt = impatient.acquireLease(LEASE, 'run-b', seconds(10), 60);

    // Assess
    await assert.rejects(attempt, (error: unknown) => {
      assert.ok(error instanceof ControlLockTimeoutError);
      assert.equal(error.lockPath, lockPath);
      assert.deepEqual(error.cause, { lockHolder: 'busy-writer', item: impatient.leasePath(LEASE) });
      return true;
    });
    assert.ok(Date.now() - startedAt >= 200);
  });

  test('keys become file names that stay in their folder and never collide', async () => {
    // Prepare
    const keys = ['../../escape', 'Sales', 'sales', 'a/b', 'a%2Fb', '.', 'é', 'x'.repeat(400)];

    // Act
    for (const key of keys) await store.put(key, key, 0);

    // Assess
    const files = await readdir(join(dataDir, '_control', 'control', 'values'));
    assert.equal(files.length, keys.length);
    for (const key of keys) {
      assert.ok(store.valuePath(key).startsWith(join(dataDir, '_control', 'control', 'values') + sep));
      assert.deepEqual(await store.get(key), { value: key, version: 1 });
    }
    assert.equal(safeFileName('../../escape'), '%2E%2E%2F%2E%2E%2Fescape');
    assert.ok(safeFileName('x'.repeat(400)).length < 200);
  });
});

interface ContenderResult {
  readonly holder: string;
  readonly acquired: boolean;
  readonly holderSeen: string;
  readonly conflicts: number;
}

function startContender(
  holder: string,
  goFile: string,
  increments: number,
): { ready: Promise<void>; result: Promise<ContenderResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', raceScript, dataDir, holder, goFile, String(increments)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let signalReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    signalReady = resolve;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith('ready\n')) signalReady();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const result = new Promise<ContenderResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      signalReady();
      const line = stdout.split('\n').find((text) => text.startsWith('{'));
      if (code !== 0 || line === undefined) {
        reject(new Error(`contender ${holder} exited with ${code}`, { cause: { stdout, stderr } }));
        return;
      }
      resolve(JSON.parse(line) as ContenderResult);
    });
  });
  return { ready, result };
}
