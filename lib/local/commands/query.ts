import type { Command } from 'commander';
import type { QueryOptions } from '../actions/query.ts';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

/** An argument shaped like an option (`--jsn`), which is a typo rather than SQL made of one comment. */
const OPTION_LIKE = /^--[a-z][a-z-]*(=\S*)?$/;

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description(
      'run Athena SQL on the local engine against the local raw and stage tables, or Redshift SQL on the local warehouse (--warehouse)',
    )
    .argument('[sql]', 'Athena (Trino) SQL, or with --warehouse Redshift SQL; "-" or none reads standard input')
    .addOption(envOption())
    .addOption(dataDirOption())
    .option('--file <path>', 'run each statement of a SQL file in order')
    .option('--json', 'print rows as JSON lines (from a file or stdin, each line carries its statement number)')
    .option('--csv', "print one statement's rows as CSV for a spreadsheet (formula-like values neutralised with ')")
    .option('--warehouse', 'run on the local warehouse (the local Redshift) instead of the local Athena')
    .option('--continue-on-error', 'after a statement fails, go on with the next one (exit 1 all the same)')
    // SQL may start with a comment (`-- ...`): an unknown `--` word is the SQL argument, not an option.
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (sql: string | undefined, options: QueryOptions, command: Command) => {
      const extra = command.args.slice(sql === undefined ? 0 : 1);
      const optionLike = [sql, ...extra].find((word) => word !== undefined && OPTION_LIKE.test(word));
      if (optionLike !== undefined) command.error(`error: unknown option '${optionLike}'`);
      if (extra.length > 0) command.error(`error: one SQL argument expected, got ${extra.length + 1} (quote the SQL)`);
      const { query, readQuerySource } = await import('../actions/query.ts');
      const source = await readQuerySource(sql, options.file);
      process.exitCode = await query(program.opts<GlobalOptions>().root, source, options);
    });
}
