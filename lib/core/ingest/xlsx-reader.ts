import { Readable } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';
import type { XlsxFormat } from '../model/file-source-schema.ts';
import type { ByteRange } from '../ports.ts';
import type { Cell, SourceRecord } from './cells.ts';
import {
  parseDateStyles,
  parseRelationships,
  parseWorkbook,
  type RawCell,
  relationshipsPartOf,
  SharedStringStream,
  SheetRowStream,
  XmlElementError,
} from './xlsx-xml.ts';
import type { ZipEntry } from './zip-directory.ts';

/**
 * XLSX records read straight from the workbook's ZIP entries: the central directory (read from the file's end)
 * says where each part lies, so the workbook, its relationships, styles and shared strings are inflated first
 * (whatever their order in the archive) and the chosen worksheet is then inflated and parsed as it streams, one row
 * at a time. No temporary files, no whole part in memory but the shared strings (bounded by the source's limit).
 * Cells keep their type: dates come as `Date` (a number in a date or time format), formulas give their cached
 * result, rich text its plain text, Excel errors an error.
 */

/** The workbook cannot be used: not a zip, a damaged one, or no worksheet to read. The file is quarantined. */
export class XlsxReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'XlsxReadError';
  }
}

/** A workbook's bytes by range, and its ZIP directory. */
export interface WorkbookSource {
  readonly entries: readonly ZipEntry[];
  /** The whole file's size. */
  readonly bytes: number;
  open(range: ByteRange): Promise<AsyncIterable<Uint8Array>>;
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
/** A row's XML beyond its text: cell tags, references, styles (about 30 characters a cell). */
const ROW_MARKUP_ALLOWANCE = 4 * 1024 * 1024;
const DEFAULT_MAX_ROW_XML = 256 * 1024 * 1024;
const LOCAL_HEADER = 0x04034b50;
const WORKSHEET = '/worksheet';

export async function* readXlsxRecords(
  workbook: WorkbookSource,
  options: XlsxReadOptions,
  onSheet: (sheet: XlsxSheetInfo) => void = () => {},
): AsyncGenerator<SourceRecord[]> {
  const parts = new Parts(workbook, options.signal);
  const workbookPart =
    [...parseRelationships(await parts.optionalText('_rels/.rels'), '').values()].find((r) =>
      r.type.endsWith('/officeDocument'),
    )?.target ?? 'xl/workbook.xml';
  const book = parseWorkbook(await parts.text(workbookPart));
  if (book.sheets.length === 0) throw new XlsxReadError('the workbook has no worksheets');
  const position = book.sheets.findIndex((sheet, index) => isWanted(options.sheet, sheet.name, index + 1)) + 1;
  if (position === 0) {
    throw new XlsxReadError(
      `the workbook has no ${wantedName(options.sheet)} (it has ${book.sheets.map((s) => `"${s.name}"`).join(', ')})`,
    );
  }
  const sheet = book.sheets[position - 1] as (typeof book.sheets)[number];
  const relationships = parseRelationships(await parts.optionalText(relationshipsPartOf(workbookPart)), workbookPart);
  const target = relationships.get(sheet.relationshipId);
  if (target === undefined || !target.type.endsWith(WORKSHEET)) {
    const what = target === undefined ? 'no part' : `a ${target.type.slice(target.type.lastIndexOf('/') + 1)}`;
    throw new XlsxReadError(`worksheet "${sheet.name}" is ${what}, not a worksheet of cells`);
  }
  const related = (type: string) => [...relationships.values()].find((r) => r.type.endsWith(type))?.target;
  const dateStyles = parseDateStyles(await parts.optionalText(related('/styles')));
  const sharedStrings = await parts.sharedStrings(related('/sharedStrings'));
  onSheet({ name: sheet.name, position });

  const maxLength = options.maxRecordLength ?? Number.POSITIVE_INFINITY;
  const rows = new SheetRowStream(
    Number.isFinite(maxLength) ? maxLength * 2 + ROW_MARKUP_ALLOWANCE : DEFAULT_MAX_ROW_XML,
    (row) => `row ${row} is longer than max_record_bytes (${maxLength} characters)`,
  );
  const toCells = cellReader(sharedStrings, dateStyles, book.date1904);
  let batch: SourceRecord[] = [];
  try {
    for await (const text of parts.stream(target.target)) {
      for (const row of rows.push(text)) {
        batch.push({ row: row.row, cells: boundedCells(row.row, toCells(row.cells), maxLength) });
      }
      if (batch.length >= BATCH_ROWS) {
        options.signal?.throwIfAborted();
        yield batch;
        batch = [];
      }
    }
    rows.finish();
  } catch (error) {
    if (error instanceof XmlElementError) throw new XlsxReadError(error.message);
    throw error;
  }
  if (batch.length > 0) yield batch;
}

function isWanted(sheet: XlsxFormat['sheet'], name: string, position: number): boolean {
  if (sheet === undefined) return position === 1;
  if ('name' in sheet) return sheet.name === name;
  return sheet.index === position;
}

function wantedName(sheet: XlsxFormat['sheet']): string {
  if (sheet === undefined) return 'a first worksheet';
  return 'name' in sheet ? `worksheet "${sheet.name}"` : `worksheet number ${sheet.index}`;
}

/** Raw cells → values: shared strings looked up, date-formatted numbers made dates, holes null. */
function cellReader(
  sharedStrings: readonly string[],
  dateStyles: readonly boolean[],
  date1904: boolean,
): (raw: readonly RawCell[]) => Cell[] {
  const epochDays = date1904 ? 24107 : 25569;
  return (raw) => {
    const cells: Cell[] = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const cell = raw[i];
      cells[i] = cell === undefined ? null : valueOfCell(cell);
    }
    return cells;
  };

  function valueOfCell(cell: RawCell): Cell {
    const { type, value } = cell;
    if (value === undefined) {
      return cell.formula
        ? { error: 'a formula without a cached value (saved by a tool that does not calculate)' }
        : null;
    }
    switch (type) {
      case 's': {
        const text = sharedStrings[Number(value)];
        return text ?? { error: `shared string ${value}, which the workbook's string table does not hold` };
      }
      case 'str':
      case 'inlineStr':
        return value;
      case 'b':
        return value.trim() !== '0' && value.trim() !== 'false';
      case 'e':
        return { error: value };
      case 'd': {
        const date = new Date(value);
        return Number.isNaN(date.getTime()) ? { error: `the date "${value}", which is not an ISO 8601 date` } : date;
      }
      default: {
        const number = Number(value);
        if (value.trim() === '' || Number.isNaN(number))
          return { error: `the number "${value}", which is not a number` };
        if (dateStyles[cell.style] === true) return new Date(Math.round((number - epochDays) * 86_400_000));
        return number;
      }
    }
  }
}

/**
 * The row's cells, refusing a row longer than the limit as it is read (a hostile sheet, not a bad value); the
 * limits on columns, cells and rows are the ingestion's, the same for CSV.
 */
function boundedCells(row: number, cells: Cell[], maxLength: number): Cell[] {
  let length = 0;
  for (const cell of cells) {
    length += typeof cell === 'string' ? cell.length : 1;
    if (length > maxLength)
      throw new XlsxReadError(`row ${row} is longer than max_record_bytes (${maxLength} characters)`);
  }
  return cells;
}

/** The workbook's parts by name, read through one source and one abort signal. */
class Parts {
  private readonly entries: ReadonlyMap<string, ZipEntry>;

  constructor(
    private readonly workbook: WorkbookSource,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.entries = new Map(workbook.entries.map((entry) => [entry.name, entry]));
  }

  /** The part's text as it inflates; a part the archive lacks is a damaged workbook. */
  stream(name: string): AsyncGenerator<string> {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new XlsxReadError(`not a readable XLSX workbook: it has no ${name}`);
    return partTexts(this.workbook, entry, this.signal);
  }

  async text(name: string): Promise<string> {
    let text = '';
    for await (const piece of this.stream(name)) text += piece;
    return text;
  }

  /** The part's text, or '' when the archive has no such part (relationships and styles may be left out). */
  async optionalText(name: string | undefined): Promise<string> {
    return name !== undefined && this.entries.has(name) ? this.text(name) : '';
  }

  /** The shared-string table, item by item as it inflates; none when the workbook has no table. */
  async sharedStrings(name: string | undefined): Promise<string[]> {
    const entry = name === undefined ? undefined : this.entries.get(name);
    if (name === undefined || entry === undefined) return [];
    const items = new SharedStringStream(Math.max(entry.uncompressedBytes, 1024));
    const strings: string[] = [];
    try {
      for await (const text of this.stream(name)) {
        for (const item of items.push(text)) strings.push(item);
      }
      items.finish();
    } catch (error) {
      if (error instanceof XmlElementError) throw new XlsxReadError(`not a readable XLSX workbook: ${error.message}`);
      throw error;
    }
    return strings;
  }
}

/** A part's text as it inflates (UTF-8; a character split between chunks is joined). */
async function* partTexts(
  workbook: WorkbookSource,
  entry: ZipEntry,
  signal: AbortSignal | undefined,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const bytes of inflateEntry(workbook, entry, signal)) yield decoder.decode(bytes, { stream: true });
  const rest = decoder.decode();
  if (rest.length > 0) yield rest;
}

/**
 * One entry's bytes, inflated as they are read. The entry may not inflate past the size its directory record
 * declares (the decompression-bomb limits were checked against those figures).
 */
async function* inflateEntry(
  workbook: WorkbookSource,
  entry: ZipEntry,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  const damaged = (detail: string) => new XlsxReadError(`not a readable XLSX workbook: ${entry.name} ${detail}`);
  if (entry.encrypted) throw damaged('is encrypted');
  if (entry.method !== 0 && entry.method !== 8)
    throw damaged(`uses ZIP compression method ${entry.method}, not deflate`);
  // The local header's name and extra field may differ in length from the directory's: read them from the header.
  const end = Math.min(workbook.bytes, entry.localHeaderOffset + 30 + 2 * 65_535 + entry.compressedBytes);
  const body = await workbook.open({ start: entry.localHeaderOffset, end });
  let produced = 0;
  let crc = 0;
  const check = (chunk: Uint8Array): Uint8Array => {
    produced += chunk.byteLength;
    crc = crc32(chunk, crc);
    if (produced > entry.uncompressedBytes) {
      throw damaged(
        `inflates past the ${entry.uncompressedBytes} bytes its ZIP directory declares (a damaged or hostile file)`,
      );
    }
    return chunk;
  };
  const compressed = compressedBytesOf(body, entry, damaged);
  const complete = () => {
    if (produced !== entry.uncompressedBytes || crc !== entry.crc32) {
      throw damaged(`fails its CRC-32 or size check (${produced} of ${entry.uncompressedBytes} bytes; a damaged file)`);
    }
  };
  if (entry.method === 0) {
    for await (const chunk of compressed) yield check(chunk);
    complete();
    return;
  }
  const source = Readable.from(compressed, { objectMode: false });
  const inflater = createInflateRaw();
  source.on('error', (error) => inflater.destroy(error));
  source.pipe(inflater);
  try {
    for await (const chunk of inflater) {
      signal?.throwIfAborted();
      yield check(chunk as Uint8Array);
    }
    complete();
  } catch (error) {
    if (error instanceof XlsxReadError || (error instanceof Error && error.name === 'AbortError')) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw damaged(`cannot be inflated: ${detail} (a damaged file)`);
  } finally {
    source.destroy();
    inflater.destroy();
  }
}

/** The entry's compressed bytes: the range after its local header, cut at its compressed size. */
async function* compressedBytesOf(
  body: AsyncIterable<Uint8Array>,
  entry: ZipEntry,
  damaged: (detail: string) => XlsxReadError,
): AsyncGenerator<Uint8Array> {
  let header: Uint8Array = new Uint8Array(0);
  let skip = -1;
  let left = entry.compressedBytes;
  for await (const raw of body) {
    let chunk = raw;
    if (skip < 0) {
      header = header.byteLength === 0 ? chunk : Buffer.concat([header, chunk]);
      if (header.byteLength < 30) continue;
      const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
      if (view.getUint32(0, true) !== LOCAL_HEADER) throw damaged('has no local header where its directory says');
      skip = 30 + view.getUint16(26, true) + view.getUint16(28, true);
      chunk = header;
    }
    if (skip > 0) {
      const skipped = Math.min(skip, chunk.byteLength);
      chunk = chunk.subarray(skipped);
      skip -= skipped;
    }
    if (chunk.byteLength === 0) continue;
    const take = chunk.byteLength > left ? chunk.subarray(0, left) : chunk;
    left -= take.byteLength;
    yield take;
    if (left === 0) return;
  }
  if (left > 0) throw damaged('ends early (a truncated file)');
}
