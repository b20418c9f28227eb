import type { z } from 'zod';
import { ColumnTypeError, parseColumnType } from '../../model/column-types.ts';
import { PATHS } from '../../model/project.ts';
import { type Column, IDENTIFIER, type rawSourceSchema, type StageTable } from '../../model/schemas.ts';
import type { GlueColumn, GlueTable } from './glue.ts';
import { jsonFile } from './report.ts';

/**
 * Glue tables as dap's table declarations: a family's stage table (`stage_tables/<family>.json`) and an event's raw
 * table (`raw_tables/<event>.json`, one per event because each keeps the S3 prefix DAP gives it, upper case and all).
 * Column names become lower case, as Glue stores them; types stay as Glue writes them, struct fields in their own case
 * (`struct<hasMitigations:boolean,account-recovery:string>`: the JSON keys as the data spells them).
 */

export interface TableDeclaration {
  readonly path: string;
  readonly text: string;
  readonly changes: readonly string[];
}

/** Why a table cannot be declared, each reason naming the column. */
export interface TableRefusal {
  readonly reasons: readonly string[];
}

/** The raw tables' source, in each raw file: one drift crawler for all of them, as DAP's raw layer is one source. */
export const RAW_SOURCE = 'txma';

/** OpenX's and Hive's JSON SerDes: what dap's raw tables are (format `json`, read as Athena's OpenX SerDe reads). */
const JSON_SERDES = new Set(['org.openx.data.jsonserde.JsonSerDe', 'org.apache.hive.hcatalog.data.JsonSerDe']);

/**
 * The deduplication of a TxMA-shaped stage table (one row per `event_id`, with the event's `timestamp`): the first
 * by timestamp, then by the day it was processed, as dap's default does with `event_at`; undefined for other tables
 * (they keep dap's default, which `dap check` holds to the table's columns).
 */
export function txmaDeduplication(columns: readonly Column[]): StageTable['deduplication'] {
  const names = new Set(columns.map((c) => c.name));
  if (!names.has('event_id') || !names.has('timestamp')) return undefined;
  const order_by = names.has('processed_date') ? ['timestamp', 'processed_date'] : ['timestamp'];
  return { key: ['event_id'], order_by, keep: 'earliest' };
}

export function stageTableDeclaration(family: string, table: GlueTable): TableDeclaration | TableRefusal {
  const columns = convertColumns(table.columns, 'column');
  const partitions = convertColumns(table.partitionKeys, 'partition key');
  const reasons = [
    ...columns.reasons,
    ...partitions.reasons,
    ...duplicates([...columns.columns, ...partitions.columns]),
  ];
  if (reasons.length > 0) return { reasons };
  const all = [...columns.columns, ...partitions.columns];
  const deduplication = txmaDeduplication(all);
  const changes = [...columns.changes, ...partitions.changes];
  if (deduplication) {
    changes.push(
      `deduplication added for a TxMA-shaped table: one row per event_id, earliest by ${deduplication.order_by.join(' then ')}`,
    );
  }
  if (table.location !== undefined) {
    changes.push(
      `S3 prefix ${table.location}/ not kept: dap's stage tables are the Iceberg tables it creates under <stage bucket>/${family}/`,
    );
  }
  const declaration: StageTable = {
    product_family: family,
    ...(table.name === family ? {} : { table: table.name }),
    description: `Imported from DAP's Glue table ${table.name}, ${table.declaredIn}${table.location ? `, Parquet at ${table.location}/` : ''}`,
    columns: columns.columns,
    partition_columns: partitions.columns,
    checks: [],
    ...(deduplication ? { deduplication } : {}),
  };
  return { path: `${PATHS.stageTables}/${family}.json`, text: jsonFile(declaration), changes };
}

export function rawTableDeclaration(event: string, table: GlueTable): TableDeclaration | TableRefusal {
  const reasons: string[] = [];
  if (table.serde !== undefined && !JSON_SERDES.has(table.serde)) {
    reasons.push(`its SerDe is ${table.serde}: dap's raw tables are JSON (OpenX JSON SerDe)`);
  }
  if (table.location === undefined || table.location === '') {
    reasons.push('it has no S3 location (StorageDescriptor.Location)');
  } else if (!/^[A-Za-z0-9_/-]+$/.test(table.location)) {
    reasons.push(`its S3 location ${table.location} holds characters other than letters, digits, _, - and /`);
  }
  const columns = convertColumns(table.columns, 'column');
  const partitions = convertColumns(table.partitionKeys, 'partition key');
  reasons.push(...columns.reasons, ...partitions.reasons, ...duplicates([...columns.columns, ...partitions.columns]));
  if (reasons.length > 0) return { reasons };
  // As written to the file: `compression` is left to its default (it says how dap writes, and TxMA writes these).
  const declaration: z.input<typeof rawSourceSchema> = {
    source: RAW_SOURCE,
    description: `Imported from DAP's Glue table ${table.name}, ${table.declaredIn}`,
    format: 'json',
    location: table.location as string,
    columns: [],
    partition_columns: partitions.columns,
    tables: { [event]: { columns: columns.columns } },
  };
  return {
    path: `${PATHS.rawTables}/${event}.json`,
    text: jsonFile(declaration),
    changes: [...columns.changes, ...partitions.changes, `S3 prefix ${table.location}/ kept as DAP lays it out`],
  };
}

export function isRefusal(result: TableDeclaration | TableRefusal): result is TableRefusal {
  return 'reasons' in result;
}

interface ConvertedColumns {
  readonly columns: Column[];
  readonly changes: string[];
  readonly reasons: string[];
}

function convertColumns(glue: readonly GlueColumn[], kind: string): ConvertedColumns {
  const columns: Column[] = [];
  const changes: string[] = [];
  const reasons: string[] = [];
  for (const column of glue) {
    const name = column.name.toLowerCase();
    if (!IDENTIFIER.test(name)) {
      reasons.push(`${kind} "${column.name}" is not a name dap accepts (lower case letters, digits, _)`);
      continue;
    }
    if (name !== column.name) changes.push(`${kind} ${column.name} → ${name} (Glue stores column names in lower case)`);
    try {
      parseColumnType(column.type);
    } catch (error) {
      if (!(error instanceof ColumnTypeError)) throw error;
      reasons.push(`${kind} "${column.name}": ${error.message}`);
      continue;
    }
    columns.push({ name, type: column.type });
  }
  return { columns, changes, reasons };
}

function duplicates(columns: readonly Column[]): string[] {
  const seen = new Set<string>();
  const reasons: string[] = [];
  for (const { name } of columns) {
    if (seen.has(name)) reasons.push(`column "${name}" is declared twice (names differ only in case)`);
    seen.add(name);
  }
  return reasons;
}
