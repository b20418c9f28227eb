import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ATHENA_OPEN_PARTITION_WRITERS } from '../../core/athena-limits.ts';
import { type ResourceNames, resourceNames } from '../../core/model/names.ts';
import type { Project, StageTableDef } from '../../core/model/project.ts';
import type { EnvironmentConfig } from '../../core/model/schemas.ts';
import type { QueryEngine, QueryOptions, QueryResult, QueryStatistics, SqlValue } from '../../core/ports.ts';
import { RUN_REPORTS_TABLE } from '../../core/run-history.ts';
import { quoteIdentifier, unquote } from '../../core/sql/identifiers.ts';
import { tokenizeSql } from '../../core/sql/trino-tokens.ts';
import { incomingTableDefs } from '../../core/transform.ts';
import { expectedStageColumns, rawViewSql, stageTableSql } from './duckdb-catalog.ts';
import { commandOf, type LockHolder, type LockWait, waitWhileBusy } from './local-lock.ts';
import { installTrinoCompat, TRINO_COMPAT_VERSION, translateTrinoToDuckDb } from './trino-compat.ts';

/** `lockWaitMs`: how long to wait while another process holds the database file (DuckDB admits one writer). */
export interface DuckDbEngineOptions extends LockWait {
  readonly project: Project;
  readonly environment: EnvironmentConfig;
  /** Folder standing for S3, one sub-folder per bucket. */
  readonly dataDir: string;
  /** The DuckDB database file, or `:memory:`. @default `<dataDir>/<env>.duckdb` */
  readonly databasePath?: string;
  /**
   * `'read'`: for a command that only reads. The file is opened read-only when it already holds this version of the
   * macros and the catalog as it would be built now, so any number of readers run side by side (DuckDB admits many
   * read-only processes or one writer); otherwise it is opened for writing, once, to bring it up to date.
   * Statements that write then fail with DuckDB's read-only error. @default 'write'
   */
  readonly access?: 'read' | 'write';
}

export class QueryFailedError extends Error {
  constructor(
    message: string,
    readonly sql: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'QueryFailedError';
  }
}

/**
 * The workgroup's per-query data usage control cancelled the statement: it read more than the cutoff. Nothing it
 * wrote is kept. The message starts as Athena's StateChangeReason does.
 */
export class BytesScannedCutoffError extends QueryFailedError {
  constructor(
    readonly bytesScanned: number,
    readonly cutoff: number,
    readonly workgroup: string,
    sql: string,
  ) {
    super(
      `Bytes scanned limit was exceeded: the query read ${bytesScanned} bytes, over workgroup ${workgroup}'s cutoff of ${cutoff} bytes per query`,
      sql,
    );
    this.name = 'BytesScannedCutoffError';
  }
}

/**
 * The statement would write more partitions of an Iceberg table than Athena keeps writers open for; Athena fails it
 * and commits nothing. The message starts as Athena's error does.
 */
export class TooManyOpenPartitionsError extends QueryFailedError {
  constructor(
    readonly partitions: number,
    readonly limit: number,
    readonly table: string,
    sql: string,
  ) {
    super(
      `ICEBERG_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of ${limit} open writers for partitions (the statement writes ${partitions} partitions of ${table})`,
      sql,
    );
    this.name = 'TooManyOpenPartitionsError';
  }
}

/** Athena stand-in: DuckDB with the Trino compatibility layer and the catalog built from config. */
export class DuckDbEngine implements QueryEngine {
  private readonly statistics = new Map<string, QueryStatistics>();
  /** The last piece of work queued on the connection: a statement and what measures it run together. */
  private tail: Promise<unknown> = Promise.resolve();
  private scanLogging = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly options: DuckDbEngineOptions,
    readonly names: ResourceNames,
  ) {}

  static async open(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    const names = resourceNames(options.environment);
    const databasePath = options.databasePath ?? join(options.dataDir, `${options.environment.name}.duckdb`);
    if (databasePath !== ':memory:') mkdirSync(dirname(databasePath), { recursive: true });
    if (options.access === 'read' && databasePath !== ':memory:' && existsSync(databasePath)) {
      const reader = await DuckDbEngine.openCurrentReadOnly(databasePath, options, names);
      if (reader) return reader;
    }
    const instance = await createWaiting(databasePath, options, 'READ_WRITE');
    const connection = await instance.connect();
    const state = await readEngineState(connection);
    await installTrinoCompat(connection, { macrosInstalled: state.get(COMPAT_KEY) === TRINO_COMPAT_VERSION });
    await writeEngineState(connection, COMPAT_KEY, TRINO_COMPAT_VERSION);
    const engine = new DuckDbEngine(instance, connection, options, names);
    // The catalog as the last command left it serves as long as nothing it is built from changed.
    const catalog = engine.catalogSql();
    if (state.get(CATALOG_KEY) !== catalogVersion(catalog)) await engine.sync(catalog);
    return engine;
  }

  /** The file opened read-only, if it holds the macros and catalog this engine would install; else undefined. */
  private static async openCurrentReadOnly(
    databasePath: string,
    options: DuckDbEngineOptions,
    names: ResourceNames,
  ): Promise<DuckDbEngine | undefined> {
    const instance = await createWaiting(databasePath, options, 'READ_ONLY');
    const connection = await instance.connect();
    const engine = new DuckDbEngine(instance, connection, options, names);
    const state = await readEngineState(connection, { create: false });
    const current =
      state.get(COMPAT_KEY) === TRINO_COMPAT_VERSION && state.get(CATALOG_KEY) === catalogVersion(engine.catalogSql());
    if (!current) {
      await engine.close();
      return undefined;
    }
    await installTrinoCompat(connection, { macrosInstalled: true });
    return engine;
  }

  /**
   * What the catalog is built from, for this project and these files (a raw view depends on whether its folder
   * holds files yet): each raw view, stage table and incoming table with its SQL.
   */
  private catalogSql(): CatalogSql {
    const { project } = this.options;
    const rawBucketDir = join(this.options.dataDir, this.names.buckets.raw);
    return {
      rawViews: [
        ...[...project.rawTables.values()].map((table) => rawViewSql(this.names.rawDatabase, table, rawBucketDir)),
        rawViewSql(
          this.names.opsDatabase,
          RUN_REPORTS_TABLE,
          join(this.options.dataDir, this.names.buckets.processResults),
        ),
      ],
      stageTables: [...project.stageTables.values()].map((table) => ({
        table,
        sql: stageTableSql(this.names.stageDatabase, table),
      })),
      incomingTables: incomingTableDefs(project).map((table) => ({
        table,
        sql: stageTableSql(this.names.incomingDatabase, table),
      })),
    };
  }

  /**
   * Creates the raw and stage databases, (re)creates each raw view over the files present now, and creates stage
   * tables that are missing. A stage table whose columns no longer match its schema file is rebuilt empty: locally
   * stage data is always derivable from raw.
   */
  syncCatalog(): Promise<{ rebuiltStageTables: string[] }> {
    return this.serial(() => this.sync(this.catalogSql()));
  }

  /**
   * One piece of work at a time on the connection (DuckDB runs one statement at a time on it anyway), so a statement
   * run in a workgroup, its transaction and the measure of what it read are never interleaved with another's.
   */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async sync(catalog: CatalogSql): Promise<{ rebuiltStageTables: string[] }> {
    const stage = this.names.stageDatabase;
    const incoming = this.names.incomingDatabase;
    for (const database of [this.names.rawDatabase, stage, incoming, this.names.opsDatabase])
      await this.connection.run(`create schema if not exists ${quoteIdentifier(database)}`);
    for (const view of catalog.rawViews) await this.connection.run(view);
    const rebuiltStageTables: string[] = [];
    for (const { table, sql } of catalog.stageTables) {
      const existing = await this.connection.runAndReadAll(
        'select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position',
        [stage, table.table],
      );
      const actual = existing.getRows().map(([name, type]) => `${String(name)} ${normaliseType(String(type))}`);
      const expected = expectedStageColumns(table).map((c) => `${c.name} ${normaliseType(c.type)}`);
      if (actual.length > 0 && actual.join(',') !== expected.join(',')) {
        await this.connection.run(`drop table ${quoteIdentifier(stage)}.${quoteIdentifier(table.table)}`);
        rebuiltStageTables.push(table.table);
      }
      await this.connection.run(sql);
    }
    // Incoming tables hold nothing between runs' statements worth keeping: re-create them with their stage columns.
    for (const { table, sql } of catalog.incomingTables) {
      await this.connection.run(`drop table if exists ${quoteIdentifier(incoming)}.${quoteIdentifier(table.table)}`);
      await this.connection.run(sql);
    }
    await writeEngineState(this.connection, CATALOG_KEY, catalogVersion(catalog));
    return { rebuiltStageTables };
  }

  /**
   * Runs one statement. With `workgroup` (this environment's, as the state machine's Athena tasks name it) the
   * statement runs as Athena runs it there, in a transaction that is rolled back when it crosses a limit: it fails
   * with `BytesScannedCutoffError` when it read more of the data folder than the workgroup's cutoff
   * (`athena.bytes_scanned_cutoff`, what the stack sets as BytesScannedCutoffPerQuery), and with
   * `TooManyOpenPartitionsError` when an INSERT INTO or MERGE INTO writes more than 100 partitions of a stage table;
   * the result then says how many bytes it read.
   */
  execute(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const parameters = options.parameters ?? [];
    const { workgroup } = options;
    return this.serial(() =>
      workgroup === undefined ? this.run(sql, parameters) : this.runInWorkgroup(sql, parameters, workgroup),
    );
  }

  private async run(sql: string, parameters: readonly string[]): Promise<QueryResult> {
    const started = performance.now();
    const translated = translateTrinoToDuckDb(sql);
    try {
      const reader = await (await this.prepared(translated, parameters)).runAndReadAll();
      const names = reader.columnNames();
      const types = reader.columnTypes().map(String);
      const isDml =
        names.length === 1 && names[0] === 'Count' && /^\s*(insert|delete|update|merge)\b/i.test(stripComments(sql));
      const queryId = randomUUID();
      const durationMs = Math.round(performance.now() - started);
      const rowsAffected = isDml ? Number(reader.rowsChanged) : 0;
      this.statistics.set(queryId, { rowsWritten: rowsAffected, durationMs });
      return {
        queryId,
        columns: names.map((name, i) => ({ name, type: types[i] ?? 'UNKNOWN' })),
        rows: isDml ? [] : (reader.getRowObjectsJson() as Record<string, SqlValue>[]),
        rowsAffected,
        durationMs,
      };
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new QueryFailedError(detail, sql, { cause: error });
    }
  }

  /** The statement prepared on the connection, each parameter bound as text (Athena's parameters are literals). */
  private async prepared(statement: string, parameters: readonly string[]) {
    const prepared = await this.connection.prepare(statement);
    parameters.forEach((value, index) => {
      prepared.bindVarchar(index + 1, value);
    });
    return prepared;
  }

  private async runInWorkgroup(sql: string, parameters: readonly string[], workgroup: string): Promise<QueryResult> {
    if (workgroup !== this.names.workgroup) {
      throw new QueryFailedError(
        `workgroup ${workgroup} is not this environment's (${this.names.workgroup}): the local engine knows the settings of that one only`,
        sql,
      );
    }
    const cutoff = this.options.environment.athena.bytes_scanned_cutoff;
    const target = this.partitionedTarget(sql);
    await this.startScanLog();
    await this.connection.run('begin transaction');
    try {
      const { result, partitions } = target
        ? await this.runCountingPartitions(sql, parameters, target)
        : { result: await this.run(sql, parameters), partitions: 0 };
      const bytesScanned = await this.scannedBytes();
      // Athena cancels the query as it crosses the cutoff, before it commits anything.
      if (bytesScanned > cutoff) throw new BytesScannedCutoffError(bytesScanned, cutoff, workgroup, sql);
      if (target && partitions > ATHENA_OPEN_PARTITION_WRITERS) {
        throw new TooManyOpenPartitionsError(partitions, ATHENA_OPEN_PARTITION_WRITERS, target.name, sql);
      }
      await this.connection.run('commit');
      this.statistics.set(result.queryId, {
        rowsWritten: result.rowsAffected,
        bytesScanned,
        durationMs: result.durationMs,
      });
      return { ...result, bytesScanned };
    } catch (error) {
      await this.connection.run('rollback').catch(() => undefined);
      throw error;
    }
  }

  /**
   * An INSERT INTO or MERGE INTO, run with its written rows' partition values returned (`returning`, appended after
   * the statement): the rows it wrote and how many distinct partitions they fall in, as Athena opens one writer per
   * partition. A MERGE's deleted rows write no data file, so they open no writer.
   */
  private async runCountingPartitions(
    sql: string,
    parameters: readonly string[],
    target: PartitionedTarget,
  ): Promise<{ readonly result: QueryResult; readonly partitions: number }> {
    const started = performance.now();
    const returned = [...(target.merge ? ['merge_action'] : []), ...target.partitionColumns.map(quoteIdentifier)];
    const statement = `${withoutTerminator(translateTrinoToDuckDb(sql))}\nreturning ${returned.join(', ')}`;
    try {
      const result = await (await this.prepared(statement, parameters)).stream();
      const partitions = new Set<string>();
      let rowsAffected = 0;
      for await (const rows of result.yieldRowsJson()) {
        for (const row of rows) {
          rowsAffected++;
          if (target.merge && row[0] === 'DELETE') continue;
          partitions.add(JSON.stringify(target.merge ? row.slice(1) : row));
        }
      }
      const queryId = randomUUID();
      const durationMs = Math.round(performance.now() - started);
      return {
        result: { queryId, columns: [{ name: 'Count', type: 'BIGINT' }], rows: [], rowsAffected, durationMs },
        partitions: partitions.size,
      };
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new QueryFailedError(detail, sql, { cause: error });
    }
  }

  /**
   * The stage table an INSERT INTO or MERGE INTO writes, when it is partitioned: named in full
   * (`database.table`, as the transforms name it), matched against the catalog built from config.
   */
  private partitionedTarget(sql: string): PartitionedTarget | undefined {
    const written = writtenTable(sql);
    if (written?.parts.length !== 2) return undefined;
    const [database, table] = written.parts;
    if (database !== this.names.stageDatabase) return undefined;
    const def = [...this.options.project.stageTables.values()].find((t) => t.table === table);
    if (!def || def.partition_columns.length === 0) return undefined;
    return {
      name: `${database}.${table}`,
      partitionColumns: def.partition_columns.map((c) => c.name),
      merge: written.merge,
    };
  }

  /** Logs every file DuckDB reads from now on (its FileSystem log), forgetting what was logged before. */
  private async startScanLog(): Promise<void> {
    if (!this.scanLogging) {
      await this.connection.run("call enable_logging('FileSystem')");
      this.scanLogging = true;
    }
    await this.connection.run('call truncate_duckdb_logs()');
  }

  /**
   * The bytes read since `startScanLog` from files of the data folder's buckets: what Athena counts as scanned, the
   * S3 objects a query reads (the raw files of the partitions it reads, compressed as stored). Stage tables live in
   * the DuckDB file here, not as objects, so reading them counts nothing.
   */
  private async scannedBytes(): Promise<number> {
    const reader = await this.connection.runAndReadAll(
      `select path, sum(bytes)::bigint as bytes from (select json_extract_string(message, '$.path') as path, cast(json_extract_string(message, '$.bytes') as bigint) as bytes from duckdb_logs() where type = 'FileSystem' and json_extract_string(message, '$.op') = 'READ') group by path`,
    );
    const buckets = Object.values(this.names.buckets).map((bucket) => `${join(this.options.dataDir, bucket)}/`);
    return reader
      .getRows()
      .filter(([path]) => buckets.some((bucket) => String(path).startsWith(bucket)))
      .reduce((sum, [, bytes]) => sum + Number(bytes), 0);
  }

  /**
   * One statement whose rows are read as they come (about 2,048 at a time), so a large result is never held whole:
   * rows in batches, or the count a DML statement changed.
   */
  stream(sql: string): Promise<StreamedResult> {
    return this.serial(() => this.startStream(sql));
  }

  private async startStream(sql: string): Promise<StreamedResult> {
    const translated = translateTrinoToDuckDb(sql);
    try {
      const prepared = await this.connection.prepare(translated);
      const result = await prepared.stream();
      const names = result.columnNames();
      const isDml =
        names.length === 1 && names[0] === 'Count' && /^\s*(insert|delete|update|merge)\b/i.test(stripComments(sql));
      if (isDml) {
        const rows = (await result.getRowsJson()) as unknown[][];
        return { kind: 'affected', rowsAffected: Number(rows[0]?.[0] ?? 0) };
      }
      const batches = async function* (): AsyncGenerator<Record<string, SqlValue>[]> {
        try {
          for await (const batch of result.yieldRowObjectJson()) yield batch as Record<string, SqlValue>[];
        } catch (error) {
          const detail = error instanceof Error ? error.message : String(error);
          throw new QueryFailedError(detail, sql, { cause: error });
        }
      };
      return { kind: 'rows', columns: names, batches: batches() };
    } catch (error) {
      if (error instanceof QueryFailedError) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      throw new QueryFailedError(detail, sql, { cause: error });
    }
  }

  /**
   * A fingerprint of each partition of `database.table` over `columns` (row count and the sum of the rows'
   * hashes), keyed by the partition values as JSON text (`["2026-11-09","auth_create_account"]`; `[]` for a table
   * without partition columns, when it holds rows): two reads with equal fingerprints saw the same rows.
   */
  partitionFingerprints(
    database: string,
    table: string,
    partitionColumns: readonly string[],
    columns: readonly string[],
  ): Promise<Map<string, string>> {
    return this.serial(() => this.fingerprints(database, table, partitionColumns, columns));
  }

  private async fingerprints(
    database: string,
    table: string,
    partitionColumns: readonly string[],
    columns: readonly string[],
  ): Promise<Map<string, string>> {
    const source = `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
    const key = partitionKeyExpression(partitionColumns);
    const grouping = partitionColumns.length > 0 ? 'group by all' : 'having count(*) > 0';
    const reader = await this.connection.runAndReadAll(
      `select ${key} as key, count(*)::varchar || ':' || sum(hash(${columns.map(quoteIdentifier).join(', ')}))::varchar as fingerprint from ${source} ${grouping}`,
    );
    return new Map(reader.getRows().map(([k, fingerprint]) => [String(k), String(fingerprint)]));
  }

  /**
   * Writes `select <expressions> from database.table` as CSV files of about `partBytes` each (header in each) into
   * the new folder `folder`, and returns them in order: a reader can load one part at a time. `partitions`: only the
   * rows of these partitions (keys as `partitionFingerprints` gives them; they travel as parameters).
   */
  exportCsvParts(
    database: string,
    table: string,
    expressions: readonly string[],
    folder: string,
    options: ExportOptions = {},
  ): Promise<string[]> {
    return this.serial(() => this.exportParts(database, table, expressions, folder, options));
  }

  private async exportParts(
    database: string,
    table: string,
    expressions: readonly string[],
    folder: string,
    options: ExportOptions,
  ): Promise<string[]> {
    const source = `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
    const path = folder.replaceAll("'", "''");
    let where = '';
    if (options.partitions) {
      await this.connection.run('create or replace temp table _dap_export_partitions (key varchar)');
      const insert = await this.connection.prepare('insert into _dap_export_partitions values (?)');
      for (const key of options.partitions.keys) {
        insert.bindVarchar(1, key);
        await insert.run();
      }
      where = ` where ${partitionKeyExpression(options.partitions.columns)} in (select key from _dap_export_partitions)`;
    }
    const partBytes = Math.floor(options.partBytes ?? 32 * 1024 * 1024);
    await this.connection.run(
      `copy (select ${expressions.join(', ')} from ${source}${where}) to '${path}' (format csv, header, delimiter ',', file_size_bytes ${partBytes})`,
    );
    const files = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.csv')) : [];
    const number = (name: string) => Number(/(\d+)\.csv$/.exec(name)?.[1] ?? 0);
    return files.sort((a, b) => number(a) - number(b)).map((f) => join(folder, f));
  }

  async queryStatistics(queryId: string): Promise<QueryStatistics | undefined> {
    return this.statistics.get(queryId);
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

interface ExportOptions {
  readonly partBytes?: number;
  readonly partitions?: { readonly columns: readonly string[]; readonly keys: readonly string[] };
}

/** A partitioned stage table a statement writes, and the columns it is partitioned by. */
interface PartitionedTarget {
  readonly name: string;
  readonly partitionColumns: readonly string[];
  readonly merge: boolean;
}

/**
 * The table an `INSERT INTO` or `MERGE INTO` statement writes, as its name parts (unquoted; unquoted parts
 * lower-cased), and whether it is a MERGE; undefined for any other statement.
 */
export function writtenTable(sql: string): { readonly parts: readonly string[]; readonly merge: boolean } | undefined {
  const tokens = tokenizeSql(sql).filter((t) => t.kind !== 'whitespace' && t.kind !== 'comment');
  const [verb, into] = tokens;
  const keyword = verb?.kind === 'word' ? verb.text.toLowerCase() : undefined;
  if ((keyword !== 'insert' && keyword !== 'merge') || into?.kind !== 'word' || into.text.toLowerCase() !== 'into')
    return undefined;
  const parts: string[] = [];
  for (let i = 2; i < tokens.length; i += 2) {
    const part = tokens[i];
    if (part?.kind !== 'word' && part?.kind !== 'quoted-identifier') break;
    parts.push(unquote(part.text));
    if (tokens[i + 1]?.text !== '.') break;
  }
  return parts.length > 0 ? { parts, merge: keyword === 'merge' } : undefined;
}

/** The statement without what may follow its last clause (blanks, comments, `;`), so a clause can be appended. */
function withoutTerminator(sql: string): string {
  const tokens = tokenizeSql(sql);
  let end = tokens.length;
  while (end > 0) {
    const token = tokens[end - 1];
    if (token?.kind === 'whitespace' || token?.kind === 'comment' || token?.text === ';') end--;
    else break;
  }
  return tokens
    .slice(0, end)
    .map((t) => t.text)
    .join('');
}

/** A streamed statement's outcome: its rows, batch by batch, or the rows a DML statement changed. */
export type StreamedResult =
  | {
      readonly kind: 'rows';
      readonly columns: readonly string[];
      readonly batches: AsyncIterable<Record<string, SqlValue>[]>;
    }
  | { readonly kind: 'affected'; readonly rowsAffected: number };

/** Opens the file, waiting (bounded) while another process holds its lock. */
function createWaiting(
  path: string,
  options: DuckDbEngineOptions,
  access: 'READ_ONLY' | 'READ_WRITE',
): Promise<DuckDBInstance> {
  return waitWhileBusy(
    () => DuckDBInstance.create(path, { access_mode: access }),
    (error) => lockHolder(path, error),
    options,
  );
}

/** The holder named by a DuckDB lock conflict, or undefined for any other error. */
function lockHolder(path: string, error: unknown): LockHolder | undefined {
  const message = error instanceof Error ? error.message : '';
  if (!/Could not set lock on file/.test(message)) return undefined;
  const pid = Number(/\(PID (\d+)\)/.exec(message)?.[1]);
  if (!Number.isSafeInteger(pid)) return { path };
  const command = commandOf(pid);
  return { path, pid, ...(command ? { command } : {}) };
}

const COMPAT_KEY = 'trino_compat';
const CATALOG_KEY = 'catalog';
/** What this engine recorded in the database file: the compatibility layer's and the catalog's versions. */
const STATE_TABLE = 'main._dap_state';

/** `create: false` (a read-only file): a file without the table reads as holding nothing. */
async function readEngineState(
  connection: DuckDBConnection,
  options: { readonly create: boolean } = { create: true },
): Promise<Map<string, string>> {
  if (options.create) {
    await connection.run(`create table if not exists ${STATE_TABLE} (key varchar primary key, value varchar not null)`);
  } else {
    const exists = await connection.runAndReadAll(
      "select 1 from duckdb_tables() where database_name = current_database() and schema_name = 'main' and table_name = '_dap_state'",
    );
    if (exists.currentRowCount === 0) return new Map();
  }
  const reader = await connection.runAndReadAll(`select key, value from ${STATE_TABLE}`);
  return new Map(reader.getRows().map(([key, value]) => [String(key), String(value)]));
}

async function writeEngineState(connection: DuckDBConnection, key: string, value: string): Promise<void> {
  await connection.run(`insert or replace into ${STATE_TABLE} values (?, ?)`, [key, value]);
}

interface CatalogSql {
  readonly rawViews: readonly string[];
  readonly stageTables: readonly { readonly table: StageTableDef; readonly sql: string }[];
  readonly incomingTables: readonly { readonly table: StageTableDef; readonly sql: string }[];
}

function catalogVersion(catalog: CatalogSql): string {
  const statements = [
    ...catalog.rawViews,
    ...catalog.stageTables.map((t) => t.sql),
    ...catalog.incomingTables.map((t) => t.sql),
  ];
  return createHash('sha256')
    .update(`${TRINO_COMPAT_VERSION}\n${statements.join(';\n')}`)
    .digest('hex');
}

/** A row's partition values as JSON text, each as varchar: the key `partitionFingerprints` and exports agree on. */
function partitionKeyExpression(columns: readonly string[]): string {
  return `to_json([${columns.map((c) => `${quoteIdentifier(c)}::varchar`).join(', ')}]::varchar[])::varchar`;
}

function normaliseType(type: string): string {
  return type.replaceAll('"', '').replaceAll(' ', '').toUpperCase();
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}
