import { type ColumnType, parseColumnType } from './model/column-types.ts';
import type { Column } from './model/schemas.ts';
import { sqlTimestamp } from './sql/timestamp-literal.ts';

/**
 * A raw record with every declared field present and not NULL, at every level (each struct field, one element per
 * array, one entry per map), keys spelled as declared: what `dap check --fill` runs each transform on, so that a
 * stage column left NULL names a reference the declaration does not satisfy (a misspelt field, a case the engine
 * would not match, a path that is not there) rather than missing data. Values are plausible for their names, so
 * date parsing in a transform sees dates: `*timestamp*`, `*_ms` numbers are epoch seconds or milliseconds, strings
 * named like a date or time are ISO-8601.
 */
export function filledRecord(columns: readonly Column[]): Record<string, unknown> {
  return Object.fromEntries(
    columns.map((column) => [column.name, filledValue(column.name, parseColumnType(column.type))]),
  );
}

/** The value of one partition column in the folder `name=value` the fill record is written under. */
export function filledPartitionValue(name: string): string {
  const lower = name.toLowerCase();
  if (lower === 'year') return String(FILL_INSTANT.getUTCFullYear());
  if (lower === 'month') return String(FILL_INSTANT.getUTCMonth() + 1).padStart(2, '0');
  if (lower === 'day') return String(FILL_INSTANT.getUTCDate()).padStart(2, '0');
  if (/date|dt$/.test(lower)) return FILL_INSTANT.toISOString().slice(0, 10);
  return `${name}-fill`;
}

/** The instant every time-like fill value stands for (a past, committed day). */
export const FILL_INSTANT = new Date('2024-01-15T10:20:30.123Z');

function filledValue(name: string, type: ColumnType): unknown {
  switch (type.kind) {
    case 'struct':
      return Object.fromEntries(type.fields.map((field) => [field.name, filledValue(field.name, field.type)]));
    case 'array':
      return [filledValue(name, type.element)];
    case 'map':
      return { [`${name}-key`]: filledValue(name, type.value) };
    case 'decimal':
      return Number((1).toFixed(Math.min(type.scale, 2)));
    case 'primitive':
      return primitiveValue(name, type.name);
  }
}

function primitiveValue(name: string, type: string): unknown {
  const lower = name.toLowerCase();
  const seconds = Math.floor(FILL_INSTANT.getTime() / 1000);
  switch (type) {
    case 'boolean':
      return true;
    case 'tinyint':
    case 'smallint':
      return 1;
    case 'int':
    case 'integer':
      return /time|date|epoch/.test(lower) ? seconds : 1;
    case 'bigint':
      if (/_ms$|millis/.test(lower)) return FILL_INSTANT.getTime();
      return /time|date|epoch/.test(lower) ? seconds : 1;
    case 'float':
    case 'real':
    case 'double':
      return 1.5;
    case 'date':
      return FILL_INSTANT.toISOString().slice(0, 10);
    case 'timestamp':
      return sqlTimestamp(FILL_INSTANT);
    default:
      if (/time|date|_at$|_on$/.test(lower)) return FILL_INSTANT.toISOString();
      return `${name}-fill`;
  }
}
