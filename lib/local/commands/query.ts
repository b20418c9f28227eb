import type { Command } from 'commander';
import { openLocal } from '../context.ts';
import { formatTable } from '../table-format.ts';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run Athena SQL on the local engine against the local raw and stage tables')
    .argument('<sql>', 'one Athena (Trino) SQL statement')
    .addOption(envOption())
    .addOption(dataDirOption())
    .option('--json', 'print rows as JSON lines')
    .action(async (sql: string, options: { env: string; dataDir?: string; json?: boolean }) => {
      const context = await openLocal({ root: program.opts<GlobalOptions>().root, ...options });
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
}
