import { createHash, randomUUID } from 'node:crypto';
import type { FileSource } from '../../config/file-source-schema.ts';
import type { Project, RawTableDef, SourceDef } from '../../config/loader.ts';
import type { ControlStore, ObjectStore } from '../ports.ts';
import { parseDateText, type RawValue } from './cast.ts';
import { type Cell, cellText, columnLetter, isBlank, type SourceRecord } from './cells.ts';
import { CsvStructureError, readCsvRecords } from './csv-reader.ts';
import { detectEncoding, type TextEncoding, Utf8Validator } from './encoding.ts';
import { globToRegExp, routeKey, safeBaseName, UNROUTED, utcDay } from './keys.ts';
import { type ClosestVersion, type FileHeader, matchMapping, readHeader, rowMapper } from './mapping.ts';
import {
  type IngestOutcome,
  type IngestSummary,
  type LedgerEntry,
  LINEAGE_COLUMNS,
  leaseName,
  ledgerKey,
  type ParseFacts,
  type RejectLine,
} from './report.ts';
import { readXlsxRecords, XlsxReadError } from './xlsx-reader.ts';

/**
 * Ingests one object from the landing bucket: the step the ingest Lambda, `dap ingest` and `dap watch` all run.
 *
 * 1. Hash the object (SHA-256, streamed) and take a lease on the hash, so one content is ingested by one worker.
 * 2. Look the hash up in the ledger: content already loaded is a duplicate (quarantined with a report, never
 *    loaded twice); an attempt that failed or was interrupted has its outputs deleted and starts from scratch.
 * 3. Stream the records (CSV or XLSX), match the header to a mapping version, map and validate each row; valid
 *    rows go to staging parts in the raw bucket, invalid ones to reject parts in the quarantine bucket.
 * 4. Decide: load (all, or the valid rows when the reject ratio allows) or quarantine the whole file.
 * 5. Reconcile (rows in = loaded + rejected, and the written lines agree), publish the staging parts under the
 *    raw table's location, write the report, move the original to the archive or the quarantine, and only then
 *    mark the hash done in the ledger.
 */

export interface IngestBuckets {
  readonly landing: string;
  readonly raw: string;
  readonly archive: string;
  readonly quarantine: string;
}

export interface IngestDeps {
  readonly project: Project;
  readonly buckets: IngestBuckets;
  readonly store: ObjectStore;
  readonly control: ControlStore;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default a random `ing-<uuid>` */
  readonly newRunId?: () => string;
  /** Size of a raw or reject part before it is written out; bounds memory. @default 8 MiB */
  readonly partBytes?: number;
  /** How long the per-hash lease lives without a heartbeat (renewed at every part). @default 600 */
  readonly leaseSeconds?: number;
  /** Aborting stops at the next chunk; the attempt is cleaned up and the file stays in landing. */
  readonly signal?: AbortSignal;
}

/** Another worker holds this content's lease (the same file dropped twice at once): retry later. */
export class IngestBusyError extends Error {
  constructor(
    readonly key: string,
    readonly fileHash: string,
    readonly holder: string,
    readonly expiresAt: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${key}: the same content (sha256 ${fileHash.slice(0, 12)}…) is being ingested by ${holder}; retry after ${expiresAt}`,
      options,
    );
    this.name = 'IngestBusyError';
  }
}

/** Ingestion stopped on an infrastructure failure (storage, control store, abort); the file stays in landing. */
export class IngestFailedError extends Error {
  constructor(
    readonly key: string,
    readonly fileHash: string | undefined,
    options: { cause: unknown },
  ) {
    const detail = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      `${key}: ingestion failed and was rolled back; the file stays in landing for another attempt: ${detail}`,
      options,
    );
    this.name = 'IngestFailedError';
  }
}

/** The counts do not add up: a bug, never a data problem. The file is not marked done. */
export class ReconciliationError extends Error {
  constructor(
    readonly key: string,
    readonly reconciliation: IngestSummary['reconciliation'],
  ) {
    super(`${key}: reconciliation failed: ${JSON.stringify(reconciliation)}`, { cause: reconciliation });
    this.name = 'ReconciliationError';
  }
}

const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
const HEAD_BYTES = 64 * 1024;
const MAX_REASON_GROUPS = 25;
const STAGING_PREFIX = '_staging/ingest';

/** Everything one attempt decided and wrote, gathered as it goes. */
interface Attempt {
  readonly key: string;
  readonly runId: string;
  readonly now: Date;
  readonly ingestDate: string;
  readonly hash: string;
  readonly bytes: number;
  readonly etag: string;
  readonly source: SourceDef<FileSource> | undefined;
  readonly folder: string;
  readonly attemptNumber: number;
}

interface Processed {
  quarantineReason: string | null;
  rows: { read: number; valid: number; invalid: number; blank: number };
  rejectedReasons: Map<string, number>;
  mappingVersion: string | null;
  header: FileHeader | null;
  closest?: ClosestVersion;
  parse: ParseFacts;
  stagingParts: { key: string; lines: number }[];
  rejectParts: { key: string; lines: number }[];
}

export async function ingestObject(deps: IngestDeps, key: string): Promise<IngestSummary> {
  const now = (deps.now ?? (() => new Date()))();
  const runId = (deps.newRunId ?? (() => `ing-${randomUUID()}`))();
  const ingestDate = utcDay(now);
  const { store, control, buckets } = deps;
  const leaseSeconds = deps.leaseSeconds ?? 600;

  const route = routeKey(key, new Set(deps.project.fileSources.keys()));
  const source = route.ok ? deps.project.fileSources.get(route.source) : undefined;

  const first = await store.open(buckets.landing, key);
  if (first === undefined) return missingSummary(key, runId, ingestDate);
  const scan = await scanObject(first.body, deps.signal);

  const lease = await control.acquireLease(leaseName(scan.hash), runId, now, leaseSeconds);
  if (!lease.acquired) throw new IngestBusyError(key, scan.hash, lease.current.holder, lease.current.expiresAt);
  try {
    const previous = await control.get<LedgerEntry>(ledgerKey(scan.hash));
    const sourceFolder = source?.source ?? UNROUTED;
    const base = {
      key,
      runId,
      now,
      ingestDate,
      hash: scan.hash,
      bytes: scan.bytes,
      etag: first.etag,
      source,
    };
    if (previous && (previous.value.status === 'loaded' || previous.value.status === 'partially_loaded')) {
      const duplicateNumber = previous.value.duplicates + 1;
      const attempt: Attempt = {
        ...base,
        attemptNumber: previous.value.attempts,
        folder: `${sourceFolder}/${ingestDate}/${scan.hash}/duplicate-${duplicateNumber}`,
      };
      const summary = await quarantineDuplicate(deps, attempt, previous.value);
      await control.put<LedgerEntry>(
        ledgerKey(scan.hash),
        jsonSafe({ ...previous.value, duplicates: duplicateNumber }),
        previous.version,
      );
      await store.delete(buckets.landing, key);
      return summary;
    }

    if (previous) await deleteOutputs(store, previous.value.outputs);
    const attemptNumber = (previous?.value.attempts ?? 0) + 1;
    const attempt: Attempt = {
      ...base,
      attemptNumber,
      folder: `${sourceFolder}/${ingestDate}/${scan.hash}/attempt-${attemptNumber}`,
    };
    const rawTable = source ? deps.project.rawTables.get(source.dataset) : undefined;
    const outputs = [
      { bucket: buckets.raw, prefix: `${STAGING_PREFIX}/${scan.hash}/` },
      ...(rawTable ? [{ bucket: buckets.raw, prefix: rawPartPrefix(rawTable, ingestDate, scan.hash) }] : []),
      { bucket: buckets.quarantine, prefix: `${attempt.folder}/` },
      { bucket: buckets.archive, prefix: `${sourceFolder}/${ingestDate}/${scan.hash}/` },
    ];
    const claimed: LedgerEntry = {
      file_hash: scan.hash,
      status: 'in_progress',
      source: source?.source ?? null,
      key,
      attempts: attemptNumber,
      duplicates: previous?.value.duplicates ?? 0,
      run_id: runId,
      started_at: now.toISOString(),
      outputs,
    };
    let version = await control.put<LedgerEntry>(ledgerKey(scan.hash), claimed, previous?.version ?? 0);

    try {
      const heartbeat = async () => {
        await control.renewLease(leaseName(scan.hash), runId, deps.now?.() ?? new Date(), leaseSeconds);
      };
      const processed = await processFile(
        deps,
        attempt,
        route.ok ? undefined : route.reason,
        scan,
        rawTable,
        heartbeat,
      );
      const summary = await finish(deps, attempt, processed, rawTable);
      const status =
        summary.outcome === 'loaded' || summary.outcome === 'partially_loaded' ? summary.outcome : 'quarantined';
      version = await control.put<LedgerEntry>(
        ledgerKey(scan.hash),
        jsonSafe({ ...claimed, status, finished_at: (deps.now?.() ?? new Date()).toISOString(), summary }),
        version,
      );
      await store.delete(buckets.landing, key);
      return summary;
    } catch (error) {
      await rollBack(deps, attempt, claimed, outputs, version, error);
      throw new IngestFailedError(key, scan.hash, { cause: error });
    }
  } finally {
    await control.releaseLease(leaseName(scan.hash), runId).catch(() => {
      // The lease lapses on its own; failing to release it must not hide the ingestion's own outcome.
    });
  }
}

/** Best effort: remove what this attempt wrote and record the failure; a crash here is cleaned by the next attempt. */
async function rollBack(
  deps: IngestDeps,
  attempt: Attempt,
  claimed: LedgerEntry,
  outputs: LedgerEntry['outputs'],
  version: number,
  error: unknown,
): Promise<void> {
  try {
    await deleteOutputs(deps.store, outputs);
    const detail = error instanceof Error ? error.message : String(error);
    await deps.control.put<LedgerEntry>(
      ledgerKey(attempt.hash),
      { ...claimed, status: 'failed', error: detail, finished_at: (deps.now?.() ?? new Date()).toISOString() },
      version,
    );
  } catch {
    // The ledger still says in_progress with its outputs: the next attempt deletes them before starting.
  }
}

async function deleteOutputs(store: ObjectStore, outputs: LedgerEntry['outputs']): Promise<void> {
  for (const { bucket, prefix } of outputs) {
    for (const key of await store.list(bucket, prefix)) await store.delete(bucket, key);
  }
}

function rawPartPrefix(table: RawTableDef, ingestDate: string, hash: string): string {
  return `${table.location}/ingest_date=${ingestDate}/${hash}-`;
}

// ---------------------------------------------------------------- pass 1: hash and encoding evidence

interface Scan {
  readonly hash: string;
  readonly bytes: number;
  readonly head: Uint8Array;
  readonly validUtf8: boolean;
}

async function scanObject(body: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): Promise<Scan> {
  const hash = createHash('sha256');
  const utf8 = new Utf8Validator();
  const headChunks: Uint8Array[] = [];
  let headLength = 0;
  let bytes = 0;
  for await (const chunk of body) {
    signal?.throwIfAborted();
    hash.update(chunk);
    utf8.push(chunk);
    bytes += chunk.byteLength;
    if (headLength < HEAD_BYTES) {
      headChunks.push(chunk.subarray(0, HEAD_BYTES - headLength));
      headLength += Math.min(chunk.byteLength, HEAD_BYTES - headLength);
    }
  }
  return { hash: hash.digest('hex'), bytes, head: Buffer.concat(headChunks), validUtf8: utf8.finish() };
}

// ---------------------------------------------------------------- pass 2: records → rows

/** Writes lines in parts of about `partBytes`, so neither raw rows nor rejects accumulate in memory. */
class PartWriter {
  readonly parts: { key: string; lines: number }[] = [];
  private buffer: string[] = [];
  private size = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly bucket: string,
    private readonly keyOf: (index: number) => string,
    private readonly partBytes: number,
    private readonly onFlush: () => Promise<void>,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async add(line: string): Promise<void> {
    this.buffer.push(line);
    this.size += line.length + 1;
    if (this.size >= this.partBytes) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    this.signal?.throwIfAborted();
    const key = this.keyOf(this.parts.length);
    await this.store.put(this.bucket, key, `${this.buffer.join('\n')}\n`);
    this.parts.push({ key, lines: this.buffer.length });
    this.buffer = [];
    this.size = 0;
    await this.onFlush();
  }
}

const part = (index: number) => String(index).padStart(5, '0');

async function processFile(
  deps: IngestDeps,
  attempt: Attempt,
  routeProblem: string | undefined,
  scan: Scan,
  rawTable: RawTableDef | undefined,
  heartbeat: () => Promise<void>,
): Promise<Processed> {
  const processed: Processed = {
    quarantineReason: null,
    rows: { read: 0, valid: 0, invalid: 0, blank: 0 },
    rejectedReasons: new Map(),
    mappingVersion: null,
    header: null,
    parse: {},
    stagingParts: [],
    rejectParts: [],
  };
  const quarantine = (reason: string) => {
    processed.quarantineReason = reason;
    return processed;
  };
  const source = attempt.source;
  if (routeProblem !== undefined || source === undefined) return quarantine(routeProblem ?? 'no file source');
  const name = attempt.key.slice(`landing/${source.source}/`.length);
  if (!globToRegExp(source.key_pattern).test(name)) {
    return quarantine(`object name "${name}" does not match the source's key_pattern "${source.key_pattern}"`);
  }
  if (rawTable === undefined) return quarantine(`dataset "${source.dataset}" has no raw table`);
  if (scan.bytes === 0) return quarantine('the file is empty (0 bytes)');

  let snapshotDate: string | null = null;
  if (source.snapshot) {
    snapshotDate = attempt.ingestDate;
    const fromKey = source.snapshot.date_from_key;
    if (fromKey) {
      const match = new RegExp(fromKey.pattern, 'u').exec(name)?.[1];
      const parsed = match === undefined ? undefined : parseDateText(match, fromKey.format);
      if (parsed === undefined) {
        return quarantine(
          `object name "${name}" holds no snapshot date: expected a match of ${fromKey.pattern} in format ${fromKey.format}`,
        );
      }
      snapshotDate = parsed;
    }
  }

  const format = source.format;
  const zip = scan.head[0] === 0x50 && scan.head[1] === 0x4b && scan.head[2] === 0x03 && scan.head[3] === 0x04;
  processed.parse = { format: format.type, header_row: format.header_row };
  let encoding: TextEncoding | undefined;
  if (format.type === 'csv') {
    if (zip) return quarantine('the file is a ZIP archive (an XLSX workbook?), but the source expects CSV');
    const detected = detectEncoding({ head: scan.head, validUtf8: scan.validUtf8 });
    encoding = format.encoding === 'auto' ? detected.encoding : format.encoding;
    processed.parse = {
      ...processed.parse,
      encoding,
      encoding_evidence: format.encoding === 'auto' ? detected.evidence : 'configured',
    };
    if (encoding === 'utf-8' || encoding === 'windows-1252') {
      const nul = scan.head.indexOf(0);
      if (nul >= 0) return quarantine(`the file holds binary data (a NUL byte at offset ${nul}), not delimited text`);
    }
  } else if (!zip) {
    return quarantine('the file is not an XLSX workbook (no ZIP signature at the start)');
  }

  const handle = await deps.store.open(deps.buckets.landing, attempt.key, { ifMatch: attempt.etag });
  if (handle === undefined) throw new Error(`${attempt.key} disappeared between hashing and parsing`);
  const partBytes = deps.partBytes ?? DEFAULT_PART_BYTES;
  const raw = new PartWriter(
    deps.store,
    deps.buckets.raw,
    (i) => `${STAGING_PREFIX}/${attempt.hash}/${attempt.runId}/part-${part(i)}.json`,
    partBytes,
    heartbeat,
    deps.signal,
  );
  const rejects = new PartWriter(
    deps.store,
    deps.buckets.quarantine,
    (i) => `${attempt.folder}/rejects-${part(i)}.ndjson`,
    partBytes,
    heartbeat,
    deps.signal,
  );
  const batches =
    format.type === 'csv'
      ? readCsvRecords(
          handle.body,
          {
            encoding: encoding ?? 'utf-8',
            delimiter: format.delimiter,
            maxRecordLength: source.max_record_bytes,
            signal: deps.signal,
          },
          (dialect) => {
            processed.parse = {
              ...processed.parse,
              delimiter: dialect.delimiter,
              delimiter_evidence: dialect.evidence,
            };
          },
        )
      : readXlsxRecords(handle.body, { sheet: format.sheet, signal: deps.signal }, (sheet) => {
          processed.parse = { ...processed.parse, sheet: sheet.name };
        });

  const datasetColumns = rawTable.columns.filter((c) => !LINEAGE_COLUMNS.some((l) => l.name === c.name));
  let mapper: ((record: SourceRecord) => ReturnType<ReturnType<typeof rowMapper>>) | undefined;
  let header: FileHeader | undefined;
  let headerProblem: string | undefined;
  const columnNames = datasetColumns.map((c) => c.name);
  let lineOf: ReturnType<typeof rawLineWriter> = () => {
    throw new Error('a row reached raw before its mapping version was known');
  };
  const keySeen = source.snapshot ? new Map<string, number>() : undefined;
  const snapshotKey = source.snapshot?.key ?? [];
  const ingestedAt = attempt.now.toISOString().replace('T', ' ').replace('Z', '');
  const reject = async (record: SourceRecord, errors: RejectLine['errors']) => {
    processed.rows.invalid++;
    for (const error of errors) {
      const group = `${error.column}: ${error.reason.replace(/^"[^"]*"/, '…').replace(/\brow \d+/g, 'row …')}`;
      if (processed.rejectedReasons.has(group) || processed.rejectedReasons.size < MAX_REASON_GROUPS) {
        processed.rejectedReasons.set(group, (processed.rejectedReasons.get(group) ?? 0) + 1);
      }
    }
    const line: RejectLine = { row: record.row, errors, record: recordByHeader(record.cells, header) };
    await rejects.add(JSON.stringify(line));
  };

  try {
    for await (const batch of batches) {
      deps.signal?.throwIfAborted();
      for (const record of batch) {
        if (mapper === undefined) {
          if (record.row < format.header_row || isBlank(record.cells)) continue;
          header = readHeader(record.cells);
          processed.header = header;
          processed.parse = { ...processed.parse, header_row: record.row };
          const match = matchMapping(header, source.mappings);
          if (!match.ok) {
            processed.closest = match.closest;
            headerProblem = `row ${record.row}: ${match.reason}`;
            // Rows are still counted, so the report says what happened to every one of them.
            mapper = () => ({ ok: false, errors: [] });
            continue;
          }
          processed.mappingVersion = match.version.version;
          lineOf = rawLineWriter(attempt, columnNames, match.version.version, ingestedAt, snapshotDate);
          mapper = rowMapper(match.version, header, datasetColumns, {
            strictWidth: format.type === 'csv',
            padShortRows: format.type === 'csv' && format.pad_short_rows,
          });
          continue;
        }
        if (isBlank(record.cells)) {
          processed.rows.blank++;
          continue;
        }
        processed.rows.read++;
        if (headerProblem !== undefined) continue;
        const mapped = mapper(record);
        if (!mapped.ok) {
          await reject(record, mapped.errors);
          continue;
        }
        if (keySeen) {
          const keyText = snapshotKey.map((k) => String(mapped.values[k] ?? '')).join(', ');
          const digest = createHash('sha1')
            .update(JSON.stringify(snapshotKey.map((k) => mapped.values[k] ?? null)))
            .digest('base64');
          const firstRow = keySeen.get(digest);
          if (snapshotKey.some((k) => mapped.values[k] === null || mapped.values[k] === undefined)) {
            await reject(record, [{ column: '(row)', reason: `snapshot key (${snapshotKey.join(', ')}) is empty` }]);
            continue;
          }
          if (firstRow !== undefined) {
            await reject(record, [
              {
                column: '(row)',
                reason: `"${keyText}" repeats the snapshot key (${snapshotKey.join(', ')}) of row ${firstRow}`,
              },
            ]);
            continue;
          }
          keySeen.set(digest, record.row);
        }
        processed.rows.valid++;
        await raw.add(lineOf(mapped.values, record.row));
      }
    }
  } catch (error) {
    if (error instanceof CsvStructureError || error instanceof XlsxReadError) {
      await raw.flush();
      await rejects.flush();
      processed.stagingParts = raw.parts;
      processed.rejectParts = rejects.parts;
      return quarantine(error.message);
    }
    throw error;
  }
  await raw.flush();
  await rejects.flush();
  processed.stagingParts = raw.parts;
  processed.rejectParts = rejects.parts;

  if (header === undefined) return quarantine('the file has no header row: it holds no data');
  if (headerProblem !== undefined) return quarantine(headerProblem);
  const { read, invalid } = processed.rows;
  if (read === 0) return quarantine(`the file has a header (row ${processed.parse.header_row}) but no data rows`);
  if (invalid === read) return quarantine(`every data row was rejected (${invalid} of ${read})`);
  const ratio = invalid / read;
  if (ratio > source.max_reject_ratio) {
    return quarantine(
      `${invalid} of ${read} rows rejected (${percent(ratio)}), more than max_reject_ratio allows (${percent(source.max_reject_ratio)})`,
    );
  }
  return processed;
}

const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10}%`;

/**
 * Builds each raw NDJSON line: the lineage that is the same for every row of the file is serialised once, then
 * each row adds its number, its hash and its values. Same JSON as `JSON.stringify` of one object, a third the work.
 */
function rawLineWriter(
  attempt: Attempt,
  columns: readonly string[],
  mappingVersion: string,
  ingestedAt: string,
  snapshotDate: string | null,
): (values: Readonly<Record<string, RawValue>>, row: number) => string {
  const shared = JSON.stringify({
    source: attempt.source?.source ?? null,
    source_key: attempt.key,
    file_hash: attempt.hash,
    mapping_version: mappingVersion,
    ingest_run_id: attempt.runId,
    ingested_at: ingestedAt,
    snapshot_date: snapshotDate,
  }).slice(0, -1);
  const keys = columns.map((c) => `,${JSON.stringify(c)}:`);
  return (values, row) => {
    let body = '';
    let hashed = '';
    for (let i = 0; i < columns.length; i++) {
      const json = JSON.stringify(values[columns[i] as string] ?? null);
      body += `${keys[i]}${json}`;
      hashed += i === 0 ? json : `,${json}`;
    }
    const rowHash = createHash('sha256').update(`[${hashed}]`).digest('hex').slice(0, 32);
    return `${shared},"source_row":${row},"row_hash":"${rowHash}"${body}}`;
  };
}

function recordByHeader(cells: readonly Cell[], header: FileHeader | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  cells.forEach((cell, index) => {
    const name = header?.names[index];
    record[name === undefined || name === '' ? columnLetter(index) : name] = cellText(cell);
  });
  return record;
}

// ---------------------------------------------------------------- decide, reconcile, publish, move

async function finish(
  deps: IngestDeps,
  attempt: Attempt,
  processed: Processed,
  rawTable: RawTableDef | undefined,
): Promise<IngestSummary> {
  const { store, buckets } = deps;
  const quarantined = processed.quarantineReason !== null;
  const { read, valid, invalid } = processed.rows;
  const loaded = quarantined ? 0 : valid;
  const outcome: IngestOutcome = quarantined ? 'quarantined' : invalid > 0 ? 'partially_loaded' : 'loaded';

  const rawLines = processed.stagingParts.reduce((n, p) => n + p.lines, 0);
  const rejectLines = processed.rejectParts.reduce((n, p) => n + p.lines, 0);
  const reconciliation = {
    rows_in: read,
    rows_loaded: loaded,
    rows_rejected: read - loaded,
    raw_lines_written: quarantined ? 0 : rawLines,
    reject_lines_written: rejectLines,
    balanced: false,
  };
  reconciliation.balanced =
    reconciliation.rows_in === reconciliation.rows_loaded + reconciliation.rows_rejected &&
    reconciliation.raw_lines_written === loaded &&
    reconciliation.reject_lines_written === invalid &&
    (quarantined || rawLines === valid);
  if (!reconciliation.balanced) throw new ReconciliationError(attempt.key, reconciliation);

  const rawKeys: string[] = [];
  if (!quarantined && rawTable) {
    const prefix = rawPartPrefix(rawTable, attempt.ingestDate, attempt.hash);
    for (const [index, staged] of processed.stagingParts.entries()) {
      const target = `${prefix}${part(index)}.json`;
      await store.copy({ bucket: buckets.raw, key: staged.key }, { bucket: buckets.raw, key: target });
      rawKeys.push(target);
    }
  }
  for (const staged of processed.stagingParts) await store.delete(buckets.raw, staged.key);

  const sourceFolder = attempt.source?.source ?? UNROUTED;
  const destination = quarantined
    ? { bucket: buckets.quarantine, folder: attempt.folder }
    : { bucket: buckets.archive, folder: `${sourceFolder}/${attempt.ingestDate}/${attempt.hash}` };
  const originalKey = `${destination.folder}/${safeBaseName(attempt.key)}`;
  const reportKey = `${destination.folder}/report.json`;
  const summary: IngestSummary = {
    outcome,
    key: attempt.key,
    source: attempt.source?.source ?? null,
    dataset: attempt.source?.dataset ?? null,
    file_hash: attempt.hash,
    bytes: attempt.bytes,
    run_id: attempt.runId,
    ingest_date: attempt.ingestDate,
    attempt: attempt.attemptNumber,
    rows: { read, loaded, rejected: read - loaded, invalid, blank: processed.rows.blank },
    reason: processed.quarantineReason,
    rejected_reasons: Object.fromEntries(processed.rejectedReasons),
    mapping_version: processed.mappingVersion,
    header_fingerprint: processed.header?.fingerprint ?? null,
    ...(processed.closest ? { closest_mapping: processed.closest } : {}),
    parse: processed.parse,
    locations: {
      original: `${destination.bucket}/${originalKey}`,
      report: `${destination.bucket}/${reportKey}`,
      raw: rawKeys.map((k) => `${buckets.raw}/${k}`),
      rejects: processed.rejectParts.map((p) => `${buckets.quarantine}/${p.key}`),
    },
    reconciliation,
  };
  const report = `${JSON.stringify(summary, null, 2)}\n`;
  await store.put(destination.bucket, reportKey, report);
  if (!quarantined && invalid > 0) await store.put(buckets.quarantine, `${attempt.folder}/report.json`, report);
  await store.copy(
    { bucket: buckets.landing, key: attempt.key, ifMatch: attempt.etag },
    { bucket: destination.bucket, key: originalKey },
  );
  return summary;
}

async function quarantineDuplicate(deps: IngestDeps, attempt: Attempt, first: LedgerEntry): Promise<IngestSummary> {
  const { store, buckets } = deps;
  const originalKey = `${attempt.folder}/${safeBaseName(attempt.key)}`;
  const reportKey = `${attempt.folder}/report.json`;
  const when = first.finished_at ?? first.started_at;
  const summary: IngestSummary = {
    ...emptySummary(attempt.key, attempt.runId, attempt.ingestDate),
    outcome: 'duplicate',
    source: attempt.source?.source ?? null,
    dataset: attempt.source?.dataset ?? null,
    file_hash: attempt.hash,
    bytes: attempt.bytes,
    attempt: attempt.attemptNumber,
    reason: `duplicate: the same content (sha256 ${attempt.hash.slice(0, 12)}…) was already ${first.status.replace('_', ' ')} from ${first.key} at ${when} by ${first.run_id}; not loaded again`,
    locations: {
      original: `${buckets.quarantine}/${originalKey}`,
      report: `${buckets.quarantine}/${reportKey}`,
      raw: [],
      rejects: [],
    },
  };
  await store.put(buckets.quarantine, reportKey, `${JSON.stringify(summary, null, 2)}\n`);
  await store.copy(
    { bucket: buckets.landing, key: attempt.key, ifMatch: attempt.etag },
    { bucket: buckets.quarantine, key: originalKey },
  );
  return summary;
}

function emptySummary(key: string, runId: string, ingestDate: string): IngestSummary {
  return {
    outcome: 'missing',
    key,
    source: null,
    dataset: null,
    file_hash: null,
    bytes: 0,
    run_id: runId,
    ingest_date: ingestDate,
    attempt: 0,
    rows: { read: 0, loaded: 0, rejected: 0, invalid: 0, blank: 0 },
    reason: null,
    rejected_reasons: {},
    mapping_version: null,
    header_fingerprint: null,
    parse: {},
    locations: { raw: [], rejects: [] },
    reconciliation: {
      rows_in: 0,
      rows_loaded: 0,
      rows_rejected: 0,
      raw_lines_written: 0,
      reject_lines_written: 0,
      balanced: true,
    },
  };
}

/** The event named an object that is gone: already ingested by an earlier delivery of the same event, or removed. */
function missingSummary(key: string, runId: string, ingestDate: string): IngestSummary {
  return {
    ...emptySummary(key, runId, ingestDate),
    reason: 'no such object in the landing bucket (already ingested by an earlier delivery, or removed)',
  };
}

function jsonSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
