#!/usr/bin/env -S npx tsx
import { Command, Option } from 'commander';
import { checkProject } from '../lib/config/check.ts';
import { ConfigError, formatProblem } from '../lib/config/problems.ts';
import { QueryFailedError } from '../lib/engines/local/duckdb-engine.ts';
import { openLocal } from '../lib/local/context.ts';
import { runDemo } from '../lib/local/demo.ts';
import { printRunSummary, progressPrinter } from '../lib/local/progress.ts';
import { runLocal } from '../lib/local/run.ts';
import { formatTable } from '../lib/local/table-format.ts';

const program = new Command('dap')
  .description('dap: config-driven ELT on AWS, and its local twin')
  .option('--root <dir>', 'project root (config/, athena-scripts/, redshift-scripts/)', process.cwd())
  .showHelpAfterError();

const envOption = () => new Option('-e, --env <name>', 'environment (config/environments/<name>.json)').default('dev');
const dataDirOption = () =>
  new Option('--data-dir <dir>', 'local data folder standing for S3 (default .dap)').env('DAP_DATA_DIR');

program
  .command('check')
  .description('validate every config and SQL file and their cross-references')
  .action(() => {
    const { problems } = checkProject(program.opts<{ root: string }>().root);
    if (problems.length === 0) {
      console.log('dap check: no problems found');
      return;
    }
    for (const problem of problems) console.error(formatProblem(problem));
    console.error(`\ndap check: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    process.exitCode = 1;
  });

program
  .command('query')
  .description('run Athena SQL on the local engine against the local raw and stage tables')
  .argument('<sql>', 'one Athena (Trino) SQL statement')
  .addOption(envOption())
  .addOption(dataDirOption())
  .option('--json', 'print rows as JSON lines')
  .action(async (sql: string, options: { env: string; dataDir?: string; json?: boolean }) => {
    const context = await openLocal({ root: program.opts<{ root: string }>().root, ...options });
    try {
      const result = await context.engine.execute(sql);
      if (options.json) for (const row of result.rows) console.log(JSON.stringify(row));
      else if (result.columns.length > 0 && result.rowsAffected === 0) {
        console.log(
          formatTable(
            result.columns.map((c) => c.name),
            result.rows,
          ),
        );
      } else console.log(`${result.rowsAffected} row(s) affected`);
    } finally {
      await context.close();
    }
  });

program
  .command('run')
  .description('run the pipeline on the local twin')
  .addOption(envOption())
  .addOption(dataDirOption())
  .option('-f, --family <name...>', 'only these families')
  .action(async (options: { env: string; dataDir?: string; family?: string[] }) => {
    const context = await openLocal({ root: program.opts<{ root: string }>().root, ...options });
    try {
      const outcomes = await runLocal(context, {
        progress: progressPrinter(),
        ...(options.family ? { families: options.family } : {}),
      });
      process.exitCode = printRunSummary(outcomes);
    } finally {
      await context.close();
    }
  });

program
  .command('demo')
  .description('reset the local data, write the shipped sample data and run the pipeline on it (npm start)')
  .addOption(envOption())
  .addOption(dataDirOption())
  .action(async (options: { env: string; dataDir?: string }) => {
    process.exitCode = await runDemo({ root: program.opts<{ root: string }>().root, ...options });
  });

try {
  await program.parseAsync();
} catch (error) {
  // Expected failures (bad config, a query the engine rejects) print their message, not a stack trace.
  if (error instanceof ConfigError || error instanceof QueryFailedError) {
    console.error(`dap: ${error.message}`);
    process.exitCode = 1;
  } else throw error;
}
