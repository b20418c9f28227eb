import type { Command } from 'commander';
import type { WarehouseTextResult } from '../../engines/local/pglite-warehouse.ts';
import { openLocal } from '../context.ts';
import { formatCells, formatTable } from '../table-format.ts';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description(
      'run Athena SQL on the local engine against the local raw and stage tables, or Redshift SQL on the local warehouse (--warehouse)',
    )
    .argument('<sql>', 'one Athena (Trino) SQL statement, or with --warehouse one Redshift SQL statement')
    .addOption(envOption())
    .addOption(dataDirOption())
    .option('--json', 'print rows as JSON lines')
    .option('--warehouse', 'run the statement on the local warehouse (the local Redshift) instead of the local Athena')
    .action(async (sql: string, options: { env: string; dataDir?: string; json?: boolean; warehouse?: boolean }) => {
      const context = await openLocal({ root: program.opts<GlobalOptions>().root, ...options });
      try {
        if (options.warehouse) {
          const warehouse = await context.warehouse();
          let result: WarehouseTextResult;
          try {
            result = await warehouse.database.queryText(sql);
          } catch (error) {
            // A statement the warehouse rejects: its message, exit 1 (no stack trace).
            console.error(`dap: the local warehouse rejected the statement: ${(error as Error).message}`);
            process.exitCode = 1;
            return;
          }
          printWarehouseRows(result, options.json === true);
          return;
        }
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

/** One value as JSON: integers and floats as numbers when exact, booleans, null; all else as Redshift's text. */
function jsonValue(text: string | null, typeId: string): unknown {
  if (text === null) return null;
  if (typeId === 'boolean') return text === 'true';
  if (['smallint', 'integer', 'bigint'].includes(typeId)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  if (['real', 'double precision'].includes(typeId) && Number.isFinite(Number(text))) return Number(text);
  return text;
}

function printWarehouseRows(result: WarehouseTextResult, json: boolean): void {
  if (json) {
    for (const row of result.rows) {
      const object: Record<string, unknown> = {};
      result.columns.forEach((column, index) => {
        object[column.name] = jsonValue(row[index] ?? null, column.type);
      });
      console.log(JSON.stringify(object));
    }
    return;
  }
  if (result.columns.length === 0) {
    console.log(`${result.rowsAffected} row(s) affected`);
    return;
  }
  // By position, since column names may repeat; NULL shows as an empty cell, as Redshift's clients print it.
  console.log(
    formatCells(
      result.columns.map((c) => c.name),
      result.rows.map((row) => row.map((value) => value ?? '')),
    ),
  );
}
