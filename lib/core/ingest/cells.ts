/**
 * What a parsed cell can hold. CSV cells are always text; XLSX cells keep their type (numbers, booleans, dates
 * from date-formatted cells, the cached result of a formula), so a cast can use the value Excel stored instead of
 * its display text.
 */
export type Cell = string | number | boolean | Date | CellError | null;

/** A cell Excel marks as an error (`#N/A`, `#DIV/0!`), or a formula saved without a cached result. */
export interface CellError {
  readonly error: string;
}

export function isCellError(cell: Cell): cell is CellError {
  return typeof cell === 'object' && cell !== null && !(cell instanceof Date);
}

/** Why a cell holding an error cannot give a value. */
export function describeCellError(cell: CellError): string {
  return cell.error.startsWith('#') ? `the cell holds the Excel error ${cell.error}` : `the cell holds ${cell.error}`;
}

/** One record of the file: `row` is its 1-based number in the file (the header row counts, as in a spreadsheet). */
export interface SourceRecord {
  readonly row: number;
  readonly cells: readonly Cell[];
  /** Set when the parser could read the record but not cleanly (malformed quotes): the row is rejected with it. */
  readonly problem?: string;
}

/** A record's cells as text, for reports and reject files. */
export function cellText(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  if (cell instanceof Date) return cell.toISOString();
  return cell.error;
}

/** A record with nothing in it: no cells, or only empty text. Such rows are counted as blank, not as data. */
export function isBlank(cells: readonly Cell[]): boolean {
  return cells.every((c) => c === null || (typeof c === 'string' && c.trim() === ''));
}

/** Spreadsheet column letters for a 0-based index: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}
