import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseColumnType, toDuckDbType } from '../../core/model/column-types.ts';
import type { RawTableDef, StageTableDef } from '../../core/model/project.ts';
import type { Column } from '../../core/model/schemas.ts';
import { quoteIdentifier } from '../../core/sql/identifiers.ts';

/**
 * The Glue catalog, locally: raw tables are views over the raw bucket's files (hive partitions as strings, like
 * Athena's partition projection), stage tables are DuckDB tables. Only validated config reaches these strings.
 */

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export class UnglobbablePathError extends Error {
  constructor(readonly path: string) {
    super(
      `the data folder path ${path} has a backslash, which DuckDB's glob reads as a path separator: expected a data folder without one (--data-dir, DAP_DATA_DIR)`,
    );
    this.name = 'UnglobbablePathError';
  }
}

/**
 * A DuckDB glob for the files under `dir` that match `pattern`. The folder's own `[`, `*` and `?` become
 * one-character classes (`[[]`, `[*]`, `[?]`), the only escape DuckDB's glob honours, so a data folder such as
 * `x[1]` matches itself and not its sibling `x1`.
 */
export function duckDbGlob(dir: string, pattern: string): string {
  if (dir.includes('\\')) throw new UnglobbablePathError(dir);
  return `${dir.replace(/[[*?]/g, '[$&]')}/${pattern}`;
}

function columnList(columns: readonly Column[]): string {
  return columns.map((c) => `${quoteIdentifier(c.name)} ${toDuckDbType(parseColumnType(c.type))}`).join(', ');
}

/** Whether any file under `dir` ends with `extension`; stops at the first one found. */
function hasFiles(dir: string, extension: string): boolean {
  if (!existsSync(dir)) return false;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(extension)) return true;
    if (entry.isDirectory() && hasFiles(join(dir, entry.name), extension)) return true;
  }
  return false;
}

/**
 * A view that reads the table's files with its declared columns: a field missing from a record (or a whole file)
 * reads as NULL, as Athena's JSON SerDe does, instead of failing or changing the view's type.
 */
export function rawViewSql(database: string, table: RawTableDef, rawBucketDir: string): string {
  const name = `${quoteIdentifier(database)}.${quoteIdentifier(table.table)}`;
  const dir = join(rawBucketDir, table.location);
  const selected = [...table.columns, ...table.partition_columns].map((c) => quoteIdentifier(c.name)).join(', ');
  if (!hasFiles(dir, '.json')) {
    const empty = [...table.columns, ...table.partition_columns]
      .map((c) => `cast(null as ${toDuckDbType(parseColumnType(c.type))}) as ${quoteIdentifier(c.name)}`)
      .join(', ');
    return `create or replace view ${name} as select ${empty} where false`;
  }
  const columns = table.columns
    .map((c) => `${quoteIdentifier(c.name)}: ${quoteLiteral(toDuckDbType(parseColumnType(c.type)))}`)
    .join(', ');
  const partitioned = table.partition_columns.length > 0;
  return [
    `create or replace view ${name} as select ${selected}`,
    `from read_json(${quoteLiteral(duckDbGlob(dir, '**/*.json'))}, format = 'newline_delimited', columns = {${columns}},`,
    `hive_partitioning = ${partitioned}, hive_types_autocast = false, filename = false)`,
  ].join(' ');
}

export function stageTableSql(database: string, table: StageTableDef): string {
  const name = `${quoteIdentifier(database)}.${quoteIdentifier(table.table)}`;
  return `create table if not exists ${name} (${columnList([...table.columns, ...table.partition_columns])})`;
}

/** The DuckDB column types a stage table should have, to spot a table created from an older schema. */
export function expectedStageColumns(table: StageTableDef): { name: string; type: string }[] {
  return [...table.columns, ...table.partition_columns].map((c) => ({
    name: c.name,
    type: toDuckDbType(parseColumnType(c.type)),
  }));
}
