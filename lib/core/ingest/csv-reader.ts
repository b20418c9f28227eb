import Papa from 'papaparse';
import type { SourceRecord } from './cells.ts';
import { chunkDecoder, type TextEncoding } from './encoding.ts';

/**
 * CSV records from a byte stream, with memory bounded by the longest record: text is decoded chunk by chunk and
 * fed to papaparse's low-level parser, which returns the complete records and leaves the unfinished one for the
 * next chunk. A record that grows past `maxRecordLength` (an unclosed quote swallowing the rest of the file, or a
 * runaway field) stops the file instead of growing without bound.
 */

export type Delimiter = ',' | ';' | '\t' | '|';
const CANDIDATES: readonly Delimiter[] = [',', ';', '\t', '|'];

export interface CsvReadOptions {
  readonly encoding: TextEncoding;
  readonly delimiter: Delimiter | 'auto';
  /** In characters. */
  readonly maxRecordLength: number;
  readonly signal?: AbortSignal | undefined;
}

export interface CsvDialect {
  readonly delimiter: Delimiter;
  /** How the delimiter was chosen, for the report. */
  readonly evidence: string;
}

/** The file cannot be read as CSV past some row; the whole file is quarantined. */
export class CsvStructureError extends Error {
  constructor(
    readonly row: number,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`row ${row}: ${detail}`, options);
    this.name = 'CsvStructureError';
  }
}

const SNIFF_CHARS = 64 * 1024;
const BATCH_CHARS = 256 * 1024;

/**
 * Yields records in batches (one per decoded chunk or so). Line endings are normalised to `\n` first (CRLF, LF and
 * old-Mac CR all end a record; inside a quoted field they become `\n`).
 */
export async function* readCsvRecords(
  chunks: AsyncIterable<Uint8Array>,
  options: CsvReadOptions,
  onDialect: (dialect: CsvDialect) => void = () => {},
): AsyncGenerator<SourceRecord[]> {
  const decoder = chunkDecoder(options.encoding);
  let pendingCr = false;
  const normalise = (text: string, final: boolean): string => {
    let t = pendingCr ? `\r${text}` : text;
    pendingCr = !final && t.endsWith('\r');
    if (pendingCr) t = t.slice(0, -1);
    return t.replace(/\r\n?/g, '\n');
  };

  let parser: Papa.Parser | undefined;
  let partial = '';
  let baseIndex = 0;
  let nextRow = 1;
  let sniffBuffer = '';

  /** The records complete so far, and the error that stops the file after them, if any. */
  const feed = (text: string, final: boolean): { records: SourceRecord[]; error?: CsvStructureError } => {
    if (parser === undefined) {
      sniffBuffer += text;
      if (!final && sniffBuffer.length < SNIFF_CHARS) return { records: [] };
      const dialect =
        options.delimiter === 'auto'
          ? sniffDelimiter(sniffBuffer, final)
          : { delimiter: options.delimiter, evidence: 'configured' };
      onDialect(dialect);
      parser = new Papa.Parser({ delimiter: dialect.delimiter, newline: '\n', quoteChar: '"' });
      text = sniffBuffer;
      sniffBuffer = '';
    }
    const aggregate = partial + text;
    const result = parser.parse(aggregate, baseIndex, !final) as PapaResult;
    // Papa reads the text after a final line break as one more, empty, record: an artefact, not a blank row.
    if (final && aggregate.endsWith('\n') && isEmptyRecord(result.data[result.data.length - 1])) result.data.pop();
    const records: SourceRecord[] = [];
    const problems = new Map<number, string>();
    let unclosedAt: number | undefined;
    for (const error of result.errors) {
      if (error.code === 'MissingQuotes') unclosedAt ??= error.row;
      else if (!problems.has(error.row)) {
        problems.set(error.row, 'malformed quotes: a closing quote is not followed by a delimiter or line end');
      }
    }
    for (const [index, cells] of result.data.entries()) {
      const row = nextRow + index;
      if (index === unclosedAt) {
        nextRow += index;
        return {
          records,
          error: new CsvStructureError(row, 'a quoted field is never closed (it runs to the end of the file)'),
        };
      }
      if (recordLength(cells) > options.maxRecordLength) {
        nextRow += index;
        return { records, error: tooLong(row, options.maxRecordLength) };
      }
      const problem = problems.get(index);
      records.push(problem === undefined ? { row, cells } : { row, cells, problem });
    }
    nextRow += result.data.length;
    if (!final) {
      partial = aggregate.substring(result.meta.cursor - baseIndex);
      baseIndex = result.meta.cursor;
      // Raw text is at most three characters per character of content (`"",` per empty field, `""` per quote), so
      // an unfinished record this long is certain to break the limit once complete: stop before it grows further.
      if (partial.length > 3 * options.maxRecordLength + 2)
        return { records, error: tooLong(nextRow, options.maxRecordLength) };
    }
    return { records };
  };

  let batch: SourceRecord[] = [];
  let batchChars = 0;
  for await (const chunk of chunks) {
    options.signal?.throwIfAborted();
    const text = normalise(decoder.decode(chunk), false);
    const fed = feed(text, false);
    batch.push(...fed.records);
    if (fed.error) {
      yield batch;
      throw fed.error;
    }
    batchChars += text.length;
    if (batchChars >= BATCH_CHARS) {
      yield batch;
      batch = [];
      batchChars = 0;
    }
  }
  const fed = feed(normalise(decoder.end(), true), true);
  batch.push(...fed.records);
  if (batch.length > 0) yield batch;
  if (fed.error) throw fed.error;
}

function isEmptyRecord(cells: readonly string[] | undefined): boolean {
  return cells !== undefined && cells.length === 1 && cells[0] === '';
}

/** Characters of content plus one per field: what `max_record_bytes` limits. */
function recordLength(cells: readonly string[]): number {
  let length = cells.length;
  for (const cell of cells) length += cell.length;
  return length;
}

function tooLong(row: number, max: number): CsvStructureError {
  return new CsvStructureError(
    row,
    `record is longer than max_record_bytes (${max} characters): a runaway field or an unclosed quote`,
  );
}

interface PapaResult {
  data: string[][];
  errors: { code: string; row: number }[];
  meta: { cursor: number };
}

/**
 * Picks the candidate that splits the first rows into the same number of fields (more than one) most consistently;
 * a file where none does is read as one column.
 */
export function sniffDelimiter(sample: string, complete: boolean): CsvDialect {
  let text = sample;
  if (!complete) {
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline > 0) text = text.slice(0, lastNewline);
  }
  let best: { delimiter: Delimiter; consistency: number; fields: number } | undefined;
  for (const delimiter of CANDIDATES) {
    const rows = (Papa.parse<string[]>(text, { delimiter, newline: '\n', preview: 50 }).data ?? []).filter(
      (r) => !(r.length === 1 && r[0] === ''),
    );
    if (rows.length === 0) continue;
    const counts = new Map<number, number>();
    for (const r of rows) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
    const [fields, seen] = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0] ?? [1, 0];
    if (fields < 2) continue;
    const consistency = seen / rows.length;
    if (!best || consistency > best.consistency || (consistency === best.consistency && fields > best.fields)) {
      best = { delimiter, consistency, fields };
    }
  }
  if (!best) return { delimiter: ',', evidence: 'no candidate splits the rows; read as one column' };
  const name = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' }[best.delimiter];
  return {
    delimiter: best.delimiter,
    evidence: `${name}: ${best.fields} fields in ${Math.round(best.consistency * 100)}% of the first rows`,
  };
}
