import type { Command } from 'commander';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('validate every config and SQL file and their cross-references')
    .option('--drift', "also compare each raw table's declared columns with its local files (exit 1 on drift)")
    .addOption(envOption())
    .addOption(dataDirOption())
    .action(async (options: { drift?: boolean; env: string; dataDir?: string }) => {
      const { check } = await import('../actions/check.ts');
      process.exitCode = await check(program.opts<GlobalOptions>().root, options);
    });
}
