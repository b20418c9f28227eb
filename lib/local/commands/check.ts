import type { Command } from 'commander';
import { checkProject } from '../../config/check.ts';
import { formatProblem } from '../../config/problems.ts';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';
import { printLocalDrift } from './drift.ts';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('validate every config and SQL file and their cross-references')
    .option('--drift', "also compare each raw table's declared columns with its local files (exit 1 on drift)")
    .addOption(envOption())
    .addOption(dataDirOption())
    .action(async (options: { drift?: boolean; env: string; dataDir?: string }) => {
      const root = program.opts<GlobalOptions>().root;
      const { problems } = checkProject(root);
      if (problems.length === 0) {
        console.log('dap check: no problems found');
      } else {
        for (const problem of problems) console.error(formatProblem(problem));
        console.error(`\ndap check: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
        process.exitCode = 1;
        return;
      }
      if (options.drift && (await printLocalDrift(root, options))) process.exitCode = 1;
    });
}
