import type { ParseTree } from 'antlr4ng';
import { Column_defContext } from 'dt-sql-parser/dist/lib/postgresql/PostgreSqlParser.js';
import { PostgreSQL } from 'dt-sql-parser/dist/parser/postgresql/index.js';
import { unquote } from '../core/sql/identifiers.ts';
import { parseProgram, walk } from './parse-tree.ts';

/**
 * The columns of a reporting table's CREATE TABLE (a migration's, cut to its column list: Redshift's DISTKEY,
 * SORTKEY and ENCODE are not Postgres), read with the Postgres grammar of the parser package `dap check` reads Trino
 * with (dt-sql-parser). Trino's grammar has no column constraints, so it cannot read these.
 */
export function postgresTableColumns(sql: string): { readonly name: string; readonly type: string }[] | undefined {
  const tree = parse(sql);
  if (!tree) return undefined;
  const columns: { name: string; type: string }[] = [];
  walk(tree, (node) => {
    if (!(node instanceof Column_defContext)) return true;
    const type = node.typename();
    const typeText = sql.slice(type.start?.start ?? 0, (type.stop?.stop ?? -1) + 1);
    columns.push({ name: unquote(node.columnNameCreate().getText()), type: typeText.toLowerCase() });
    return false;
  });
  return columns;
}

let parser: PostgreSQL | undefined;

/** One pass in SLL mode (full LL is many times slower); undefined on a syntax error. */
function parse(sql: string): ParseTree | undefined {
  parser ??= new PostgreSQL();
  return parseProgram(parser, sql);
}
