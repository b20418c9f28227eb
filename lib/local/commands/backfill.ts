import type { Command } from 'commander';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description('re-process delivery days of a family idempotently (watermarks stay where they are)')
    .requiredOption('-f, --family <name>', 'the product family')
    .option('--event <name...>', 'only these events of the family')
    .requiredOption('--from <day>', 'first delivery day, YYYY-MM-DD')
    .requiredOption('--to <day>', 'last delivery day, YYYY-MM-DD (included)')
    .option('--aws', "start the deployed state machine (AWS credentials for the environment's account)")
    .addOption(envOption())
    .addOption(dataDirOption())
    .action(async (options) => {
      const { backfill } = await import('../actions/backfill.ts');
      process.exitCode = await backfill(program.opts<GlobalOptions>().root, options);
    });
}
