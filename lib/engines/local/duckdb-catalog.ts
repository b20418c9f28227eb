import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ColumnType, parseColumnType, toDuckDbType } from '../../core/model/column-types.ts';
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
  const columns = table.columns.map(
    (c) => `${openxValue(openxField('json', c.name, 0), parseColumnType(c.type), 0)} as ${quoteIdentifier(c.name)}`,
  );
  const partitions = table.partition_columns.map((c) => quoteIdentifier(c.name));
  const partitioned = table.partition_columns.length > 0;
  return [
    `create or replace view ${name} as select ${selected} from (select ${[...columns, ...partitions].join(', ')}`,
    `from read_json_objects(${quoteLiteral(duckDbGlob(dir, '**/*.json'))}, format = 'newline_delimited',`,
    `hive_partitioning = ${partitioned}, hive_types_autocast = false, filename = false))`,
  ].join(' ');
}

/**
 * A record's field as the OpenX JSON SerDe finds it: the key spelled as declared, else the first key equal to it
 * ignoring case (Glue lower-cases declared names; producers write `hasMitigations`). JSON pointers, so any key works.
 */
function openxField(json: string, name: string, depth: number): string {
  const pointer = `/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
  const k = `k${depth}`;
  const anyCase = `list_filter(json_keys(${json}), ${k} -> lower(${k}) = ${quoteLiteral(name.toLowerCase())})[1]`;
  const escaped = `replace(replace(${anyCase}, '~', '~0'), '/', '~1')`;
  return `coalesce(json_extract(${json}, ${quoteLiteral(pointer)}), json_extract(${json}, '/' || ${escaped}))`;
}

/**
 * A JSON value as the declared type. A type with no struct in it converts as DuckDB's own JSON reader converts it
 * (`json_transform`); a struct is built field by field with `openxField`, also inside arrays and map values.
 */
function openxValue(json: string, type: ColumnType, depth: number): string {
  if (!hasStruct(type)) return `json_transform(${json}, ${quoteLiteral(JSON.stringify(toDuckDbType(type)))})`;
  const x = `x${depth}`;
  switch (type.kind) {
    case 'struct': {
      const fields = type.fields.map(
        (f) => `${quoteIdentifier(f.name)} := ${openxValue(openxField(x, f.name, depth + 1), f.type, depth + 1)}`,
      );
      // The value is computed once per record: a lambda over a one-element list binds it to a name.
      return `(case when json_type(${json}) = 'OBJECT' then list_transform([${json}], ${x} -> struct_pack(${fields.join(', ')}))[1] end)`;
    }
    case 'array':
      return `(case when json_type(${json}) = 'ARRAY' then list_transform(cast(${json} as json[]), ${x} -> ${openxValue(x, type.element, depth + 1)}) end)`;
    case 'map': {
      const key = `json_transform(to_json(${x}), ${quoteLiteral(JSON.stringify(toDuckDbType(type.key)))})`;
      const value = openxValue(
        `json_extract(${json}, '/' || replace(replace(${x}, '~', '~0'), '/', '~1'))`,
        type.value,
        depth + 1,
      );
      return `(case when json_type(${json}) = 'OBJECT' then map_from_entries(list_transform(json_keys(${json}), ${x} -> struct_pack(key := ${key}, value := ${value}))) end)`;
    }
    default:
      return `json_transform(${json}, ${quoteLiteral(JSON.stringify(toDuckDbType(type)))})`;
  }
}

function hasStruct(type: ColumnType): boolean {
  switch (type.kind) {
    case 'struct':
      return true;
    case 'array':
      return hasStruct(type.element);
    case 'map':
      return hasStruct(type.key) || hasStruct(type.value);
    default:
      return false;
  }
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
