/**
 * The statement rewriter of the local warehouse: turns idiomatic Redshift SQL into SQL PGlite runs with Redshift's
 * semantics, for what no SQL function can cover. Applied to local runs only; scripts in `redshift-scripts/` stay
 * as Redshift runs them.
 */
export function rewriteRedshiftForLocal(sql: string): string {
  return sql
    .replace(/\bsysdate\b/gi, 'localtimestamp')
    .replace(/\bdiststyle\s+(auto|even|key|all)\b/gi, '')
    .replace(/\b(compound\s+|interleaved\s+)?sortkey\s*\([^)]*\)/gi, '')
    .replace(/\bdistkey\s*\([^)]*\)/gi, '');
}
