import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { resourceNames } from '../../lib/core/model/names.ts';
import { environmentSchema } from '../../lib/core/model/schemas.ts';
import { InvalidWindowError } from '../../lib/core/window.ts';
import { backfillInput, startBackfillInAws } from '../../lib/local/backfill.ts';

const environment = environmentSchema.parse({ name: 'prod', account: '333333333333', region: 'eu-west-2' });

test('a backfill in AWS starts the deployed state machine with a replay input', async () => {
  // Prepare
  const sfn = mockClient(SFNClient);
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:eu-west-2:333333333333:execution:x:y' });

  // Act
  const arn = await startBackfillInAws(
    new SFNClient({ region: 'eu-west-2' }),
    environment,
    resourceNames(environment),
    {
      family: 'ipv_identity_journey',
      events: ['ipv_identity_issued'],
      from: '2024-01-15',
      to: '2024-01-16',
    },
  );

  // Assess
  assert.equal(arn, 'arn:aws:states:eu-west-2:333333333333:execution:x:y');
  const call = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
  assert.equal(call?.stateMachineArn, 'arn:aws:states:eu-west-2:333333333333:stateMachine:prod-dap-raw-to-stage');
  assert.match(call?.name ?? '', /^backfill-ipv_identity_journey-2024-01-15-2024-01-16-\d+$/);
  assert.deepEqual(JSON.parse(call?.input ?? '{}'), {
    trigger: 'backfill',
    families: ['ipv_identity_journey'],
    events: ['ipv_identity_issued'],
    replay: { from: '2024-01-15', to: '2024-01-16' },
  });
  sfn.restore();
});

test('a backfill with bad days is refused before anything starts', () => {
  assert.throws(() => backfillInput({ family: 'f', from: '2024-01-16', to: '2024-01-15' }), InvalidWindowError);
  assert.throws(
    () => backfillInput({ family: 'f', from: '15/01/2024', to: '2024-01-15' }),
    /replay days must be YYYY-MM-DD/,
  );
});
