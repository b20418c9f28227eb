import middy from '@middy/core';
import { z } from 'zod';
import { environment, type Project } from '../../lib/config/loader.ts';
import { resourceNames } from '../../lib/config/names.ts';
import { identifier } from '../../lib/config/schemas.ts';
import { parseEvent } from '../../lib/core/lambda-event.ts';
import { renderTransform } from '../../lib/core/transform.ts';
import { awsRuntime } from '../../lib/engines/aws/runtime.ts';

export const prepareEventSchema = z.object({
  run_id: z.string().min(1),
  product_family: identifier,
  event_name: identifier,
});

export interface PrepareDeps {
  readonly environment: string;
  readonly projectForRun: (runId: string) => Promise<Project>;
}

/** Renders one event's transform for this environment; the state machine hands the text to Athena. */
export function makeHandler(deps: PrepareDeps) {
  return async (event: unknown) => {
    const { run_id, product_family, event_name } = parseEvent('prepare-transform', prepareEventSchema, event);
    const project = await deps.projectForRun(run_id);
    const names = resourceNames(environment(project, deps.environment));
    return {
      product_family,
      event_name,
      query: renderTransform(project, names, event_name),
      database: names.stageDatabase,
    };
  };
}

export const handler = middy().handler((event: unknown) => makeHandler(awsRuntime())(event));
