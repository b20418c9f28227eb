import { tokenizeRedshift } from './redshift-tokens.ts';
import { type Dialect, indexLines, lineAndColumn } from './scanner.ts';
import { tokenizeSql } from './trino-tokens.ts';

/**
 * Splits a SQL script into its statements at the top-level semicolons, as psql does, so a script can be sent
 * statement by statement (the Redshift Data API's BatchExecuteStatement takes a list of single statements, and
 * `dap query --file` runs one at a time). It reads the script with the same tokens as the dialect's lint and local
 * rewriter, so they can never disagree on where a string, comment or body ends: in Redshift a backslash escapes in
 * every string, block comments nest and `$$ ... $$` (or `$tag$`) quotes a body; in Trino only `''` escapes. Pure.
 */

export interface SqlStatement {
  /** The statement without its terminating `;`, trimmed; comments inside or before it are kept. */
  readonly sql: string;
  /** 1-based line of the statement's first character that is not a comment or blank, for messages. */
  readonly line: number;
}

/** The script ends inside a quote, comment or dollar-quoted body: the split would be wrong, so it is refused. */
export class UnterminatedSqlError extends Error {
  constructor(
    readonly construct: string,
    readonly line: number,
  ) {
    super(`${construct} opened on line ${line} is never closed`);
    this.name = 'UnterminatedSqlError';
  }
}

interface Token {
  readonly kind: string;
  readonly text: string;
  readonly offset: number;
  readonly inBody?: boolean;
  readonly open?: true;
}

const OPEN_CONSTRUCTS: Readonly<Record<string, string>> = {
  string: 'string literal',
  'quoted-identifier': 'quoted identifier',
  comment: 'block comment',
};

/** The statements of `script`, in order; empty statements and statements of only comments are left out. */
export function splitSqlStatements(script: string, dialect: Dialect = 'redshift'): SqlStatement[] {
  const tokens: readonly Token[] = dialect === 'redshift' ? tokenizeRedshift(script) : tokenizeSql(script);
  const lines = indexLines(script);
  const lineOf = (offset: number) => lineAndColumn(lines, offset).line;
  const statements: SqlStatement[] = [];
  let start = 0;
  let first: number | undefined;
  let openedBody: Token | undefined;
  for (const token of tokens) {
    if (token.open) {
      const construct = token.kind === 'string' && token.text.startsWith('$') ? 'dollar-quoted text' : undefined;
      throw new UnterminatedSqlError(construct ?? OPEN_CONSTRUCTS[token.kind] ?? token.kind, lineOf(token.offset));
    }
    // A body's opening and closing delimiters are `dollar` tokens outside it: each one opens or closes.
    if (token.kind === 'dollar') openedBody = openedBody ? undefined : token;
    if (token.kind === 'punctuation' && token.text === ';' && !token.inBody) {
      if (first !== undefined) statements.push({ sql: script.slice(start, token.offset).trim(), line: lineOf(first) });
      start = token.offset + 1;
      first = undefined;
      continue;
    }
    if (token.kind !== 'whitespace' && token.kind !== 'comment') first ??= token.offset;
  }
  if (openedBody) throw new UnterminatedSqlError(`dollar-quoted body ${openedBody.text}`, lineOf(openedBody.offset));
  if (first !== undefined) statements.push({ sql: script.slice(start).trim(), line: lineOf(first) });
  return statements;
}
