import type { Column } from '../model/schemas.ts';
import type { ClosestVersion, RowError } from './mapping.ts';

/**
 * What ingestion says about each file: the summary returned to the caller and written as `report.json` beside
 * the original, the reject lines, the lineage columns every raw row carries, and the ledger entry per file hash.
 */

/** Where a dropped file ended: loaded (all or the valid rows) with the original archived, or quarantined whole. */
export type IngestOutcome = 'loaded' | 'partially_loaded' | 'quarantined' | 'duplicate' | 'missing';

export interface RowCounts {
  /** Data rows in the file (after the header; blank rows not counted). */
  readonly read: number;
  /** Rows written to raw. */
  readonly loaded: number;
  /** Rows not written to raw: the invalid ones, or every row when the whole file is quarantined. */
  readonly rejected: number;
  /** Rows that failed validation themselves (each has a line in the reject file). */
  readonly invalid: number;
  /** Blank rows, skipped (they hold no data). */
  readonly blank: number;
  /** Rows skipped as repeats of an earlier row of the file (`duplicate_rows: keep_first`); counted in `rejected`. */
  readonly duplicate: number;
}

export interface IngestSummary {
  readonly outcome: IngestOutcome;
  readonly key: string;
  readonly source: string | null;
  readonly dataset: string | null;
  readonly file_hash: string | null;
  readonly bytes: number;
  readonly run_id: string;
  readonly ingest_date: string;
  readonly attempt: number;
  readonly rows: RowCounts;
  /** Why the file was quarantined or not loaded; null when it loaded. */
  readonly reason: string | null;
  /** Row rejections grouped by column and reason (values elided), with counts. */
  readonly rejected_reasons: Readonly<Record<string, number>>;
  /**
   * Loaded text values a spreadsheet would take for a formula, by target column (the source's `formula_like` rule
   * `flag`); under `reject` their rows are in `rejected_reasons` instead.
   */
  readonly formula_like: Readonly<Record<string, number>>;
  readonly mapping_version: string | null;
  readonly header_fingerprint: string | null;
  readonly closest_mapping?: ClosestVersion;
  readonly parse: ParseFacts;
  readonly locations: Locations;
  readonly reconciliation: Reconciliation;
}

export interface ParseFacts {
  readonly format?: 'csv' | 'xlsx';
  readonly encoding?: string;
  readonly encoding_evidence?: string;
  readonly delimiter?: string;
  readonly delimiter_evidence?: string;
  readonly sheet?: string;
  readonly header_row?: number;
}

export interface Locations {
  /** `bucket/key` of the original after ingestion. */
  readonly original?: string;
  readonly report?: string;
  readonly raw: readonly string[];
  readonly rejects: readonly string[];
}

/** Checked before a file is marked done: every row read is either loaded or rejected, and the files agree. */
export interface Reconciliation {
  readonly rows_in: number;
  readonly rows_loaded: number;
  readonly rows_rejected: number;
  readonly raw_lines_written: number;
  readonly reject_lines_written: number;
  readonly balanced: boolean;
}

export interface RejectLine {
  readonly row: number;
  readonly errors: readonly RowError[];
  /** The record as it was in the file, by header name (or column letter when the header cell is empty). */
  readonly record: Readonly<Record<string, string>>;
}

/** Columns every file dataset in raw starts with; `dap check` requires them in the dataset's raw table. */
export const LINEAGE_COLUMNS: readonly Column[] = [
  { name: 'source', type: 'string', description: 'file source (config/sources/files/<source>.json)' },
  { name: 'source_key', type: 'string', description: 'landing object key the row came from' },
  { name: 'source_row', type: 'bigint', description: '1-based row number in the file (header row counted)' },
  { name: 'file_hash', type: 'string', description: 'SHA-256 of the file content' },
  { name: 'mapping_version', type: 'string', description: 'mapping version that matched the header' },
  { name: 'ingest_run_id', type: 'string', description: 'ingestion attempt that wrote the row' },
  { name: 'ingested_at', type: 'timestamp', description: 'when the ingestion attempt started (UTC)' },
  { name: 'row_hash', type: 'string', description: 'hash of the mapped values, to compare snapshots cheaply' },
  { name: 'snapshot_date', type: 'date', description: 'date of the full snapshot the row belongs to, or null' },
];

export const INGEST_DATE_PARTITION: Column = { name: 'ingest_date', type: 'string' };

export type LedgerStatus = 'in_progress' | 'loaded' | 'partially_loaded' | 'quarantined' | 'failed';

/** The control-store entry per file hash: what happened to this content, and what an unfinished attempt wrote. */
export interface LedgerEntry {
  readonly file_hash: string;
  readonly status: LedgerStatus;
  readonly source: string | null;
  readonly key: string;
  readonly attempts: number;
  readonly duplicates: number;
  readonly run_id: string;
  readonly started_at: string;
  readonly finished_at?: string;
  readonly error?: string;
  /** Prefixes an attempt may have written under; deleted before the next attempt starts. */
  readonly outputs: readonly { readonly bucket: string; readonly prefix: string }[];
  readonly summary?: IngestSummary;
}

export const ledgerKey = (hash: string) => `ingest-file/${hash}`;
export const leaseName = (hash: string) => `ingest-file:${hash}`;
