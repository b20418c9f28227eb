import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promotionKey, promotionSchema, snapshotFolder } from '../../core/extract/extract-state.ts';
import { type ColumnType, parseColumnType, toDuckDbType } from '../../core/model/column-types.ts';
import type { RawTableDef, StageTableDef } from '../../core/model/project.ts';
import type { Column } from '../../core/model/schemas.ts';
import { RAW_FILE_ENDINGS } from '../../core/raw-files.ts';
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

/** The raw file endings found under `dir` (of `RAW_FILE_ENDINGS`); stops once it has seen every one. */
function rawEndingsUnder(dir: string): Set<string> {
  const found = new Set<string>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (found.size === RAW_FILE_ENDINGS.length) return;
      if (entry.isDirectory()) walk(join(folder, entry.name));
      else if (entry.isFile()) {
        const ending = RAW_FILE_ENDINGS.find((e) => entry.name.endsWith(e));
        if (ending) found.add(ending);
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

/**
 * The globs of the raw files under `dir` as a DuckDB list (plain and gzip NDJSON side by side: DuckDB picks the
 * codec by the name, as Athena's text input does), or undefined when there is none. A glob is listed only for an
 * ending that exists, since DuckDB fails on a glob that matches nothing.
 */
export function rawFilesList(dir: string): string | undefined {
  const endings = rawEndingsUnder(dir);
  if (endings.size === 0) return undefined;
  const globs = RAW_FILE_ENDINGS.filter((e) => endings.has(e)).map((e) => quoteLiteral(duckDbGlob(dir, `**/*${e}`)));
  return `[${globs.join(', ')}]`;
}

/**
 * The files of a database source's table that readers may see: those of the extract its promotion record names for
 * each snapshot date (as the Glue partitions registered at promotion are, in AWS), or undefined when none is.
 */
function promotedFilesList(rawBucketDir: string, table: RawTableDef): string | undefined {
  const record = join(rawBucketDir, promotionKey(table.source));
  if (!existsSync(record)) return undefined;
  const promotion = promotionSchema.parse(JSON.parse(readFileSync(record, 'utf8')));
  const globs = Object.entries(promotion.snapshots)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, { extract_id }]) => join(rawBucketDir, snapshotFolder(table.location, date, extract_id)))
    .filter((folder) => existsSync(folder))
    .map((folder) => quoteLiteral(duckDbGlob(folder, '**/*.json.gz')));
  return globs.length === 0 ? undefined : `[${globs.join(', ')}]`;
}

/**
 * A view that reads the table's files with its declared columns: a field missing from a record (or a whole file)
 * reads as NULL, as Athena's JSON SerDe does, instead of failing or changing the view's type.
 */
export function rawViewSql(database: string, table: RawTableDef, rawBucketDir: string): string {
  const name = `${quoteIdentifier(database)}.${quoteIdentifier(table.table)}`;
  const dir = join(rawBucketDir, table.location);
  const selected = [...table.columns, ...table.partition_columns].map((c) => quoteIdentifier(c.name)).join(', ');
  const files = table.promotedExtracts ? promotedFilesList(rawBucketDir, table) : rawFilesList(dir);
  if (files === undefined) {
    const empty = [...table.columns, ...table.partition_columns]
      .map((c) => `cast(null as ${toDuckDbType(parseColumnType(c.type))}) as ${quoteIdentifier(c.name)}`)
      .join(', ');
    return `create or replace view ${name} as select ${empty} where false`;
  }
  // Each record is parsed once, into its declared keys as typed (a struct as its JSON text, read field by field
  // below); a key missing as declared is looked for in any case.
  const structure = Object.fromEntries(table.columns.map((c) => [c.name, shallowType(parseColumnType(c.type))]));
  const columns = table.columns.map((c) => {
    const type = parseColumnType(c.type);
    const typed = `r.${quoteIdentifier(c.name)}`;
    const value = hasStruct(type)
      ? openxValue(`coalesce(${typed}, ${anyCaseField('json', c.name, 0)})`, type, 0)
      : `coalesce(${typed}, ${openxValue(anyCaseField('json', c.name, 0), type, 0)})`;
    return `${value} as ${quoteIdentifier(c.name)}`;
  });
  const partitions = table.partition_columns.map((c) => quoteIdentifier(c.name));
  const partitioned = table.partition_columns.length > 0;
  return [
    `create or replace view ${name} as select ${selected} from (select ${[...columns, ...partitions].join(', ')}`,
    `from (select json, json_transform(json, ${quoteLiteral(JSON.stringify(structure))}) as r${partitions.map((p) => `, ${p}`).join('')}`,
    `from read_json_objects(${files}, format = 'newline_delimited',`,
    `hive_partitioning = ${partitioned}, hive_types_autocast = false, filename = false)))`,
  ].join(' ');
}

/** The type a record's first parse reads a column as: its own, or its JSON text when a struct is inside. */
function shallowType(type: ColumnType): string {
  return hasStruct(type) ? 'JSON' : toDuckDbType(type);
}

/**
 * A record's field spelled in another case than declared, as the OpenX JSON SerDe finds it: the first key equal to
 * the declared name ignoring case (Glue lower-cases declared names; producers write `hasMitigations`). Only asked
 * where the key spelled as declared is missing.
 */
function anyCaseField(json: string, name: string, depth: number): string {
  const k = `k${depth}`;
  const key = `list_filter(json_keys(${json}), ${k} -> lower(${k}) = ${quoteLiteral(name.toLowerCase())})[1]`;
  return `json_extract(${json}, '/' || replace(replace(${key}, '~', '~0'), '/', '~1'))`;
}

/**
 * A JSON value as the declared type. A type with no struct in it converts as DuckDB's own JSON reader converts it
 * (`json_transform`); a struct is built field by field (the key as declared, else in any case), also inside arrays
 * and map values.
 */
function openxValue(json: string, type: ColumnType, depth: number): string {
  if (!hasStruct(type)) return `json_transform(${json}, ${quoteLiteral(JSON.stringify(toDuckDbType(type)))})`;
  const x = `x${depth}`;
  const w = `w${depth}`;
  switch (type.kind) {
    case 'struct': {
      const structure = Object.fromEntries(type.fields.map((f) => [f.name, shallowType(f.type)]));
      const typed = `json_transform(${json}, ${quoteLiteral(JSON.stringify(structure))})`;
      const fields = type.fields.map((f) => {
        const declared = `${typed}.${quoteIdentifier(f.name)}`;
        const value = hasStruct(f.type)
          ? openxValue(`coalesce(${declared}, ${anyCaseField(json, f.name, depth + 1)})`, f.type, depth + 1)
          : `coalesce(${declared}, ${openxValue(anyCaseField(json, f.name, depth + 1), f.type, depth + 1)})`;
        return `${quoteIdentifier(f.name)} := ${value}`;
      });
      return `(case when json_type(${json}) = 'OBJECT' then struct_pack(${fields.join(', ')}) end)`;
    }
    case 'array':
      return `(case when json_type(${json}) = 'ARRAY' then list_transform(cast(${json} as json[]), ${x} -> ${openxValue(x, type.element, depth + 1)}) end)`;
    case 'map': {
      const key = `json_transform(to_json(${w}), ${quoteLiteral(JSON.stringify(toDuckDbType(type.key)))})`;
      const value = openxValue(
        `json_extract(${x}, '/' || replace(replace(${w}, '~', '~0'), '/', '~1'))`,
        type.value,
        depth + 1,
      );
      return `list_transform([${json}], ${x} -> case when json_type(${x}) = 'OBJECT' then map_from_entries(list_transform(json_keys(${x}), ${w} -> struct_pack(key := ${key}, value := ${value}))) end)[1]`;
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
