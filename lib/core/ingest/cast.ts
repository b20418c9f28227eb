import type { ColumnType } from '../model/column-types.ts';
import { type Cell, describeCellError, isCellError } from './cells.ts';

/**
 * Casting a cell to a dataset column's type, with explicit formats. Every failure is a sentence saying what was
 * expected, so a reject line reads on its own: `"31/02/2026" is not a date in format DD/MM/YYYY`.
 */

/** A value ready for the raw NDJSON: dates as `YYYY-MM-DD`, timestamps as `YYYY-MM-DD HH:MM:SS[.mmm]`, decimals and
 * integers beyond 2^53 as text (the engines read them exactly). */
export type RawValue = string | number | boolean | null;

export type CastResult =
  | { readonly ok: true; readonly value: RawValue }
  | { readonly ok: false; readonly reason: string };

export interface CastOptions {
  readonly format?: string | undefined;
  readonly decimalSeparator: '.' | ',';
  readonly thousandsSeparator: string;
  readonly trueValues: readonly string[];
  readonly falseValues: readonly string[];
}

export const DEFAULT_CAST_OPTIONS: CastOptions = {
  decimalSeparator: '.',
  thousandsSeparator: '',
  trueValues: ['true', 'yes', 'y', '1'],
  falseValues: ['false', 'no', 'n', '0'],
};

/** The column types a mapping may target; `dap check` reports any other. */
export function castableTypeProblem(type: ColumnType): string | undefined {
  if (type.kind === 'decimal') return undefined;
  if (type.kind !== 'primitive') return `${type.kind} columns cannot be filled from a file cell`;
  if (type.name === 'binary') return 'binary columns cannot be filled from a file cell';
  return undefined;
}

const INTEGER_RANGES: Record<string, readonly [bigint, bigint]> = {
  tinyint: [-128n, 127n],
  smallint: [-32768n, 32767n],
  int: [-2147483648n, 2147483647n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};

const ok = (value: RawValue): CastResult => ({ ok: true, value });
const fail = (reason: string): CastResult => ({ ok: false, reason });

/** Casts a non-empty cell; empty cells are handled (default, required) before this is called. */
export function castCell(cell: Exclude<Cell, null>, type: ColumnType, options: CastOptions): CastResult {
  if (isCellError(cell)) return fail(describeCellError(cell));
  if (type.kind === 'decimal') return castDecimal(cell, type.precision, type.scale, options);
  if (type.kind !== 'primitive') return fail(`cannot cast to ${type.kind}`);
  switch (type.name) {
    case 'string':
    case 'varchar':
    case 'char':
      return ok(asText(cell));
    case 'boolean':
      return castBoolean(cell, options);
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'integer':
    case 'bigint':
      return castInteger(cell, type.name, options);
    case 'float':
    case 'real':
    case 'double':
      return castDouble(cell, options);
    case 'date':
      return castDate(cell, options.format);
    case 'timestamp':
      return castTimestamp(cell, options.format);
    case 'binary':
      return fail('cannot cast to binary');
  }
}

/** How a typed cell reads as text: Excel dates without a time as `YYYY-MM-DD`, numbers without exponent noise. */
export function asText(cell: Exclude<Cell, null>): string {
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  if (typeof cell === 'number') return Number.isInteger(cell) ? cell.toFixed(0) : String(cell);
  if (cell instanceof Date) {
    const text = formatTimestamp(cell);
    return text.endsWith(' 00:00:00') ? text.slice(0, 10) : text;
  }
  return cell.error;
}

function castBoolean(cell: Exclude<Cell, null>, options: CastOptions): CastResult {
  if (typeof cell === 'boolean') return ok(cell);
  const text = asText(cell).trim().toLowerCase();
  if (options.trueValues.some((v) => v.toLowerCase() === text)) return ok(true);
  if (options.falseValues.some((v) => v.toLowerCase() === text)) return ok(false);
  return fail(
    `"${asText(cell)}" is not a boolean (expected one of ${[...options.trueValues, ...options.falseValues].join(', ')})`,
  );
}

/** Digits with optional sign and decimal part, after removing the thousands separator. */
function normaliseNumberText(text: string, options: CastOptions): string | undefined {
  let t = text.trim();
  if (options.thousandsSeparator !== '') t = t.split(options.thousandsSeparator).join('');
  if (options.decimalSeparator === ',') {
    if (t.includes('.')) return undefined;
    t = t.replace(',', '.');
  }
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t) ? t : undefined;
}

function numberFormatHint(options: CastOptions): string {
  const parts = [`decimal separator "${options.decimalSeparator}"`];
  if (options.thousandsSeparator !== '') parts.push(`thousands separator "${options.thousandsSeparator}"`);
  return parts.join(', ');
}

function castInteger(cell: Exclude<Cell, null>, name: string, options: CastOptions): CastResult {
  const range = INTEGER_RANGES[name] ?? INTEGER_RANGES.bigint;
  let digits: string;
  if (typeof cell === 'number') {
    if (!Number.isInteger(cell)) return fail(`"${cell}" is not a whole number (${name})`);
    digits = cell.toFixed(0);
  } else if (typeof cell === 'string') {
    const text = normaliseNumberText(cell, options);
    if (text === undefined || !/^[+-]?\d+(\.0*)?$/.test(text)) {
      return fail(`"${cell}" is not a whole number (${name}, ${numberFormatHint(options)})`);
    }
    digits = text.replace(/\.0*$/, '');
  } else return fail(`"${asText(cell)}" is not a whole number (${name})`);
  const big = BigInt(digits);
  if (range && (big < range[0] || big > range[1])) return fail(`"${digits}" is out of range for ${name}`);
  return ok(
    big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString(),
  );
}

function castDouble(cell: Exclude<Cell, null>, options: CastOptions): CastResult {
  if (typeof cell === 'number') return Number.isFinite(cell) ? ok(cell) : fail(`"${cell}" is not a finite number`);
  if (typeof cell !== 'string') return fail(`"${asText(cell)}" is not a number`);
  const text = normaliseNumberText(cell, options);
  if (text === undefined) return fail(`"${cell}" is not a number (${numberFormatHint(options)})`);
  return ok(Number(text));
}

function castDecimal(cell: Exclude<Cell, null>, precision: number, scale: number, options: CastOptions): CastResult {
  let text: string | undefined;
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) return fail(`"${cell}" is not a finite number`);
    // Excel stores binary doubles: 19.99 arrives as 19.989999999999998. Rounding to the scale is what Excel shows.
    text = cell.toFixed(scale);
  } else if (typeof cell === 'string') text = normaliseNumberText(cell, options);
  if (text === undefined) return fail(`"${asText(cell)}" is not a number (${numberFormatHint(options)})`);
  const negative = text.startsWith('-');
  const unsigned = text.replace(/^[+-]/, '');
  const [whole = '', fraction = ''] = unsigned.split('.');
  const trimmedFraction = fraction.replace(/0+$/, '');
  if (trimmedFraction.length > scale) {
    return fail(
      `"${asText(cell)}" has ${trimmedFraction.length} decimal places, decimal(${precision},${scale}) allows ${scale}`,
    );
  }
  const wholeDigits = whole.replace(/^0+(?=\d)/, '') || '0';
  if (wholeDigits !== '0' && wholeDigits.length > precision - scale) {
    return fail(`"${asText(cell)}" has too many digits for decimal(${precision},${scale})`);
  }
  const value = scale > 0 ? `${wholeDigits}.${trimmedFraction.padEnd(scale, '0')}` : wholeDigits;
  return ok(negative && /[1-9]/.test(value) ? `-${value}` : value);
}

// ---------------------------------------------------------------- dates

/** Days between Excel's epoch (1899-12-30, which absorbs Excel's 1900 leap-year bug) and 1970-01-01. */
const EXCEL_EPOCH_OFFSET_DAYS = 25569;

/** An Excel serial date-time (days since 1899-12-30, fraction = time of day) as a UTC wall-clock Date. */
export function excelSerialToDate(serial: number): Date {
  return new Date(Math.round((serial - EXCEL_EPOCH_OFFSET_DAYS) * 86_400_000));
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

interface CompiledFormat {
  readonly regex: RegExp;
  readonly fields: readonly string[];
}

const formatCache = new Map<string, CompiledFormat>();
const TOKENS = ['YYYY', 'MMM', 'SSS', 'YY', 'MM', 'DD', 'HH', 'mm', 'ss', 'M', 'D', 'H'] as const;
const TOKEN_PATTERNS: Record<(typeof TOKENS)[number], string> = {
  YYYY: '(\\d{4})',
  YY: '(\\d{2})',
  MMM: '([A-Za-z]{3})',
  MM: '(\\d{2})',
  M: '(\\d{1,2})',
  DD: '(\\d{2})',
  D: '(\\d{1,2})',
  HH: '(\\d{2})',
  H: '(\\d{1,2})',
  mm: '(\\d{2})',
  ss: '(\\d{2})',
  SSS: '(\\d{1,3})',
};

/** Compiles `DD/MM/YYYY HH:mm` into a regular expression; throws a `RangeError` naming an unusable format. */
export function compileDateFormat(format: string): CompiledFormat {
  const cached = formatCache.get(format);
  if (cached) return cached;
  let pattern = '';
  const fields: string[] = [];
  for (let i = 0; i < format.length; ) {
    const token = TOKENS.find((t) => format.startsWith(t, i));
    if (token) {
      pattern += TOKEN_PATTERNS[token];
      fields.push(token);
      i += token.length;
    } else {
      pattern += (format[i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  const has = (...names: string[]) => names.some((n) => fields.includes(n));
  if (!has('YYYY', 'YY') || !has('MMM', 'MM', 'M') || !has('DD', 'D')) {
    throw new RangeError(
      `date format "${format}" needs a year (YYYY or YY), a month (MM, M or MMM) and a day (DD or D)`,
    );
  }
  const compiled = { regex: new RegExp(`^${pattern}$`), fields };
  formatCache.set(format, compiled);
  return compiled;
}

interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

function parseWithFormat(text: string, format: string): DateParts | undefined {
  const { regex, fields } = compileDateFormat(format);
  const match = regex.exec(text.trim());
  if (!match) return undefined;
  const parts: DateParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 };
  for (let i = 0; i < fields.length; i++) {
    const raw = match[i + 1] ?? '';
    const n = Number(raw);
    switch (fields[i]) {
      case 'YYYY':
        parts.year = n;
        break;
      case 'YY':
        parts.year = 2000 + n;
        break;
      case 'MMM': {
        const index = MONTHS.indexOf(raw.toLowerCase());
        if (index < 0) return undefined;
        parts.month = index + 1;
        break;
      }
      case 'MM':
      case 'M':
        parts.month = n;
        break;
      case 'DD':
      case 'D':
        parts.day = n;
        break;
      case 'HH':
      case 'H':
        parts.hour = n;
        break;
      case 'mm':
        parts.minute = n;
        break;
      case 'ss':
        parts.second = n;
        break;
      case 'SSS':
        parts.millisecond = Number(raw.padEnd(3, '0'));
        break;
    }
  }
  return validParts(parts) ? parts : undefined;
}

function validParts(p: DateParts): boolean {
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.hour > 23 || p.minute > 59 || p.second > 59) return false;
  const date = new Date(Date.UTC(p.year, p.month - 1, p.day));
  return date.getUTCFullYear() === p.year && date.getUTCMonth() === p.month - 1 && date.getUTCDate() === p.day;
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z)?)?$/;

function parseIso(text: string): DateParts | undefined {
  const m = ISO_DATE_TIME.exec(text.trim());
  if (!m) return undefined;
  const parts: DateParts = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    millisecond: Number((m[7] ?? '0').padEnd(3, '0')),
  };
  return validParts(parts) ? parts : undefined;
}

function partsOf(date: Date): DateParts {
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    millisecond: date.getUTCMilliseconds(),
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function formatDateParts(p: DateParts): string {
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

function formatTimestampParts(p: DateParts): string {
  const base = `${formatDateParts(p)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
  return p.millisecond === 0 ? base : `${base}.${pad(p.millisecond, 3)}`;
}

export function formatTimestamp(date: Date): string {
  return formatTimestampParts(partsOf(date));
}

function dateParts(cell: Exclude<Cell, null>, format: string | undefined, what: string): DateParts | string {
  if (cell instanceof Date) {
    if (Number.isNaN(cell.getTime())) return 'the cell holds an invalid date';
    return partsOf(cell);
  }
  if (typeof cell === 'number') {
    // A number reaching a date column is an Excel serial whose cell was not formatted as a date.
    if (cell < 1 || cell > 2958465) return `"${cell}" is not an Excel date serial (1 to 2958465)`;
    return partsOf(excelSerialToDate(cell));
  }
  if (typeof cell !== 'string') return `"${asText(cell)}" is not a ${what}`;
  const parts = format === undefined ? parseIso(cell) : parseWithFormat(cell, format);
  if (parts) return parts;
  return `"${cell}" is not a ${what} in format ${format ?? (what === 'date' ? 'YYYY-MM-DD' : 'YYYY-MM-DD HH:mm:ss')}`;
}

function castDate(cell: Exclude<Cell, null>, format: string | undefined): CastResult {
  const parts = dateParts(cell, format, 'date');
  return typeof parts === 'string' ? fail(parts) : ok(formatDateParts(parts));
}

function castTimestamp(cell: Exclude<Cell, null>, format: string | undefined): CastResult {
  const parts = dateParts(cell, format, 'timestamp');
  return typeof parts === 'string' ? fail(parts) : ok(formatTimestampParts(parts));
}

/** Parses text into `YYYY-MM-DD` with a format (used for snapshot dates in object names). */
export function parseDateText(text: string, format: string): string | undefined {
  const parts = parseWithFormat(text, format);
  return parts ? formatDateParts(parts) : undefined;
}
