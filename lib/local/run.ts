import type { LocalContext } from './context.ts';
import { printRunResult } from './progress.ts';
import { LocalTwin, type TwinRunOptions } from './twin/local-twin.ts';

/** `dap run`: one run of the environment's state machine on the local twin; returns the exit code. */
export async function runOnTwin(
  context: LocalContext,
  options: Pick<TwinRunOptions, 'families' | 'events' | 'trigger' | 'replay' | 'now' | 'signal'> = {},
  write: (text: string) => void = console.log,
): Promise<number> {
  write(`running ${context.names.stateMachine} on the local twin (data in ${context.dataDir})`);
  const twin = await LocalTwin.open(context);
  const result = await twin.run({ ...options, progress: write });
  return printRunResult(result, write);
}
