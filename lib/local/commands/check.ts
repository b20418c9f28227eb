import type { Command } from 'commander';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('validate every config and SQL file and their cross-references')
    .option('--drift', "also compare each raw table's declared columns with its local files (exit 1 on drift)")
    .option(
      '--fill',
      "also run each enabled event's transform on a raw record with every declared field filled (exit 1 when a stage column stays NULL)",
    )
    .addOption(envOption())
    .addOption(dataDirOption())
    .action(async (options: { drift?: boolean; fill?: boolean; env: string; dataDir?: string }) => {
      const { check } = await import('../actions/check.ts');
      process.exitCode = await check(program.opts<GlobalOptions>().root, options);
    });
}
