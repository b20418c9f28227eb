import middy from '@middy/core';
import { parseEvent } from '../../lib/core/lambda-event.ts';
import {
  type PreparedEvent,
  type PrepareEventDeps,
  prepareEvent,
  prepareEventInputSchema,
} from '../../lib/core/prepare-event.ts';
import { DynamoDbControlStore } from '../../lib/engines/aws/dynamodb-control-store.ts';
import { requireEnv } from '../../lib/engines/aws/env.ts';
import { awsRuntime } from '../../lib/engines/aws/runtime.ts';

/** Works out one event's window and renders its transform; the state machine hands the text to Athena. */
export function makeHandler(deps: PrepareEventDeps) {
  return async (event: unknown): Promise<PreparedEvent> =>
    prepareEvent(deps, parseEvent('prepare-transform', prepareEventInputSchema, event));
}

let awsHandler: ((event: unknown) => Promise<PreparedEvent>) | undefined;

export const handler = middy().handler((event: unknown) => {
  const runtime = awsRuntime();
  awsHandler ??= makeHandler({
    environment: runtime.environment,
    projectForRun: runtime.projectForRun,
    control: new DynamoDbControlStore({ tableName: requireEnv('CONTROL_TABLE') }),
    objects: runtime.store,
    rawBucket: requireEnv('RAW_BUCKET'),
    now: () => new Date(),
  });
  return awsHandler(event);
});
