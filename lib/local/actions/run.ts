import { openLocal } from '../context.ts';
import { runOnTwin } from '../run.ts';

/** `dap run [--family ...]`: one run on the local twin; returns the exit code. */
export async function run(
  root: string,
  options: { env: string; dataDir?: string; family?: string[] },
): Promise<number> {
  const context = await openLocal({ root, ...options });
  // Ctrl-C or a SIGTERM stops the run between states and releases its lease (exit 130), instead of killing it.
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const signal = controller.signal;
    return await runOnTwin(context, options.family ? { families: options.family, signal } : { signal });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await context.close();
  }
}
