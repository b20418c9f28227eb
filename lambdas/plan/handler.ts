import { z } from 'zod';
import { parseEvent } from '../../lib/core/lambda-event.ts';
import type { Project } from '../../lib/core/model/project.ts';
import { planRun, type RunPlan, runInputSchema } from '../../lib/core/run-plan.ts';
import { lambdaEntry } from '../shared/lambda-entry.ts';
import { awsRuntime } from '../shared/runtime.ts';

export const planEventSchema = z.object({ run_id: z.string().min(1), input: runInputSchema });

export interface PlanDeps {
  readonly environment: string;
  readonly projectForRun: (runId: string) => Promise<Project>;
}

/** Reads the deployed config and returns the enabled families, each with its enabled events. */
export function makeHandler(deps: PlanDeps) {
  return async (event: unknown): Promise<RunPlan> => {
    const { run_id, input } = parseEvent('plan', planEventSchema, event);
    return planRun(await deps.projectForRun(run_id), deps.environment, input);
  };
}

export const handler = lambdaEntry(
  'plan',
  () => makeHandler(awsRuntime()),
  (plan) => ({ trigger: plan.trigger, families: plan.families.length, replay: plan.replay }),
);
