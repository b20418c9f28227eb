import type { DatabaseFilter, DatabaseTable } from '../model/database-source-schema.ts';
import type { SqlValue } from '../ports.ts';
import { quoteIdentifier } from '../sql/identifiers.ts';

/**
 * The statements an extract sends, in PostgreSQL. Identifiers come from validated config (`^[a-z][a-z0-9_]*$`)
 * and are quoted; every value (filter values, the keyset position, the incremental bound, the page size) is a `$n`
 * parameter. Pages are read by keyset (`(pk) > ($…) ORDER BY pk LIMIT n`), never by OFFSET, so a page costs the same
 * wherever it is and a resumed extract continues from the last key it wrote.
 */

export interface Statement {
  readonly sql: string;
  readonly parameters: readonly SqlValue[];
}

/** Where the rows of one table are read from, and which of them. */
export interface TableScope {
  readonly table: DatabaseTable;
  /** Incremental tables: the cursor value of the previous promoted extract (rows from there, minus the overlap). */
  readonly since?: string;
}

class Parameters {
  readonly values: SqlValue[] = [];
  add(value: SqlValue): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function qualified(table: DatabaseTable): string {
  return `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`;
}

function filterCondition(filter: DatabaseFilter, parameters: Parameters): string {
  const column = quoteIdentifier(filter.column);
  switch (filter.op) {
    case 'is_null':
      return `${column} IS NULL`;
    case 'is_not_null':
      return `${column} IS NOT NULL`;
    case 'in':
      return `${column} IN (${filter.values.map((value) => parameters.add(value)).join(', ')})`;
    default:
      return `${column} ${filter.op} ${parameters.add(filter.value)}`;
  }
}

/** The filters and the incremental bound, as conditions. */
function scopeConditions(scope: TableScope, parameters: Parameters): string[] {
  const conditions = scope.table.filters.map((filter) => filterCondition(filter, parameters));
  const cursor = scope.table.cursor;
  if (scope.table.mode === 'incremental' && cursor && scope.since !== undefined) {
    const since = parameters.add(scope.since);
    const overlap = parameters.add(cursor.overlap_seconds);
    conditions.push(
      `${quoteIdentifier(cursor.column)} >= CAST(${since} AS timestamptz) - make_interval(secs => ${overlap})`,
    );
  }
  return conditions;
}

function where(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : ` WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}`;
}

/** The page after `after` (the primary key values of the last row written; undefined for the first page). */
export function pageStatement(scope: TableScope, after: readonly SqlValue[] | undefined, pageSize: number): Statement {
  const parameters = new Parameters();
  const key = scope.table.primary_key.map(quoteIdentifier);
  const conditions = scopeConditions(scope, parameters);
  if (after !== undefined) {
    const position = after.map((value) => parameters.add(value));
    conditions.push(`(${key.join(', ')}) > (${position.join(', ')})`);
  }
  const columns = scope.table.columns.map((column) => quoteIdentifier(column.name)).join(', ');
  const limit = parameters.add(pageSize);
  return {
    sql: `SELECT ${columns} FROM ${qualified(scope.table)}${where(conditions)} ORDER BY ${key.join(', ')} LIMIT ${limit}`,
    parameters: parameters.values,
  };
}

/**
 * The rows the extract should have read, and the incremental cursor's high point, in the same snapshot: the row
 * count check compares the first with the rows written; the second is where the next extract starts.
 */
export function countStatement(scope: TableScope): Statement {
  const parameters = new Parameters();
  const cursor = scope.table.mode === 'incremental' && scope.table.cursor;
  const high = cursor ? `CAST(max(${quoteIdentifier(cursor.column)}) AS text)` : 'CAST(NULL AS text)';
  return {
    sql: `SELECT count(*) AS "rows", ${high} AS "cursor" FROM ${qualified(scope.table)}${where(scopeConditions(scope, parameters))}`,
    parameters: parameters.values,
  };
}

/** The statement every session starts with: one snapshot for everything it reads. */
export const SNAPSHOT_TRANSACTION = 'BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY';
