/** Limits Athena enforces and neither DuckDB nor the state machine would: the twin and the run plan hold to them. */

/**
 * Partitions one INSERT INTO or MERGE INTO may write: the engine keeps at most this many writers open (Trino's
 * `max-partitions-per-writers`, which Athena does not let a query raise).
 */
export const ATHENA_OPEN_PARTITION_WRITERS = 100;

/** StartQueryExecution's `QueryString` length constraint (Athena API reference). */
export const ATHENA_QUERY_STRING_MAX_BYTES = 262_144;
