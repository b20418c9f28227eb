import { neutraliseFormula } from '../core/formula-like.ts';
import type { SqlValue } from '../core/ports.ts';

function cell(value: SqlValue | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Rows as an aligned text table, the way `psql` and the Athena console print them. */
export function formatTable(columns: readonly string[], rows: readonly Record<string, SqlValue>[]): string {
  return formatCells(
    columns,
    rows.map((row) => columns.map((c) => cell(row[c]))),
  );
}

/** Cells already as text, by position (column names may repeat). */
export function formatCells(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  const out = [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line)];
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return out.join('\n');
}

/** One CSV field (RFC 4180): quoted when it holds a delimiter, quote or line break. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Cells as CSV (RFC 4180, CRLF line ends, NULL as an empty field), for people to open in a spreadsheet: a value a
 * spreadsheet would run as a formula (`=HYPERLINK(...)`, `@SUM(...)`) is neutralised with a leading `'`.
 */
export function formatCsv(columns: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  return formatCsvRows([columns, ...rows]);
}

/** CSV lines without a header, for a result written batch by batch. */
export function formatCsvRows(rows: readonly (readonly (string | null)[])[]): string {
  const line = (values: readonly (string | null)[]) =>
    values.map((v) => (v === null ? '' : csvField(neutraliseFormula(v)))).join(',');
  return rows.map((row) => `${line(row)}\r\n`).join('');
}

/** Rows of objects as CSV text cells, by the given columns. */
export function objectRowsAsCells(
  columns: readonly string[],
  rows: readonly Record<string, SqlValue>[],
): (string | null)[][] {
  return rows.map((row) => columns.map((c) => (row[c] === null || row[c] === undefined ? null : cell(row[c]))));
}
