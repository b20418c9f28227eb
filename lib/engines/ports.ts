/**
 * The ports every pipeline step is written against. `aws/` adapters implement them with the SDK, `local/` adapters
 * with the filesystem and embedded engines, so one step definition runs in both places.
 */

/** A value as it reaches or leaves SQL: JSON-safe (BIGINT and DECIMAL as strings, timestamps as ISO-like text). */
export type SqlValue = string | number | boolean | null | SqlValue[] | { [key: string]: SqlValue };

export interface QueryResult {
  readonly queryId: string;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly Record<string, SqlValue>[];
  /** Rows inserted, updated or deleted by a DML statement; 0 for a query. */
  readonly rowsAffected: number;
  /** Bytes the engine read to answer, where the engine can tell. */
  readonly bytesScanned?: number;
  readonly durationMs: number;
}

/** Athena in AWS, DuckDB locally. SQL is Athena (Trino) SQL. */
export interface QueryEngine {
  /**
   * Runs one statement. `parameters` bind positional `?` placeholders (Athena `ExecutionParameters`); they are
   * values only, never identifiers.
   */
  execute(sql: string, options?: { readonly parameters?: readonly string[] }): Promise<QueryResult>;
  close(): Promise<void>;
}

/** S3 in AWS, a folder with one sub-folder per bucket locally. */
export interface ObjectStore {
  put(bucket: string, key: string, body: string | Uint8Array): Promise<void>;
  /** The object's bytes, or undefined when there is no such key. */
  get(bucket: string, key: string): Promise<Uint8Array | undefined>;
  /** Keys under a prefix, sorted. */
  list(bucket: string, prefix: string): Promise<string[]>;
  delete(bucket: string, key: string): Promise<void>;
}
