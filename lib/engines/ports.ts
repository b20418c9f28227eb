/**
 * The ports every pipeline step is written against. `aws/` adapters implement them with the SDK, `local/` adapters
 * with the filesystem and embedded engines, so one step definition runs in both places.
 */

/** An object store that also tells each object's size and last change (S3 ListObjectsV2, a folder's stat). */
export interface ObjectLister {
  /** Objects under a prefix, sorted by key. */
  listObjects(bucket: string, prefix: string): Promise<StoredObject[]>;
}

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
  /** What an earlier query did (Athena: GetQueryRuntimeStatistics), for run reports; undefined if unknown. */
  queryStatistics(queryId: string): Promise<QueryStatistics | undefined>;
  close(): Promise<void>;
}

export interface QueryStatistics {
  readonly rowsWritten?: number;
  readonly bytesScanned?: number;
  readonly durationMs?: number;
}

export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
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

/** A named lease that at most one holder has at a time; it lapses at `expiresAt` unless renewed (heartbeat). */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  readonly acquiredAt: string;
  readonly renewedAt: string;
  readonly expiresAt: string;
}

export type LeaseAttempt =
  | { readonly acquired: true; readonly lease: Lease }
  | { readonly acquired: false; readonly current: Lease };

/** A stored value with a version for optimistic concurrency (watermarks, API cursors). */
export interface VersionedValue<T> {
  readonly value: T;
  readonly version: number;
}

/** DynamoDB in AWS, a folder of JSON files locally. Every write here is atomic and conditional. */
export interface ControlStore {
  /** Takes the lease when it is free, lapsed, or already ours; otherwise reports who holds it. Atomic. */
  acquireLease(name: string, holder: string, now: Date, ttlSeconds: number): Promise<LeaseAttempt>;
  /** Extends our lease; throws `LeaseLostError` when another holder has it or it is gone. */
  renewLease(name: string, holder: string, now: Date, ttlSeconds: number): Promise<Lease>;
  /** Gives the lease up if we hold it; does nothing otherwise. */
  releaseLease(name: string, holder: string): Promise<void>;
  getLease(name: string): Promise<Lease | undefined>;
  get<T>(key: string): Promise<VersionedValue<T> | undefined>;
  /**
   * Writes `value` if the stored version is `expectedVersion` (0 = must not exist yet); returns the new version.
   * Throws `VersionConflictError` otherwise.
   */
  put<T>(key: string, value: T, expectedVersion: number): Promise<number>;
}

/** Redshift in AWS (Data API), PGlite locally. */
export interface Warehouse {
  /**
   * Runs `CALL <schema>.<procedure>(<args>)` to completion. Throws `ProcedureFailedError` carrying the procedure's
   * own error text, or `ProcedureTimeoutError` when it does not finish in time.
   */
  callProcedure(
    schema: string,
    procedure: string,
    args: readonly string[],
  ): Promise<{ statementId: string; durationMs: number }>;
}
