/** A double-quoted SQL identifier, valid in Athena (Trino), DuckDB and Postgres alike. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
