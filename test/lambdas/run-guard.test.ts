import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { handler, makeHandler } from '../../lambdas/run-guard/handler.ts';
import { InvalidEventError } from '../../lib/core/lambda-event.ts';
import { LeaseLostError } from '../../lib/core/run-guard.ts';
import { FileControlStore } from '../../lib/engines/local/file-control-store.ts';

const LEASE_SECONDS = 900;
const T0 = new Date('2026-11-21T10:00:00.000Z');
const silent = new Logger({ logLevel: 'SILENT' });

let dataDir: string;
let control: FileControlStore;

function guardAt(now: Date) {
  return makeHandler({ control, leaseSeconds: LEASE_SECONDS, now: () => now, logger: silent });
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'dap-run-guard-'));
  control = new FileControlStore(dataDir);
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('run-guard handler', () => {
  test('two runs started together: exactly one acquires, the other is told who runs and since when', async () => {
    // Prepare
    const guard = guardAt(T0);

    // Act
    const answers = await Promise.all([
      guard({ action: 'acquire', run_id: 'run-1' }),
      guard({ action: 'acquire', run_id: 'run-2' }),
    ]);

    // Assess
    const winners = answers.filter((answer) => 'acquired' in answer && answer.acquired);
    const refused = answers.find((answer) => 'acquired' in answer && !answer.acquired);
    assert.equal(winners.length, 1);
    const winner = winners[0];
    assert.ok(winner && 'acquired' in winner && winner.acquired);
    assert.deepEqual(winner, {
      acquired: true,
      run_id: winner.run_id,
      lease: 'raw-to-stage',
      since: '2026-11-21T10:00:00.000Z',
      expires_at: '2026-11-21T10:15:00.000Z',
    });
    assert.ok(refused && 'acquired' in refused && !refused.acquired);
    assert.equal(refused.holder_run_id, winner.run_id);
    assert.equal(refused.since, '2026-11-21T10:00:00.000Z');
    assert.equal(
      refused.message,
      `a run is already in progress: ${winner.run_id} since 2026-11-21T10:00:00.000Z (lease expires 2026-11-21T10:15:00.000Z)`,
    );
  });

  test('a retried acquire by the running run succeeds with its original since', async () => {
    // Prepare
    await guardAt(T0)({ action: 'acquire', run_id: 'run-1' });

    // Act
    const retry = await guardAt(new Date(T0.getTime() + 5_000))({ action: 'acquire', run_id: 'run-1' });

    // Assess
    assert.deepEqual(retry, {
      acquired: true,
      run_id: 'run-1',
      lease: 'raw-to-stage',
      since: '2026-11-21T10:00:00.000Z',
      expires_at: '2026-11-21T10:15:05.000Z',
    });
  });

  test('a stale lease left by a crashed run is taken over', async () => {
    // Prepare
    await guardAt(T0)({ action: 'acquire', run_id: 'crashed-run' });
    const afterExpiry = new Date(T0.getTime() + (LEASE_SECONDS + 1) * 1000);

    // Act
    const answer = await guardAt(afterExpiry)({ action: 'acquire', run_id: 'run-2' });

    // Assess
    assert.deepEqual(answer, {
      acquired: true,
      run_id: 'run-2',
      lease: 'raw-to-stage',
      since: '2026-11-21T10:15:01.000Z',
      expires_at: '2026-11-21T10:30:01.000Z',
    });
  });

  test('renew extends the holder lease; a run that lost its lease gets LeaseLostError', async () => {
    // Prepare
    await guardAt(T0)({ action: 'acquire', run_id: 'run-1' });
    const later = guardAt(new Date(T0.getTime() + 60_000));

    // Act
    const renewed = await later({ action: 'renew', run_id: 'run-1' });
    const lost = later({ action: 'renew', run_id: 'run-2' });

    // Assess
    assert.deepEqual(renewed, { renewed: true, expires_at: '2026-11-21T10:16:00.000Z' });
    await assert.rejects(lost, (error: unknown) => {
      assert.ok(error instanceof LeaseLostError);
      assert.equal(error.name, 'LeaseLostError', 'the state machine catches on this name');
      assert.equal(error.currentHolder, 'run-1');
      return true;
    });
  });

  test('release frees the lease for the next run; a release by another run changes nothing', async () => {
    // Prepare
    const guard = guardAt(T0);
    await guard({ action: 'acquire', run_id: 'run-1' });

    // Act
    const strangerRelease = await guard({ action: 'release', run_id: 'run-2' });
    const stillHeld = await guard({ action: 'acquire', run_id: 'run-3' });
    const release = await guard({ action: 'release', run_id: 'run-1' });
    const next = await guard({ action: 'acquire', run_id: 'run-3' });

    // Assess
    assert.deepEqual(strangerRelease, { released: true });
    assert.ok('acquired' in stillHeld && !stillHeld.acquired);
    assert.deepEqual(release, { released: true });
    assert.ok('acquired' in next && next.acquired);
  });

  test('leases with different names do not block each other', async () => {
    // Prepare
    const guard = guardAt(T0);
    await guard({ action: 'acquire', run_id: 'run-1' });

    // Act
    const other = await guard({ action: 'acquire', run_id: 'backfill-1', lease: 'backfill' });

    // Assess
    assert.ok('acquired' in other && other.acquired);
    assert.equal(other.lease, 'backfill');
  });

  test('a bad event fails with a message naming each bad field', async () => {
    // Act
    const attempt = guardAt(T0)({ action: 'grab', run_id: 42 });

    // Assess
    await assert.rejects(attempt, (error: unknown) => {
      assert.ok(error instanceof InvalidEventError);
      assert.match(error.message, /^run-guard event is invalid: /);
      assert.match(error.message, /action: .*"acquire"/);
      assert.match(error.message, /run_id: .*expected string/);
      assert.ok(error.cause !== undefined, 'the zod error travels as cause');
      return true;
    });
  });

  test('the Lambda entry names a missing environment variable', async () => {
    // Prepare
    const saved = { table: process.env.CONTROL_TABLE, seconds: process.env.LEASE_SECONDS };
    delete process.env.CONTROL_TABLE;
    delete process.env.LEASE_SECONDS;

    try {
      // Act
      const attempt = handler({ action: 'acquire', run_id: 'run-1' }, {} as Context);

      // Assess
      await assert.rejects(attempt, { name: 'MissingEnvironmentVariableError', message: /CONTROL_TABLE/ });
    } finally {
      if (saved.table !== undefined) process.env.CONTROL_TABLE = saved.table;
      if (saved.seconds !== undefined) process.env.LEASE_SECONDS = saved.seconds;
    }
  });

  test('the Lambda entry rejects a LEASE_SECONDS that is not a positive whole number', async () => {
    // Prepare
    const saved = { table: process.env.CONTROL_TABLE, seconds: process.env.LEASE_SECONDS };
    process.env.CONTROL_TABLE = 'dev-dap-control';
    process.env.LEASE_SECONDS = '15m';

    try {
      // Act
      const attempt = handler({ action: 'acquire', run_id: 'run-1' }, {} as Context);

      // Assess
      await assert.rejects(attempt, {
        name: 'InvalidEnvironmentVariableError',
        message: 'environment variable LEASE_SECONDS is "15m", expected a positive whole number',
      });
    } finally {
      for (const [variable, value] of [
        ['CONTROL_TABLE', saved.table],
        ['LEASE_SECONDS', saved.seconds],
      ] as const) {
        if (value === undefined) delete process.env[variable];
        else process.env[variable] = value;
      }
    }
  });
});
