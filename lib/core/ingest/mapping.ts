import { createHash } from 'node:crypto';
import { type ColumnType, parseColumnType } from '../model/column-types.ts';
import type { ColumnMapping, MappingVersion, TextStep } from '../model/file-source-schema.ts';
import type { Column } from '../model/schemas.ts';
import { asText, type CastOptions, castCell, type RawValue } from './cast.ts';
import { type Cell, cellText, columnLetter, describeCellError, isCellError, type SourceRecord } from './cells.ts';

/**
 * The mapping registry at work: a file's header picks one mapping version by its fingerprint, and that version
 * turns each record into a row of the dataset, or into the list of reasons it cannot be one.
 */

/** How header names are compared: accents, case, spaces and punctuation do not matter (`E-Mail ` = `e mail`). */
export function normaliseHeaderName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** A short, stable identity of a header: the sorted set of its normalised names, hashed. */
export function headerFingerprint(names: Iterable<string>): string {
  const sorted = [...new Set([...names].map(normaliseHeaderName).filter((n) => n !== ''))].sort();
  return createHash('sha256').update(sorted.join('\n')).digest('hex').slice(0, 16);
}

export interface FileHeader {
  /** The header cells as text, trimmed, by position; `''` for an empty cell. */
  readonly names: readonly string[];
  readonly fingerprint: string;
}

export function readHeader(cells: readonly Cell[]): FileHeader {
  const names = cells.map((c) => cellText(c).trim());
  // Trailing empty header cells (a trailing delimiter, formatting that reaches past the table) are not columns.
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  return { names, fingerprint: headerFingerprint(names) };
}

export type MappingMatch =
  | { readonly ok: true; readonly version: MappingVersion }
  | { readonly ok: false; readonly reason: string; readonly closest?: ClosestVersion };

export interface ClosestVersion {
  readonly version: string;
  /** Columns in the file that this version does not know. */
  readonly unmatched: readonly string[];
  /** Columns this version needs that the file does not have. */
  readonly missing: readonly string[];
}

/** Picks the mapping version whose header the file's header satisfies; the most specific one if several do. */
export function matchMapping(header: FileHeader, versions: readonly MappingVersion[]): MappingMatch {
  const problem = headerProblem(header);
  if (problem !== undefined) return { ok: false, reason: problem };
  const fileNames = new Map<string, string>();
  for (const name of header.names) if (name !== '') fileNames.set(normaliseHeaderName(name), name);

  let best: { version: MappingVersion; required: number } | undefined;
  let closest: { version: MappingVersion; score: number; unmatched: string[]; missing: string[] } | undefined;
  for (const version of versions) {
    const optional = new Set(version.optional_columns.map(normaliseHeaderName));
    const required = new Map<string, string>();
    for (const name of version.header) {
      const normal = normaliseHeaderName(name);
      if (!optional.has(normal)) required.set(normal, name);
    }
    const allowed = new Set([...required.keys(), ...optional]);
    const missing = [...required].filter(([normal]) => !fileNames.has(normal)).map(([, name]) => name);
    const unmatched = [...fileNames].filter(([normal]) => !allowed.has(normal)).map(([, name]) => name);
    const extraOk = version.allow_extra_columns || unmatched.length === 0;
    if (missing.length === 0 && extraOk) {
      if (!best || required.size > best.required) best = { version, required: required.size };
      continue;
    }
    const shared = [...fileNames.keys()].filter((n) => allowed.has(n)).length;
    const score = shared / new Set([...fileNames.keys(), ...allowed]).size;
    if (!closest || score > closest.score) {
      closest = { version, score, unmatched: version.allow_extra_columns ? [] : unmatched, missing };
    }
  }
  if (best) return { ok: true, version: best.version };
  if (!closest) return { ok: false, reason: 'the source declares no mapping versions' };
  const details = [
    closest.missing.length > 0 ? `missing ${quoteList(closest.missing)}` : undefined,
    closest.unmatched.length > 0 ? `unmatched ${quoteList(closest.unmatched)}` : undefined,
  ].filter((d) => d !== undefined);
  return {
    ok: false,
    reason: `header matches no mapping version (fingerprint ${header.fingerprint}); closest is "${closest.version.version}": ${details.join('; ')}`,
    closest: { version: closest.version.version, unmatched: closest.unmatched, missing: closest.missing },
  };
}

function headerProblem(header: FileHeader): string | undefined {
  if (header.names.every((n) => n === '')) return 'the header row is empty';
  const seen = new Map<string, number>();
  for (const [index, name] of header.names.entries()) {
    if (name === '') continue;
    const normal = normaliseHeaderName(name);
    if (normal === '') return `header column ${columnLetter(index)} ("${name}") has no letters or digits`;
    const first = seen.get(normal);
    if (first !== undefined) {
      return `header has column "${name}" twice (columns ${columnLetter(first)} and ${columnLetter(index)})`;
    }
    seen.set(normal, index);
  }
  return undefined;
}

const quoteList = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

// ---------------------------------------------------------------- rows

export interface RowError {
  /** The file's column (header text, or `(row)` for whole-row problems). */
  readonly column: string;
  /** The dataset column being filled, when the error is about one. */
  readonly target?: string;
  readonly value?: string;
  readonly reason: string;
}

/** A mapped row: its values in the dataset's column order (the order `rowMapper` was given), or why it has none. */
export type MappedRow =
  | { readonly ok: true; readonly values: readonly RawValue[] }
  | { readonly ok: false; readonly errors: readonly RowError[] };

interface CompiledColumn {
  readonly target: string;
  readonly type: ColumnType;
  readonly label: string;
  readonly read: (cells: readonly Cell[]) => Cell;
  readonly spec: ColumnMapping | undefined;
  readonly cast: CastOptions;
  readonly pattern: RegExp | undefined;
}

export interface RowMapperOptions {
  /** CSV: a record with more (non-empty) or fewer fields than the header is an error. XLSX rows are sparse. */
  readonly strictWidth: boolean;
  /** CSV `pad_short_rows`: short records get empty trailing fields instead. */
  readonly padShortRows: boolean;
}

/** Compiles a mapping version against the file's header and the dataset's columns into a record → row function. */
export function rowMapper(
  version: MappingVersion,
  header: FileHeader,
  datasetColumns: readonly Column[],
  options: RowMapperOptions,
): (record: SourceRecord) => MappedRow {
  const indexOf = new Map<string, number>();
  header.names.forEach((name, index) => {
    if (name !== '') indexOf.set(normaliseHeaderName(name), index);
  });
  const cellReader = (name: string) => {
    const index = indexOf.get(normaliseHeaderName(name));
    return (cells: readonly Cell[]): Cell => (index === undefined ? null : (cells[index] ?? null));
  };
  const columns: CompiledColumn[] = datasetColumns.map((column) => {
    const spec = version.columns[column.name];
    return {
      target: column.name,
      type: parseColumnType(column.type),
      label: spec ? sourceLabel(spec) : column.name,
      read: spec ? valueReader(spec, cellReader) : () => null,
      spec,
      cast: {
        format: spec?.format,
        decimalSeparator: spec?.decimal_separator ?? '.',
        thousandsSeparator: spec?.thousands_separator ?? '',
        trueValues: spec?.true_values ?? [],
        falseValues: spec?.false_values ?? [],
      },
      pattern: spec?.pattern === undefined ? undefined : new RegExp(spec.pattern, 'u'),
    };
  });
  const width = header.names.length;
  const unnamed = header.names.flatMap((name, index) => (name === '' ? [index] : []));

  return (record) => {
    const errors: RowError[] = [];
    const cells = record.cells;
    if (record.problem !== undefined) return { ok: false, errors: [{ column: '(row)', reason: record.problem }] };
    if (options.strictWidth && cells.length !== width) {
      const extra = cells.slice(width);
      const shortRow = cells.length < width;
      if ((shortRow && !options.padShortRows) || extra.some((c) => cellText(c).trim() !== '')) {
        errors.push({ column: '(row)', reason: `row has ${cells.length} fields, the header has ${width}` });
        return { ok: false, errors };
      }
    }
    for (const index of unnamed) {
      const cell = cells[index] ?? null;
      if (cellText(cell).trim() !== '') {
        errors.push({
          column: columnLetter(index),
          value: cellText(cell),
          reason: `value in column ${columnLetter(index)}, which has no header name`,
        });
      }
    }
    const values: RawValue[] = new Array(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i] as CompiledColumn;
      const result = mapValue(column, cells);
      if (result instanceof ValueError) errors.push({ column: column.label, target: column.target, ...result.error });
      else values[i] = result;
    }
    return errors.length > 0 ? { ok: false, errors } : { ok: true, values };
  };
}

function sourceLabel(spec: ColumnMapping): string {
  if (spec.from !== undefined) return spec.from;
  if (spec.concat !== undefined) return spec.concat.join(' + ');
  if (spec.split !== undefined) return spec.split.from;
  return '(constant)';
}

function valueReader(
  spec: ColumnMapping,
  cellReader: (name: string) => (cells: readonly Cell[]) => Cell,
): (cells: readonly Cell[]) => Cell {
  if (spec.from !== undefined) return cellReader(spec.from);
  if (spec.concat !== undefined) {
    const readers = spec.concat.map(cellReader);
    const separator = spec.separator ?? ' ';
    return (cells) => {
      const parts = readers.map((read) => read(cells));
      const failed = parts.find((p) => p !== null && isCellError(p));
      if (failed !== undefined) return failed;
      const texts = parts.map((p) => (p === null ? '' : asText(p)).trim()).filter((t) => t !== '');
      return texts.length === 0 ? null : texts.join(separator);
    };
  }
  if (spec.split !== undefined) {
    const { separator, index } = spec.split;
    const read = cellReader(spec.split.from);
    return (cells) => {
      const cell = read(cells);
      if (cell === null || isCellError(cell)) return cell;
      const parts = asText(cell).split(separator);
      const part = index < 0 ? parts[parts.length + index] : parts[index];
      return part === undefined ? null : part.trim();
    };
  }
  const constant = spec.constant ?? null;
  return () => constant;
}

function applyStep(text: string, step: TextStep): string {
  switch (step) {
    case 'trim':
      return text.trim();
    case 'upper':
      return text.toUpperCase();
    case 'lower':
      return text.toLowerCase();
    case 'title':
      return text
        .toLowerCase()
        .replace(/(^|[\s'-])(\p{L})/gu, (_m, before: string, letter: string) => before + letter.toUpperCase());
    case 'collapse_spaces':
      return text.replace(/\s+/g, ' ');
    case 'digits_only':
      return text.replace(/\D+/g, '');
  }
}

/** Why a cell gives no value; a value is returned as itself, so a valid cell allocates nothing. */
class ValueError {
  constructor(readonly error: Omit<RowError, 'column' | 'target'>) {}
}

function isEmpty(cell: Cell, type: ColumnType): boolean {
  if (cell === null) return true;
  if (typeof cell !== 'string') return false;
  const textual = type.kind === 'primitive' && ['string', 'varchar', 'char'].includes(type.name);
  return textual ? cell === '' : cell.trim() === '';
}

function mapValue(column: CompiledColumn, cells: readonly Cell[]): RawValue | ValueError {
  const spec = column.spec;
  let cell = column.read(cells);
  if (spec === undefined) return null;
  const read = cell;
  if (cell !== null && isCellError(cell)) {
    return new ValueError({ value: cell.error, reason: describeCellError(cell) });
  }
  if (cell !== null && spec.transforms.length > 0) {
    let text = asText(cell);
    for (const step of spec.transforms) text = applyStep(text, step);
    cell = text;
  }
  if (cell !== null && spec.value_map !== undefined) {
    const key = typeof cell === 'string' ? cell : cellText(cell);
    if (Object.hasOwn(spec.value_map, key)) {
      const mapped = spec.value_map[key];
      cell = mapped === undefined ? null : mapped;
    } else if (spec.value_map_strict && !(typeof cell === 'string' && cell === '')) {
      const known = Object.keys(spec.value_map)
        .map((k) => `"${k}"`)
        .join(', ');
      return new ValueError({ value: key, reason: `"${key}" is not one of the mapped values (${known})` });
    }
  }
  if (isEmpty(cell, column.type) && spec.default !== undefined) cell = spec.default;
  if (isEmpty(cell, column.type) || cell === null) {
    if (spec.required) return new ValueError({ value: originalText(read), reason: 'required value is empty' });
    return null;
  }
  const cast = castCell(cell, column.type, column.cast);
  if (!cast.ok) return new ValueError({ value: originalText(read), reason: cast.reason });
  const rule = ruleViolation(column, cast.value);
  if (rule !== undefined) return new ValueError({ value: originalText(read), reason: rule });
  return cast.value;
}

/** The cell as it was read, for a reject line (computed only when a value is refused). */
function originalText(cell: Cell): string {
  return cell === null ? '' : cellText(cell);
}

function ruleViolation(column: CompiledColumn, value: RawValue): string | undefined {
  const spec = column.spec;
  if (spec === undefined || value === null) return undefined;
  if (column.pattern && !column.pattern.test(String(value))) {
    return `"${String(value)}" does not match the pattern ${spec.pattern}`;
  }
  if (spec.min === undefined && spec.max === undefined) return undefined;
  const numeric = typeof value === 'number' || (typeof value === 'string' && column.type.kind === 'decimal');
  if (spec.min !== undefined && compareBound(value, spec.min, numeric) < 0) {
    return `"${String(value)}" is below the minimum ${spec.min}`;
  }
  if (spec.max !== undefined && compareBound(value, spec.max, numeric) > 0) {
    return `"${String(value)}" is above the maximum ${spec.max}`;
  }
  return undefined;
}

/** Numbers and decimals compare as numbers; dates and timestamps (ISO text) and strings as text. */
function compareBound(value: RawValue, bound: number | string, numeric: boolean): number {
  return numeric ? Number(value) - Number(bound) : String(value).localeCompare(String(bound));
}
