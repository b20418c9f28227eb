import type { Project } from '../core/model/project.ts';
import { isSqlPlaceholder, parseable, placeholdersIn } from '../core/sql/template.ts';
import { familyOfEvent } from '../core/transform.ts';
import { type ColumnOrigin, type InsertShape, type TableCatalog, traceInsertColumn } from './query-shape.ts';
import { trinoInsertShape } from './trino-shape.ts';
import { REPORTING_SCHEMA, STAGE_SCHEMA, type WarehouseSql } from './warehouse-sql.ts';

/**
 * Column-level lineage of the project: raw field → stage column (each event's transform) and stage column →
 * reporting column (the procedures' INSERT ... SELECTs, through their temporary tables and subqueries), derived by
 * parsing the SQL. Edges join persistent tables only; what lies between (CTEs, temp tables) is followed, not shown.
 */

export type TableKind = 'raw' | 'stage' | 'reporting';

export interface ColumnNode {
  readonly kind: TableKind;
  readonly table: string;
  /** A column, or a field inside one: `user.user_id`. */
  readonly column: string;
}

export interface LineageEdge {
  readonly from: ColumnNode;
  readonly to: ColumnNode;
  /** The event whose transform, or the procedure whose statement, computes `to` from `from`. */
  readonly via: string;
  readonly file: string;
}

/** A statement lineage could not be read from, and why: shown on the docs so nobody trusts a gap. */
export interface LineageGap {
  readonly file: string;
  readonly line?: number;
  readonly reason: string;
}

export interface Lineage {
  readonly edges: readonly LineageEdge[];
  readonly gaps: readonly LineageGap[];
}

// The databases of a transform, as `parseable` names their placeholders.
const RAW = '__raw_database__';
const STAGE = '__stage_database__';

export function projectLineage(project: Project, warehouse: WarehouseSql): Lineage {
  const edges: LineageEdge[] = [];
  const gaps: LineageGap[] = [];
  const catalog = transformCatalog(project);
  for (const [event, sql] of project.insertSql) {
    // `dap check` flags an unknown placeholder; here it is a gap, as a stand-in names no database lineage knows.
    const unknown = placeholdersIn(sql.text).find((use) => !isSqlPlaceholder(use.name));
    if (unknown) {
      gaps.push({ file: sql.file, line: unknown.line, reason: `unknown placeholder {{${unknown.name}}}` });
      continue;
    }
    const shape = trinoInsertShape(parseable(sql.text));
    if (!shape?.columns) {
      gaps.push({ file: sql.file, reason: 'not one INSERT INTO <table> (<columns>) <query> the Trino grammar reads' });
      continue;
    }
    const family = familyOfEvent(project, event);
    const stage = shape.target[shape.target.length - 1] ?? family ?? event;
    for (const column of shape.columns) {
      for (const origin of traceInsertColumn(shape, column, catalog)) {
        const from = nodeOf(origin, project);
        if (from) edges.push({ from, to: { kind: 'stage', table: stage, column }, via: event, file: sql.file });
      }
    }
  }
  edges.push(...reportingEdges(project, warehouse, gaps));
  return { edges: uniqueEdges(edges), gaps };
}

function transformCatalog(project: Project): TableCatalog {
  return {
    stopsAt: () => true,
    columnsOf: (name) => {
      const raw = project.rawTables.get(name[name.length - 1] ?? '');
      return raw ? [...raw.columns, ...raw.partition_columns].map((c) => c.name.toLowerCase()) : undefined;
    },
    insertsInto: () => [],
  };
}

function reportingEdges(project: Project, warehouse: WarehouseSql, gaps: LineageGap[]): LineageEdge[] {
  const reportingColumns = new Map(warehouse.tables.map((t) => [t.table, t.columns.map((c) => c.name)]));
  const stageColumns = new Map(
    [...project.stageTables.values()].map((t) => [t.table, [...t.columns, ...t.partition_columns].map((c) => c.name)]),
  );
  const edges: LineageEdge[] = [];
  for (const insert of warehouse.inserts) {
    if (!insert.shape) {
      gaps.push({ file: insert.file, line: insert.line, reason: 'an INSERT the Trino grammar does not read' });
      continue;
    }
    const [schema, table] = insert.shape.target;
    if (schema !== REPORTING_SCHEMA || table === undefined) continue;
    // Temporary tables are filled in the procedure that reads them.
    const local = warehouse.inserts.filter((i) => i.file === insert.file && i.shape?.target.length === 1);
    const catalog: TableCatalog = {
      stopsAt: (name) => name.length > 1,
      columnsOf: (name) => {
        const [s, t] = name;
        if (t === undefined) return undefined;
        return s === REPORTING_SCHEMA ? reportingColumns.get(t) : s === STAGE_SCHEMA ? stageColumns.get(t) : undefined;
      },
      insertsInto: (name) =>
        local.flatMap((i) => (i.shape && i.shape.target.join('.') === name.join('.') ? [i.shape as InsertShape] : [])),
    };
    const columns = insert.shape.columns ?? reportingColumns.get(table) ?? [];
    for (const column of columns) {
      for (const origin of traceInsertColumn(insert.shape, column, catalog)) {
        const from = nodeOf(origin, project);
        if (!from || (from.kind === 'reporting' && from.table === table)) continue;
        edges.push({
          from,
          to: { kind: 'reporting', table, column },
          via: insert.procedure ?? insert.file,
          file: insert.file,
        });
      }
    }
  }
  return edges;
}

function nodeOf(origin: ColumnOrigin, project: Project): ColumnNode | undefined {
  const [schema, table] = origin.table.length > 1 ? origin.table : [undefined, origin.table[0]];
  if (table === undefined) return undefined;
  if (schema === RAW || schema === 'raw_schema') return { kind: 'raw', table, column: origin.column };
  if (schema === STAGE || schema === STAGE_SCHEMA) return { kind: 'stage', table, column: origin.column };
  if (schema === REPORTING_SCHEMA) return { kind: 'reporting', table, column: origin.column };
  // A transform naming a raw table without its database.
  return project.rawTables.has(table) ? { kind: 'raw', table, column: origin.column } : undefined;
}

export function nodeKey(node: ColumnNode): string {
  return `${node.kind}.${node.table}.${node.column}`;
}

function uniqueEdges(edges: readonly LineageEdge[]): LineageEdge[] {
  const seen = new Map<string, LineageEdge>();
  for (const edge of edges) seen.set(`${nodeKey(edge.from)}>${nodeKey(edge.to)}>${edge.via}`, edge);
  return [...seen.values()];
}
