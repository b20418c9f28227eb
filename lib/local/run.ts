import type { LocalContext } from './context.ts';
import { liveProgress, progressLines } from './live-progress.ts';
import { printRunResult } from './progress.ts';
import { LocalTwin, type TwinRunOptions } from './twin/local-twin.ts';

/**
 * `dap run` (and the runs of `dap backfill` and `npm start`): one run of the environment's state machine on the local
 * twin; returns the exit code. Ctrl-C or a SIGTERM stops the run between states and releases its lease (exit 130)
 * instead of killing it, unless the caller brings its own `signal`.
 */
export async function runOnTwin(
  context: LocalContext,
  options: Pick<
    TwinRunOptions,
    'families' | 'events' | 'trigger' | 'replay' | 'now' | 'signal' | 'completeThrough'
  > = {},
  write: (text: string) => void = console.log,
): Promise<number> {
  write(`running ${context.names.stateMachine} on the local twin (data in ${context.dataDir})`);
  const twin = await LocalTwin.open(context);
  const controller = new AbortController();
  const stop = () => controller.abort();
  if (!options.signal) {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  const live = progressView() === 'live' ? liveProgress() : undefined;
  try {
    const progress = live?.progress ?? progressLines(write);
    const result = await twin.run({ ...options, signal: options.signal ?? controller.signal, progress });
    await live?.close();
    return printRunResult(result, write);
  } finally {
    await live?.close();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/**
 * A live tree in a terminal, plain lines elsewhere (CI, pipes, logs); `DAP_PROGRESS=plain` or `live` decides instead.
 */
export function progressView(
  env: NodeJS.ProcessEnv = process.env,
  terminal: boolean = process.stdout.isTTY === true,
): 'live' | 'lines' {
  if (env.DAP_PROGRESS === 'plain') return 'lines';
  if (env.DAP_PROGRESS === 'live') return 'live';
  return terminal && !env.CI && env.TERM !== 'dumb' ? 'live' : 'lines';
}
