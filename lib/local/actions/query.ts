import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { SqlValue } from '../../core/ports.ts';
import type { Dialect } from '../../core/sql/scanner.ts';
import { type SqlStatement, splitSqlStatements, UnterminatedSqlError } from '../../core/sql/statements.ts';
import { tokenizeSql } from '../../core/sql/trino-tokens.ts';
import type { PgliteWarehouse, WarehouseTextResult } from '../../engines/local/pglite-warehouse.ts';
import {
  type LocalContext,
  type LocalOptions,
  localLockWait,
  openLocal,
  openResolved,
  resolveLocal,
} from '../context.ts';
import { formatCells, formatCsv, formatCsvRows, formatTable, objectRowsAsCells } from '../table-format.ts';

export interface QueryOptions {
  readonly env: string;
  readonly dataDir?: string;
  readonly json?: boolean;
  /** CSV for a spreadsheet: one statement's rows, formula-like values neutralised. */
  readonly csv?: boolean;
  readonly warehouse?: boolean;
  readonly file?: string;
  readonly continueOnError?: boolean;
}

/** Where the statements come from: the argument, a file, or standard input. */
export interface QuerySource {
  readonly text: string;
  /** The argument (a single statement keeps the plain output shape) or a script (file, stdin). */
  readonly kind: 'argument' | 'script';
  readonly label: string;
}

/** A statement the user gave that the engine rejected, or SQL that cannot be split: one line, exit 1. */
export class QueryInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryInputError';
  }
}

/**
 * `dap query`: each statement in order on the local Athena (DuckDB) or, with `--warehouse`, the local Redshift,
 * over what the engines already hold (no full project check, no migration of a warehouse already migrated).
 * Returns the exit code: 1 when any statement failed.
 */
export async function query(root: string, source: QuerySource, options: QueryOptions): Promise<number> {
  const statements = statementsOf(source, options.warehouse ? 'redshift' : 'trino');
  // A script's JSON lines say which statement they belong to; one statement as an argument prints its rows as they are.
  const numbered = source.kind === 'script' || statements.length > 1;
  if (options.csv && options.json) throw new QueryInputError('--csv and --json are two output formats: give one');
  if (options.csv && statements.length !== 1) {
    throw new QueryInputError(
      `--csv writes one result set: give one statement (${source.label} has ${statements.length})`,
    );
  }
  const format: OutputFormat = options.csv ? 'csv' : options.json ? 'json' : 'table';
  const local = {
    root,
    env: options.env,
    project: 'read' as const,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  };
  const session = options.warehouse
    ? await openWarehouseSession(resolveLocal(local))
    : await openEngineSession({ ...local, engineAccess: statements.every(readsOnly) ? 'read' : 'write' });
  try {
    let failed = 0;
    for (const [index, statement] of statements.entries()) {
      const number = index + 1;
      try {
        const result = await session.run(statement.sql);
        await print(result, { format, statement: numbered ? number : undefined });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const where = numbered ? `statement ${number} (${source.label}, line ${statement.line}): ` : '';
        const engine = options.warehouse ? 'the local warehouse' : 'the local engine';
        if (options.json && numbered) console.log(JSON.stringify({ statement: number, error: message }));
        console.error(`dap: ${where}${engine} rejected the statement: ${firstLine(message)}`);
        failed++;
        if (!options.continueOnError) break;
      }
    }
    return failed > 0 ? 1 : 0;
  } finally {
    await session.close();
  }
}

function statementsOf(source: QuerySource, dialect: Dialect): SqlStatement[] {
  let statements: SqlStatement[];
  try {
    statements = splitSqlStatements(source.text, dialect);
  } catch (error) {
    if (error instanceof UnterminatedSqlError) throw new QueryInputError(`${source.label}: ${error.message}`);
    throw error;
  }
  if (statements.length === 0) throw new QueryInputError(`${source.label}: no SQL statement`);
  return statements;
}

/** Statements that only read open the engine file read-only, so queries run beside each other. */
const READING_STATEMENTS = new Set(['select', 'with', 'values', 'table', 'show', 'describe', 'explain', 'summarize']);

function readsOnly(statement: SqlStatement): boolean {
  const first = tokenizeSql(statement.sql).find((t) => t.kind !== 'whitespace' && t.kind !== 'comment');
  return first?.kind === 'word' && READING_STATEMENTS.has(first.text.toLowerCase());
}

/** The text of `--file F`, of `-` or of standard input when it is not a terminal. */
export async function readQuerySource(sql: string | undefined, file: string | undefined): Promise<QuerySource> {
  if (sql !== undefined && file !== undefined) throw new QueryInputError('give a SQL statement or --file, not both');
  if (file !== undefined) {
    const text = await readFile(file, 'utf8').catch(() => {
      throw new QueryInputError(`${file}: no such file`);
    });
    return { text, kind: 'script', label: file };
  }
  if (sql !== undefined && sql !== '-') return { text: sql, kind: 'argument', label: 'the argument' };
  if (process.stdin.isTTY) throw new QueryInputError('give a SQL statement, --file F, or SQL on standard input');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return { text: Buffer.concat(chunks).toString('utf8'), kind: 'script', label: 'stdin' };
}

type QueryRows =
  | {
      readonly kind: 'objects';
      readonly columns: readonly string[];
      /** Read as they come: JSON lines and CSV are written batch by batch, never holding the whole result. */
      readonly batches: AsyncIterable<readonly Record<string, SqlValue>[]>;
    }
  | { readonly kind: 'warehouse'; readonly result: WarehouseTextResult }
  | { readonly kind: 'affected'; readonly rowsAffected: number };

interface Session {
  run(sql: string): Promise<QueryRows>;
  close(): Promise<void>;
}

async function openEngineSession(local: LocalOptions): Promise<Session> {
  const context = await openLocal(local);
  return {
    run: async (sql) => {
      const result = await context.engine.stream(sql);
      if (result.kind === 'affected') return result;
      if (result.columns.length === 0) return { kind: 'affected', rowsAffected: 0 };
      return { kind: 'objects', columns: result.columns, batches: result.batches };
    },
    close: () => context.close(),
  };
}

/**
 * The local warehouse as it is, opened on its own (the local Athena is not needed to query it); only a warehouse
 * that was never migrated (a fresh data folder) is migrated first, as a run would, which fills its external tables.
 */
async function openWarehouseSession(resolved: Parameters<typeof openResolved>[0]): Promise<Session> {
  const [{ LocalWarehouse }, { PgliteWarehouse }] = await Promise.all([
    import('../local-warehouse.ts'),
    import('../../engines/local/pglite-warehouse.ts'),
  ]);
  const folder = LocalWarehouse.folder(resolved);
  let database: PgliteWarehouse | undefined;
  let context: LocalContext | undefined;
  if (existsSync(folder) && readdirSync(folder).length > 0) {
    database = await PgliteWarehouse.open({
      dataDir: folder,
      schema: resolved.environment.redshift.schema,
      database: resolved.environment.redshift.database,
      ...localLockWait(),
    });
    if ((await database.appliedScripts()).length === 0) {
      await database.close();
      database = undefined;
    }
  }
  if (!database) {
    context = await openResolved(resolved);
    const warehouse = await context.openWarehouse();
    await warehouse.migrate(`local-${new Date().toISOString()}`);
    database = warehouse.database;
  }
  const opened = database;
  return {
    run: async (sql) => {
      const result = await opened.queryText(sql);
      if (result.columns.length === 0) return { kind: 'affected', rowsAffected: result.rowsAffected };
      return { kind: 'warehouse', result };
    },
    close: async () => {
      if (context) await context.close();
      else await opened.close();
    },
  };
}

type OutputFormat = 'table' | 'json' | 'csv';

async function print(
  rows: QueryRows,
  options: { readonly format: OutputFormat; readonly statement: number | undefined },
): Promise<void> {
  const { format, statement } = options;
  const json = format === 'json';
  const line = (value: Record<string, unknown>) =>
    console.log(JSON.stringify(statement === undefined ? value : { statement, row: value }));
  if (rows.kind === 'affected') {
    if (json && statement !== undefined) console.log(JSON.stringify({ statement, rows_affected: rows.rowsAffected }));
    else if (!json) console.log(`${rows.rowsAffected} row(s) affected`);
    return;
  }
  if (rows.kind === 'objects') {
    if (format === 'table') {
      // An aligned table needs every row for its widths.
      const all: Record<string, SqlValue>[] = [];
      for await (const batch of rows.batches) all.push(...batch);
      console.log(formatTable(rows.columns, all));
      return;
    }
    if (format === 'csv') await write(formatCsv(rows.columns, []));
    for await (const batch of rows.batches) {
      if (format === 'csv') await write(formatCsvRows(objectRowsAsCells(rows.columns, batch)));
      else for (const row of batch) line(row);
    }
    return;
  }
  if (format === 'csv') {
    const cells = rows.result.rows.map((row) => row.map((value) => value ?? null));
    await write(
      formatCsv(
        rows.result.columns.map((c) => c.name),
        cells,
      ),
    );
    return;
  }
  const { result } = rows;
  if (json) {
    for (const row of result.rows) {
      const object: Record<string, unknown> = {};
      result.columns.forEach((column, index) => {
        object[column.name] = jsonValue(row[index] ?? null, column.type);
      });
      line(object);
    }
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

/** Writes to standard output, waiting for it to drain, so a large result streams at the reader's pace. */
function write(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', () => resolve());
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

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
