import { databaseHistoryScripts } from '../core/extract/history-sql.ts';
import type { Project } from '../core/model/project.ts';
import { qualityCheckName } from '../core/model/quality-schema.ts';
import { procedureNameForFamily } from '../core/procedure-call.ts';
import { newestFirst, type RunRow, runRow } from '../core/run-history.ts';
import type { CheckOutcome, RunReport } from '../core/run-report.ts';
import { tokenizeSql } from '../core/sql/trino-tokens.ts';
import { deduplicationOf, familyOfEvent } from '../core/transform.ts';
import { type ColumnNode, type Lineage, projectLineage, type TableKind } from './lineage.ts';
import { readWarehouseSql, tablesFilledBy } from './warehouse-sql.ts';

/**
 * What the catalog shows, built from the project (config and SQL) and the run reports the data folder holds. Pure
 * data: `render-site.ts` turns it into pages. Every name and text here comes from config and is escaped there.
 */

export interface DocsModel {
  readonly environment: string;
  readonly generatedAt: string;
  readonly families: readonly FamilyDoc[];
  readonly events: readonly EventDoc[];
  readonly tables: readonly TableDoc[];
  readonly reportingFamilies: readonly ReportingFamilyDoc[];
  /** Newest first. */
  readonly runs: readonly RunDoc[];
  readonly lineage: Lineage;
}

export interface FamilyDoc {
  readonly name: string;
  readonly enabled: boolean;
  readonly description?: string;
  readonly stageTable?: string;
  readonly events: readonly { readonly name: string; readonly enabled: boolean }[];
  readonly last?: { readonly status: string; readonly runId: string; readonly error: string | null };
}

export interface EventDoc {
  readonly name: string;
  readonly family?: string;
  readonly enabled: boolean;
  readonly rawTable?: string;
  readonly stageTable?: string;
  /** The transform's header comment: its grain ("one row per event_id of ..."). */
  readonly grain?: string;
  readonly sql?: SqlDoc;
  readonly last?: EventRunDoc;
}

export interface EventRunDoc {
  readonly runId: string;
  readonly startedAt: string;
  readonly status: string;
  readonly skipped: boolean;
  readonly rowsWritten: number | null;
  readonly bytesScanned: number | null;
  readonly lateFiles: number;
  readonly error: string | null;
}

export interface SqlDoc {
  readonly title: string;
  readonly file: string;
  readonly text: string;
}

export interface ColumnDoc {
  readonly name: string;
  readonly type: string;
  readonly description?: string;
  readonly partition?: boolean;
}

export interface CheckDoc {
  readonly name: string;
  readonly type: string;
  readonly severity: string;
  readonly description?: string;
  readonly last?: CheckOutcome & { readonly runId: string; readonly startedAt: string };
}

export interface TableDoc {
  readonly kind: TableKind;
  readonly name: string;
  readonly file: string;
  readonly description?: string;
  /** How many rows mean what: the header comment of the SQL that fills the table. */
  readonly grain?: readonly { readonly from: string; readonly text: string }[];
  readonly columns: readonly ColumnDoc[];
  readonly family?: string;
  readonly events: readonly string[];
  readonly deduplication?: {
    readonly key: readonly string[];
    readonly orderBy: readonly string[];
    readonly keep: string;
  };
  readonly checks: readonly CheckDoc[];
  readonly sql: readonly SqlDoc[];
  readonly location?: string;
  readonly format?: string;
}

export interface ReportingFamilyDoc {
  readonly name: string;
  readonly enabled: boolean;
  readonly dependsOn: readonly string[];
  readonly procedure: string;
  readonly tables: readonly string[];
  readonly last?: { readonly status: string; readonly runId: string; readonly error: string | null };
}

/** A run as `dap runs` lists it, with its late files and what failed. */
export interface RunDoc extends RunRow {
  readonly late_files: number;
  readonly failures: readonly string[];
}

const RUNS_SHOWN = 20;

export function buildDocsModel(input: {
  readonly project: Project;
  readonly environment: string;
  readonly reports: readonly RunReport[];
  readonly now?: Date;
}): DocsModel {
  const { project } = input;
  const reports = newestFirst(input.reports);
  // The history views dap generates from database sources are reporting tables like any other.
  const warehouse = readWarehouseSql([...project.warehouseScripts, ...databaseHistoryScripts(project)]);
  const lineage = projectLineage(project, warehouse);

  const events: EventDoc[] = [...project.familyEvents.values()].flatMap(({ events: entries }) =>
    entries.map((entry) => eventDoc(project, entry.event_name, entry.enabled, reports)),
  );
  const families: FamilyDoc[] = project.families.map((entry) => {
    const stage = project.stageTables.get(entry.product_family);
    const last = lastFamilyOutcome(reports, entry.product_family);
    return {
      name: entry.product_family,
      enabled: entry.enabled,
      ...(stage?.description ? { description: stage.description } : {}),
      ...(stage ? { stageTable: stage.table } : {}),
      events: (project.familyEvents.get(entry.product_family)?.events ?? []).map((e) => ({
        name: e.event_name,
        enabled: e.enabled,
      })),
      ...(last ? { last } : {}),
    };
  });

  const rawTables: TableDoc[] = [...project.rawTables.values()].map((raw) => ({
    kind: 'raw',
    name: raw.table,
    file: raw.file,
    columns: [
      ...raw.columns.map(columnDoc),
      ...raw.partition_columns.map((c) => ({ ...columnDoc(c), partition: true })),
    ],
    events: events.filter((e) => e.rawTable === raw.table).map((e) => e.name),
    checks: [],
    sql: [],
    location: raw.location,
    format: raw.format,
  }));

  const stageTables: TableDoc[] = [...project.stageTables].map(([family, stage]) => {
    const familyEvents = events.filter((e) => e.family === family);
    const dedup = deduplicationOf(stage);
    return {
      kind: 'stage',
      name: stage.table,
      file: stage.file,
      ...(stage.description ? { description: stage.description } : {}),
      grain: familyEvents.flatMap((e) => (e.grain ? [{ from: e.name, text: e.grain.split('\n')[0] ?? '' }] : [])),
      columns: [
        ...stage.columns.map(columnDoc),
        ...stage.partition_columns.map((c) => ({ ...columnDoc(c), partition: true })),
      ],
      family,
      events: familyEvents.map((e) => e.name),
      deduplication: { key: dedup.key, orderBy: dedup.order_by, keep: dedup.keep },
      checks: (stage.checks ?? []).map((check) => {
        const name = qualityCheckName(check);
        const last = lastCheckOutcome(reports, family, name);
        return {
          name,
          type: check.type,
          severity: check.severity,
          ...(check.description ? { description: check.description } : {}),
          ...(last ? { last } : {}),
        };
      }),
      sql: familyEvents.flatMap((e) => (e.sql ? [e.sql] : [])),
    };
  });

  const reportingTables: TableDoc[] = warehouse.tables.map((table) => {
    const fillers = warehouse.inserts.filter((i) => i.shape?.target.join('.') === `reporting_schema.${table.table}`);
    return {
      kind: 'reporting',
      name: table.table,
      file: table.file,
      ...(table.comment ? { grain: [{ from: table.file, text: table.comment }] } : {}),
      columns: table.columns.map((c) => ({ name: c.name, type: c.type })),
      events: [],
      checks: [],
      sql: [
        { title: `create table (${table.file}, line ${table.line})`, file: table.file, text: table.sql },
        ...fillers.map((i) => ({
          title: `${i.procedure ?? 'script'} (${i.file}, line ${i.line})`,
          file: i.file,
          text: i.sql,
        })),
      ],
    };
  });

  const reportingFamilies: ReportingFamilyDoc[] = project.reportingFamilies.map((entry) => {
    const procedure = procedureNameForFamily(entry.product_family);
    const last = lastReportingOutcome(reports, entry.product_family);
    return {
      name: entry.product_family,
      enabled: entry.enabled,
      dependsOn: entry.depends_on ?? [],
      procedure,
      tables: tablesFilledBy(warehouse, procedure),
      ...(last ? { last } : {}),
    };
  });

  return {
    environment: input.environment,
    generatedAt: (input.now ?? new Date()).toISOString(),
    families,
    events,
    tables: [...rawTables, ...stageTables, ...reportingTables],
    reportingFamilies,
    runs: reports.slice(0, RUNS_SHOWN).map(runDoc),
    lineage,
  };
}

function eventDoc(project: Project, name: string, enabled: boolean, reports: readonly RunReport[]): EventDoc {
  const family = familyOfEvent(project, name);
  const stage = family === undefined ? undefined : project.stageTables.get(family);
  const sql = project.insertSql.get(name);
  const grain = sql ? headerComment(sql.text) : undefined;
  const last = lastEventOutcome(reports, name);
  return {
    name,
    enabled,
    ...(family ? { family } : {}),
    ...(project.rawTables.has(name) ? { rawTable: name } : {}),
    ...(stage ? { stageTable: stage.table } : {}),
    ...(grain ? { grain } : {}),
    ...(sql ? { sql: { title: `transform ${name}`, file: sql.file, text: sql.text } } : {}),
    ...(last ? { last } : {}),
  };
}

/** The comments before a transform's first statement, without their `--`: dbt's header ("one row per ..."). */
export function headerComment(text: string): string | undefined {
  const lines: string[] = [];
  for (const token of tokenizeSql(text)) {
    if (token.kind === 'whitespace') continue;
    if (token.kind !== 'comment') break;
    lines.push(token.text.replace(/^--\s?/, '').replace(/^\/\*|\*\/$/g, ''));
  }
  const comment = lines.join('\n').trim();
  return comment === '' ? undefined : comment;
}

function columnDoc(column: { name: string; type: string; description?: string | undefined }): ColumnDoc {
  return {
    name: column.name,
    type: column.type,
    ...(column.description ? { description: column.description } : {}),
  };
}

/** The newest report (reports come newest first) in which `pick` finds something, and what it found. */
function newestWith<T>(
  reports: readonly RunReport[],
  pick: (report: RunReport) => T | undefined,
): { readonly report: RunReport; readonly value: T } | undefined {
  for (const report of reports) {
    const value = pick(report);
    if (value !== undefined) return { report, value };
  }
  return undefined;
}

function lastEventOutcome(reports: readonly RunReport[], event: string): EventRunDoc | undefined {
  const found = newestWith(reports, (r) => r.families.flatMap((f) => f.events).find((e) => e.event_name === event));
  if (!found) return undefined;
  const { report, value: outcome } = found;
  return {
    runId: report.run_id,
    startedAt: report.started_at,
    status: outcome.status,
    skipped: outcome.skipped,
    rowsWritten: outcome.rows_written,
    bytesScanned: outcome.bytes_scanned,
    lateFiles: outcome.late_files,
    error: outcome.error,
  };
}

function lastFamilyOutcome(reports: readonly RunReport[], name: string): FamilyDoc['last'] {
  const found = newestWith(reports, (r) => r.families.find((f) => f.product_family === name));
  return found && { status: found.value.status, runId: found.report.run_id, error: found.value.error };
}

function lastReportingOutcome(reports: readonly RunReport[], name: string): ReportingFamilyDoc['last'] {
  const found = newestWith(reports, (r) => r.reporting.find((o) => o.product_family === name));
  return found && { status: found.value.status, runId: found.report.run_id, error: found.value.error };
}

function lastCheckOutcome(reports: readonly RunReport[], family: string, check: string): CheckDoc['last'] {
  const found = newestWith(reports, (r) =>
    r.families.find((f) => f.product_family === family)?.checks.find((c) => c.name === check),
  );
  return found && { ...found.value, runId: found.report.run_id, startedAt: found.report.started_at };
}

function runDoc(report: RunReport): RunDoc {
  return {
    ...runRow(report),
    late_files: report.totals.late_files,
    failures: [
      ...report.families.filter((f) => f.status === 'FAILED').map((f) => `${f.product_family}: ${f.error ?? 'failed'}`),
      ...report.reporting
        .filter((r) => r.status === 'FAILED')
        .map((r) => `${r.product_family}: ${r.error ?? 'failed'}`),
    ],
  };
}

/** The edges into and out of a table's columns. */
export function edgesOf(model: DocsModel, table: Pick<ColumnNode, 'kind' | 'table'>) {
  const at = (node: ColumnNode) => node.kind === table.kind && node.table === table.table;
  return {
    upstream: model.lineage.edges.filter((e) => at(e.to)),
    downstream: model.lineage.edges.filter((e) => at(e.from)),
  };
}
