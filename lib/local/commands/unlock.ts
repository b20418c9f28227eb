import type { Command } from 'commander';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

export function registerUnlock(program: Command): void {
  program
    .command('unlock')
    .description(
      "clear the run lease a stopped run left behind (locally, or with --aws in the environment's control table)",
    )
    .addOption(envOption())
    .addOption(dataDirOption())
    .option('--lease <name>', 'the lease to clear', 'raw-to-stage')
    .option('--force', 'clear it even though its holder may still be running')
    .option('--aws', "the deployed environment's control table (AWS credentials for its account)")
    .action(async (options) => {
      const { unlock } = await import('../actions/unlock.ts');
      process.exitCode = await unlock(program.opts<GlobalOptions>().root, options);
    });
}
