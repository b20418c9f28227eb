import type { WarehouseScriptFile } from '../core/model/project.ts';
import { type RedshiftToken, tokenizeRedshift } from '../core/sql/redshift-tokens.ts';
import { type SqlStatement, splitSqlStatements } from '../core/sql/statements.ts';
import { postgresTableColumns } from './postgres-ddl.ts';
import type { InsertShape } from './query-shape.ts';
import { trinoInsertShape } from './trino-shape.ts';

/**
 * What the reporting model's scripts hold for the docs: each table a migration creates in `{{reporting_schema}}`
 * (columns, the comment above it, which states its grain), and each INSERT ... SELECT of a procedure body, for
 * lineage. Statements are found with the project's Redshift tokens and statement splitter. An INSERT ... SELECT is
 * read with the Trino grammar of `dap check` (the SELECT syntax the procedures use is common to both; it parses
 * them some twenty times faster than the Postgres grammar); a statement it rejects gives no lineage and is listed.
 * Placeholders become plain names: `{{stage_schema}}.x` is `stage_schema.x`.
 */

export interface WarehouseTable {
  readonly table: string;
  readonly file: string;
  readonly line: number;
  /** The comment above the statement, without its `--`. */
  readonly comment: string;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly sql: string;
}

export interface WarehouseInsert {
  readonly file: string;
  readonly line: number;
  /** The procedure the statement is in, when it is in one. */
  readonly procedure?: string;
  readonly sql: string;
  /** Undefined when the statement does not parse (no lineage from it). */
  readonly shape?: InsertShape;
}

export interface WarehouseSql {
  readonly tables: readonly WarehouseTable[];
  readonly inserts: readonly WarehouseInsert[];
  /** Each procedure's file and the procedures it calls (`call {{reporting_schema}}.<name>(...)`). */
  readonly procedures: ReadonlyMap<string, { readonly file: string; readonly calls: readonly string[] }>;
}

export const REPORTING_SCHEMA = 'reporting_schema';
export const STAGE_SCHEMA = 'stage_schema';

export function readWarehouseSql(scripts: readonly WarehouseScriptFile[]): WarehouseSql {
  const tables: WarehouseTable[] = [];
  const inserts: WarehouseInsert[] = [];
  const procedures = new Map<string, { file: string; calls: string[] }>();
  for (const script of scripts) {
    const text = script.text.replace(/\{\{([a-z_]+)\}\}/g, (_whole, name: string) => name);
    for (const statement of statementsOf(text)) {
      const table = createdTable(statement, script.file);
      if (table) tables.push(table);
    }
    for (const body of proceduresOf(text)) {
      if (body.procedure) procedures.set(body.procedure, { file: script.file, calls: callsIn(body.text) });
      for (const statement of statementsOf(body.text)) {
        const sql = fromInsert(statement.sql);
        if (sql === undefined) continue;
        const shape = trinoInsertShape(sql);
        const line = body.line + statement.line - 1;
        inserts.push({
          file: script.file,
          line,
          sql,
          ...(body.procedure ? { procedure: body.procedure } : {}),
          ...(shape ? { shape } : {}),
        });
      }
    }
  }
  return { tables, inserts, procedures };
}

function statementsOf(text: string): SqlStatement[] {
  try {
    return splitSqlStatements(text, 'redshift');
  } catch (error) {
    // `dap check` reports a script that does not split; the docs show what they can.
    if (error instanceof Error && error.name === 'UnterminatedSqlError') return [];
    throw error;
  }
}

/** The `$$ ... $$` bodies of the procedures a script creates, with the line each starts on. */
function proceduresOf(text: string): { procedure?: string; text: string; line: number }[] {
  const tokens = tokenizeRedshift(text);
  const bodies: { procedure?: string; text: string; line: number }[] = [];
  let open: RedshiftToken | undefined;
  for (const token of tokens) {
    if (token.kind !== 'dollar') continue;
    if (!open) {
      open = token;
      continue;
    }
    const start = open.offset + open.text.length;
    const before = text.slice(0, open.offset);
    const name = [...before.matchAll(/create\s+or\s+replace\s+procedure\s+(?:[a-z0-9_]+\.)?([a-z0-9_]+)/gi)].pop()?.[1];
    bodies.push({
      text: text.slice(start, token.offset),
      line: text.slice(0, start).split('\n').length,
      ...(name ? { procedure: name.toLowerCase() } : {}),
    });
    open = undefined;
  }
  return bodies;
}

/** The procedures a body calls, read from its code (comments and strings are tokens of their own). */
function callsIn(body: string): string[] {
  const words = tokenizeRedshift(body).filter((t) => t.kind !== 'whitespace' && t.kind !== 'comment');
  return words.flatMap((t, i) =>
    t.text.toLowerCase() === 'call' && words[i + 1]?.text === REPORTING_SCHEMA && words[i + 2]?.text === '.'
      ? [(words[i + 3]?.text ?? '').toLowerCase()]
      : [],
  );
}

/**
 * The reporting tables a procedure fills, itself or through the procedures it calls (to any depth).
 */
export function tablesFilledBy(warehouse: WarehouseSql, procedure: string): string[] {
  const reached = new Set([procedure]);
  const queue = [procedure];
  while (queue.length > 0) {
    for (const called of warehouse.procedures.get(queue.shift() ?? '')?.calls ?? []) {
      if (!reached.has(called)) {
        reached.add(called);
        queue.push(called);
      }
    }
  }
  const tables = warehouse.inserts.flatMap((i) =>
    i.procedure && reached.has(i.procedure) && i.shape?.target[0] === REPORTING_SCHEMA ? [i.shape.target[1] ?? ''] : [],
  );
  return [...new Set(tables)].filter((t) => t !== '');
}

/** The statement from its `insert into` on (a body's statement may start with `begin`, `if ... then`). */
function fromInsert(sql: string): string | undefined {
  const tokens = tokenizeRedshift(sql).filter((t) => t.kind !== 'whitespace' && t.kind !== 'comment');
  const at = tokens.findIndex(
    (t, i) => t.text.toLowerCase() === 'insert' && tokens[i + 1]?.text.toLowerCase() === 'into',
  );
  const start = tokens[at];
  if (at < 0 || !start) return undefined;
  // Dynamic SQL (`execute 'insert ...'`) is a string token, never these words: only real statements get here.
  return sql.slice(start.offset);
}

function createdTable(statement: SqlStatement, file: string): WarehouseTable | undefined {
  const tokens = tokenizeRedshift(statement.sql);
  const significant = tokens.filter((t) => t.kind !== 'whitespace' && t.kind !== 'comment');
  const words = significant.slice(0, 8).map((t) => t.text.toLowerCase());
  if (words[0] !== 'create' || words[1] !== 'table') return undefined;
  const schemaAt = words.indexOf(REPORTING_SCHEMA);
  const name = significant[schemaAt + 2];
  if (schemaAt < 0 || significant[schemaAt + 1]?.text !== '.' || !name) return undefined;
  // Only the column list: the grammar knows Postgres, not Redshift's DISTKEY, SORTKEY and ENCODE.
  const open = significant.find((t) => t.text === '(');
  if (!open) return undefined;
  let depth = 0;
  let close: RedshiftToken | undefined;
  for (const token of significant.slice(significant.indexOf(open))) {
    if (token.text === '(') depth++;
    if (token.text === ')') depth--;
    if (depth === 0) {
      close = token;
      break;
    }
  }
  if (!close) return undefined;
  const head = statement.sql.slice(significant[0]?.offset ?? 0, close.offset + 1);
  const withoutEncodings = head.replace(/\bencode\s+[a-z0-9_]+/gi, '');
  const comment = tokens
    .slice(0, tokens.indexOf(significant[0] as RedshiftToken))
    .filter((t) => t.kind === 'comment')
    .map((t) => t.text.replace(/^--\s?/, '').replace(/^\/\*|\*\/$/g, ''))
    .join('\n')
    .trim();
  return {
    table: name.text.toLowerCase(),
    file,
    line: statement.line,
    comment,
    columns: postgresTableColumns(withoutEncodings) ?? [],
    sql: statement.sql,
  };
}
