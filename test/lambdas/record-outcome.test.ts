import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeHandler } from '../../lambdas/record-outcome/handler.ts';
import { InvalidEventError } from '../../lib/core/lambda-event.ts';
import { CAUSE_IN_STATE_MAX_CHARS } from '../../lib/core/run-outcomes.ts';
import { FolderObjectStore } from '../../lib/engines/local/folder-object-store.ts';
import { tempDir } from '../infra/fixtures.ts';

/** The record step keeps what would make the state grow with events × error length, and answers what the state keeps. */
describe('record-outcome', () => {
  const store = new FolderObjectStore(tempDir('dap-record-outcome-'));
  const handler = makeHandler({ store, processResultsBucket: 'results' });
  const read = async (key: string) => JSON.parse(new TextDecoder().decode(await store.get('results', key)));
  const subject = { of: 'event', product_family: 'auth_account_creation', event_name: 'auth_create_account' };

  test('a short error is carried as it is, and nothing is stored', async () => {
    // Prepare
    const error = { Error: 'States.TaskFailed', Cause: 'short' };

    // Act
    const kept = await handler({ action: 'error', run_id: 'r1', subject, error });

    // Assess
    assert.deepEqual(kept, error);
    assert.deepEqual(await store.list('results', 'run_outcomes/r1/'), []);
  });

  test('a long error is stored whole; the state carries the start of its Cause and the key', async () => {
    // Prepare
    const error = { Error: 'States.TaskFailed', Cause: 'y'.repeat(32_768) };

    // Act
    const kept = await handler({ action: 'error', run_id: 'r2', subject, error });

    // Assess
    const key = 'run_outcomes/r2/errors/events/auth_account_creation/auth_create_account.json';
    assert.deepEqual(kept, {
      Error: 'States.TaskFailed',
      Cause: `${'y'.repeat(CAUSE_IN_STATE_MAX_CHARS)}…`,
      cause_key: key,
    });
    assert.deepEqual(await read(key), error);
    const procedure = await handler({
      action: 'error',
      run_id: 'r2',
      subject: { of: 'procedure', product_family: 'single_customer_view' },
      error,
    });
    assert.equal(
      (procedure as { cause_key?: string }).cause_key,
      'run_outcomes/r2/errors/procedures/single_customer_view.json',
    );
    const migration = await handler({ action: 'error', run_id: 'r2', subject: { of: 'migration' }, error });
    assert.equal((migration as { cause_key?: string }).cause_key, 'run_outcomes/r2/errors/migration.json');
  });

  test("a family's whole outcome is stored; the families Map keeps its status and key", async () => {
    // Prepare
    const outcome = {
      product_family: 'auth_account_creation',
      status: 'FAILED',
      events: [{ event_name: 'auth_create_account', status: 'FAILED', error: { Error: 'X', Cause: 'why' } }],
      checks: [],
      committed: [],
    };

    // Act
    const record = await handler({ action: 'family', run_id: 'r3', outcome });

    // Assess
    const key = 'run_outcomes/r3/families/auth_account_creation.json';
    assert.deepEqual(record, { product_family: 'auth_account_creation', status: 'FAILED', outcome_key: key });
    assert.deepEqual(await read(key), outcome);
  });

  test('a name that could leave the run prefix is refused, naming the field', async () => {
    // Act + Assess
    await assert.rejects(
      handler({
        action: 'error',
        run_id: 'r4',
        subject: { ...subject, event_name: '../../run_reports/x' },
        error: { Error: 'X', Cause: 'z'.repeat(2_000) },
      }),
      (error: unknown) => error instanceof InvalidEventError && /subject\.event_name/.test(error.message),
    );
    await assert.rejects(
      handler({ action: 'error', run_id: 'a/b', subject, error: { Error: 'X' } }),
      (error: unknown) => error instanceof InvalidEventError && /run_id/.test(error.message),
    );
  });
});
