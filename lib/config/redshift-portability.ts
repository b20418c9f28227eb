import type { Problem } from './problems.ts';

/**
 * Rejects Postgres-only constructs in `redshift-scripts/` that Redshift does not run, so a procedure that passes on
 * the local warehouse (PGlite) also runs in Redshift.
 */
export function lintRedshiftSql(file: string, text: string): Problem[] {
  const problems: Problem[] = [];
  const pattern = /\bon\s+conflict\b/gi;
  for (const match of text.matchAll(pattern)) {
    const before = text.slice(0, match.index);
    const line = before.split('\n').length;
    const column = match.index - before.lastIndexOf('\n');
    problems.push({
      file,
      at: `line ${line}, column ${column}`,
      message: 'ON CONFLICT is Postgres-only; Redshift has no upsert clause: use MERGE or DELETE then INSERT',
    });
  }
  return problems;
}
