/**
 * Splits a SQL script into its statements at the top-level semicolons, as psql does, so a script can be sent
 * statement by statement (the Redshift Data API's BatchExecuteStatement takes a list of single statements). A `;`
 * does not end a statement inside a string literal (`'...'`, `''` escapes a quote; `E'...'` also takes backslash
 * escapes), a quoted identifier (`"..."`), a line comment (`-- ...`), a block comment (`/* ... *\/`, nested as in
 * Postgres), or a dollar-quoted body (`$$ ... $$`, `$tag$ ... $tag$`, which closes only at the same tag, so a
 * `$$` inside a `$body$` body is plain text). Pure: no engine.
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

/** A dollar-quote tag: `$$` or `$name$` (a `$1` parameter or `a$b` identifier is not one). */
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;
const IDENTIFIER_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

/** The statements of `script`, in order; empty statements and statements of only comments are left out. */
export function splitSqlStatements(script: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let start = 0;
  let line = 1;
  /** Line of the first meaningful character of the current statement, or undefined while there is none. */
  let firstLine: number | undefined;
  let i = 0;
  const n = script.length;
  const advanceTo = (end: number) => {
    for (let k = i; k < end; k++) if (script[k] === '\n') line++;
    i = end;
  };
  const push = (end: number) => {
    if (firstLine !== undefined) statements.push({ sql: script.slice(start, end).trim(), line: firstLine });
    firstLine = undefined;
  };

  while (i < n) {
    const ch = script[i] as string;
    const next = script[i + 1];
    if (ch === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      advanceTo(end === -1 ? n : end);
      continue;
    }
    if (ch === '/' && next === '*') {
      const opened = line;
      let depth = 0;
      let k = i;
      while (k < n) {
        if (script[k] === '/' && script[k + 1] === '*') {
          depth++;
          k += 2;
        } else if (script[k] === '*' && script[k + 1] === '/') {
          depth--;
          k += 2;
          if (depth === 0) break;
        } else k++;
      }
      if (depth !== 0) throw new UnterminatedSqlError('block comment', opened);
      advanceTo(k);
      continue;
    }
    if (ch === ';') {
      push(i);
      advanceTo(i + 1);
      start = i;
      continue;
    }
    if (!/\s/.test(ch)) firstLine ??= line;
    if (ch === "'") {
      const escapes = i > 0 && /[eE]/.test(script[i - 1] as string) && !IDENTIFIER_CHAR.test(script[i - 2] ?? ' ');
      advanceTo(endOfQuoted(script, i, "'", escapes, line));
      continue;
    }
    if (ch === '"') {
      advanceTo(endOfQuoted(script, i, '"', false, line));
      continue;
    }
    if (ch === '$' && !(i > 0 && IDENTIFIER_CHAR.test(script[i - 1] as string))) {
      const tag = DOLLAR_TAG.exec(script.slice(i, i + 130))?.[0];
      if (tag !== undefined) {
        const close = script.indexOf(tag, i + tag.length);
        if (close === -1) throw new UnterminatedSqlError(`dollar-quoted body ${tag}`, line);
        advanceTo(close + tag.length);
        continue;
      }
    }
    advanceTo(i + 1);
  }
  push(n);
  return statements;
}

/** Index just after the closing quote of the literal or identifier that opens at `open`. */
function endOfQuoted(script: string, open: number, quote: string, backslashEscapes: boolean, line: number): number {
  let k = open + 1;
  while (k < script.length) {
    const c = script[k];
    if (backslashEscapes && c === '\\') {
      k += 2;
      continue;
    }
    if (c === quote) {
      if (script[k + 1] === quote) {
        k += 2;
        continue;
      }
      return k + 1;
    }
    k++;
  }
  throw new UnterminatedSqlError(quote === "'" ? 'string literal' : 'quoted identifier', line);
}
