import {
  closeSync,
  createReadStream,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { IngestSummary } from '../../lib/core/ingest/report.ts';
import type { WorkbookSource } from '../../lib/core/ingest/xlsx-reader.ts';
import { readZipDirectory } from '../../lib/core/ingest/zip-directory.ts';
import { resourceNames } from '../../lib/core/model/names.ts';
import { environment } from '../../lib/core/model/project.ts';
import { DAP, timed } from '../lib/process.ts';
import { derived, fact, failures, formatNumber, metric, rss, seconds, show, table } from '../lib/report.ts';
import type { BenchCase, Measurement, Step, StepResult } from '../lib/types.ts';
import { copyProject } from '../lib/workspace.ts';

/**
 * File ingestion as `dap ingest` runs it (the ingest Lambda's code on the local folders): drop into landing, hash,
 * ledger claim, read, map, validate, write NDJSON parts to raw, archive, report. Beside it: our reader alone (the
 * parse floor: papaparse or our XLSX reader (ZIP entries inflated by range, rows parsed as they stream) plus our decoding), and for CSV DuckDB's own `read_csv`
 * converting the same file to NDJSON (`COPY (select * from read_csv(...)) TO ... (FORMAT json)`).
 */

type Variant = 'dap' | 'reader' | 'duckdb';
interface FileParams {
  readonly workDir: string;
  readonly format: 'csv' | 'xlsx';
  /** CSV: target bytes. XLSX: rows (its size follows from them). */
  readonly size: number;
  readonly variant: Variant;
}

const MB = 1024 ** 2;
/** Rows of the registrations workbook per MB, measured from exceljs's output (about 14k). */
const XLSX_ROWS_PER_MB = 14_200;

function filePath(p: FileParams): string {
  return p.format === 'csv'
    ? join(p.workDir, 'files', `sales_bench_${p.size}.csv`)
    : join(p.workDir, 'files', `registrations_bench_${p.size}.xlsx`);
}

function steps(format: 'csv' | 'xlsx', sizeMb: number, repetitions: number): Step[] {
  const size = format === 'csv' ? sizeMb * MB : Math.round(sizeMb * XLSX_ROWS_PER_MB);
  const label = `${format.toUpperCase()} ${sizeMb >= 1024 ? `${sizeMb / 1024} GB` : `${sizeMb} MB`}`;
  const variants: Variant[] = format === 'csv' ? ['dap', 'reader', 'duckdb'] : ['dap', 'reader'];
  return variants.map((variant, i) => ({
    label: `${label} · ${variant === 'dap' ? 'dap ingest' : variant === 'reader' ? 'reader alone' : 'DuckDB read_csv → NDJSON'}`,
    params: { format, size, variant },
    repetitions,
    ...(i === 0 ? { prepare: true } : {}),
  }));
}

/**
 * The bench's files are far larger than the shipped sources allow by default (1,000,000 rows, 1 GB inflated): its
 * copy of the source allows them, as a user loading such files would set it.
 */
function raiseLimits(root: string, source: string): void {
  const path = join(root, 'config', 'sources', 'files', `${source}.json`);
  const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const limits = { max_rows: 100_000_000, max_uncompressed_bytes: 16 * 1024 ** 3 };
  writeFileSync(path, `${JSON.stringify({ ...config, ...limits }, null, 2)}\n`);
}

/** `dap ingest` as a user runs it: the whole CLI process under /usr/bin/time (CPU seconds, peak RSS, wall). */
async function ingestWithDap(p: FileParams, file: string): Promise<Measurement> {
  const root = copyProject(join(p.workDir, 'project'));
  const source = p.format === 'csv' ? 'shop_sales' : 'event_registrations';
  raiseLimits(root, source);
  const dataDir = join(p.workDir, `ingest-${p.format}-${p.size}`);
  rmSync(dataDir, { recursive: true, force: true });
  try {
    const { stdout, metrics, peakRssMb } = timed(process.execPath, [
      DAP,
      '--root',
      root,
      'ingest',
      file,
      '--source',
      source,
      '--data-dir',
      dataDir,
      '--json',
    ]);
    const summary = JSON.parse(stdout) as IngestSummary;
    if (summary.outcome !== 'loaded') {
      throw new Error(
        `ingestion ended ${summary.outcome}: ${summary.reason ?? JSON.stringify(summary.rejected_reasons)}`,
      );
    }
    const { loadProject } = await import('../../lib/config/loader.ts');
    const names = resourceNames(environment(loadProject(root), 'dev'));
    const raw = await rawBytes(join(dataDir, names.buckets.raw));
    return { metrics: { ...metrics, rows: summary.rows.loaded, bytes: summary.bytes, ...raw }, peakRssMb };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * What Athena would scan of the raw files (it scans, and bills, the bytes as stored): the gzip parts as written, and
 * the same NDJSON uncompressed (what `compression: "none"` writes, the text being the same). Outside the timing.
 */
async function rawBytes(rawDir: string): Promise<{ raw_bytes_gzip: number; raw_bytes_plain: number }> {
  let gzip = 0;
  let plain = 0;
  for (const entry of readdirSync(rawDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (entry.name.endsWith('.json.gz')) {
      gzip += statSync(path).size;
      for await (const chunk of createReadStream(path).pipe(createGunzip())) plain += (chunk as Buffer).byteLength;
    } else if (entry.name.endsWith('.json')) {
      const size = statSync(path).size;
      gzip += size;
      plain += size;
    }
  }
  return { raw_bytes_gzip: gzip, raw_bytes_plain: plain };
}

async function readerAlone(p: FileParams, file: string): Promise<Measurement> {
  const { readCsvRecords } = await import('../../lib/core/ingest/csv-reader.ts');
  const { readXlsxRecords } = await import('../../lib/core/ingest/xlsx-reader.ts');
  const started = performance.now();
  let rows = 0;
  const records =
    p.format === 'csv'
      ? readCsvRecords(createReadStream(file, { highWaterMark: 1024 * 1024 }), {
          encoding: 'utf-8',
          delimiter: 'auto',
          maxRecordLength: 1_000_000,
        })
      : readXlsxRecords(workbookFile(file), { sheet: { name: 'Registrations' } });
  for await (const batch of records) rows += batch.length;
  return { metrics: { wall_ms: performance.now() - started, rows: rows - (p.format === 'csv' ? 1 : 3) } };
}

/** A workbook on disk as the XLSX reader takes it: its ZIP directory from the last megabyte, its parts by range. */
function workbookFile(file: string): WorkbookSource {
  const bytes = statSync(file).size;
  const tailBytes = Math.min(bytes, 1024 * 1024);
  const tail = Buffer.alloc(tailBytes);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, tail, 0, tailBytes, bytes - tailBytes);
  } finally {
    closeSync(fd);
  }
  return {
    entries: readZipDirectory(tail, bytes),
    bytes,
    open: async (range) => createReadStream(file, { start: range.start, end: range.end - 1 }),
  };
}

async function duckdbReadCsv(file: string): Promise<Measurement> {
  const out = `${file}.duckdb.json`;
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
    const started = performance.now();
    const result = await connection.run(
      `copy (select * from read_csv(${literal(file)}, header = true)) to ${literal(out)} (format json)`,
    );
    const ms = performance.now() - started;
    return { metrics: { wall_ms: ms, rows: Number(result.rowsChanged) } };
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(out, { force: true });
  }
}

export const fileIngestion: BenchCase = {
  name: 'file-ingestion',
  title: 'File ingestion (CSV, XLSX) beside the parser alone and DuckDB read_csv',
  plan({ quick }): Step[] {
    if (quick) return [...steps('csv', 2, 1), ...steps('xlsx', 1, 1)];
    return [
      ...steps('csv', 10, 3),
      ...steps('csv', 100, 3),
      ...steps('csv', 1024, 1),
      ...steps('xlsx', 10, 3),
      ...steps('xlsx', 100, 1),
    ];
  },
  async prepare(raw) {
    const p = raw as unknown as FileParams;
    const file = filePath(p);
    mkdirSync(join(p.workDir, 'files'), { recursive: true });
    const { writeRegistrationsXlsx, writeSalesCsv } = await import('../lib/files.ts');
    const written = p.format === 'csv' ? await writeSalesCsv(file, p.size) : await writeRegistrationsXlsx(file, p.size);
    return { file_rows: written.rows, file_bytes: written.bytes };
  },
  async measure(raw) {
    const p = raw as unknown as FileParams;
    const file = filePath(p);
    const measured =
      p.variant === 'dap'
        ? await ingestWithDap(p, file)
        : p.variant === 'reader'
          ? await readerAlone(p, file)
          : await duckdbReadCsv(file);
    return measured;
  },
  render(results) {
    return renderIngestion(results);
  },
};

/** Bytes of raw NDJSON per loaded row, uncompressed and as dap writes it by default (gzip), and the ratio. */
function scannedPerRow(result: StepResult | undefined): string {
  const rows = metric(result, 'rows')?.median;
  const plain = metric(result, 'raw_bytes_plain')?.median;
  const gzip = metric(result, 'raw_bytes_gzip')?.median;
  if (!rows || !plain || !gzip) return '–';
  return `${(plain / rows).toFixed(0)} B → ${(gzip / rows).toFixed(1)} B (${(plain / gzip).toFixed(1)}× less)`;
}

function renderIngestion(results: readonly StepResult[]): string {
  const groups = new Map<string, Partial<Record<Variant, StepResult>>>();
  for (const r of results) {
    const name = r.step.label.split(' · ')[0] ?? r.step.label;
    const group = groups.get(name) ?? {};
    group[r.step.params.variant as Variant] = r;
    groups.set(name, group);
  }
  const rowsPerSecond = (m: Measurement) => (m.metrics.rows ?? 0) / ((m.metrics.wall_ms ?? Number.NaN) / 1000);
  const ratio = (a?: StepResult, b?: StepResult) => {
    const x = metric(a, 'wall_ms')?.median;
    const y = metric(b, 'wall_ms')?.median;
    return x && y ? `${(x / y).toFixed(1)}×` : '–';
  };
  const rows = [...groups.entries()].map(([name, g]) => {
    const bytes = Number(fact(g.dap, 'file_bytes'));
    return [
      name,
      `${formatNumber(Number(fact(g.dap, 'file_rows')))} rows, ${formatNumber(bytes / MB)} MB`,
      seconds(metric(g.dap, 'wall_ms')),
      show(metric(g.dap, 'cpu_s'), 's'),
      show(
        derived(g.dap, (m) => bytes / MB / ((m.metrics.wall_ms ?? Number.NaN) / 1000)),
        'MB/s',
      ),
      show(derived(g.dap, rowsPerSecond), 'rows/s'),
      show(rss(g.dap), 'MB'),
      `${show(derived(g.reader, rowsPerSecond), 'rows/s')}; ${show(rss(g.reader), 'MB')}`,
      ratio(g.dap, g.reader),
      g.duckdb ? `${show(derived(g.duckdb, rowsPerSecond), 'rows/s')}; ${show(rss(g.duckdb), 'MB')}` : 'n/a',
      g.duckdb ? ratio(g.dap, g.duckdb) : 'n/a',
      scannedPerRow(g.dap),
    ];
  });
  return (
    [
      "Seeded files of the shipped sources, every row valid: `shop_sales` CSV (8 columns, mapping v2: trims, upper-casing, a date format, a strict value map) and `event_registrations` XLSX (11 columns, a title above the header, dates as date cells). *dap ingest* is the whole command as a user runs it (`node bin/dap.js ingest <file> --source <source>` under `/usr/bin/time`: start-up, project load, copy into landing, SHA-256, ledger, read, map, validate, gzip NDJSON parts into raw, archive the original, report). *Reader alone* is our reader without mapping or writing (papaparse, or our streaming XLSX reader, with our decoding). DuckDB's `read_csv` converts the same CSV to NDJSON, the same output format. DuckDB cannot read XLSX offline (its excel extension is a download), so XLSX has no engine comparison. Peak RSS is the whole process's: the command's for *dap ingest*, the measuring child's (Node + the step) for the others.",
      '',
      table(
        [
          'file',
          'size',
          'dap ingest',
          'dap ingest CPU',
          'MB/s',
          'rows/s',
          'peak RSS',
          'reader alone (rows/s; RSS)',
          'dap ÷ reader',
          'DuckDB read_csv → NDJSON (rows/s; RSS)',
          'dap ÷ DuckDB',
          'Athena scans per row: plain → gzip',
        ],
        rows,
      ),
    ].join('\n') + failures(results)
  );
}
