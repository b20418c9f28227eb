/**
 * Trino TIMESTAMP literals as text (`2001-1-22 03:04`, `2001-01-22 03:04:05.321 +07:09`), read one way for the local
 * translator (which turns them into DuckDB literals) and for `dap check` (which refuses zones DuckDB cannot keep), so
 * what the lint lets through is what runs.
 */

export interface TimestampLiteral {
  /** `yyyy-mm-dd hh:mm:ss[.fff]`, zero-padded, as DuckDB reads it. */
  readonly wallTime: string;
  /** Digits after the seconds' point: Trino's timestamp(p). */
  readonly precision: number;
  /** The zone written after the time, if any (`UTC`, `+07:09`, `Europe/Berlin`): Trino's timestamp with time zone. */
  readonly zone?: string;
}

const TIMESTAMP_LITERAL =
  /^\s*(-?\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d+))?)?)?\s*(?:([+-]\d{1,2}(?::?\d{2})?|[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*))?\s*$/;

/** Reads a Trino TIMESTAMP literal's text (`2001-1-22 03:04`, `2001-01-22 03:04:05.321 +07:09`). */
export function parseTimestampLiteral(text: string): TimestampLiteral | undefined {
  const match = TIMESTAMP_LITERAL.exec(text);
  if (!match) return undefined;
  const [, year = '', month = '', day = '', hour = '0', minute = '0', second = '0', fraction = '', zone] = match;
  const pad = (part: string) => part.padStart(2, '0');
  const wallTime = `${year}-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(minute)}:${pad(second)}${fraction ? `.${fraction}` : ''}`;
  return { wallTime, precision: fraction.length, ...(zone === undefined ? {} : { zone }) };
}

/** Zones that name UTC itself: a literal in one of them is the same instant and text locally. */
export function isUtcZone(zone: string): boolean {
  return /^(?:utc|z|gmt|ut|zulu|etc\/utc|etc\/gmt|[+-]0?0(?::?00)?)$/i.test(zone);
}

/**
 * `YYYY-MM-DD HH:MM:SS.sss` in UTC: the timestamp text Trino's cast(varchar as timestamp), Athena's JSON SerDe and
 * Redshift all read (Trino rejects ISO's `T` and `Z`).
 */
export function sqlTimestamp(instant: Date): string {
  return instant.toISOString().replace('T', ' ').replace('Z', '');
}
