import type {
  InsertIntoContext,
  ProgramContext,
  StatementContext,
} from 'dt-sql-parser/dist/lib/trino/TrinoSqlParser.js';
import { TrinoSQL } from 'dt-sql-parser/dist/parser/trino/index.js';
import { unquote } from './identifiers.ts';

/** What `dap check` needs to know about a transform, read with a Trino grammar (the language Athena runs). */
export interface SqlAnalysis {
  readonly syntaxErrors: readonly { readonly line: number; readonly column: number; readonly message: string }[];
  readonly statementCount: number;
  /** The INSERT INTO statement, when the file is exactly one. */
  readonly insert?: {
    /** Target name parts, lower-cased and unquoted: `[database, table]` or `[table]`. */
    readonly target: readonly string[];
    /** The explicit column list, lower-cased and unquoted; undefined when the statement has none. */
    readonly columns?: readonly string[];
    /** The query that produces the rows (`with ... select ...`), as written. */
    readonly query: string;
  };
}

let parser: TrinoSQL | undefined;

export function analyzeSql(sql: string): SqlAnalysis {
  parser ??= new TrinoSQL();
  const syntaxErrors = parser
    .validate(sql)
    .map((e) => ({ line: e.startLine, column: e.startColumn, message: e.message }));
  if (syntaxErrors.length > 0) return { syntaxErrors, statementCount: 0 };
  const program = parser.parse(sql) as ProgramContext;
  const statements = program.statements().map((s) => s.singleStatement().statement());
  const only = statements.length === 1 ? statements[0] : undefined;
  if (!isInsertInto(only)) return { syntaxErrors, statementCount: statements.length };
  const target = only
    .tableRef()
    .identifier()
    .map((id) => unquote(id.getText()));
  const columnList = only.columnList();
  const columns = columnList?.columnRef().map((ref) => unquote(ref.getText()));
  const root = only.rootQuery();
  const query = sql.slice(root.start?.start ?? 0, (root.stop?.stop ?? sql.length - 1) + 1);
  return { syntaxErrors, statementCount: 1, insert: columns ? { target, columns, query } : { target, query } };
}

// The generated context classes are not exported by the package's entry point, so recognise the statement by shape.
function isInsertInto(statement: StatementContext | undefined): statement is InsertIntoContext {
  return statement !== undefined && 'KW_INSERT' in statement && 'tableRef' in statement && 'columnList' in statement;
}
