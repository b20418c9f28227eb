import { z } from 'zod';
import type { DatabaseSource } from '../model/database-source-schema.ts';
import type { RawTableDef } from '../model/project.ts';
import type { SqlValue } from '../ports.ts';
import type { RAW_FILE_ENDINGS } from '../raw-files.ts';

/**
 * A database source's progress, kept in the control store under `database/<source>/extract` and written after every
 * page that has landed in raw. An extract may span several runs (a crash, or the Lambda's time limit): the next run
 * continues it from the last key each table wrote. It ends promoted (every integrity check passed) or failed
 * (nothing promoted; the next run starts a new extract).
 */

const sqlValue = z.custom<SqlValue>(
  (value) => value === null || ['string', 'number', 'boolean'].includes(typeof value),
);

const tableProgressSchema = z.object({
  /** Primary key values of the last row written; absent before the first page. */
  after: z.array(sqlValue).optional(),
  pages: z.number().int(),
  rows: z.number().int(),
  done: z.boolean(),
  /** `count(*)` in the snapshot the table was finished in. */
  expected_rows: z.number().int().optional(),
  /** Incremental tables: the cursor's high point in that snapshot. */
  cursor: z.string().nullable().optional(),
  /** Incremental tables: rows carried from the last promoted extract (keys this one did not read again). */
  carried: z.number().int().optional(),
});
export type TableProgress = z.infer<typeof tableProgressSchema>;

const activeExtractSchema = z.object({
  id: z.string(),
  started_at: z.string(),
  /** The UTC day the extract started: its partition once promoted. */
  snapshot_date: z.string(),
  /** Runs that worked on it (a resumed extract has more than one). */
  runs: z.number().int(),
  /** By `<source_id>/<table>`. */
  tables: z.record(z.string(), tableProgressSchema),
});
export type ActiveExtract = z.infer<typeof activeExtractSchema>;

const problemSchema = z.object({
  source_id: z.string(),
  table: z.string(),
  check: z.string(),
  message: z.string(),
  /** The failing keys (at most `MAX_FAILING_KEYS`), as `column=value` lists. */
  keys: z.array(z.string()),
  failing_rows: z.number().int(),
});
export type IntegrityProblem = z.infer<typeof problemSchema>;

export const extractStateSchema = z.object({
  extracts_started: z.number().int().default(0),
  /** Incremental tables, by `<source_id>/<table>`: the cursor's high point in the last promoted extract. */
  cursors: z.record(z.string(), z.string()).default({}),
  active: activeExtractSchema.optional(),
  last: z
    .object({
      id: z.string(),
      status: z.enum(['promoted', 'failed']),
      finished_at: z.string(),
      rows: z.number().int(),
      problems: z.array(problemSchema),
    })
    .optional(),
});
export type ExtractState = z.infer<typeof extractStateSchema>;

export function extractStateKey(source: string): string {
  return `database/${source}/extract`;
}

export function progressKey(sourceId: string, table: string): string {
  return `${sourceId}/${table}`;
}

/** The raw table a source's table lands in: `<source>_<table>`. */
export function rawTableName(source: string, table: string): string {
  return `${source}_${table}`;
}

/** Everything a source writes in the raw bucket is under `databases/<source>/`. */
export function sourceLocation(source: string): string {
  return `databases/${source}`;
}

/** Where a source's tables land in the raw bucket: `databases/<source>/<table>`. */
export function tableLocation(source: string, table: string): string {
  return `${sourceLocation(source)}/${table}`;
}

/**
 * The folder of one extract's pages of one table: `<location>/snapshot_date=<day>/<extract id>/`. Readers see it only
 * once the extract is promoted (a Glue partition in AWS, the promotion record locally).
 */
export function extractFolder(source: string, table: string, snapshotDate: string, extractId: string): string {
  return snapshotFolder(tableLocation(source, table), snapshotDate, extractId);
}

/** `extractFolder` under a raw table's location. */
export function snapshotFolder(location: string, snapshotDate: string, extractId: string): string {
  return `${location}/snapshot_date=${snapshotDate}/${extractId}`;
}

/** A page of an extract: `p000001` as read from the source, `c000001` as carried from the last promoted extract. */
export function pageKey(
  folder: string,
  sourceId: string,
  page: number,
  ending: (typeof RAW_FILE_ENDINGS)[number],
  kind: 'p' | 'c' = 'p',
): string {
  return `${folder}/${sourceId}/${kind}${String(page).padStart(6, '0')}${ending}`;
}

/** The reader-facing record of what is promoted: `databases/<source>/_promoted.json` in the raw bucket. */
export const promotionSchema = z.object({
  /** By snapshot date: the extract promoted for it (a later one the same day replaces it, whole). */
  snapshots: z.record(
    z.string(),
    z.object({ extract_id: z.string(), promoted_at: z.string(), rows: z.record(z.string(), z.number().int()) }),
  ),
});
export type Promotion = z.infer<typeof promotionSchema>;

/** An ended extract's report: `databases/<source>/_reports/<extract id>.json`. */
export function extractReportKey(source: string, extractId: string): string {
  return `${sourceLocation(source)}/_reports/${extractId}.json`;
}

export function promotionKey(source: string): string {
  return `${sourceLocation(source)}/_promoted.json`;
}

export const MAX_FAILING_KEYS = 20;

/**
 * The raw tables a database source lands in, one per extracted table: `<source>_<table>`, its columns plus the
 * five every row carries, partitioned by `snapshot_date`, readable only where promoted.
 */
export function databaseRawTables(source: DatabaseSource, file: string): RawTableDef[] {
  return source.tables.map((table) => ({
    file,
    source: source.source,
    table: rawTableName(source.source, table.name),
    format: 'json',
    compression: 'gzip',
    location: tableLocation(source.source, table.name),
    columns: [
      ...table.columns,
      { name: 'source_id', type: 'string', description: 'The instance (database) the row was read from.' },
      { name: 'extract_id', type: 'string', description: 'The extract that read it.' },
      { name: 'extracted_at', type: 'timestamp', description: 'When its page was read (UTC).' },
      {
        name: 'extract_row',
        type: 'bigint',
        description: "The row's place in its table and instance's extract, from 1.",
      },
      {
        name: 'row_key',
        type: 'string',
        description:
          'source_id and the primary key values joined by | (\\ and | escaped): the key of history and federated ids.',
      },
    ],
    partition_columns: [{ name: 'snapshot_date', type: 'date', description: 'The UTC day the extract started.' }],
    promotedExtracts: true,
  }));
}
