import type { Command } from 'commander';
import { checkProject } from '../../config/check.ts';
import { formatProblem } from '../../config/problems.ts';
import type { GlobalOptions } from './common.ts';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('validate every config and SQL file and their cross-references')
    .action(() => {
      const { problems } = checkProject(program.opts<GlobalOptions>().root);
      if (problems.length === 0) {
        console.log('dap check: no problems found');
        return;
      }
      for (const problem of problems) console.error(formatProblem(problem));
      console.error(`\ndap check: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
      process.exitCode = 1;
    });
}
