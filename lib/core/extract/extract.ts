import { gunzipSync } from 'node:zlib';
import { MissingSecretError } from '../connectors/errors.ts';
import { pullId } from '../connectors/pull-state.ts';
import type { DatabaseSource } from '../model/database-source-schema.ts';
import type {
  ControlStore,
  DatabaseConnection,
  ObjectStore,
  SecretSource,
  SnapshotCatalog,
  SourceDatabaseSession,
  SourceDatabases,
  SqlValue,
} from '../ports.ts';
import { encodeRawText, rawFileEnding } from '../raw-files.ts';
import { VersionConflictError } from '../run-guard.ts';
import { sqlTimestamp } from '../sql/timestamp-literal.ts';
import { parseConnection } from './connection.ts';
import { countStatement, pageStatement, type TableScope } from './extract-sql.ts';
import {
  type ActiveExtract,
  type ExtractState,
  extractFolder,
  extractReportKey,
  extractStateKey,
  extractStateSchema,
  type IntegrityProblem,
  type Promotion,
  pageKey,
  progressKey,
  promotionKey,
  promotionSchema,
  rawTableName,
  type TableProgress,
} from './extract-state.ts';
import { integrityProblems } from './integrity.ts';
import { rowKey } from './row-key.ts';

/**
 * One run of a database source's extract: every table of every instance, page by page in one snapshot per instance,
 * into raw under the extract's own folders; then the integrity checks over what was written; then, only if all pass,
 * the promotion (one write of the promotion record, which is what readers see). A run that stops early (a crash, the
 * time limit) leaves a checkpoint after its last page, and the next run continues the same extract from there.
 */

export interface ExtractDeps {
  readonly store: ObjectStore;
  readonly rawBucket: string;
  readonly control: ControlStore;
  readonly secrets: SecretSource;
  readonly databases: SourceDatabases;
  /** Told of each promoted snapshot (Glue partitions in AWS). @default none: the twin reads the promotion record */
  readonly catalog?: SnapshotCatalog;
  readonly now?: () => Date;
  /** Time left before the runtime stops the run (the Lambda's); the run checkpoints and ends partial below a margin. */
  readonly remainingMs?: () => number;
  readonly log?: (message: string, details?: Record<string, unknown>) => void;
}

export interface ExtractResult {
  readonly source: string;
  readonly extract_id: string;
  readonly snapshot_date: string;
  /** `promoted`: readers now see it; `failed`: a check failed, nothing promoted; `partial`: resumes next run. */
  readonly status: 'promoted' | 'failed' | 'partial';
  /** The run continued an extract an earlier run had started. */
  readonly resumed: boolean;
  readonly pages: number;
  readonly rows: number;
  readonly problems: readonly IntegrityProblem[];
  /** Where the report of an extract that ended (promoted or failed) is, in the raw bucket. */
  readonly report?: string;
}

/** Below this much time left, a run stops between pages. */
const TIME_MARGIN_MS = 30_000;

export class ExtractStateError extends Error {
  constructor(key: string, problem: string) {
    super(`extract checkpoint "${key}" is not in the expected shape (${problem})`);
    this.name = 'ExtractStateError';
  }
}

/** A database that could not be reached or refused the session; names the instance, never the credentials. */
export class ExtractConnectionError extends Error {
  constructor(source: string, sourceId: string, connection: DatabaseConnection, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `${source} instance "${sourceId}": could not open a snapshot on ${connection.host}:${connection.port}/${connection.database} as ${connection.user} (${reason})`,
      { cause },
    );
    this.name = 'ExtractConnectionError';
  }
}

/** Another extract of the same source wrote the checkpoint since this one read it: one of them stops. */
export class ExtractConflictError extends Error {
  constructor(source: string, key: string, cause: unknown) {
    super(
      `another extract of ${source} changed its checkpoint (${key}) while this one ran: one extract of a source runs at a time; this one stopped, and the next run continues the extract`,
      { cause },
    );
    this.name = 'ExtractConflictError';
  }
}

export async function extractSource(source: DatabaseSource, deps: ExtractDeps): Promise<ExtractResult> {
  return new Extract(source, deps).run();
}

class Extract {
  private state: ExtractState = { extracts_started: 0, cursors: {} };
  private version = 0;
  private readonly now: () => Date;
  private readonly compression = 'gzip' as const;

  constructor(
    private readonly source: DatabaseSource,
    private readonly deps: ExtractDeps,
  ) {
    this.now = deps.now ?? (() => new Date());
  }

  async run(): Promise<ExtractResult> {
    const { extract, resumed } = await this.loadOrStart();
    for (const instance of this.source.instances) {
      const pending = this.source.tables.filter((t) => !this.progress(extract, instance.source_id, t.name).done);
      if (pending.length === 0) continue;
      const secret = await this.deps.secrets.get(instance.secret);
      if (secret === undefined) throw new MissingSecretError(instance.secret, this.deps.secrets.description);
      const connection = parseConnection(instance.secret, secret);
      const session = await this.deps.databases.connect(connection).catch((error: unknown) => {
        throw new ExtractConnectionError(this.source.source, instance.source_id, connection, error);
      });
      try {
        for (const table of pending) {
          const finished = await this.extractTable(session, extract, instance.source_id, {
            table,
            since: this.since(instance.source_id, table.name),
          });
          if (!finished) return this.result(extract, 'partial', resumed, []);
        }
      } finally {
        await session.close();
      }
    }
    await this.carryForward(extract);
    const problems = await integrityProblems(this.source, extract, (sourceId, table) =>
      this.readRows(this.folderOf(extract, table), sourceId),
    );
    if (problems.length > 0) return this.fail(extract, resumed, problems);
    return this.promote(extract, resumed);
  }

  private since(sourceId: string, table: string): string | undefined {
    return this.state.cursors[progressKey(sourceId, table)];
  }

  private progress(extract: ActiveExtract, sourceId: string, table: string): TableProgress {
    const key = progressKey(sourceId, table);
    extract.tables[key] ??= { pages: 0, rows: 0, done: false };
    return extract.tables[key];
  }

  /** Reads the table from where it stopped to its end; false when the run ran out of time first. */
  private async extractTable(
    session: SourceDatabaseSession,
    extract: ActiveExtract,
    sourceId: string,
    scope: TableScope,
  ): Promise<boolean> {
    const progress = this.progress(extract, sourceId, scope.table.name);
    const folder = this.folderOf(extract, scope.table.name);
    for (;;) {
      if ((this.deps.remainingMs?.() ?? Number.POSITIVE_INFINITY) < TIME_MARGIN_MS) return false;
      const statement = pageStatement(scope, progress.after, this.source.page_size);
      const rows = await session.query(statement.sql, statement.parameters);
      if (rows.length > 0) {
        const page = progress.pages + 1;
        const extractedAt = sqlTimestamp(this.now());
        await this.writePage(
          folder,
          sourceId,
          page,
          'p',
          rows.map((row, index) => ({
            ...row,
            source_id: sourceId,
            extract_id: extract.id,
            extracted_at: extractedAt,
            extract_row: progress.rows + index + 1,
            row_key: rowKey(
              sourceId,
              scope.table.primary_key.map((column) => row[column] ?? null),
            ),
          })),
        );
        const last = rows[rows.length - 1] ?? {};
        progress.after = scope.table.primary_key.map((column) => last[column] ?? null);
        progress.pages = page;
        progress.rows += rows.length;
        await this.save();
      }
      if (rows.length < this.source.page_size) break;
    }
    const counted = countStatement(scope);
    const [totals] = await session.query(counted.sql, counted.parameters);
    progress.expected_rows = Number(totals?.rows ?? 0);
    progress.cursor = typeof totals?.cursor === 'string' ? totals.cursor : null;
    progress.done = true;
    await this.save();
    this.deps.log?.('table extracted', { source_id: sourceId, table: scope.table.name, rows: progress.rows });
    return true;
  }

  /** One page of rows as the table's raw files are written (gzip NDJSON); a page written again replaces itself. */
  private async writePage(
    folder: string,
    sourceId: string,
    page: number,
    kind: 'p' | 'c',
    rows: readonly Record<string, SqlValue>[],
  ): Promise<void> {
    const body = rows.map((row) => `${JSON.stringify(row)}\n`).join('');
    await this.deps.store.put(
      this.deps.rawBucket,
      pageKey(folder, sourceId, page, rawFileEnding(this.compression), kind),
      await encodeRawText(body, this.compression),
    );
  }

  private folderOf(extract: ActiveExtract, table: string): string {
    return extractFolder(this.source.source, table, extract.snapshot_date, extract.id);
  }

  /** The rows one instance's pages of a table hold, page by page (`only`: the pages whose names start so). */
  private async *readRows(folder: string, sourceId: string, only = ''): AsyncIterable<Record<string, SqlValue>> {
    for (const key of await this.deps.store.list(this.deps.rawBucket, `${folder}/${sourceId}/${only}`)) {
      const bytes = await this.deps.store.get(this.deps.rawBucket, key);
      if (!bytes) continue;
      const text = Buffer.from(key.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
      for (const line of text.split('\n')) if (line !== '') yield JSON.parse(line) as Record<string, SqlValue>;
    }
  }

  /**
   * Makes each incremental table's extract whole: the rows of the last promoted extract whose keys this one did not
   * read again are written beside the changed ones (pages `c000001...`, under this extract's id), so every promoted
   * snapshot holds the whole table, as a table read whole does. A row deleted at the source is not seen by an
   * incremental read, so it stays. Idempotent: a resumed run writes the same pages again.
   */
  private async carryForward(extract: ActiveExtract): Promise<void> {
    const incremental = this.source.tables.filter((table) => table.mode === 'incremental');
    if (incremental.length === 0) return;
    const previous = await this.previousPromoted(extract);
    if (!previous) return;
    for (const table of incremental) {
      const before = extractFolder(this.source.source, table.name, previous.date, previous.extract_id);
      const folder = this.folderOf(extract, table.name);
      for (const { source_id: sourceId } of this.source.instances) {
        const progress = this.progress(extract, sourceId, table.name);
        const read = new Set<string>();
        for await (const row of this.readRows(folder, sourceId, 'p')) read.add(String(row.row_key));
        let page: Record<string, SqlValue>[] = [];
        let pages = 0;
        let carried = 0;
        const flush = async () => {
          if (page.length === 0) return;
          await this.writePage(folder, sourceId, ++pages, 'c', page);
          page = [];
        };
        for await (const row of this.readRows(before, sourceId)) {
          if (read.has(String(row.row_key))) continue;
          carried++;
          page.push({ ...row, extract_id: extract.id, extract_row: progress.rows + carried });
          if (page.length >= this.source.page_size) await flush();
        }
        await flush();
        progress.carried = carried;
      }
    }
    await this.save();
  }

  /** The extract readers see as the table's latest state before this one: the newest promoted other than this. */
  private async previousPromoted(extract: ActiveExtract): Promise<{ date: string; extract_id: string } | undefined> {
    const promotion = await this.readPromotion();
    const dates = Object.entries(promotion.snapshots)
      .filter(([date, { extract_id }]) => date <= extract.snapshot_date && extract_id !== extract.id)
      .sort(([a], [b]) => b.localeCompare(a));
    const [newest] = dates;
    return newest ? { date: newest[0], extract_id: newest[1].extract_id } : undefined;
  }

  private async readPromotion(): Promise<Promotion> {
    const stored = await this.deps.store.get(this.deps.rawBucket, promotionKey(this.source.source));
    return stored ? promotionSchema.parse(JSON.parse(Buffer.from(stored).toString('utf8'))) : { snapshots: {} };
  }

  private async fail(extract: ActiveExtract, resumed: boolean, problems: IntegrityProblem[]): Promise<ExtractResult> {
    // Nothing is promoted; the pages stay in raw, unread, for whoever investigates. The next run starts afresh.
    for (const problem of problems) this.deps.log?.('integrity check failed', { ...problem });
    const { active: _failed, ...rest } = this.state;
    this.state = {
      ...rest,
      last: {
        id: extract.id,
        status: 'failed',
        finished_at: this.now().toISOString(),
        rows: totalRows(extract),
        problems,
      },
    };
    await this.save();
    return this.report(extract, this.result(extract, 'failed', resumed, problems));
  }

  private async promote(extract: ActiveExtract, resumed: boolean): Promise<ExtractResult> {
    const key = promotionKey(this.source.source);
    const promotion = await this.readPromotion();
    const rows: Record<string, number> = {};
    for (const [progress, value] of Object.entries(extract.tables)) rows[progress] = value.rows + (value.carried ?? 0);
    promotion.snapshots[extract.snapshot_date] = {
      extract_id: extract.id,
      promoted_at: this.now().toISOString(),
      rows,
    };
    // Athena's readers first (a partition per table, each moved at once), then the twin's: a crash between the two
    // leaves the extract unpromoted in the checkpoint, and the next run promotes it again, to the same folders.
    for (const table of this.source.tables) {
      await this.deps.catalog?.registerSnapshot(
        rawTableName(this.source.source, table.name),
        extract.snapshot_date,
        `${this.folderOf(extract, table.name)}/`,
      );
    }
    // The one write that makes the extract visible: readers see the previous record or this one, never half.
    await this.deps.store.put(this.deps.rawBucket, key, `${JSON.stringify(promotion, null, 2)}\n`);
    const cursors = { ...this.state.cursors };
    for (const [progress, value] of Object.entries(extract.tables)) if (value.cursor) cursors[progress] = value.cursor;
    const { active: _promoted, ...rest } = this.state;
    this.state = {
      ...rest,
      cursors,
      last: {
        id: extract.id,
        status: 'promoted',
        finished_at: this.now().toISOString(),
        rows: totalRows(extract),
        problems: [],
      },
    };
    await this.save();
    this.deps.log?.('extract promoted', { extract_id: extract.id, snapshot_date: extract.snapshot_date });
    return this.report(extract, this.result(extract, 'promoted', resumed, []));
  }

  private async loadOrStart(): Promise<{ extract: ActiveExtract; resumed: boolean }> {
    const key = extractStateKey(this.source.source);
    const stored = await this.deps.control.get<unknown>(key);
    if (stored) {
      const parsed = extractStateSchema.safeParse(stored.value);
      if (!parsed.success) throw new ExtractStateError(key, parsed.error.issues[0]?.message ?? 'unreadable');
      this.state = parsed.data;
      this.version = stored.version;
    }
    const resumed = this.state.active !== undefined;
    const now = this.now();
    const extract: ActiveExtract = this.state.active ?? {
      id: pullId(now, this.state.extracts_started + 1),
      started_at: now.toISOString(),
      snapshot_date: now.toISOString().slice(0, 10),
      runs: 0,
      tables: {},
    };
    extract.runs++;
    this.state = { ...this.state, extracts_started: this.state.extracts_started + (resumed ? 0 : 1), active: extract };
    await this.save();
    this.deps.log?.(resumed ? 'resuming extract' : 'starting extract', { extract_id: extract.id });
    return { extract, resumed };
  }

  private async save(): Promise<void> {
    const key = extractStateKey(this.source.source);
    try {
      this.version = await this.deps.control.put(key, this.state, this.version);
    } catch (error) {
      if (error instanceof VersionConflictError) throw new ExtractConflictError(this.source.source, key, error);
      throw error;
    }
  }

  /**
   * The extract's report, kept beside its pages (`databases/<source>/_reports/<extract id>.json`): its outcome,
   * every problem with its failing keys, and per instance and table the rows written against `count(*)`.
   */
  private async report(extract: ActiveExtract, result: ExtractResult): Promise<ExtractResult> {
    const report = {
      ...result,
      started_at: extract.started_at,
      finished_at: this.now().toISOString(),
      runs: extract.runs,
      tables: extract.tables,
    };
    await this.deps.store.put(
      this.deps.rawBucket,
      extractReportKey(this.source.source, extract.id),
      `${JSON.stringify(report, null, 2)}\n`,
    );
    return { ...result, report: extractReportKey(this.source.source, extract.id) };
  }

  private result(
    extract: ActiveExtract,
    status: ExtractResult['status'],
    resumed: boolean,
    problems: readonly IntegrityProblem[],
  ): ExtractResult {
    const tables = Object.values(extract.tables);
    return {
      source: this.source.source,
      extract_id: extract.id,
      snapshot_date: extract.snapshot_date,
      status,
      resumed,
      pages: tables.reduce((sum, t) => sum + t.pages, 0),
      rows: totalRows(extract),
      problems,
    };
  }
}

function totalRows(extract: ActiveExtract): number {
  return Object.values(extract.tables).reduce((sum, t) => sum + t.rows, 0);
}
