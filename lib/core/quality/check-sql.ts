import { type ColumnType, parseColumnType } from '../model/column-types.ts';
import type { ResourceNames } from '../model/names.ts';
import type { Project, StageTableDef } from '../model/project.ts';
import {
  maxAgeMs,
  type QualityCheck,
  type QualityCheckOf,
  type QualityCheckType,
  qualityCheckName,
  type Severity,
} from '../model/quality-schema.ts';
import { sqlTimestamp } from '../sql/timestamp-literal.ts';
import { join, type Param, param, qualified, raw, type Sql, sql } from './sql-builder.ts';

/**
 * One Athena (Trino) query per data-quality check, pure: no engine. Every query returns one row with
 * `failing_count` (bigint) and `sample_keys` (a JSON array text of up to 10 offending keys, sorted, or NULL when
 * nothing fails). JSON text because Athena returns every value as text and a joined list could not be split back
 * when a key holds the separator; `json_format(cast(array_agg(...) as json))` reads the same on the local engine.
 *
 * Only the rows of the run's window are checked; its bounds, event names and accepted values are `?` parameters.
 */

/** Up to this many offending keys are returned with each result. */
export const SAMPLE_SIZE = 10;

/** The raw partitions of the window, compared as `concat(year, '-', month, '-', day)`. */
export interface RawWindow {
  /** `YYYY-MM-DD`, exclusive. */
  readonly fromDate: string;
  /** `YYYY-MM-DD`, inclusive. */
  readonly toDate: string;
}

/** The rows of one run of a family: `from < column <= to` on a stage column, optionally only some events. */
export interface QualityWindow {
  /** A stage column of type date, timestamp or string (e.g. `processed_date`, the raw delivery day). */
  readonly column: string;
  /** Exclusive lower bound, ISO 8601 (`2024-01-15` or `2024-01-15T00:00:00Z`). */
  readonly from: string;
  /** Inclusive upper bound, ISO 8601. Freshness is measured from here (the end of the day for a date). */
  readonly to: string;
  /** Only rows of these events (stage column `event_name`). @default every event */
  readonly events?: readonly string[];
  /**
   * The raw partitions read by the run, for `row_count_reconciliation`. @default the window's own dates, when
   * `column` is a date column (as `processed_date` is: the raw partition day of the row)
   */
  readonly rawWindow?: RawWindow;
}

export interface QualityCheckQuery {
  readonly name: string;
  readonly type: QualityCheckType;
  readonly severity: Severity;
  readonly sql: string;
  readonly parameters: readonly string[];
}

export class QualityCheckSqlError extends Error {
  constructor(message: string, cause: { readonly family: string; readonly check?: string }) {
    super(message, { cause });
    this.name = 'QualityCheckSqlError';
  }
}

/** The queries of every check declared on the family's stage table, in declaration order. */
export function qualityCheckQueries(
  project: Project,
  names: ResourceNames,
  family: string,
  window: QualityWindow,
): QualityCheckQuery[] {
  const table = stageTableOf(project, family);
  return table.checks.map((check) => qualityCheckQuery(project, names, table, check, window));
}

export function stageTableOf(project: Project, family: string): StageTableDef {
  const table = project.stageTables.get(family);
  if (!table) throw new QualityCheckSqlError(`family "${family}" has no stage table`, { family });
  return table;
}

export function qualityCheckQuery(
  project: Project,
  names: ResourceNames,
  table: StageTableDef,
  check: QualityCheck,
  window: QualityWindow,
): QualityCheckQuery {
  const name = qualityCheckName(check);
  const context = new CheckContext(project, names, table, window, name);
  const query = build(context, check);
  return { name, type: check.type, severity: check.severity, sql: query.text, parameters: query.parameters };
}

function build(context: CheckContext, check: QualityCheck): Sql {
  switch (check.type) {
    case 'not_null':
      return notNullSql(context, check);
    case 'unique':
      return uniqueSql(context, check);
    case 'accepted_values':
      return acceptedValuesSql(context, check);
    case 'relationships':
      return relationshipsSql(context, check);
    case 'row_count_reconciliation':
      return reconciliationSql(context, check);
    case 'freshness':
      return freshnessSql(context, check);
    case 'expression':
      return expressionSql(context, check);
  }
}

// ---------------------------------------------------------------- the check types

function notNullSql(context: CheckContext, check: QualityCheckOf<'not_null'>): Sql {
  const anyNull = join(
    check.columns.map((column) => sql`${context.column('t', column)} is null`),
    ' or ',
  );
  return withSample(
    [],
    sql`select ${context.sampleKey('t', check.sample_key)} as sample_key
    from ${context.stageTable()} as t
    where ${context.windowPredicate('t')} and (${anyNull})`,
  );
}

/** Keys of the window's rows that occur more than once in the whole table, so a copy in an earlier window counts. */
function uniqueSql(context: CheckContext, check: QualityCheckOf<'unique'>): Sql {
  const columns = check.columns;
  const inWindow = join(
    columns.map((column) => context.column('w', column)),
    ', ',
  );
  // NULL = NULL is not true, so rows with a NULL key part drop out of the join: nulls are not_null's business.
  const joined = join(
    columns.map((column) => sql`${context.column('t', column)} = ${context.column('w', column)}`),
    ' and ',
  );
  const grouped = join(
    columns.map((column) => context.column('t', column)),
    ', ',
  );
  return withSample(
    [],
    sql`select ${context.keyText('t', columns)} as sample_key
    from ${context.stageTable()} as t
    join (select distinct ${inWindow} from ${context.stageTable()} as w where ${context.windowPredicate('w')}) as w
      on ${joined}
    group by ${grouped}
    having count(*) > 1`,
  );
}

function acceptedValuesSql(context: CheckContext, check: QualityCheckOf<'accepted_values'>): Sql {
  const values = join(
    acceptedValues(context, check).map((value) => sql`${param(value)}`),
    ', ',
  );
  return withSample(
    [],
    sql`select ${context.sampleKey('t', check.sample_key)} as sample_key
    from ${context.stageTable()} as t
    where ${context.windowPredicate('t')}
      and ${context.column('t', check.column)} is not null
      and ${context.valueText('t', check.column)} not in (${values})`,
  );
}

/** The check's own list, or every event the family's event list declares (`values_from: "family_events"`). */
function acceptedValues(context: CheckContext, check: QualityCheckOf<'accepted_values'>): string[] {
  if (check.values !== undefined) return check.values.map(String);
  const family = context.table.product_family;
  const events = context.project.familyEvents.get(family)?.events ?? [];
  if (events.length === 0) throw context.error(`values_from "family_events": family "${family}" declares no events`);
  return events.map((event) => event.event_name);
}

function relationshipsSql(context: CheckContext, check: QualityCheckOf<'relationships'>): Sql {
  const target = context.stageTableNamed(check.to.table);
  const targetColumn = qualified('p', context.columnOf(target, check.to.column));
  return withSample(
    [],
    sql`select ${context.sampleKey('t', check.sample_key)} as sample_key
    from ${context.stageTable()} as t
    where ${context.windowPredicate('t')}
      and ${context.column('t', check.column)} is not null
      and not exists (
        select 1 from ${context.stageTable(target)} as p where ${targetColumn} = ${context.column('t', check.column)}
      )`,
  );
}

/**
 * Per event, two ways to fail: a distinct raw key of the window with no stage row of that event anywhere in the table
 * (lost; a key loaded by an earlier window is not lost), and a stage row of the window that is not the one row of a
 * raw key of the window (not in raw, or a duplicate). With no repeats across windows this is exactly
 * "distinct raw keys in the window = stage rows of the window".
 */
function reconciliationSql(context: CheckContext, check: QualityCheckOf<'row_count_reconciliation'>): Sql {
  const events = context.reconciledEvents(check);
  if (events.length === 0) {
    return sql`select cast(0 as bigint) as failing_count, cast(null as varchar) as sample_keys`;
  }
  const rawWindow = context.rawWindow();
  const rawKeyName = check.raw_key ?? check.key;
  const ctes: Sql[] = [];
  const failing: Sql[] = [];
  events.forEach((event, index) => {
    const rawTable = context.rawTable(event);
    const rawKeys = qualified(`raw_keys_${index}`);
    const stageRows = qualified(`stage_rows_${index}`);
    const rawKey = context.rawKeyText(rawTable.table, rawKeyName);
    const partitionDay = sql`concat(${qualified('r', 'year')}, '-', ${qualified('r', 'month')}, '-', ${qualified('r', 'day')})`;
    const stageKey = context.valueText('s', check.key);
    ctes.push(
      sql`${rawKeys} as (
      select distinct ${rawKey} as dedup_key
      from ${qualified(context.names.rawDatabase, rawTable.table)} as r
      where ${partitionDay} > ${param(rawWindow.fromDate)} and ${partitionDay} <= ${param(rawWindow.toDate)}
        and ${qualified('r', rawKeyName)} is not null
    )`,
      sql`${stageRows} as (
      select ${stageKey} as dedup_key,
        row_number() over (partition by ${context.column('s', check.key)}) as copy_number
      from ${context.stageTable()} as s
      where ${context.windowPredicate('s')} and ${qualified('s', 'event_name')} = ${param(event)}
    )`,
    );
    const inRawWindow = sql`exists (select 1 from ${rawKeys} as k where k.dedup_key = x.dedup_key)`;
    failing.push(
      sql`select concat(${param(event)}, ':missing_from_stage:', r.dedup_key) as sample_key
    from ${rawKeys} as r
    where not exists (
      select 1 from ${context.stageTable()} as s
      where ${qualified('s', 'event_name')} = ${param(event)} and ${stageKey} = r.dedup_key
    )`,
      sql`select concat(${param(event)}, case when ${inRawWindow} then ':duplicate:' else ':not_in_raw_window:' end,
      coalesce(x.dedup_key, 'null')) as sample_key
    from ${stageRows} as x
    where x.dedup_key is null or x.copy_number > 1 or not ${inRawWindow}`,
    );
  });
  return withSample(ctes, join(failing, '\n    union all\n    '));
}

/**
 * The newest value is at most `max_age` older than the window's end. Measured over the rows up to the window's end
 * (delivered in the `max_age` before it), not only the window's own rows: a run that finds no new data minutes after
 * the last one is not stale, and a table that got nothing for two days is, however the windows fall.
 */
function freshnessSql(context: CheckContext, check: QualityCheckOf<'freshness'>): Sql {
  const type = context.typeOf(context.table, check.column);
  const end = windowEndMs(context.window.to);
  const threshold = new Date(end - maxAgeMs(check.max_age));
  if (!isPrimitive(type, 'date') && !isPrimitive(type, 'timestamp')) {
    throw context.error(`freshness needs a date or timestamp column, but "${check.column}" is ${describe(type)}`);
  }
  const bound = isPrimitive(type, 'date')
    ? sql`cast(${param(isoDate(threshold))} as date)`
    : sql`cast(${param(sqlTimestamp(threshold))} as timestamp)`;
  // A row delivered before the threshold happened before it too, so it cannot make the table fresh; the day before
  // the threshold's day stays in, for a date window column.
  const lookback = new Date(threshold.getTime() - 86_400_000).toISOString();
  return withSample(
    [
      sql`newest as (
      select max(${context.column('t', check.column)}) as newest_value
      from ${context.stageTable()} as t
      where ${context.windowPredicate('t', lookback)}
    )`,
    ],
    sql`select coalesce(to_iso8601(newest_value), 'no rows before the window end') as sample_key
    from newest
    where newest_value is null or newest_value < ${bound}`,
  );
}

/** Rows of the window where the expression is false; NULL counts as holding, as in a SQL CHECK constraint. */
function expressionSql(context: CheckContext, check: QualityCheckOf<'expression'>): Sql {
  // The expression is config that `dap check` parsed as one Trino expression over this table's columns only
  // (balanced parentheses, no subquery, no comment, no parameter), so splicing it cannot change the query's shape.
  return withSample(
    [],
    sql`select ${context.sampleKey('t', check.sample_key)} as sample_key
    from ${context.stageTable()} as t
    where ${context.windowPredicate('t')} and not (${raw(check.expression)})`,
  );
}

/** `failing` is a query of `sample_key` values, one per offending row or key. */
function withSample(ctes: readonly Sql[], failing: Sql): Sql {
  const all = [
    ...ctes,
    sql`failing as (
    ${failing}
  )`,
  ];
  return sql`with ${join(all, ',\n')},
sample as (select sample_key from failing order by sample_key limit ${raw(String(SAMPLE_SIZE))})
select
  (select count(*) from failing) as failing_count,
  (select json_format(cast(array_agg(sample_key order by sample_key) as json)) from sample) as sample_keys`;
}

// ---------------------------------------------------------------- names, types and the window

class CheckContext {
  constructor(
    readonly project: Project,
    readonly names: ResourceNames,
    readonly table: StageTableDef,
    readonly window: QualityWindow,
    readonly check: string,
  ) {}

  error(message: string): QualityCheckSqlError {
    return new QualityCheckSqlError(`check "${this.check}" of stage table ${this.table.table}: ${message}`, {
      family: this.table.product_family,
      check: this.check,
    });
  }

  stageTable(table: StageTableDef = this.table): Sql {
    return qualified(this.names.stageDatabase, table.table);
  }

  stageTableNamed(name: string): StageTableDef {
    const table = [...this.project.stageTables.values()].find((candidate) => candidate.table === name);
    if (!table) throw this.error(`no stage table "${name}"`);
    return table;
  }

  rawTable(event: string): { readonly table: string } {
    const table = this.project.rawTables.get(event);
    if (!table) throw this.error(`event "${event}" has no raw table`);
    return table;
  }

  columnOf(table: StageTableDef, column: string): string {
    this.typeOf(table, column);
    return column;
  }

  typeOf(table: StageTableDef, column: string): ColumnType {
    const declared = [...table.columns, ...table.partition_columns].find((candidate) => candidate.name === column);
    if (!declared) throw this.error(`stage table ${table.table} has no column "${column}"`);
    return parseColumnType(declared.type);
  }

  column(alias: string, column: string): Sql {
    return qualified(alias, this.columnOf(this.table, column));
  }

  /** The column as text, to compare with text parameters. */
  valueText(alias: string, column: string): Sql {
    return asText(this.column(alias, column), this.typeOf(this.table, column));
  }

  rawKeyText(rawTable: string, column: string): Sql {
    const declared = this.project.rawTables.get(rawTable);
    const columnDef = [...(declared?.columns ?? []), ...(declared?.partition_columns ?? [])].find(
      (candidate) => candidate.name === column,
    );
    if (!columnDef) throw this.error(`raw table ${rawTable} has no column "${column}"`);
    return asText(qualified('r', column), parseColumnType(columnDef.type));
  }

  /** One text value from the columns, `|`-separated, NULL shown as `null`, timestamps as ISO 8601. */
  keyText(alias: string, columns: readonly string[]): Sql {
    const parts = columns.map(
      (column) => sql`coalesce(${asText(this.column(alias, column), this.typeOf(this.table, column), true)}, 'null')`,
    );
    return parts.length === 1 ? (parts[0] as Sql) : sql`concat(${join(parts, ", '|', ")})`;
  }

  sampleKey(alias: string, declared: readonly string[] | undefined): Sql {
    return this.keyText(alias, declared ?? this.defaultSampleKey());
  }

  defaultSampleKey(): readonly string[] {
    const all = [...this.table.columns, ...this.table.partition_columns];
    return all.some((column) => column.name === 'event_id') ? ['event_id'] : [all[0]?.name ?? 'event_id'];
  }

  /** `from < column <= to`, and the event filter; every value a parameter, cast to the column's type. */
  windowPredicate(alias: string, from = this.window.from): Sql {
    const { column, to, events } = this.window;
    const type = this.typeOf(this.table, column);
    const bound = (value: string, which: string): Sql | Param => {
      if (isPrimitive(type, 'date')) return sql`cast(${param(isoDate(parseInstant(value, which)))} as date)`;
      if (isPrimitive(type, 'timestamp')) {
        return sql`cast(${param(sqlTimestamp(parseInstant(value, which)))} as timestamp)`;
      }
      if (isPrimitive(type, 'string') || isPrimitive(type, 'varchar')) return param(value);
      throw this.error(`the window column "${column}" is ${describe(type)}; expected date, timestamp or string`);
    };
    const target = this.column(alias, column);
    const range = sql`${target} > ${bound(from, 'from')} and ${target} <= ${bound(to, 'to')}`;
    if (events === undefined) return range;
    if (events.length === 0) return sql`${range} and false`;
    const list = join(
      events.map((event) => sql`${param(event)}`),
      ', ',
    );
    return sql`${range} and ${this.column(alias, 'event_name')} in (${list})`;
  }

  rawWindow(): RawWindow {
    const given = this.window.rawWindow;
    if (given !== undefined) {
      for (const date of [given.fromDate, given.toDate]) {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw this.error(`raw window date "${date}" is not YYYY-MM-DD`);
      }
      return given;
    }
    if (!isPrimitive(this.typeOf(this.table, this.window.column), 'date')) {
      throw this.error(
        `row_count_reconciliation needs the raw window (rawWindow) when the window column "${this.window.column}" is not a date`,
      );
    }
    return {
      fromDate: isoDate(parseInstant(this.window.from, 'from')),
      toDate: isoDate(parseInstant(this.window.to, 'to')),
    };
  }

  /** The check's events (or the family's enabled ones), narrowed to the window's events when it lists some. */
  reconciledEvents(check: QualityCheckOf<'row_count_reconciliation'>): string[] {
    const family = this.project.familyEvents.get(this.table.product_family);
    const declared =
      check.events ?? family?.events.filter((event) => event.enabled).map((event) => event.event_name) ?? [];
    const only = this.window.events;
    return only === undefined ? [...declared] : declared.filter((event) => only.includes(event));
  }
}

function isPrimitive(type: ColumnType, name: string): boolean {
  return type.kind === 'primitive' && type.name === name;
}

function describe(type: ColumnType): string {
  return type.kind === 'primitive' ? type.name : type.kind;
}

/** Text for comparing and showing: strings as they are, timestamps and dates as ISO 8601 when shown. */
function asText(value: Sql, type: ColumnType, forDisplay = false): Sql {
  if (isPrimitive(type, 'string') || isPrimitive(type, 'varchar') || isPrimitive(type, 'char')) return value;
  if (forDisplay && (isPrimitive(type, 'timestamp') || isPrimitive(type, 'date'))) return sql`to_iso8601(${value})`;
  return sql`cast(${value} as varchar)`;
}

function parseInstant(value: string, which: string): Date {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) throw new RangeError(`window ${which} "${value}" is not an ISO 8601 date or timestamp`);
  return new Date(ms);
}

/** A date-only end covers its whole day. */
function windowEndMs(to: string): number {
  const start = parseInstant(to, 'to').getTime();
  return /^\d{4}-\d{2}-\d{2}$/.test(to) ? start + 86_400_000 : start;
}

function isoDate(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}
