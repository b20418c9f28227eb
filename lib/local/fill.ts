import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filledPartitionValue, filledRecord } from '../core/fill.ts';
import { type ResourceNames, resourceNames } from '../core/model/names.ts';
import { enabledFamilies } from '../core/model/plan.ts';
import { environment, type Project } from '../core/model/project.ts';
import { quoteIdentifier } from '../core/sql/identifiers.ts';
import { bindParameters, renderSql } from '../core/sql/template.ts';
import { analyzeSql } from '../core/sql/trino-analysis.ts';
import { runTransform, sqlBindings } from '../core/transform.ts';
import { DuckDbEngine } from '../engines/local/duckdb-engine.ts';

/** What one enabled event's transform made of a raw record with every declared field filled. */
export interface EventFill {
  readonly event: string;
  readonly file: string;
  readonly table: string;
  /** Stage columns NULL in every row the transform wrote; empty when all were filled. */
  readonly nullColumns: readonly string[];
  readonly rowsWritten: number;
  /** The engine's error, when the transform failed on the filled record. */
  readonly error?: string;
}

/**
 * Runs every enabled event's transform on the local engine over one raw record per raw table with every declared
 * field filled (`filledRecord`), each event on its own, in a scratch folder and an in-memory database: the twin's
 * data is neither needed nor touched. A stage column still NULL names a reference the raw declaration does not
 * satisfy, or a value the SQL drops.
 */
export async function localFill(project: Project, envName: string): Promise<EventFill[]> {
  const env = environment(project, envName);
  const dataDir = await mkdtemp(join(tmpdir(), 'dap-fill-'));
  try {
    const engine = await openOverFilledRecords(project, env, dataDir);
    try {
      const fills: EventFill[] = [];
      for (const family of enabledFamilies(project)) {
        const table = project.stageTables.get(family.productFamily);
        if (table === undefined) continue;
        const qualified = `${quoteIdentifier(engine.names.stageDatabase)}.${quoteIdentifier(table.table)}`;
        for (const event of family.events.filter((e) => !project.blocked?.events.has(e))) {
          const file = project.insertSql.get(event)?.file ?? event;
          fills.push(await fillOne(engine, project, event, file, table.table, qualified));
          await engine.execute(`delete from ${qualified}`);
        }
      }
      return fills;
    } finally {
      await engine.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function openOverFilledRecords(
  project: Project,
  env: ReturnType<typeof environment>,
  dataDir: string,
): Promise<DuckDbEngine> {
  const rawBucket = resourceNames(env).buckets.raw;
  for (const raw of project.rawTables.values()) {
    const partition = raw.partition_columns.map((c) => `${c.name}=${filledPartitionValue(c.name)}`);
    const folder = join(dataDir, rawBucket, raw.location, ...partition);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'part-0.json'), `${JSON.stringify(filledRecord(raw.columns))}\n`);
  }
  // Raw views are built from the files present when the engine opens.
  return DuckDbEngine.open({ project, environment: env, dataDir, databasePath: ':memory:' });
}

async function fillOne(
  engine: DuckDbEngine,
  project: Project,
  event: string,
  file: string,
  table: string,
  qualified: string,
): Promise<EventFill> {
  try {
    const result = await runTransform(engine, project, engine.names, event);
    const rows = (await engine.execute(`select * from ${qualified}`)).rows;
    const written = writtenColumns(project, engine.names, event);
    const columns = (rows.length === 0 ? [] : Object.keys(rows[0] as object)).filter(
      (column) => written === undefined || written.has(column.toLowerCase()),
    );
    const nullColumns = columns.filter((column) =>
      rows.every((row) => (row as Record<string, unknown>)[column] === null),
    );
    return { event, file, table, nullColumns, rowsWritten: result.rowsWritten };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    return { event, file, table, nullColumns: [], rowsWritten: 0, error: message };
  }
}

/** The stage columns an event's INSERT names (other events of its family fill the rest); undefined: all of them. */
function writtenColumns(project: Project, names: ResourceNames, event: string): ReadonlySet<string> | undefined {
  const sql = project.insertSql.get(event);
  if (sql === undefined) return undefined;
  const bound = bindParameters(renderSql(sql.text, sqlBindings(names)), { window_from: '', window_to: '' });
  const columns = analyzeSql(bound.sql).insert?.columns;
  return columns === undefined ? undefined : new Set(columns);
}

/** One line per event that did not fill every column it writes, notes for those not measured, a total line. */
export function formatFills(fills: readonly EventFill[]): { lines: string[]; failing: boolean } {
  const lines: string[] = [];
  for (const fill of fills) {
    if (fill.error !== undefined) continue;
    if (fill.rowsWritten === 0) lines.push(`${fill.file}: wrote no row from a raw record with every field filled`);
    else if (fill.nullColumns.length > 0) {
      lines.push(
        `${fill.file}: stage column(s) ${fill.nullColumns.join(', ')} of ${fill.table} NULL from a raw record with every declared field filled`,
      );
    }
  }
  const short = lines.length;
  // A failure is the filled values' doing as often as the SQL's (a string field the SQL parses as JSON or as a
  // timestamp in its own format): said, but it fails nothing; the golden tests hold such events.
  for (const fill of fills) {
    if (fill.error !== undefined)
      lines.push(`note: ${fill.file}: not measured: the transform refused the filled values: ${fill.error}`);
  }
  const measured = fills.filter((fill) => fill.error === undefined).length;
  lines.push(
    short === 0
      ? `dap fill: ${measured} of ${fills.length} enabled event(s) measured, each fills every stage column it writes`
      : `dap fill: ${short} of ${measured} measured enabled event(s) leave stage columns they write NULL`,
  );
  return { lines, failing: short > 0 };
}
