import type { DatabaseSource, DatabaseTable } from '../model/database-source-schema.ts';
import type { SqlValue } from '../ports.ts';
import { type ActiveExtract, type IntegrityProblem, MAX_FAILING_KEYS, progressKey } from './extract-state.ts';

/**
 * The integrity checks of one extract, over the rows it wrote (read back from raw, so what is checked is what would
 * be promoted), per source_id: every table's row count against `count(*)` in its snapshot, each declared `reference`
 * (e.g. rooms whose department is not in the extract) and `not_blank` (consolidation keys). Any problem stops the
 * promotion.
 */

export type RowReader = (sourceId: string, table: string) => AsyncIterable<Record<string, SqlValue>>;

export async function integrityProblems(
  source: DatabaseSource,
  extract: ActiveExtract,
  readRows: RowReader,
): Promise<IntegrityProblem[]> {
  const problems: IntegrityProblem[] = [];
  const tables = new Map(source.tables.map((table) => [table.name, table]));
  for (const { source_id: sourceId } of source.instances) {
    for (const table of source.tables) {
      const progress = extract.tables[progressKey(sourceId, table.name)];
      if (progress?.expected_rows !== undefined && progress.expected_rows !== progress.rows) {
        problems.push({
          source_id: sourceId,
          table: table.name,
          check: 'row_count',
          message: `${progress.rows} rows extracted, but count(*) in the snapshot is ${progress.expected_rows} (rows changed while a resumed extract read them)`,
          keys: [],
          failing_rows: Math.abs(progress.expected_rows - progress.rows),
        });
      }
    }
    for (const check of source.checks) {
      const table = tables.get(check.table);
      if (!table) continue;
      if (check.type === 'not_blank') {
        const failing = new Failing(table);
        for await (const row of readRows(sourceId, table.name)) {
          if (check.columns.some((column) => isBlank(row[column]))) failing.add(row);
        }
        failing.report(problems, sourceId, 'not_blank', `${check.columns.join(', ')} blank or missing`);
        continue;
      }
      const parent = tables.get(check.references.table);
      if (!parent) continue;
      const present = new Set<string>();
      for await (const row of readRows(sourceId, parent.name)) present.add(tupleKey(check.references.columns, row));
      const failing = new Failing(table);
      for await (const row of readRows(sourceId, table.name)) {
        if (check.columns.some((column) => row[column] === null || row[column] === undefined)) continue;
        if (!present.has(tupleKey(check.columns, row))) failing.add(row);
      }
      failing.report(
        problems,
        sourceId,
        'reference',
        `${check.columns.join(', ')} not found in ${parent.name}(${check.references.columns.join(', ')}) of the same extract`,
      );
    }
  }
  return problems;
}

function isBlank(value: SqlValue | undefined): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** Values compared as text, so an int4 read as a number meets an int8 read as a string. */
function tupleKey(columns: readonly string[], row: Record<string, SqlValue>): string {
  return JSON.stringify(columns.map((column) => String(row[column])));
}

class Failing {
  private count = 0;
  private readonly keys: string[] = [];

  constructor(private readonly table: DatabaseTable) {}

  add(row: Record<string, SqlValue>): void {
    this.count++;
    if (this.keys.length < MAX_FAILING_KEYS) {
      this.keys.push(this.table.primary_key.map((column) => `${column}=${String(row[column])}`).join(', '));
    }
  }

  report(problems: IntegrityProblem[], sourceId: string, check: string, what: string): void {
    if (this.count === 0) return;
    problems.push({
      source_id: sourceId,
      table: this.table.name,
      check,
      message: `${this.count} row(s): ${what}`,
      keys: this.keys,
      failing_rows: this.count,
    });
  }
}
