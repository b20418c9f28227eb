import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { unlock } from '../../lib/local/actions/unlock.ts';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
afterEach(() => dynamo.reset());

const item = (expiresAt: Date) => ({
  pk: 'lease',
  sk: 'raw-to-stage',
  holder: 'run-in-aws',
  acquired_at: '2026-12-01T10:00:00.000Z',
  renewed_at: '2026-12-01T10:00:00.000Z',
  expires_at: expiresAt.toISOString(),
});

describe('dap unlock --aws', () => {
  test('an expired lease is deleted on condition that the same run still holds it', async () => {
    // Prepare
    dynamo.on(GetCommand).resolves({ Item: item(new Date(Date.now() - 60_000)) });
    dynamo.on(DeleteCommand).resolves({});

    // Act
    const code = await unlock(REPO_ROOT, { env: 'dev', lease: 'raw-to-stage', aws: true });

    // Assess
    assert.equal(code, 0);
    const [deleted] = dynamo.commandCalls(DeleteCommand);
    assert.equal(deleted?.args[0].input.TableName, 'dev-dap-control');
    assert.deepEqual(deleted?.args[0].input.ExpressionAttributeValues, { ':holder': 'run-in-aws' });
  });

  test('a lease that has not expired is refused without --force, naming the run', async () => {
    // Prepare
    dynamo.on(GetCommand).resolves({ Item: item(new Date(Date.now() + 600_000)) });

    // Act / Assess
    await assert.rejects(unlock(REPO_ROOT, { env: 'dev', lease: 'raw-to-stage', aws: true }), {
      name: 'UnlockRefusedError',
      message: /held by run run-in-aws .* and it has not expired; use --force/,
    });
    assert.equal(dynamo.commandCalls(DeleteCommand).length, 0);
  });
});
