import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Context } from 'aws-lambda';
import { lambdaEntry } from '../../lambdas/shared/lambda-entry.ts';

const context = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 } as unknown as Context;

test('a Lambda entry binds its adapters once, on first use, and returns or rethrows what the handler does', async () => {
  // Prepare
  let binds = 0;
  const handler = lambdaEntry(
    'probe',
    () => {
      binds++;
      return async (event: unknown) => {
        if ((event as { fail?: boolean }).fail) throw new TypeError('bad event');
        return { ok: true };
      };
    },
    (result) => ({ ok: result.ok }),
  );

  // Act
  const first = await handler({}, context);
  const second = await handler({}, context);
  const failure = handler({ fail: true }, context);

  // Assess
  assert.deepEqual(first, { ok: true });
  assert.deepEqual(second, { ok: true });
  await assert.rejects(failure, { name: 'TypeError', message: 'bad event' });
  assert.equal(binds, 1);
});
