/** A double-quoted SQL identifier, valid in Athena (Trino), DuckDB and Postgres alike. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** An identifier as the engines compare it: quoted kept as written, otherwise lower-cased. */
export function unquote(identifier: string): string {
  return identifier.startsWith('"') && identifier.endsWith('"')
    ? identifier.slice(1, -1).replaceAll('""', '"')
    : identifier.toLowerCase();
}
