import { join } from 'node:path';
import { DuckDBInstance, type DuckDBType, DuckDBTypeId } from '@duckdb/node-api';
import {
  compareColumns,
  type ObservedColumn,
  type ObservedType,
  type SourceTables,
  type TableDrift,
  withSharedFieldsAcrossSource,
} from '../core/drift.ts';
import { type ColumnType, parseColumnType, toDuckDbType } from '../core/model/column-types.ts';
import { resourceNames } from '../core/model/names.ts';
import { environment, type Project, type RawTableDef } from '../core/model/project.ts';
import { quoteIdentifier } from '../core/sql/identifiers.ts';
import { rawFilesList } from '../engines/local/duckdb-catalog.ts';

export interface LocalDriftResult {
  /** Every raw table with files, with its changes (empty when it matches its declaration). */
  readonly drifts: readonly TableDrift[];
  /** Raw tables with no local files to infer from. */
  readonly withoutFiles: readonly string[];
}

/**
 * Infers each raw table's schema from its local files, as the drift crawler does in AWS, and compares it with the
 * declared columns. DuckDB runs in memory: the twin's database file is neither needed nor touched. A field inside a
 * column a source declares for all its tables counts as removed only when no table of the source holds it
 * (`withSharedFieldsAcrossSource`).
 */
export async function localDrift(project: Project, envName: string, dataDir: string): Promise<LocalDriftResult> {
  const rawDir = join(dataDir, resourceNames(environment(project, envName)).buckets.raw);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const drifts: TableDrift[] = [];
  const withoutFiles: string[] = [];
  try {
    for (const table of [...project.rawTables.values()].sort((a, b) => a.table.localeCompare(b.table))) {
      const dir = join(rawDir, table.location);
      const files = rawFilesList(dir);
      if (files === undefined) {
        withoutFiles.push(table.table);
        continue;
      }
      const source = readJsonSql(files);
      const inferred = await connection.run(`select * from ${source} limit 0`);
      const types = inferred.columnTypes();
      const observed: ObservedColumn[] = inferred
        .columnNames()
        .map((name, index) => ({ name, type: observedType(types[index] as DuckDBType) }));
      const settled = await withTextColumnsSettled(connection, source, table, observed);
      drifts.push({ table: table.table, changes: compareColumns(table.columns, settled) });
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return { drifts: withSharedFieldsAcrossSource(drifts, sourceTables(project)), withoutFiles };
}

/** Per raw_tables file, its tables and the columns declared alike (same name and type) for every one of them. */
function sourceTables(project: Project): SourceTables[] {
  const byFile = new Map<string, RawTableDef[]>();
  for (const table of project.rawTables.values()) byFile.set(table.file, [...(byFile.get(table.file) ?? []), table]);
  return [...byFile.values()].map((tables) => {
    const [first, ...rest] = tables;
    const sharedColumns = (first?.columns ?? [])
      .filter((column) => rest.every((t) => t.columns.some((c) => c.name === column.name && c.type === column.type)))
      .map((column) => column.name);
    return { tables: tables.map((t) => t.table), sharedColumns };
  });
}

/** Every record of every file, fields unioned across files; partition folders are not columns here. */
function readJsonSql(files: string): string {
  return `read_json_auto(${files}, format = 'newline_delimited', union_by_name = true, sample_size = -1, hive_partitioning = false)`;
}

/**
 * Top-level columns inferred as VARCHAR where the declaration says otherwise, settled by their values:
 * - a field null in every record (DuckDB types it VARCHAR) counts as unknown, no drift;
 * - a number kept as JSON text (file ingestion writes decimals as `"8.50"`, exact, from the CSV's text) counts as the
 *   declared number when every value reads as it, as the JSON SerDe reads a quoted number into a numeric column;
 *   one value that does not (`"8,50"`, `"n/a"`) leaves the column a string, which is drift.
 */
async function withTextColumnsSettled(
  connection: Awaited<ReturnType<DuckDBInstance['connect']>>,
  source: string,
  table: RawTableDef,
  observed: ObservedColumn[],
): Promise<ObservedColumn[]> {
  const declared = new Map(table.columns.map((c) => [c.name.toLowerCase(), parseColumnType(c.type)]));
  const suspects = observed.flatMap((c) => {
    const type = declared.get(c.name.toLowerCase());
    return c.type.kind === 'primitive' && c.type.name === 'string' && type !== undefined && !isText(type)
      ? [{ name: c.name, type }]
      : [];
  });
  if (suspects.length === 0) return observed;
  const measures = suspects.flatMap(({ name, type }) => {
    const column = quoteIdentifier(name);
    const numeric = isNumber(type) ? `count(try_cast(${column} as ${toDuckDbType(type)}))` : '0';
    return [`count(${column})`, numeric];
  });
  const counts = await connection.run(`select ${measures.join(', ')} from ${source}`);
  const [row] = await counts.getRows();
  const settled = new Map<string, ObservedType>();
  suspects.forEach(({ name, type }, index) => {
    const values = Number(row?.[2 * index] ?? 0);
    const numbers = Number(row?.[2 * index + 1] ?? 0);
    if (values === 0) settled.set(name, { kind: 'unknown' });
    else if (isNumber(type) && numbers === values) settled.set(name, type);
  });
  return observed.map((c) => {
    const type = settled.get(c.name);
    return type === undefined ? c : { name: c.name, type };
  });
}

const NUMBERS = new Set(['tinyint', 'smallint', 'int', 'integer', 'bigint', 'float', 'real', 'double']);

function isNumber(type: ColumnType): type is Extract<ColumnType, { kind: 'decimal' | 'primitive' }> {
  return type.kind === 'decimal' || (type.kind === 'primitive' && NUMBERS.has(type.name));
}

function isText(type: ColumnType): boolean {
  return type.kind === 'primitive' && ['string', 'varchar', 'char'].includes(type.name);
}

/** A DuckDB type as the column type Glue would write for the same JSON. */
export function observedType(type: DuckDBType): ObservedType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { kind: 'primitive', name: 'boolean' };
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return { kind: 'primitive', name: 'bigint' };
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return { kind: 'primitive', name: 'double' };
    case DuckDBTypeId.DECIMAL:
      return { kind: 'decimal', precision: type.width, scale: type.scale };
    case DuckDBTypeId.DATE:
      return { kind: 'primitive', name: 'date' };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { kind: 'primitive', name: 'timestamp' };
    case DuckDBTypeId.VARCHAR:
      // DuckDB's JSON type is a VARCHAR alias: a value it could not settle on a type for.
      return type.alias === 'JSON' ? { kind: 'unknown' } : { kind: 'primitive', name: 'string' };
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_TZ:
    case DuckDBTypeId.UUID:
      return { kind: 'primitive', name: 'string' };
    case DuckDBTypeId.BLOB:
      return { kind: 'primitive', name: 'binary' };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      return { kind: 'array', element: observedType(type.valueType) };
    }
    case DuckDBTypeId.STRUCT: {
      const fields = type.entryNames.map((name, index) => ({
        name,
        type: observedType(type.entryTypes[index] as DuckDBType),
      }));
      return { kind: 'struct', fields };
    }
    case DuckDBTypeId.MAP: {
      return { kind: 'map', key: observedType(type.keyType), value: observedType(type.valueType) };
    }
    default:
      return { kind: 'unknown' };
  }
}
