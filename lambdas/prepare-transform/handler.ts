import { parseEvent } from '../../lib/core/lambda-event.ts';
import {
  type PreparedEvent,
  type PrepareEventDeps,
  prepareEvent,
  prepareEventInputSchema,
} from '../../lib/core/prepare-event.ts';
import { DynamoDbControlStore } from '../../lib/engines/aws/dynamodb-control-store.ts';
import { requireEnv } from '../../lib/engines/aws/env.ts';
import { lambdaEntry } from '../shared/lambda-entry.ts';
import { awsRuntime } from '../shared/runtime.ts';
import { PREPARE_TRANSFORM_ENV } from './env.ts';

/** Works out one event's window and renders its transform; the state machine hands the text to Athena. */
export function makeHandler(deps: PrepareEventDeps) {
  return async (event: unknown): Promise<PreparedEvent> =>
    prepareEvent(deps, parseEvent('prepare-transform', prepareEventInputSchema, event));
}

export const handler = lambdaEntry(
  'prepare-transform',
  () => {
    const runtime = awsRuntime();
    return makeHandler({
      environment: runtime.environment,
      projectForRun: runtime.projectForRun,
      control: new DynamoDbControlStore({ tableName: requireEnv(PREPARE_TRANSFORM_ENV.controlTable) }),
      objects: runtime.store,
      rawBucket: requireEnv(PREPARE_TRANSFORM_ENV.rawBucket),
      now: () => new Date(),
    });
  },
  (prepared) => ({
    event: prepared.event_name,
    window: prepared.window,
    skip: prepared.skip,
    late_files: prepared.late_files,
  }),
);
