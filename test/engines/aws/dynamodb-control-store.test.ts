import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { LeaseLostError, VersionConflictError } from '../../../lib/core/run-guard.ts';
import { DynamoDbControlStore } from '../../../lib/engines/aws/dynamodb-control-store.ts';

const TABLE = 'dev-dap-control';
const LEASE = 'raw-to-stage';
const T0 = new Date('2026-11-21T10:00:00.000Z');
const T0_EPOCH = T0.getTime() / 1000;

const dynamo = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbControlStore({
  tableName: TABLE,
  client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-2' })),
});

/** What DynamoDB returns on a failed condition with ALL_OLD: the old item in wire format. */
function conditionFailed(item?: Record<string, AttributeValue>): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: { httpStatusCode: 400 },
    ...(item === undefined ? {} : { Item: item }),
  });
}

function oldLeaseItem(holder: string): Record<string, AttributeValue> {
  return {
    pk: { S: `lease#${LEASE}` },
    sk: { S: 'lease' },
    holder: { S: holder },
    acquired_at: { S: '2026-11-21T09:55:00.000Z' },
    renewed_at: { S: '2026-11-21T09:59:00.000Z' },
    expires_at: { S: '2026-11-21T10:14:00.000Z' },
    expires_at_epoch: { N: String(T0_EPOCH + 840) },
  };
}

beforeEach(() => {
  dynamo.reset();
});

describe('DynamoDbControlStore leases', () => {
  test('acquire sends one conditional PutItem that only succeeds on a free or lapsed lease', async () => {
    // Prepare
    dynamo.on(PutCommand).resolves({});

    // Act
    const attempt = await store.acquireLease(LEASE, 'run-a', T0, 900);

    // Assess
    assert.deepEqual(dynamo.commandCalls(PutCommand)[0]?.args[0].input, {
      TableName: TABLE,
      Item: {
        pk: 'lease#raw-to-stage',
        sk: 'lease',
        holder: 'run-a',
        acquired_at: '2026-11-21T10:00:00.000Z',
        renewed_at: '2026-11-21T10:00:00.000Z',
        expires_at: '2026-11-21T10:15:00.000Z',
        expires_at_epoch: T0_EPOCH + 900,
      },
      ConditionExpression: 'attribute_not_exists(pk) OR expires_at_epoch < :now',
      ExpressionAttributeValues: { ':now': T0_EPOCH },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    assert.ok(attempt.acquired);
    assert.equal(attempt.lease.expiresAt, '2026-11-21T10:15:00.000Z');
    assert.equal(dynamo.calls().length, 1);
  });

  test('a failed condition returns { acquired: false, current } built from the old item, with no second read', async () => {
    // Prepare
    dynamo.on(PutCommand).rejects(conditionFailed(oldLeaseItem('run-a')));

    // Act
    const attempt = await store.acquireLease(LEASE, 'run-b', T0, 900);

    // Assess
    assert.deepEqual(attempt, {
      acquired: false,
      current: {
        name: LEASE,
        holder: 'run-a',
        acquiredAt: '2026-11-21T09:55:00.000Z',
        renewedAt: '2026-11-21T09:59:00.000Z',
        expiresAt: '2026-11-21T10:14:00.000Z',
      },
    });
    assert.equal(dynamo.calls().length, 1);
  });

  test('the holder re-acquiring its live lease extends it through a holder-conditioned update, keeping acquired_at', async () => {
    // Prepare
    dynamo.on(PutCommand).rejects(conditionFailed(oldLeaseItem('run-a')));
    dynamo.on(UpdateCommand).resolves({
      Attributes: {
        pk: 'lease#raw-to-stage',
        sk: 'lease',
        holder: 'run-a',
        acquired_at: '2026-11-21T09:55:00.000Z',
        renewed_at: '2026-11-21T10:00:00.000Z',
        expires_at: '2026-11-21T10:15:00.000Z',
        expires_at_epoch: T0_EPOCH + 900,
      },
    });

    // Act
    const attempt = await store.acquireLease(LEASE, 'run-a', T0, 900);

    // Assess
    assert.ok(attempt.acquired);
    assert.equal(attempt.lease.acquiredAt, '2026-11-21T09:55:00.000Z');
    assert.equal(attempt.lease.expiresAt, '2026-11-21T10:15:00.000Z');
    const update = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    assert.equal(update?.ConditionExpression, 'holder = :holder');
    assert.equal(update?.ExpressionAttributeValues?.[':holder'], 'run-a');
  });

  test('renew sends a holder-conditioned UpdateItem and returns the stored lease', async () => {
    // Prepare
    dynamo.on(UpdateCommand).resolves({
      Attributes: {
        holder: 'run-a',
        acquired_at: '2026-11-21T09:55:00.000Z',
        renewed_at: '2026-11-21T10:00:00.000Z',
        expires_at: '2026-11-21T10:15:00.000Z',
      },
    });

    // Act
    const lease = await store.renewLease(LEASE, 'run-a', T0, 900);

    // Assess
    assert.deepEqual(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input, {
      TableName: TABLE,
      Key: { pk: 'lease#raw-to-stage', sk: 'lease' },
      UpdateExpression: 'SET renewed_at = :renewed_at, expires_at = :expires_at, expires_at_epoch = :expires_at_epoch',
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeValues: {
        ':holder': 'run-a',
        ':renewed_at': '2026-11-21T10:00:00.000Z',
        ':expires_at': '2026-11-21T10:15:00.000Z',
        ':expires_at_epoch': T0_EPOCH + 900,
      },
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    assert.equal(lease.acquiredAt, '2026-11-21T09:55:00.000Z');
  });

  test('renew of a lease another run holds throws LeaseLostError naming that run, with the SDK error as cause', async () => {
    // Prepare
    const refusal = conditionFailed(oldLeaseItem('run-b'));
    dynamo.on(UpdateCommand).rejects(refusal);

    // Act
    const renewal = store.renewLease(LEASE, 'run-a', T0, 900);

    // Assess
    await assert.rejects(renewal, (error: unknown) => {
      assert.ok(error instanceof LeaseLostError);
      assert.equal(error.lease, LEASE);
      assert.equal(error.holder, 'run-a');
      assert.equal(error.currentHolder, 'run-b');
      assert.equal(error.cause, refusal);
      return true;
    });
  });

  test('renew of a lease that is gone throws LeaseLostError saying nobody holds it', async () => {
    // Prepare
    dynamo.on(UpdateCommand).rejects(conditionFailed());

    // Act
    const renewal = store.renewLease(LEASE, 'run-a', T0, 900);

    // Assess
    await assert.rejects(renewal, { name: 'LeaseLostError', message: /nobody holds it/ });
  });

  test('release deletes only our lease and swallows the failed condition when it is not ours', async () => {
    // Prepare
    dynamo.on(DeleteCommand).rejects(conditionFailed(oldLeaseItem('run-b')));

    // Act
    await store.releaseLease(LEASE, 'run-a');

    // Assess
    assert.deepEqual(dynamo.commandCalls(DeleteCommand)[0]?.args[0].input, {
      TableName: TABLE,
      Key: { pk: 'lease#raw-to-stage', sk: 'lease' },
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeValues: { ':holder': 'run-a' },
    });
  });

  test('errors other than a failed condition reach the caller unchanged', async () => {
    // Prepare
    const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    dynamo.on(PutCommand).rejects(throttled);
    dynamo.on(DeleteCommand).rejects(throttled);

    // Act
    const acquiring = store.acquireLease(LEASE, 'run-a', T0, 900);
    const releasing = store.releaseLease(LEASE, 'run-a');

    // Assess
    await assert.rejects(acquiring, (error: unknown) => error === throttled);
    await assert.rejects(releasing, (error: unknown) => error === throttled);
  });

  test('getLease reads consistently and maps the item', async () => {
    // Prepare
    dynamo.on(GetCommand).resolves({
      Item: {
        holder: 'run-a',
        acquired_at: '2026-11-21T09:55:00.000Z',
        renewed_at: '2026-11-21T09:59:00.000Z',
        expires_at: '2026-11-21T10:14:00.000Z',
      },
    });

    // Act
    const lease = await store.getLease(LEASE);

    // Assess
    assert.equal(lease?.holder, 'run-a');
    assert.deepEqual(dynamo.commandCalls(GetCommand)[0]?.args[0].input, {
      TableName: TABLE,
      Key: { pk: 'lease#raw-to-stage', sk: 'lease' },
      ConsistentRead: true,
    });
  });
});

describe('DynamoDbControlStore versioned values', () => {
  test('the first put must find no item; later puts must find the expected version', async () => {
    // Prepare
    dynamo.on(PutCommand).resolves({});

    // Act
    const created = await store.put('watermark#sales', { until: new Date('2026-11-21T09:00:00Z') }, 0);
    const updated = await store.put('watermark#sales', { until: '2026-11-21T10:00:00.000Z' }, 3);

    // Assess
    const [create, update] = dynamo.commandCalls(PutCommand).map((call) => call.args[0].input);
    assert.deepEqual(create, {
      TableName: TABLE,
      Item: { pk: 'value#watermark#sales', sk: 'value', value: { until: '2026-11-21T09:00:00.000Z' }, version: 1 },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    assert.deepEqual(update, {
      TableName: TABLE,
      Item: { pk: 'value#watermark#sales', sk: 'value', value: { until: '2026-11-21T10:00:00.000Z' }, version: 4 },
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 3 },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    assert.equal(created, 1);
    assert.equal(updated, 4);
  });

  test('a version conflict throws VersionConflictError with the key, expected and actual version', async () => {
    // Prepare
    const refusal = conditionFailed({ pk: { S: 'value#watermark#sales' }, version: { N: '5' } });
    dynamo.on(PutCommand).rejects(refusal);

    // Act
    const write = store.put('watermark#sales', { until: '2026-11-21T10:00:00.000Z' }, 3);

    // Assess
    await assert.rejects(write, (error: unknown) => {
      assert.ok(error instanceof VersionConflictError);
      assert.equal(error.key, 'watermark#sales');
      assert.equal(error.expectedVersion, 3);
      assert.equal(error.actualVersion, 5);
      assert.equal(error.cause, refusal);
      return true;
    });
  });

  test('get reads consistently and returns value and version', async () => {
    // Prepare
    dynamo.on(GetCommand).resolves({ Item: { pk: 'value#cursor', sk: 'value', value: ['page', 2], version: 7 } });

    // Act
    const stored = await store.get<[string, number]>('cursor');

    // Assess
    assert.deepEqual(stored, { value: ['page', 2], version: 7 });
    assert.equal(dynamo.commandCalls(GetCommand)[0]?.args[0].input.ConsistentRead, true);
  });
});
