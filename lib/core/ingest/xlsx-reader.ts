import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { XlsxFormat } from '../model/file-source-schema.ts';
import type { Cell, SourceRecord } from './cells.ts';

/**
 * XLSX records from a byte stream through exceljs's streaming reader: rows are read as the worksheet XML streams
 * past, never the whole workbook at once. Cells keep their type: dates come as `Date` (the styles are read, so a
 * date-formatted cell is told from a number), formulas give their cached result, rich text its plain text.
 */

/** The workbook cannot be used: not a zip, a damaged one, or no worksheet to read. The file is quarantined. */
export class XlsxReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'XlsxReadError';
  }
}

export interface XlsxReadOptions {
  readonly sheet: XlsxFormat['sheet'];
  readonly signal?: AbortSignal | undefined;
  /** Characters of all of a row's text cells together, as `max_record_bytes` limits a CSV record. @default no limit */
  readonly maxRecordLength?: number;
}

export interface XlsxSheetInfo {
  readonly name: string;
  readonly position: number;
}

const BATCH_ROWS = 1000;

export async function* readXlsxRecords(
  chunks: AsyncIterable<Uint8Array>,
  options: XlsxReadOptions,
  onSheet: (sheet: XlsxSheetInfo) => void = () => {},
): AsyncGenerator<SourceRecord[]> {
  const input = Readable.from(chunks, { objectMode: false });
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const seen: string[] = [];
  let found = false;
  try {
    for await (const worksheet of reader) {
      options.signal?.throwIfAborted();
      const sheet = worksheet as unknown as WorksheetLike;
      const position = sheetPosition(reader, sheet.name) ?? seen.length + 1;
      seen.push(sheet.name);
      if (found || !isWanted(options.sheet, sheet.name, position)) continue;
      found = true;
      onSheet({ name: sheet.name, position });
      let batch: SourceRecord[] = [];
      for await (const row of sheet) {
        batch.push({ row: row.number, cells: boundedCells(row.number, row.values, options) });
        if (batch.length >= BATCH_ROWS) {
          options.signal?.throwIfAborted();
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    }
  } catch (error) {
    if (error instanceof XlsxReadError || (error instanceof Error && error.name === 'AbortError')) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    const hint = detail === 'FILE_ENDED' ? ' (the ZIP data ends early: a truncated or damaged file)' : '';
    throw new XlsxReadError(`not a readable XLSX workbook: ${detail}${hint}`, { cause: error });
  } finally {
    input.destroy();
  }
  if (seen.length === 0) throw new XlsxReadError('the workbook has no worksheets');
  if (!found) {
    const wanted =
      options.sheet === undefined
        ? 'a first worksheet'
        : 'name' in options.sheet
          ? `worksheet "${options.sheet.name}"`
          : `worksheet number ${options.sheet.index}`;
    throw new XlsxReadError(`the workbook has no ${wanted} (it has ${seen.map((s) => `"${s}"`).join(', ')})`);
  }
}

interface WorksheetLike extends AsyncIterable<{ number: number; values: unknown }> {
  readonly name: string;
}

function isWanted(sheet: XlsxFormat['sheet'], name: string, position: number): boolean {
  if (sheet === undefined) return position === 1;
  if ('name' in sheet) return sheet.name === name;
  return sheet.index === position;
}

/** The worksheet's place in the workbook's tab order (zip order may differ). */
function sheetPosition(reader: unknown, name: string): number | undefined {
  const sheets = (reader as { model?: { sheets?: { name?: string }[] } }).model?.sheets;
  const index = sheets?.findIndex((s) => s.name === name) ?? -1;
  return index >= 0 ? index + 1 : undefined;
}

/**
 * The row's cells, refusing a row longer than the limit as it is read (a hostile sheet, not a bad value); the
 * limits on columns, cells and rows are the ingestion's, the same for CSV.
 */
function boundedCells(row: number, values: unknown, options: XlsxReadOptions): Cell[] {
  const cells = rowCells(values);
  const maxLength = options.maxRecordLength ?? Number.POSITIVE_INFINITY;
  let length = 0;
  for (const cell of cells) {
    length += typeof cell === 'string' ? cell.length : 1;
    if (length > maxLength)
      throw new XlsxReadError(`row ${row} is longer than max_record_bytes (${maxLength} characters)`);
  }
  return cells;
}

/** exceljs row values are 1-based and sparse; cells become 0-based, holes become null. */
function rowCells(values: unknown): Cell[] {
  if (!Array.isArray(values)) return [];
  const cells: Cell[] = [];
  for (let i = 1; i < values.length; i++) cells.push(toCell(values[i]));
  return cells;
}

export function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('formula' in v || 'sharedFormula' in v) {
      // exceljs's streaming reader drops a cached error value (#DIV/0!) as if the formula had never been calculated.
      const result = v.result;
      if (result === undefined || (typeof result === 'number' && Number.isNaN(result))) {
        return { error: 'a formula without a usable cached value (never calculated, or an Excel error)' };
      }
      return toCell(result);
    }
    if (Array.isArray(v.richText))
      return v.richText.map((part: { text?: unknown }) => String(part.text ?? '')).join('');
    if ('error' in v) return { error: String(v.error) };
    if ('text' in v) return toCell(v.text);
  }
  return String(value);
}
