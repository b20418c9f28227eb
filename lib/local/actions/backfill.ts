import { SFNClient } from '@aws-sdk/client-sfn';
import { checkRunSelection } from '../../core/run-plan.ts';
import { type BackfillRequest, backfillInput, startBackfillInAws } from '../backfill.ts';
import { openResolved, resolveLocal } from '../context.ts';
import { runOnTwin } from '../run.ts';

export interface BackfillOptions {
  readonly family: string;
  readonly event?: string[];
  readonly from: string;
  readonly to: string;
  readonly aws?: boolean;
  readonly env: string;
  readonly dataDir?: string;
}

/** `dap backfill`: on the twin, or with `--aws` a start of the deployed state machine; returns the exit code. */
export async function backfill(root: string, options: BackfillOptions): Promise<number> {
  const request: BackfillRequest = {
    family: options.family,
    from: options.from,
    to: options.to,
    ...(options.event ? { events: options.event } : {}),
  };
  const resolved = resolveLocal({ root, env: options.env, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  checkRunSelection(resolved.project, [options.family], options.event);
  const context = await openResolved(resolved);
  try {
    if (options.aws) {
      const arn = await startBackfillInAws(
        new SFNClient({ region: context.environment.region }),
        context.environment,
        context.names,
        request,
      );
      console.log(`started ${arn}`);
      return 0;
    }
    const input = backfillInput(request);
    return await runOnTwin(context, {
      trigger: input.trigger,
      families: input.families ?? [],
      ...(input.events ? { events: input.events } : {}),
      ...(input.replay ? { replay: input.replay } : {}),
    });
  } finally {
    await context.close();
  }
}
