import { createHash, hash as hashOf, randomUUID } from 'node:crypto';
import { isFormulaLike } from '../formula-like.ts';
import type { FileFormat, FileSource } from '../model/file-source-schema.ts';
import type { Project, RawTableDef, SourceDef } from '../model/project.ts';
import type { ControlStore, ObjectStore, VersionedValue } from '../ports.ts';
import { encodeRawText, rawFileEnding } from '../raw-files.ts';
import { sqlTimestamp } from '../sql/timestamp-literal.ts';
import { parseDateText, type RawValue } from './cast.ts';
import { type Cell, cellText, columnLetter, isBlank, type SourceRecord } from './cells.ts';
import { CsvStructureError, readCsvRecords } from './csv-reader.ts';
import { DigestSet } from './digest-set.ts';
import { detectEncoding, type TextEncoding, Utf8Validator } from './encoding.ts';
import { globToRegExp, routeKey, safeBaseName, UNROUTED, utcDay } from './keys.ts';
import { describeReading, fileKindOf, type Reading, readingsFor } from './layouts.ts';
import {
  type ClosestVersion,
  type FileHeader,
  type MappedRow,
  matchMapping,
  type RowError,
  readHeader,
  rowMapper,
} from './mapping.ts';
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
import { readXlsxRecords, type WorkbookSource, XlsxReadError } from './xlsx-reader.ts';
import { readZipDirectory, ZipDirectoryError, type ZipEntry, zipLimitProblem } from './zip-directory.ts';

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
/** The end of the file kept from the first pass: where a workbook's ZIP central directory is. */
const TAIL_BYTES = 1024 * 1024;
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
  rows: { read: number; valid: number; invalid: number; blank: number; duplicate: number };
  rejectedReasons: Map<string, number>;
  /** Loaded formula-like text values by target column. */
  formulaLike: Map<string, number>;
  mappingVersion: string | null;
  header: FileHeader | null;
  closest?: ClosestVersion;
  parse: ParseFacts;
  stagingParts: { key: string; lines: number }[];
  rejectParts: { key: string; lines: number }[];
}

/** What one object is before the ledger gives it an attempt (or a duplicate) number and a folder. */
type ObjectFacts = Omit<Attempt, 'attemptNumber' | 'folder'>;

/** The outcome of a check that either yields a value or says why the file is quarantined. */
type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

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
    const facts: ObjectFacts = {
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
      return await ingestDuplicate(deps, facts, previous);
    }
    const heartbeat = async () => {
      await control.renewLease(leaseName(scan.hash), runId, deps.now?.() ?? new Date(), leaseSeconds);
    };
    return await ingestAttempt(deps, facts, previous, scan, route.ok ? undefined : route.reason, heartbeat);
  } finally {
    await control.releaseLease(leaseName(scan.hash), runId).catch(() => {
      // The lease lapses on its own; failing to release it must not hide the ingestion's own outcome.
    });
  }
}

/** Content already loaded is never loaded twice: it is quarantined with a report naming the first load. */
async function ingestDuplicate(
  deps: IngestDeps,
  facts: ObjectFacts,
  previous: VersionedValue<LedgerEntry>,
): Promise<IngestSummary> {
  const duplicateNumber = previous.value.duplicates + 1;
  const attempt: Attempt = {
    ...facts,
    attemptNumber: previous.value.attempts,
    folder: `${hashFolder(facts)}/duplicate-${duplicateNumber}`,
  };
  const summary = await quarantineDuplicate(deps, attempt, previous.value);
  await deps.control.put<LedgerEntry>(
    ledgerKey(facts.hash),
    jsonSafe({ ...previous.value, duplicates: duplicateNumber }),
    previous.version,
  );
  await deps.store.delete(deps.buckets.landing, facts.key);
  return summary;
}

/**
 * Claims the hash in the ledger, listing every prefix the attempt may write under before it writes anything, so a
 * crash at any point leaves the next attempt enough to clean up; then processes, finishes and marks the hash done.
 */
async function ingestAttempt(
  deps: IngestDeps,
  facts: ObjectFacts,
  previous: VersionedValue<LedgerEntry> | undefined,
  scan: Scan,
  routeProblem: string | undefined,
  heartbeat: () => Promise<void>,
): Promise<IngestSummary> {
  const { store, control, buckets } = deps;
  if (previous) await deleteOutputs(store, previous.value.outputs);
  const attemptNumber = (previous?.value.attempts ?? 0) + 1;
  const attempt: Attempt = { ...facts, attemptNumber, folder: `${hashFolder(facts)}/attempt-${attemptNumber}` };
  const rawTable = facts.source ? deps.project.rawTables.get(facts.source.dataset) : undefined;
  const outputs = [
    { bucket: buckets.raw, prefix: `${STAGING_PREFIX}/${facts.hash}/` },
    ...(rawTable ? [{ bucket: buckets.raw, prefix: rawPartPrefix(rawTable, facts.ingestDate, facts.hash) }] : []),
    { bucket: buckets.quarantine, prefix: `${attempt.folder}/` },
    { bucket: buckets.archive, prefix: `${hashFolder(facts)}/` },
  ];
  const claimed: LedgerEntry = {
    file_hash: facts.hash,
    status: 'in_progress',
    source: facts.source?.source ?? null,
    key: facts.key,
    attempts: attemptNumber,
    duplicates: previous?.value.duplicates ?? 0,
    run_id: facts.runId,
    started_at: facts.now.toISOString(),
    outputs,
  };
  let version = await control.put<LedgerEntry>(ledgerKey(facts.hash), claimed, previous?.version ?? 0);

  try {
    const processed = await processFile(deps, attempt, routeProblem, scan, rawTable, heartbeat);
    const summary = await finish(deps, attempt, processed, rawTable);
    const status =
      summary.outcome === 'loaded' || summary.outcome === 'partially_loaded' ? summary.outcome : 'quarantined';
    version = await control.put<LedgerEntry>(
      ledgerKey(facts.hash),
      jsonSafe({ ...claimed, status, finished_at: (deps.now?.() ?? new Date()).toISOString(), summary }),
      version,
    );
    await store.delete(buckets.landing, facts.key);
    return summary;
  } catch (error) {
    await rollBack(deps, attempt, claimed, outputs, version, error);
    throw new IngestFailedError(facts.key, facts.hash, { cause: error });
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

/** Where one content's files go in the archive and the quarantine: by source, ingest day and hash. */
function hashFolder(facts: ObjectFacts): string {
  return `${facts.source?.source ?? UNROUTED}/${facts.ingestDate}/${facts.hash}`;
}

// ---------------------------------------------------------------- pass 1: hash and encoding evidence

interface Scan {
  readonly hash: string;
  readonly bytes: number;
  readonly head: Uint8Array;
  /** The last `TAIL_BYTES` of the file (all of it when it is smaller). */
  readonly tail: Uint8Array;
  readonly validUtf8: boolean;
}

async function scanObject(body: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): Promise<Scan> {
  const hash = createHash('sha256');
  const utf8 = new Utf8Validator();
  const headChunks: Uint8Array[] = [];
  let headLength = 0;
  let bytes = 0;
  let tail: Uint8Array = new Uint8Array(0);
  for await (const chunk of body) {
    signal?.throwIfAborted();
    hash.update(chunk);
    utf8.push(chunk);
    bytes += chunk.byteLength;
    if (headLength < HEAD_BYTES) {
      headChunks.push(chunk.subarray(0, HEAD_BYTES - headLength));
      headLength += Math.min(chunk.byteLength, HEAD_BYTES - headLength);
    }
    tail = keepTail(tail, chunk);
  }
  return { hash: hash.digest('hex'), bytes, head: Buffer.concat(headChunks), tail, validUtf8: utf8.finish() };
}

/** The last `TAIL_BYTES` of what was seen so far and `chunk`. */
function keepTail(tail: Uint8Array, chunk: Uint8Array): Uint8Array {
  if (chunk.byteLength >= TAIL_BYTES) return chunk.slice(chunk.byteLength - TAIL_BYTES);
  const keep = Math.min(tail.byteLength, TAIL_BYTES - chunk.byteLength);
  return Buffer.concat([tail.subarray(tail.byteLength - keep), chunk]);
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
    private readonly encode: (text: string) => Promise<string | Uint8Array> | string = (text) => text,
  ) {}

  /** Buffers the line; only a line that fills a part returns a promise (the part's write), so rows cost no tick. */
  add(line: string): Promise<void> | undefined {
    this.buffer.push(line);
    this.size += line.length + 1;
    return this.size >= this.partBytes ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    this.signal?.throwIfAborted();
    const key = this.keyOf(this.parts.length);
    await this.store.put(this.bucket, key, await this.encode(`${this.buffer.join('\n')}\n`));
    this.parts.push({ key, lines: this.buffer.length });
    this.buffer = [];
    this.size = 0;
    await this.onFlush();
  }
}

const part = (index: number) => String(index).padStart(5, '0');

/**
 * Where a file's rows go: valid rows to staging parts in the raw bucket, rejected ones to reject parts in the
 * attempt's quarantine folder. `close` is the one place the last buffers are written, whichever way the read ended.
 */
class RowSink {
  private readonly raw: PartWriter;
  private readonly rejects: PartWriter;

  constructor(deps: IngestDeps, attempt: Attempt, rawTable: RawTableDef, heartbeat: () => Promise<void>) {
    const partBytes = deps.partBytes ?? DEFAULT_PART_BYTES;
    const ending = rawFileEnding(rawTable.compression);
    this.raw = new PartWriter(
      deps.store,
      deps.buckets.raw,
      (i) => `${STAGING_PREFIX}/${attempt.hash}/${attempt.runId}/part-${part(i)}${ending}`,
      partBytes,
      heartbeat,
      deps.signal,
      (text) => encodeRawText(text, rawTable.compression),
    );
    this.rejects = new PartWriter(
      deps.store,
      deps.buckets.quarantine,
      (i) => `${attempt.folder}/rejects-${part(i)}.ndjson`,
      partBytes,
      heartbeat,
      deps.signal,
    );
  }

  addRaw(line: string): Promise<void> | undefined {
    return this.raw.add(line);
  }

  addReject(line: string): Promise<void> | undefined {
    return this.rejects.add(line);
  }

  async close(): Promise<Pick<Processed, 'stagingParts' | 'rejectParts'>> {
    await this.raw.flush();
    await this.rejects.flush();
    return { stagingParts: this.raw.parts, rejectParts: this.rejects.parts };
  }
}

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
    rows: { read: 0, valid: 0, invalid: 0, blank: 0, duplicate: 0 },
    rejectedReasons: new Map(),
    formulaLike: new Map(),
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
  const snapshotDate = snapshotDateOf(source, name, attempt.ingestDate);
  if (!snapshotDate.ok) return quarantine(snapshotDate.reason);
  const kind = fileKindOf(scan.head);
  const readings = readingsFor(source, kind);
  const first = readings[0];
  if (first === undefined) {
    return quarantine(
      kind === 'xlsx'
        ? 'the file is a ZIP archive (an XLSX workbook?), but the source expects CSV'
        : 'the file is not an XLSX workbook (no ZIP signature at the start)',
    );
  }
  const directory = kind === 'xlsx' ? workbookDirectory(source, scan) : { ok: true as const, value: undefined };
  if (!directory.ok) return quarantine(directory.reason);
  const entries = directory.value;
  const chosen =
    readings.length === 1 ? { reading: first } : await chooseReading(deps, attempt, source, scan, entries, readings);
  const reading = chosen.reading ?? first;
  const encoding = inspectFormat(reading.format, scan, processed);
  if (!encoding.ok) return quarantine(encoding.reason);

  const records = await openRecords(deps, attempt, entries, source, reading.format, encoding.value, processed);
  const sink = new RowSink(deps, attempt, rawTable, heartbeat);
  const processor = new RecordProcessor(attempt, source, reading, rawTable, snapshotDate.value, processed, sink);
  const unreadable = await readAllRecords(records, processor, deps.signal);
  Object.assign(processed, await sink.close());

  const headerProblem =
    processor.headerProblem !== undefined && chosen.unmatched !== undefined
      ? `the header matches no mapping version, read every way the source's ${kind} versions are read: ${chosen.unmatched}`
      : processor.headerProblem;
  const reason = unreadable ?? reasonNotToLoad(processed, headerProblem, source.max_reject_ratio);
  return reason === undefined ? processed : quarantine(reason);
}

/**
 * Of several ways to read a file (versions with formats of their own), the first whose versions know the file's
 * header: each is tried on the header alone, then the file is read once the way that matched. When none does, the
 * reason says what each found.
 */
async function chooseReading(
  deps: IngestDeps,
  attempt: Attempt,
  source: FileSource,
  scan: Scan,
  entries: readonly ZipEntry[] | undefined,
  readings: readonly Reading[],
): Promise<{ readonly reading?: Reading; readonly unmatched?: string }> {
  const found: string[] = [];
  for (const reading of readings) {
    const facts: Processed['parse'] = {};
    const probe = { parse: facts } as Processed;
    const encoding = inspectFormat(reading.format, scan, probe);
    const problem = encoding.ok
      ? await headerProblemOf(deps, attempt, entries, source, reading, encoding.value, probe)
      : encoding.reason;
    if (problem === undefined) return { reading };
    const versions = reading.versions.map((v) => `"${v.version}"`).join(', ');
    found.push(`read as ${describeReading(reading.format)} for ${versions}: ${problem}`);
  }
  return { unmatched: found.join('; ') };
}

/** Reads a file only as far as its header and says why the reading's versions do not match it, if they do not. */
async function headerProblemOf(
  deps: IngestDeps,
  attempt: Attempt,
  entries: readonly ZipEntry[] | undefined,
  source: FileSource,
  reading: Reading,
  encoding: TextEncoding | undefined,
  probe: Processed,
): Promise<string | undefined> {
  const records = await openRecords(deps, attempt, entries, source, reading.format, encoding, probe);
  try {
    for await (const batch of records) {
      for (const record of batch) {
        if (!isHeaderCandidate(record, reading.format)) continue;
        const match = matchMapping(readHeader(record.cells), reading.versions);
        return match.ok ? undefined : `row ${record.row}: ${match.reason}`;
      }
    }
  } catch (error) {
    if (error instanceof CsvStructureError || error instanceof XlsxReadError) return error.message;
    throw error;
  }
  return `no header at row ${reading.format.header_row} or below`;
}

/** The header is the first record that is not blank, at or below the reading's header row. */
function isHeaderCandidate(record: SourceRecord, format: FileFormat): boolean {
  return record.row >= format.header_row && !isBlank(record.cells);
}

/**
 * The workbook's ZIP directory, read once from the scan's tail, or why the file is refused before anything is
 * inflated: the directory is unreadable, or it declares more than the source's limits allow.
 */
function workbookDirectory(source: FileSource, scan: Scan): Checked<readonly ZipEntry[]> {
  let entries: ZipEntry[];
  try {
    entries = readZipDirectory(scan.tail, scan.bytes);
  } catch (error) {
    if (error instanceof ZipDirectoryError)
      return { ok: false, reason: `not a readable XLSX workbook: ${error.message}` };
    throw error;
  }
  const problem = zipLimitProblem(entries, {
    maxUncompressedBytes: source.max_uncompressed_bytes,
    maxCompressionRatio: source.max_compression_ratio,
    maxSharedStringsBytes: source.max_shared_strings_bytes,
  });
  return problem === undefined ? { ok: true, value: entries } : { ok: false, reason: problem };
}

/** The snapshot date every row carries: null outside snapshots, else the ingest date or the one in the object name. */
function snapshotDateOf(source: FileSource, name: string, ingestDate: string): Checked<string | null> {
  if (!source.snapshot) return { ok: true, value: null };
  const fromKey = source.snapshot.date_from_key;
  if (!fromKey) return { ok: true, value: ingestDate };
  const match = new RegExp(fromKey.pattern, 'u').exec(name)?.[1];
  const parsed = match === undefined ? undefined : parseDateText(match, fromKey.format);
  if (parsed === undefined) {
    return {
      ok: false,
      reason: `object name "${name}" holds no snapshot date: expected a match of ${fromKey.pattern} in format ${fromKey.format}`,
    };
  }
  return { ok: true, value: parsed };
}

/**
 * Settles a CSV's text encoding from its first bytes (the file's kind already matches the format). The parse facts are
 * recorded as they become known, so a file quarantined here still reports how far it was understood.
 */
function inspectFormat(format: FileFormat, scan: Scan, processed: Processed): Checked<TextEncoding | undefined> {
  processed.parse = { format: format.type, header_row: format.header_row };
  if (format.type === 'xlsx') return { ok: true, value: undefined };
  const detected = detectEncoding({ head: scan.head, validUtf8: scan.validUtf8 });
  const encoding = format.encoding === 'auto' ? detected.encoding : format.encoding;
  processed.parse = {
    ...processed.parse,
    encoding,
    encoding_evidence: format.encoding === 'auto' ? detected.evidence : 'configured',
  };
  // A NUL byte is legitimate in UTF-16 text; in single-byte encodings it means the file is not text at all.
  const nul = encoding === 'utf-8' || encoding === 'windows-1252' ? scan.head.indexOf(0) : -1;
  if (nul >= 0) {
    return { ok: false, reason: `the file holds binary data (a NUL byte at offset ${nul}), not delimited text` };
  }
  return { ok: true, value: encoding };
}

/** Opens the very version that was hashed (`ifMatch`) and streams its records; the reader reports its dialect. */
async function openRecords(
  deps: IngestDeps,
  attempt: Attempt,
  entries: readonly ZipEntry[] | undefined,
  source: FileSource,
  format: FileFormat,
  encoding: TextEncoding | undefined,
  processed: Processed,
): Promise<AsyncIterable<SourceRecord[]>> {
  const maxRecordLength = source.max_record_bytes;
  if (format.type === 'xlsx') {
    const options = { sheet: format.sheet, signal: deps.signal, maxRecordLength };
    if (entries === undefined) throw new Error(`${attempt.key}: a workbook read without its ZIP directory`);
    return readXlsxRecords(workbookSource(deps, attempt, entries), options, (sheet) => {
      processed.parse = { ...processed.parse, sheet: sheet.name };
    });
  }
  const handle = await deps.store.open(deps.buckets.landing, attempt.key, { ifMatch: attempt.etag });
  if (handle === undefined) throw new Error(`${attempt.key} disappeared between hashing and parsing`);
  return readCsvRecords(
    handle.body,
    {
      encoding: encoding ?? 'utf-8',
      delimiter: format.delimiter,
      maxRecordLength,
      signal: deps.signal,
    },
    (dialect) => {
      processed.parse = { ...processed.parse, delimiter: dialect.delimiter, delimiter_evidence: dialect.evidence };
    },
  );
}

/** The hashed version of a workbook (`ifMatch`), read by range where its ZIP directory places each part. */
function workbookSource(deps: IngestDeps, attempt: Attempt, entries: readonly ZipEntry[]): WorkbookSource {
  return {
    entries,
    bytes: attempt.bytes,
    open: async (range) => {
      const handle = await deps.store.open(deps.buckets.landing, attempt.key, { ifMatch: attempt.etag, range });
      if (handle === undefined) throw new Error(`${attempt.key} disappeared between hashing and parsing`);
      return handle.body;
    },
  };
}

/** Feeds every record to the processor. A file unreadable past some row returns why: it is quarantined, not failed. */
async function readAllRecords(
  records: AsyncIterable<SourceRecord[]>,
  processor: RecordProcessor,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  try {
    for await (const batch of records) {
      signal?.throwIfAborted();
      await processor.takeBatch(batch);
    }
  } catch (error) {
    if (error instanceof CsvStructureError || error instanceof XlsxReadError || error instanceof FileLimitError) {
      return error.message;
    }
    throw error;
  }
  return undefined;
}

/** A record breaks one of the source's size limits: the whole file is quarantined, the limit named. */
class FileLimitError extends Error {
  constructor(row: number, detail: string) {
    super(`row ${row}: ${detail}`);
    this.name = 'FileLimitError';
  }
}

/**
 * The limits every record of a file is held to, CSV and XLSX alike (the readers bound a record's length as they
 * parse it): cells per record, characters per cell, data rows per file.
 */
function checkRecordLimits(source: FileSource, record: SourceRecord): void {
  if (record.cells.length > source.max_columns) {
    throw new FileLimitError(
      record.row,
      `${record.cells.length} columns, more than max_columns (${source.max_columns})`,
    );
  }
  for (const [index, cell] of record.cells.entries()) {
    if (typeof cell === 'string' && cell.length > source.max_cell_bytes) {
      throw new FileLimitError(
        record.row,
        `column ${index + 1} holds ${cell.length} characters, more than max_cell_bytes (${source.max_cell_bytes})`,
      );
    }
  }
}

/**
 * Takes a file's records in order: finds the header and the mapping version it matches, then counts every data row
 * and sends it to raw or to the rejects.
 */
class RecordProcessor {
  /** Set when the header matches no mapping version. */
  headerProblem: string | undefined;
  private mapper: ((record: SourceRecord) => MappedRow) | undefined;
  private lineOf: ReturnType<typeof rawLineWriter> = () => {
    throw new Error('a row reached raw before its mapping version was known');
  };
  private readonly datasetColumns: RawTableDef['columns'];
  private readonly columnNames: readonly string[];
  /** Where each snapshot key column is among the mapped values (-1: not a dataset column). */
  private readonly keyIndexes: readonly number[];
  private readonly keySeen: Map<string, number> | undefined;
  /** Digests of the records seen, unless every copy is kept. */
  private readonly recordsSeen: DigestSet | undefined;
  private readonly ingestedAt: string;

  constructor(
    private readonly attempt: Attempt,
    private readonly source: FileSource,
    private readonly reading: Reading,
    rawTable: RawTableDef,
    private readonly snapshotDate: string | null,
    private readonly processed: Processed,
    private readonly sink: RowSink,
  ) {
    this.datasetColumns = rawTable.columns.filter((c) => !LINEAGE_COLUMNS.some((l) => l.name === c.name));
    this.columnNames = this.datasetColumns.map((c) => c.name);
    this.keyIndexes = (source.snapshot?.key ?? []).map((k) => this.columnNames.indexOf(k));
    this.keySeen = source.snapshot ? new Map<string, number>() : undefined;
    this.recordsSeen = source.duplicate_rows === 'keep' ? undefined : new DigestSet();
    this.ingestedAt = sqlTimestamp(attempt.now);
  }

  async takeBatch(batch: readonly SourceRecord[]): Promise<void> {
    for (const record of batch) {
      // Only records that write are awaited: blank rows, title rows and rows under an unknown header cost no tick.
      const write = this.take(record);
      if (write !== undefined) await write;
    }
  }

  private take(record: SourceRecord): Promise<void> | undefined {
    checkRecordLimits(this.source, record);
    if (this.mapper !== undefined) return this.takeDataRow(record, this.mapper);
    this.takeHeader(record);
    return undefined;
  }

  private takeHeader(record: SourceRecord): void {
    const format = this.reading.format;
    if (!isHeaderCandidate(record, format)) return;
    const header = readHeader(record.cells);
    this.processed.header = header;
    this.processed.parse = { ...this.processed.parse, header_row: record.row };
    const match = matchMapping(header, this.reading.versions);
    if (!match.ok) {
      this.processed.closest = match.closest;
      this.headerProblem = `row ${record.row}: ${match.reason}`;
      // Rows are still counted, so the report says what happened to every one of them.
      this.mapper = () => ({ ok: false, errors: [] });
      return;
    }
    const version = match.version.version;
    this.processed.mappingVersion = version;
    this.lineOf = rawLineWriter(this.attempt, this.columnNames, version, this.ingestedAt, this.snapshotDate);
    this.mapper = rowMapper(match.version, header, this.datasetColumns, {
      strictWidth: format.type === 'csv',
      padShortRows: format.type === 'csv' && format.pad_short_rows,
    });
  }

  private takeDataRow(record: SourceRecord, mapper: (record: SourceRecord) => MappedRow): Promise<void> | undefined {
    const rows = this.processed.rows;
    if (isBlank(record.cells)) {
      rows.blank++;
      return undefined;
    }
    rows.read++;
    if (rows.read > this.source.max_rows) {
      throw new FileLimitError(record.row, `the file has more than max_rows (${this.source.max_rows}) data rows`);
    }
    if (this.headerProblem !== undefined) return undefined;
    const mapped = mapper(record);
    if (!mapped.ok) return this.reject(record, mapped.errors);
    const keyError = this.snapshotKeyError(record, mapped.values);
    if (keyError !== undefined) return this.reject(record, [keyError]);
    const formulaError = this.formulaLike(mapped.values);
    if (formulaError !== undefined) return this.reject(record, [formulaError]);
    if (this.repeatsEarlierRecord(record)) {
      if (this.source.duplicate_rows === 'reject') {
        const reason = 'repeats an earlier row of the file cell for cell; the source rejects duplicate rows';
        return this.reject(record, [{ column: '(row)', reason }]);
      }
      rows.duplicate++;
      return undefined;
    }
    rows.valid++;
    return this.sink.addRaw(this.lineOf(mapped.values, record.row));
  }

  /**
   * Text values a spreadsheet would take for a formula: counted per column under `flag`, the row's error under
   * `reject` (the value itself is not quoted in the reason, so one group counts them all).
   */
  private formulaLike(values: readonly RawValue[]): RowError | undefined {
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (typeof value !== 'string' || !isFormulaLike(value)) continue;
      const column = this.columnNames[i] as string;
      if (this.source.formula_like === 'reject') {
        return {
          column,
          reason: 'starts like a spreadsheet formula (=, +, -, @); the source rejects formula_like values',
        };
      }
      this.processed.formulaLike.set(column, (this.processed.formulaLike.get(column) ?? 0) + 1);
    }
    return undefined;
  }

  /** Whether the record's cells are those of an earlier record (by a 12-byte digest: bounded memory per row). */
  private repeatsEarlierRecord(record: SourceRecord): boolean {
    if (this.recordsSeen === undefined) return false;
    return !this.recordsSeen.add(hashOf('sha256', cellsKey(record.cells), 'buffer'));
  }

  /** Snapshots are compared on their key, so each row needs one and no two rows of a file may share it. */
  private snapshotKeyError(record: SourceRecord, values: readonly RawValue[]): RowError | undefined {
    if (this.keySeen === undefined) return undefined;
    const key = this.source.snapshot?.key ?? [];
    const keyValues = this.keyIndexes.map((i) => (i < 0 ? null : (values[i] ?? null)));
    if (keyValues.some((v) => v === null)) {
      return { column: '(row)', reason: `snapshot key (${key.join(', ')}) is empty` };
    }
    const digest = hashOf('sha1', JSON.stringify(keyValues), 'base64');
    const firstRow = this.keySeen.get(digest);
    if (firstRow !== undefined) {
      const keyText = keyValues.map((v) => String(v ?? '')).join(', ');
      return {
        column: '(row)',
        reason: `"${keyText}" repeats the snapshot key (${key.join(', ')}) of row ${firstRow}`,
      };
    }
    this.keySeen.set(digest, record.row);
    return undefined;
  }

  private reject(record: SourceRecord, errors: RejectLine['errors']): Promise<void> | undefined {
    this.processed.rows.invalid++;
    for (const error of errors) countRejectReason(this.processed.rejectedReasons, error);
    const line: RejectLine = {
      row: record.row,
      errors,
      record: recordByHeader(record.cells, this.processed.header ?? undefined),
    };
    return this.sink.addReject(JSON.stringify(line));
  }
}

/** A record's cells as one string that differs whenever a cell does (each text prefixed by its length). */
function cellsKey(cells: readonly Cell[]): string {
  let key = '';
  for (let i = 0; i < cells.length; i++) {
    const text = cellText(cells[i] ?? null);
    key += `${text.length}:${text}`;
  }
  return key;
}

/**
 * Groups reasons with the quoted value and row numbers left out, so one problem is one group however many rows have
 * it; past MAX_REASON_GROUPS only the groups already seen are counted, which keeps the report small.
 */
function countRejectReason(reasons: Map<string, number>, error: RowError): void {
  const group = `${error.column}: ${error.reason.replace(/^"[^"]*"/, '…').replace(/\brow \d+/g, 'row …')}`;
  if (reasons.has(group) || reasons.size < MAX_REASON_GROUPS) reasons.set(group, (reasons.get(group) ?? 0) + 1);
}

/** Why a file that was read to the end is quarantined after all, or undefined when it loads. */
function reasonNotToLoad(
  processed: Processed,
  headerProblem: string | undefined,
  maxRejectRatio: number,
): string | undefined {
  if (processed.header === null) return 'the file has no header row: it holds no data';
  if (headerProblem !== undefined) return headerProblem;
  const { read, invalid } = processed.rows;
  if (read === 0) return `the file has a header (row ${processed.parse.header_row}) but no data rows`;
  if (invalid === read) return `every data row was rejected (${invalid} of ${read})`;
  const ratio = invalid / read;
  if (ratio > maxRejectRatio) {
    return `${invalid} of ${read} rows rejected (${percent(ratio)}), more than max_reject_ratio allows (${percent(maxRejectRatio)})`;
  }
  return undefined;
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
): (values: readonly RawValue[], row: number) => string {
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
      const json = JSON.stringify(values[i] ?? null);
      body += `${keys[i]}${json}`;
      hashed += i === 0 ? json : `,${json}`;
    }
    const rowHash = hashOf('sha256', `[${hashed}]`, 'hex').slice(0, 32);
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
  const reconciliation = reconcile(attempt.key, processed, loaded);
  const rawKeys = await publishStagingParts(deps, attempt, processed.stagingParts, quarantined ? undefined : rawTable);

  const destination = quarantined
    ? { bucket: buckets.quarantine, folder: attempt.folder }
    : { bucket: buckets.archive, folder: hashFolder(attempt) };
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
    rows: {
      read,
      loaded,
      rejected: read - loaded,
      invalid,
      blank: processed.rows.blank,
      duplicate: processed.rows.duplicate,
    },
    reason: processed.quarantineReason,
    rejected_reasons: Object.fromEntries(processed.rejectedReasons),
    formula_like: quarantined ? {} : Object.fromEntries(processed.formulaLike),
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

/** Rows in = loaded + rejected, and the lines written agree with the counts; throws when they do not. */
function reconcile(key: string, processed: Processed, loaded: number): IngestSummary['reconciliation'] {
  const quarantined = processed.quarantineReason !== null;
  const { read, valid, invalid } = processed.rows;
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
  if (!reconciliation.balanced) throw new ReconciliationError(key, reconciliation);
  return reconciliation;
}

/**
 * Copies the staging parts under the raw table's location (none when `rawTable` is undefined: the file is not
 * loaded), then deletes them from staging; returns the published keys.
 */
async function publishStagingParts(
  deps: IngestDeps,
  attempt: Attempt,
  stagingParts: Processed['stagingParts'],
  rawTable: RawTableDef | undefined,
): Promise<string[]> {
  const { store, buckets } = deps;
  const rawKeys: string[] = [];
  if (rawTable) {
    const prefix = rawPartPrefix(rawTable, attempt.ingestDate, attempt.hash);
    for (const [index, staged] of stagingParts.entries()) {
      const target = `${prefix}${part(index)}${rawFileEnding(rawTable.compression)}`;
      await store.copy({ bucket: buckets.raw, key: staged.key }, { bucket: buckets.raw, key: target });
      rawKeys.push(target);
    }
  }
  for (const staged of stagingParts) await store.delete(buckets.raw, staged.key);
  return rawKeys;
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
    rows: { read: 0, loaded: 0, rejected: 0, invalid: 0, blank: 0, duplicate: 0 },
    reason: null,
    rejected_reasons: {},
    formula_like: {},
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
