import { type Command, InvalidArgumentError } from 'commander';
import type { PullOptions } from '../actions/pull.ts';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

/**
 * `dap pull <source>`: one pull run of an API source into the local raw bucket, with its checkpoint in the data
 * folder, exactly as the source's Lambda does in AWS. Against the real API with credentials from the environment
 * variables the config names, or `--replay` against the shipped samples on a loopback replay server.
 */
export function registerPull(program: Command): void {
  program
    .command('pull')
    .description(
      'pull an API source (config/sources/apis/<source>.json) into the local raw bucket, resuming where the last pull stopped',
    )
    .argument('<source>', 'API source name')
    .addOption(envOption())
    .addOption(dataDirOption())
    .option(
      '--replay',
      `serve the shipped sample responses (samples/apis/<source>/) from 127.0.0.1 instead of calling the API`,
    )
    .option(
      '--max-requests <n>',
      'request budget of this run (default: max_requests_per_run of the config)',
      parsePositive,
    )
    .option('--verbose', 'print every page, retry and wait')
    .action(async (sourceName: string, options: PullOptions) => {
      const { pull } = await import('../actions/pull.ts');
      process.exitCode = await pull(program.opts<GlobalOptions>().root, sourceName, options);
    });
}

function parsePositive(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0)
    throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`);
  return parsed;
}
