import {
  DIALECTS,
  dollarTagAt,
  type ScanEnd,
  scanBlockComment,
  scanLineComment,
  scanQuoted,
  type TokenKind,
} from './scanner.ts';

/** Redshift (Postgres-family) SQL as tokens, on the shared scanner with Redshift's rules. */

export type RedshiftTokenKind = TokenKind | 'dollar';

/** One token of Redshift SQL: what the portability lint reads, the local rewriter rewrites and the splitter splits. */
export interface RedshiftToken {
  readonly kind: RedshiftTokenKind;
  readonly text: string;
  readonly offset: number;
  /** Inside the `$$ ... $$` body of a function or procedure. */
  readonly inBody: boolean;
  /** A string, quoted identifier or comment the text ends inside of. */
  readonly open?: true;
}

const OPERATORS = ['->>', '#>>', '::', '||', '<=', '>=', '<>', '!=', '->', '#>', '@>', '<@', ':=', '=>'];

/**
 * Splits Postgres/Redshift SQL into tokens without losing a character. Strings ('...', E'...' with backslash
 * escapes), quoted identifiers and comments (nested block comments too) are single tokens. A dollar quote right
 * after `AS` or `DO` opens a body whose content is tokenized as SQL (a `dollar` token at each end); any other
 * dollar-quoted text is one string token.
 */
export function tokenizeRedshift(sql: string): RedshiftToken[] {
  const tokens: RedshiftToken[] = [];
  let index = 0;
  let bodyTag: string | undefined;
  let lastSignificant: RedshiftToken | undefined;
  const push = (kind: RedshiftTokenKind, to: number | ScanEnd): void => {
    const end = typeof to === 'number' ? to : to.end;
    const open = typeof to !== 'number' && !to.closed;
    const token = {
      kind,
      text: sql.slice(index, end),
      offset: index,
      inBody: bodyTag !== undefined,
      ...(open ? { open } : {}),
    } as RedshiftToken;
    tokens.push(token);
    if (kind !== 'whitespace' && kind !== 'comment') lastSignificant = token;
    index = end;
  };
  while (index < sql.length) {
    const c = sql[index] as string;
    const next = sql[index + 1] ?? '';
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f') {
      let end = index + 1;
      while (end < sql.length && /\s/.test(sql[end] as string)) end++;
      push('whitespace', end);
    } else if (c === '-' && next === '-') {
      push('comment', scanLineComment(sql, index));
    } else if (c === '/' && next === '*') {
      push('comment', scanBlockComment(sql, index, DIALECTS.redshift));
    } else if (c === "'") {
      // Backslash escapes in every string, as Redshift reads them (QUOTE_LITERAL doubles backslashes for it); the
      // local warehouse runs with standard_conforming_strings off to match.
      push('string', scanQuoted(sql, index, "'", DIALECTS.redshift.backslashInStrings));
    } else if (c === '"') {
      push('quoted-identifier', scanQuoted(sql, index, '"'));
    } else if (c === '$') {
      const tag = dollarTagAt(sql, index);
      if (tag === undefined) {
        const param = /^\$[0-9]+/.exec(sql.slice(index, index + 12))?.[0];
        push(param ? 'parameter' : 'punctuation', index + (param?.length ?? 1));
      } else if (bodyTag !== undefined && tag === bodyTag) {
        push('dollar', index + tag.length);
        // The closing delimiter is outside the body.
        (tokens[tokens.length - 1] as { inBody: boolean }).inBody = false;
        bodyTag = undefined;
      } else if (bodyTag === undefined && /^(as|do)$/i.test(lastSignificant?.text ?? '')) {
        push('dollar', index + tag.length);
        bodyTag = tag;
      } else {
        const close = sql.indexOf(tag, index + tag.length);
        push('string', close === -1 ? { end: sql.length, closed: false } : close + tag.length);
      }
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let end = index + 1;
      while (end < sql.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[end] as string)) end++;
      push('word', end);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next))) {
      const match = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(sql.slice(index, index + 64));
      push('number', index + (match?.[0].length ?? 1));
    } else {
      const operator = OPERATORS.find((candidate) => sql.startsWith(candidate, index));
      push('punctuation', index + (operator?.length ?? 1));
    }
  }
  return tokens;
}
