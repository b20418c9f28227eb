import { openLocal } from '../context.ts';
import { runOnTwin } from '../run.ts';

/** `dap run [--family ...]`: one run on the local twin; returns the exit code. */
export async function run(
  root: string,
  options: { env: string; dataDir?: string; family?: string[] },
): Promise<number> {
  const context = await openLocal({ root, ...options });
  try {
    return await runOnTwin(context, options.family ? { families: options.family } : {});
  } finally {
    await context.close();
  }
}
