import type { PGlite } from '@electric-sql/pglite';
import type { Command } from 'commander';
import type { PgliteWarehouse } from '../../engines/local/pglite-warehouse.ts';
import { rewriteRedshiftForLocal } from '../../engines/local/redshift-rewrite.ts';
import { openLocal } from '../context.ts';
import { formatTable } from '../table-format.ts';
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
          let result: WarehouseRows;
          try {
            result = await queryWarehouseAsText(warehouse.database, sql);
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

/** A warehouse result with every value as Redshift shows it (text, or null). */
export interface WarehouseRows {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** One array per row (column names may repeat, as in `select nvl(a, b), nvl(c, d)`). */
  readonly rows: readonly (readonly (string | null)[])[];
  readonly rowsAffected: number;
}

// Postgres type OIDs: the values Redshift shows as numbers or booleans in JSON.
const BOOLEAN = 16;
const TYPE_NAMES: Record<number, string> = {
  16: 'boolean',
  20: 'bigint',
  21: 'smallint',
  23: 'integer',
  25: 'varchar',
  700: 'real',
  701: 'double precision',
  1042: 'char',
  1043: 'varchar',
  1082: 'date',
  1083: 'time',
  1114: 'timestamp',
  1184: 'timestamptz',
  1186: 'interval',
  1266: 'timetz',
  1700: 'numeric',
  3802: 'super',
};

/**
 * Runs one Redshift statement on the local warehouse with every value kept as the warehouse's own text, which is
 * how Redshift shows them: dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MI:SS[.ffffff]`, numerics as exact
 * decimals, booleans `true`/`false`. Parsing into JS values would lose microseconds and decimal digits.
 */
export async function queryWarehouseAsText(database: PgliteWarehouse, sql: string): Promise<WarehouseRows> {
  // TODO(lead): PgliteWarehouse.query takes no PGlite query options; until it does, reach its PGlite instance.
  const db = (database as unknown as { db?: PGlite }).db;
  if (!db) {
    const result = await database.query(sql);
    return {
      columns: result.columns,
      rows: result.rows.map((row) => result.columns.map((c) => textOf(row[c.name], c.type))),
      rowsAffected: result.rowsAffected,
    };
  }
  const asText = (text: string) => text;
  const parsers = Object.fromEntries(Object.keys(TYPE_NAMES).map((oid) => [Number(oid), asText]));
  const result = await db.query<unknown[]>(rewriteRedshiftForLocal(sql), [], {
    rowMode: 'array',
    parsers: new Proxy(parsers, { get: () => asText }),
  });
  return {
    columns: result.fields.map((field) => ({
      name: field.name,
      type: TYPE_NAMES[field.dataTypeID] ?? `oid ${field.dataTypeID}`,
    })),
    rows: result.rows.map((row) =>
      row.map((value, index) => {
        if (value === null || value === undefined) return null;
        const text = String(value);
        return result.fields[index]?.dataTypeID === BOOLEAN ? (text === 't' ? 'true' : 'false') : text;
      }),
    ),
    rowsAffected: result.affectedRows ?? 0,
  };
}

/** A parsed value (from the fallback path) back to Redshift's text. */
function textOf(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    const iso = value.toISOString();
    if (type === 'date') return iso.slice(0, 10);
    const fraction = iso.slice(19, 23) === '.000' ? '' : iso.slice(19, 23);
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}${type === 'timestamptz' ? '+00' : ''}`;
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
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

export function printWarehouseRows(result: WarehouseRows, json: boolean): void {
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
  // Rendered here rather than by formatTable: column names may repeat, and NULL shows as an empty cell.
  const names = result.columns.map((c) => c.name);
  const widths = names.map((name, index) =>
    Math.max(name.length, ...result.rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (values: readonly (string | null)[]) =>
    values
      .map((value, index) => (value ?? '').padEnd(widths[index] ?? 0))
      .join(' | ')
      .trimEnd();
  const out = [line(names), widths.map((w) => '-'.repeat(w)).join('-+-'), ...result.rows.map(line)];
  out.push(`(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`);
  console.log(out.join('\n'));
}
