import type { Command } from 'commander';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description(
      'the newest runs on the local twin: id, trigger, start, status, families, events, rows, bytes, duration',
    )
    .addOption(envOption())
    .addOption(dataDirOption())
    .option('-n, --limit <count>', 'how many runs', '10')
    .option('--json', 'one JSON object per run')
    .action(async (options) => {
      const { runs } = await import('../actions/runs.ts');
      process.exitCode = await runs(program.opts<GlobalOptions>().root, options);
    });

  program
    .command('status')
    .description("each enabled event's watermark, last run and late files, and who holds the run lease")
    .addOption(envOption())
    .addOption(dataDirOption())
    .option('--json', 'one JSON object per event, then the lease')
    .action(async (options) => {
      const { status } = await import('../actions/runs.ts');
      process.exitCode = await status(program.opts<GlobalOptions>().root, options);
    });
}
