/**
 * Every port a pipeline step is written against, in one place. `lib/engines/aws/` adapters implement them with the
 * SDK, `lib/engines/local/` adapters with the filesystem and embedded engines, so one step definition runs in both.
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

export interface QueryOptions {
  readonly parameters?: readonly string[];
  /**
   * The Athena workgroup the statement runs in, as a state machine task names it. A local engine then fails the
   * statement where Athena would: over the workgroup's bytes-scanned cutoff, or writing more partitions than Athena
   * keeps writers open for. @default none: a local engine enforces no limit (the Athena adapter uses its own)
   */
  readonly workgroup?: string;
}

/** Athena in AWS, DuckDB locally. SQL is Athena (Trino) SQL. */
export interface QueryEngine {
  /**
   * Runs one statement. `parameters` bind positional `?` placeholders (Athena `ExecutionParameters`); they are
   * values only, never identifiers.
   */
  execute(sql: string, options?: QueryOptions): Promise<QueryResult>;
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
  /**
   * The object as a stream (files may be far larger than memory), or undefined when there is no such key. With
   * `ifMatch` (the version seen earlier) a changed object throws `ObjectChangedError` instead of being half-read.
   * With `range`, only the bytes from `start` up to (not including) `end` are streamed; `size` stays the object's.
   */
  open(bucket: string, key: string, options?: OpenOptions): Promise<ObjectHandle | undefined>;
  /** A copy that does not pass the bytes through the process; throws `ObjectChangedError` when `ifMatch` fails. */
  copy(
    from: { readonly bucket: string; readonly key: string; readonly ifMatch?: string },
    to: { readonly bucket: string; readonly key: string },
  ): Promise<void>;
}

export interface OpenOptions {
  readonly ifMatch?: string;
  readonly range?: ByteRange;
}

/** Bytes `start` (inclusive) to `end` (exclusive) of an object. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface ObjectHandle {
  readonly body: AsyncIterable<Uint8Array>;
  /** Changes whenever the object's content does (S3 ETag; size and mtime locally). */
  readonly etag: string;
  readonly size: number;
}

export class ObjectChangedError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(
      `object ${bucket}/${key} changed while it was being ingested; it will be ingested again as a new drop`,
      options,
    );
    this.name = 'ObjectChangedError';
  }
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

/** Redshift's migration history in AWS (Data API), PGlite's locally: where `migrateWarehouse` applies scripts. */
export interface AppliedScript {
  /** The script's path in the project, e.g. `redshift-scripts/migrations/V001__reporting_schema.sql`. */
  readonly script: string;
  /** A versioned script's version as Flyway writes it (`3`, `2.1`); null for a repeatable one. */
  readonly version: string | null;
  readonly checksum: string;
}

export interface PendingScript {
  readonly script: string;
  readonly version: string | null;
  readonly description: string;
  readonly checksum: string;
  /** The script with its placeholders filled in, ready to run. */
  readonly sql: string;
}

export interface MigrationTarget {
  /** Ensures the reporting schema and history table exist, and returns what the history records. */
  appliedScripts(): Promise<readonly AppliedScript[]>;
  /** Runs the script and records it in the history table, in one transaction. */
  applyScript(script: PendingScript, runId: string): Promise<void>;
}

/** The schema standing for one Glue database: a Spectrum external schema in Redshift, a plain schema locally. */
export interface ExternalSchema {
  readonly schema: string;
  readonly glueDatabase: string;
}

/** A warehouse the run-start migration step brings up to the scripts: Redshift (Data API) in AWS, PGlite locally. */
export interface MigratableWarehouse extends MigrationTarget {
  /**
   * Creates the external schema unless it exists. Locally it is a plain schema filled with copies of the tables the
   * scripts read, as they are for this run.
   */
  ensureExternalSchema(external: ExternalSchema, runId: string): Promise<void>;
}

/**
 * Where credentials come from: environment variables locally, the source's Secrets Manager secret in AWS (a JSON
 * object whose keys are the same names). The connector only ever asks for a name the config gives.
 */
export interface SecretSource {
  /** Where values are looked up, for error messages (never the values). */
  readonly description: string;
  /** The value, or undefined when it is not set. */
  get(name: string): Promise<string | undefined>;
}

/** Where a source database is, as its secret holds it. */
export interface DatabaseConnection {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string;
  readonly database: string;
  /** Ask for TLS (AWS: always; the local server speaks plain TCP). */
  readonly tls: boolean;
}

/** A relational source database (PostgreSQL over its wire protocol): `lib/engines/postgres/`. */
export interface SourceDatabases {
  connect(connection: DatabaseConnection): Promise<SourceDatabaseSession>;
}

/**
 * One connection, reading inside one read-only repeatable-read transaction: every query sees the same snapshot.
 * Values come back JSON-safe: int2/int4/float as numbers, bool as booleans, everything else as the server's text.
 */
export interface SourceDatabaseSession {
  query(sql: string, parameters: readonly SqlValue[]): Promise<Record<string, SqlValue>[]>;
  /** Ends the transaction and the connection. */
  close(): Promise<void>;
}

/**
 * Where a promoted extract is made readable by name (AWS: a Glue partition; locally nothing, as the twin's views read
 * the promotion record). One call per table, each atomic: the partition reads the new folder, or still the old one.
 */
export interface SnapshotCatalog {
  /** Partition `snapshot_date = <snapshotDate>` of raw table `table` now reads the objects under `prefix`. */
  registerSnapshot(table: string, snapshotDate: string, prefix: string): Promise<void>;
}
