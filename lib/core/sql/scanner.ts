/**
 * The one SQL scanner both dialects' tokenizers stand on: where a quoted run, a comment or a dollar-quoted body ends,
 * with each dialect's rule (`DIALECTS`), and offsets as line and column. Pure.
 */

/** How a dialect writes the things a scanner must step over whole. */
export interface DialectRules {
  /** A backslash escapes the next character in every '...' string (Redshift); otherwise only '' does (Trino). */
  readonly backslashInStrings: boolean;
  /** Block comments nest (`/* /* *\/ *\/`, Postgres and Redshift); in Trino the first `*\/` closes. */
  readonly nestedBlockComments: boolean;
  /** `$$ ... $$` and `$tag$ ... $tag$` quote text (Postgres and Redshift). */
  readonly dollarQuotes: boolean;
}

export const DIALECTS = {
  trino: { backslashInStrings: false, nestedBlockComments: false, dollarQuotes: false },
  redshift: { backslashInStrings: true, nestedBlockComments: true, dollarQuotes: true },
} as const satisfies Record<string, DialectRules>;

export type Dialect = keyof typeof DIALECTS;

/** What every dialect's tokens are; Redshift adds `dollar` (the delimiters of a procedure body). */
export type TokenKind =
  | 'whitespace'
  | 'comment'
  | 'string'
  | 'quoted-identifier'
  | 'word'
  | 'number'
  | 'parameter'
  | 'punctuation';

/** The end of a run the scanner stepped over, and whether it was closed before the text ended. */
export interface ScanEnd {
  readonly end: number;
  readonly closed: boolean;
}

/**
 * The run quoted by `quote` starting at `start` (a doubled quote stands for itself); with `backslashEscapes`, a
 * backslash escapes the next character. Unclosed: it runs to the end of the text.
 */
export function scanQuoted(sql: string, start: number, quote: string, backslashEscapes = false): ScanEnd {
  let position = start + 1;
  while (position < sql.length) {
    const c = sql[position];
    if (backslashEscapes && c === '\\') {
      position += 2;
      continue;
    }
    if (c === quote) {
      if (sql[position + 1] === quote) {
        position += 2;
        continue;
      }
      return { end: position + 1, closed: true };
    }
    position++;
  }
  return { end: sql.length, closed: false };
}

/** A `-- ...` comment: up to the end of its line (the newline is not part of it). */
export function scanLineComment(sql: string, start: number): ScanEnd {
  const newline = sql.indexOf('\n', start);
  return { end: newline === -1 ? sql.length : newline, closed: true };
}

/** A `/* ... *\/` comment starting at `start`, nested or not by the dialect's rule. */
export function scanBlockComment(sql: string, start: number, rules: DialectRules): ScanEnd {
  if (!rules.nestedBlockComments) {
    const close = sql.indexOf('*/', start + 2);
    return close === -1 ? { end: sql.length, closed: false } : { end: close + 2, closed: true };
  }
  let depth = 1;
  let end = start + 2;
  while (end < sql.length && depth > 0) {
    if (sql[end] === '/' && sql[end + 1] === '*') {
      depth++;
      end += 2;
    } else if (sql[end] === '*' && sql[end + 1] === '/') {
      depth--;
      end += 2;
    } else end++;
  }
  return { end, closed: depth === 0 };
}

/** The dollar-quote tag (`$$`, `$body$`) at `start`, or undefined (a `$1` parameter or a lone `$` is none). */
export function dollarTagAt(sql: string, start: number): string | undefined {
  return /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(start, start + 64))?.[0];
}

export interface LineIndex {
  readonly lineStarts: readonly number[];
}

export function indexLines(sql: string): LineIndex {
  const lineStarts = [0];
  for (let offset = 0; offset < sql.length; offset++) {
    if (sql[offset] === '\n') lineStarts.push(offset + 1);
  }
  return { lineStarts };
}

/** 1-based line and column of an offset. */
export function lineAndColumn(index: LineIndex, offset: number): { line: number; column: number } {
  let low = 0;
  let high = index.lineStarts.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((index.lineStarts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - (index.lineStarts[low] ?? 0) + 1 };
}
