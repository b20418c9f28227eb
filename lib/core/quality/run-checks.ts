import type { ResourceNames } from '../model/names.ts';
import type { Project } from '../model/project.ts';
import { type QualityCheckType, qualityCheckName, type Severity } from '../model/quality-schema.ts';
import type { QueryEngine, SqlValue } from '../ports.ts';
import { type QualityCheckQuery, type QualityWindow, qualityCheckQuery, stageTableOf } from './check-sql.ts';

/**
 * PASSED: nothing offends. FAILED: an `error` check found offending rows. WARNED: a `warn` check did. ERROR: the check
 * could not be evaluated (its query failed or could not be built); it fails the family when its severity is `error`.
 */
export type QualityStatus = 'PASSED' | 'FAILED' | 'WARNED' | 'ERROR';

/** One check's outcome, shaped for the run report (snake_case like the rest of it). */
export interface QualityResult {
  readonly name: string;
  readonly type: QualityCheckType;
  readonly severity: Severity;
  readonly status: QualityStatus;
  /** Offending rows (or keys, for unique and reconciliation); 0 when the check errored. */
  readonly failing_count: number;
  /** Up to 10 offending keys, sorted. */
  readonly sample_keys: readonly string[];
  /** The engine's query id; null when no query ran. */
  readonly query_id: string | null;
  /** The engine's message when status is ERROR. */
  readonly error?: string;
}

export class QualityResultShapeError extends Error {
  constructor(message: string, cause: { readonly check: string; readonly row: unknown }) {
    super(message, { cause });
    this.name = 'QualityResultShapeError';
  }
}

/**
 * Runs every check declared on the family's stage table over the window's rows, one query at a time (they are small
 * and Athena's concurrency is better spent on transforms). Never throws for a check: a failure to evaluate one is
 * its ERROR result. Throws only when the family has no stage table.
 */
export async function runQualityChecks(
  engine: QueryEngine,
  project: Project,
  names: ResourceNames,
  family: string,
  window: QualityWindow,
): Promise<QualityResult[]> {
  const table = stageTableOf(project, family);
  const results: QualityResult[] = [];
  for (const check of table.checks) {
    const identity = { name: qualityCheckName(check), type: check.type, severity: check.severity };
    let query: QualityCheckQuery;
    try {
      query = qualityCheckQuery(project, names, table, check, window);
    } catch (error) {
      results.push(errored(identity, null, error));
      continue;
    }
    results.push(await evaluate(engine, query));
  }
  return results;
}

/** True when no `error` check failed or errored: the family may commit its watermark. */
export function familyPassed(results: readonly QualityResult[]): boolean {
  return results.every((result) => result.severity !== 'error' || result.status === 'PASSED');
}

async function evaluate(engine: QueryEngine, query: QualityCheckQuery): Promise<QualityResult> {
  const identity = { name: query.name, type: query.type, severity: query.severity };
  let queryId: string | null = null;
  try {
    const result = await engine.execute(query.sql, { parameters: query.parameters });
    queryId = result.queryId;
    const row = result.rows[0];
    const failingCount = Number(row?.failing_count);
    if (row === undefined || !Number.isInteger(failingCount) || failingCount < 0) {
      throw new QualityResultShapeError(`check "${query.name}" returned no failing_count`, {
        check: query.name,
        row,
      });
    }
    const passed = failingCount === 0;
    return {
      ...identity,
      status: passed ? 'PASSED' : query.severity === 'error' ? 'FAILED' : 'WARNED',
      failing_count: failingCount,
      sample_keys: sampleKeys(query.name, row.sample_keys),
      query_id: queryId,
    };
  } catch (error) {
    return errored(identity, queryId, error);
  }
}

function errored(
  identity: Pick<QualityResult, 'name' | 'type' | 'severity'>,
  queryId: string | null,
  error: unknown,
): QualityResult {
  const message = error instanceof Error ? error.message : String(error);
  return { ...identity, status: 'ERROR', failing_count: 0, sample_keys: [], query_id: queryId, error: message };
}

/** The JSON array text the query returns (Athena returns every value as text); an engine array is taken as is. */
function sampleKeys(check: string, value: SqlValue | undefined): string[] {
  if (value === null || value === undefined) return [];
  const parsed: unknown = typeof value === 'string' ? parseJson(check, value) : value;
  if (!Array.isArray(parsed)) {
    throw new QualityResultShapeError(`check "${check}" returned sample_keys that are not a list`, {
      check,
      row: value,
    });
  }
  return parsed.map((key) => (typeof key === 'string' ? key : JSON.stringify(key)));
}

function parseJson(check: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new QualityResultShapeError(`check "${check}" returned sample_keys that are not JSON: ${text}`, {
      check,
      row: { sample_keys: text, error },
    });
  }
}
