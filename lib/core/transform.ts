import type { Project } from '../config/loader.ts';
import type { ResourceNames } from '../config/names.ts';
import type { QueryEngine } from '../engines/ports.ts';
import { renderSql, type SqlBindings } from './sql-template.ts';

export class MissingTransformError extends Error {
  constructor(readonly eventName: string) {
    super(`event "${eventName}" has no transform: expected athena-scripts/dml/insert_into/${eventName}.sql`);
    this.name = 'MissingTransformError';
  }
}

export function sqlBindings(names: ResourceNames): SqlBindings {
  return { raw_database: names.rawDatabase, stage_database: names.stageDatabase };
}

/** The event's insert_into SQL with its databases filled in for this environment. */
export function renderTransform(project: Project, names: ResourceNames, eventName: string): string {
  const sql = project.insertSql.get(eventName);
  if (!sql) throw new MissingTransformError(eventName);
  return renderSql(sql.text, sqlBindings(names));
}

export interface TransformResult {
  readonly queryId: string;
  readonly rowsWritten: number;
  readonly bytesScanned?: number;
  readonly durationMs: number;
}

/** Runs one event's transform into its family's stage table. */
export async function runTransform(
  engine: QueryEngine,
  project: Project,
  names: ResourceNames,
  eventName: string,
): Promise<TransformResult> {
  const result = await engine.execute(renderTransform(project, names, eventName));
  return {
    queryId: result.queryId,
    rowsWritten: result.rowsAffected,
    ...(result.bytesScanned === undefined ? {} : { bytesScanned: result.bytesScanned }),
    durationMs: result.durationMs,
  };
}
