/** Lexing pieces the Trino and Redshift lints share: quoted runs, and offsets as line and column. */

/**
 * The offset just past the quoted run starting at `start` (a doubled quote stands for itself); the end of the text
 * when it is never closed. With `backslashEscapes`, a backslash escapes the next character (Redshift strings).
 */
export function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes = false): number {
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
      return position + 1;
    }
    position++;
  }
  return sql.length;
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
