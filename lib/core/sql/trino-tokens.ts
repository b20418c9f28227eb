import { DIALECTS, type ScanEnd, scanBlockComment, scanLineComment, scanQuoted, type TokenKind } from './scanner.ts';

/**
 * Athena (Trino) SQL as tokens, on the shared scanner with Trino's rules: what the Trino lint reads, what the local
 * engine's translator rewrites, and what templates and statement splitting step over.
 */

export type SqlTokenKind = TokenKind;

export interface SqlToken {
  readonly kind: SqlTokenKind;
  readonly text: string;
  /** Offset of the token's first character in the source text. */
  readonly offset: number;
  /** A string, quoted identifier or comment the text ends inside of. */
  readonly open?: true;
}

const MULTI_CHARACTER_OPERATORS = ['||', '->', '=>', '::', '<=', '>=', '<>', '!='];

/**
 * Splits SQL into tokens without losing a character: joining every token's text gives the input back.
 * Strings ('...' with '' escapes, also E'...' and U&'...' prefixes as words before them), quoted identifiers
 * ("..." with "" escapes), line and block comments are single tokens so rewrites never look inside them.
 */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let index = 0;
  const push = (kind: SqlTokenKind, to: number | ScanEnd): void => {
    const end = typeof to === 'number' ? to : to.end;
    const open = typeof to !== 'number' && !to.closed;
    tokens.push({ kind, text: sql.slice(index, end), offset: index, ...(open ? { open } : {}) });
    index = end;
  };
  while (index < sql.length) {
    const character = sql[index] ?? '';
    const next = sql[index + 1] ?? '';
    if (/\s/.test(character)) {
      let end = index + 1;
      while (end < sql.length && /\s/.test(sql[end] ?? '')) end++;
      push('whitespace', end);
    } else if (character === '-' && next === '-') {
      push('comment', scanLineComment(sql, index));
    } else if (character === '/' && next === '*') {
      push('comment', scanBlockComment(sql, index, DIALECTS.trino));
    } else if (character === "'" || character === '"') {
      const quoted = scanQuoted(sql, index, character, DIALECTS.trino.backslashInStrings);
      push(character === "'" ? 'string' : 'quoted-identifier', quoted);
    } else if (/[A-Za-z_]/.test(character)) {
      let end = index + 1;
      while (end < sql.length && /[A-Za-z0-9_$]/.test(sql[end] ?? '')) end++;
      push('word', end);
    } else if (/[0-9]/.test(character) || (character === '.' && /[0-9]/.test(next))) {
      const match = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(sql.slice(index));
      push('number', index + (match?.[0].length ?? 1));
    } else if (character === '?') {
      push('parameter', index + 1);
    } else {
      const operator = MULTI_CHARACTER_OPERATORS.find((candidate) => sql.startsWith(candidate, index));
      push('punctuation', index + (operator?.length ?? 1));
    }
  }
  return tokens;
}

/** The value of a '...' string token, with '' unescaped. */
export function stringTokenValue(token: SqlToken): string {
  return token.text.slice(1, -1).replaceAll("''", "'");
}
