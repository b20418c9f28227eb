import { type Deduplication, transformStatements } from './merge.ts';
import type { ResourceNames } from './model/names.ts';
import type { Project, StageTableDef } from './model/project.ts';
import type { QueryEngine } from './ports.ts';
import { type BoundSql, bindParameters, renderSql, type SqlBindings } from './sql/template.ts';
import { BEGINNING, type DayWindow } from './window.ts';

export class MissingTransformError extends Error {
  constructor(readonly eventName: string) {
    super(`event "${eventName}" has no transform: expected athena-scripts/dml/insert_into/${eventName}.sql`);
    this.name = 'MissingTransformError';
  }
}

/** Every delivery day there is: what a transform reads when no window is given (golden tests, a first look). */
export const ALL_DAYS: DayWindow = { from: BEGINNING, to: '9999-12-31' };

/** Used when a stage table declares no deduplication and has these columns, as TxMA stage tables do. */
export const DEFAULT_DEDUPLICATION: Deduplication = {
  key: ['event_id'],
  order_by: ['event_at', 'processed_date'],
  keep: 'earliest',
};

export function sqlBindings(names: ResourceNames): SqlBindings {
  return { raw_database: names.rawDatabase, stage_database: names.stageDatabase };
}

export function familyOfEvent(project: Project, eventName: string): string | undefined {
  for (const [family, { events }] of project.familyEvents) {
    if (events.some((e) => e.event_name === eventName)) return family;
  }
  return undefined;
}

export function deduplicationOf(table: StageTableDef): Deduplication {
  return table.deduplication ?? DEFAULT_DEDUPLICATION;
}

/** The three statements that write one event's window into its family's stage table (see `transformStatements`). */
export interface PreparedTransform {
  readonly clear: string;
  /** The transform's query into the incoming table, with the window's bounds as query parameters. */
  readonly load: BoundSql;
  readonly merge: string;
}

/** Where an event's window is staged before it is merged: a table named after the event in the incoming database. */
export function incomingTable(names: ResourceNames, eventName: string): readonly [string, string] {
  return [names.incomingDatabase, eventName];
}

/**
 * Every event's incoming table, as the catalog and the local engine declare it: named after the event, with its
 * family's stage table columns (partition columns as plain ones: the table is emptied every run, never partitioned).
 */
export function incomingTableDefs(project: Project): StageTableDef[] {
  return [...project.familyEvents].flatMap(([family, { events }]) => {
    const stage = project.stageTables.get(family);
    if (!stage) return [];
    return events.map(({ event_name }) => ({
      ...stage,
      table: event_name,
      description: `The window of event ${event_name} being loaded into stage table ${stage.table}`,
      columns: [...stage.columns, ...stage.partition_columns],
      partition_columns: [],
    }));
  });
}

/**
 * An event's insert_into SQL with the environment's databases filled in, split into clear / load (with the window's
 * bounds as query parameters) / merge on the stage table's deduplication key.
 */
export function prepareTransform(
  project: Project,
  names: ResourceNames,
  eventName: string,
  window: DayWindow,
): PreparedTransform {
  const sql = project.insertSql.get(eventName);
  if (!sql) throw new MissingTransformError(eventName);
  const family = familyOfEvent(project, eventName);
  const table = family === undefined ? undefined : project.stageTables.get(family);
  if (!table) throw new MissingTransformError(eventName);
  const rendered = renderSql(sql.text, sqlBindings(names));
  const bound = bindParameters(rendered, { window_from: window.from, window_to: window.to });
  const statements = transformStatements(bound.sql, deduplicationOf(table), incomingTable(names, eventName));
  return {
    clear: statements.clear,
    load: { sql: statements.load, parameters: bound.parameters },
    merge: statements.merge,
  };
}

export interface TransformResult {
  readonly queryId: string;
  readonly rowsWritten: number;
  readonly bytesScanned?: number;
  readonly durationMs: number;
}

/** Runs one event's transform for a window (every day by default) into its family's stage table. */
export async function runTransform(
  engine: QueryEngine,
  project: Project,
  names: ResourceNames,
  eventName: string,
  window: DayWindow = ALL_DAYS,
): Promise<TransformResult> {
  const prepared = prepareTransform(project, names, eventName, window);
  await engine.execute(prepared.clear);
  const load = await engine.execute(prepared.load.sql, { parameters: prepared.load.parameters });
  const merge = await engine.execute(prepared.merge);
  return {
    queryId: merge.queryId,
    rowsWritten: merge.rowsAffected,
    ...(load.bytesScanned === undefined ? {} : { bytesScanned: load.bytesScanned }),
    durationMs: load.durationMs + merge.durationMs,
  };
}
