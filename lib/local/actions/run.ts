import { checkRunSelection } from '../../core/run-plan.ts';
import { openResolved, resolveLocal } from '../context.ts';
import { runOnTwin } from '../run.ts';

/** `dap run [--family ...]`: one run on the local twin; returns the exit code. */
export async function run(
  root: string,
  options: { env: string; dataDir?: string; family?: string[]; completeThrough?: string },
): Promise<number> {
  const { completeThrough } = options;
  const resolved = resolveLocal({ root, ...options });
  // A misspelt family is refused before anything opens, not by the plan step a run later.
  checkRunSelection(resolved.project, options.family, undefined);
  const context = await openResolved(resolved);
  try {
    return await runOnTwin(context, {
      ...(options.family ? { families: options.family } : {}),
      ...(completeThrough ? { completeThrough } : {}),
    });
  } finally {
    await context.close();
  }
}
