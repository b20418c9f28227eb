import { type Command, InvalidArgumentError } from 'commander';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the state machine on the local twin (exit 0 SUCCEEDED, 2 PARTIAL, 1 FAILED)')
    .addOption(envOption())
    .addOption(dataDirOption())
    .option('-f, --family <name...>', 'only these families')
    .option(
      '--complete-through <day>',
      "treat delivery days up to this one (YYYY-MM-DD, or 'today') as complete, before midnight plus lateness",
      parseDay,
    )
    .action(async (options: { env: string; dataDir?: string; family?: string[]; completeThrough?: string }) => {
      const { run } = await import('../actions/run.ts');
      process.exitCode = await run(program.opts<GlobalOptions>().root, options);
    });

  program
    .command('demo')
    .description('reset the local data, write the shipped sample data and run the pipeline on it (npm start)')
    .addOption(envOption())
    .addOption(dataDirOption())
    .action(async (options: { env: string; dataDir?: string }) => {
      const { runDemo } = await import('../demo.ts');
      process.exitCode = await runDemo({ root: program.opts<GlobalOptions>().root, ...options });
    });
}

/** `today` (UTC) or a YYYY-MM-DD day. */
function parseDay(value: string): string {
  const day = value === 'today' ? new Date().toISOString().slice(0, 10) : value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) {
    throw new InvalidArgumentError(`expected a day YYYY-MM-DD or today, got "${value}"`);
  }
  return day;
}
