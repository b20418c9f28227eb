import { type RedshiftToken, tokenizeRedshift } from '../../core/sql/redshift-tokens.ts';

/**
 * The statement rewriter of the local warehouse: turns idiomatic Redshift SQL into SQL PGlite runs with Redshift's
 * semantics, for what no SQL function can cover. Applied to local runs only; scripts in `redshift-scripts/` stay
 * as Redshift runs them.
 *
 * Token-aware: string literals, quoted identifiers and comments are never touched. The body of a function or
 * procedure (`AS $$ ... $$`, any tag) IS rewritten, since procedures are created through here and their bodies run
 * later; other dollar-quoted strings stay strings. One pass over the tokens (each construct's arguments are scanned
 * once more at their own nesting level), so the cost is linear in the statement's length.
 *
 * What it rewrites (each per the Amazon Redshift Database Developer Guide page named):
 * - `SYSDATE` (SYSDATE function) → `localtimestamp` (start of the transaction, no time zone).
 * - `DATEADD/DATEDIFF/DATE_PART/PGDATE_PART/DATE_TRUNC(part, ...)` with an unquoted date part → the part quoted,
 *   DATE_PART/DATE_TRUNC renamed to the `rs_` functions of redshift-compat.ts that know every documented spelling.
 * - `LISTAGG([DISTINCT] e [, delim]) [WITHIN GROUP (ORDER BY ...)] [OVER (PARTITION BY ...)]` → `string_agg`.
 * - `MEDIAN(e)` → the `rs_median` aggregate (runs as a window function too).
 * - `APPROXIMATE COUNT(DISTINCT e)` → the exact `COUNT(DISTINCT e)`.
 * - `TOP n` → `LIMIT n` at the end of that SELECT.
 * - `NVL(a, b, ...)` → `COALESCE`; `NVL2(e, a, b)` and `DECODE(e, s1, r1, ..., default)` → `CASE`.
 * - `CONCAT(a, b)` → `rs_concat(a, b)` (NULL if either is NULL, as Redshift documents; Postgres' concat skips NULLs; two VARBYTE values give VARBYTE).
 * - `CONVERT(type, e)` → `CAST(e AS type)`; `MINUS` → `EXCEPT`.
 * - `REGEXP_SUBSTR/COUNT/INSTR/REPLACE`, `JSON_EXTRACT_PATH_TEXT`, `JSON_ARRAY_LENGTH` → the `rs_` functions
 *   (Postgres owns these names with other semantics).
 * - DDL: `IDENTITY(seed, step)` → an identity column numbering the same way; `DISTKEY`, `SORTKEY`, `COMPOUND` /
 *   `INTERLEAVED SORTKEY`, `DISTSTYLE`, `ENCODE codec`, `BACKUP YES|NO` dropped; `VARCHAR(MAX)` → `VARCHAR(65535)`;
 *   `NVARCHAR`/`NCHAR` → `VARCHAR`/`CHAR`; `SUPER` → `jsonb`; `VARBYTE` → `bytea`; `NONATOMIC` dropped.
 * - Statements with no local meaning: `CREATE EXTERNAL SCHEMA s ...` → `create schema if not exists s`;
 *   `GRANT`/`REVOKE` to users and groups (the local warehouse has one user), `ANALYZE`, `VACUUM` → nothing (`null;`
 *   inside a body); `GRANT ... TO ROLE r` → `GRANT ... TO r`, real (roles are the project's own).
 * - `CREATE|ALTER|DROP USER|GROUP ...` (`PASSWORD DISABLE` included) → nothing: the local warehouse has one user.
 * - `DATETIME` → `TIMESTAMP`; `CREATE VIEW ... WITH NO SCHEMA BINDING` → a plain view; `<database>.schema.table` of
 *   the configured database (quoted or not) → `schema.table`, and `<database>.schema` after SCHEMA → `schema`.
 * - `ALTER TABLE t ALTER DISTKEY|DISTSTYLE|SORTKEY|ENCODE ...` and `ALTER COLUMN c ENCODE ...` → nothing (row layout).
 * - Quoted identifiers in lower case (`"TYPE"` → `"type"`): with enable_case_sensitive_identifier off, the default,
 *   Redshift folds delimited identifiers too ("Names and identifiers").
 * - SUPER navigation (`doc.attr`, `t.doc[0].attr`) of a value named in the statement → jsonb lookups (see
 *   `superNavigation`); `ARRAY(...)`/`OBJECT(...)` → `jsonb_build_array`/`jsonb_build_object`; `'text'::super` → a
 *   string scalar; `EXTRACT(ms|us|sec|decade FROM ...)` → `rs_extract`; `SQRT`, `CRC32`, `CONCAT`, `TO_CHAR`,
 *   `TO_TIMESTAMP`, `JSON_SERIALIZE` → their `rs_` functions.
 */
export interface LocalRewriteOptions {
  /**
   * The Redshift database the scripts run in (`redshift.database`): its three-part names (`db.schema.table`) are
   * two-part names locally, where the warehouse is that one database.
   */
  readonly database?: string;
}

export function rewriteRedshiftForLocal(sql: string, options: LocalRewriteOptions = {}): string {
  const database = options.database?.toLowerCase();
  const namesDatabase = (text: string) => text.includes(`${database}.`) || text.includes(`${database}".`);
  if (
    !QUICK_CHECK.test(sql) &&
    !MIXED_CASE_QUOTED.test(sql) &&
    (database === undefined || !namesDatabase(sql.toLowerCase()))
  )
    return sql;
  return new Rewriter(tokenizeRedshift(sql), database).emit(0, Number.POSITIVE_INFINITY);
}

/** A double quote followed by an upper-case letter before the next quote: maybe a quoted identifier to fold. */
const MIXED_CASE_QUOTED = /"[^"]*[A-Z]/;

/** Statements naming none of the words below pass through untouched (most of the migration machinery's SQL). */
const QUICK_CHECK =
  /sysdate|dateadd|datediff|date_part|date_trunc|listagg|median|approximate|top|nvl|decode|concat|convert|minus|regexp_|json_|to_date|identity|distkey|sortkey|diststyle|encode|backup|max|nvarchar|nchar|super|varbyte|varbinary|nonatomic|external|grant|revoke|analyze|vacuum|datetime|binding|user|group|sqrt|crc32|extract|array|object|to_char|to_timestamp/i;

const DATE_PART_FUNCTIONS: Record<string, string> = {
  dateadd: 'dateadd',
  datediff: 'datediff',
  date_part: 'rs_date_part',
  pgdate_part: 'rs_date_part',
  date_trunc: 'rs_date_trunc',
};

const RENAMED: Record<string, string> = {
  nvl: 'coalesce',
  median: 'rs_median',
  regexp_substr: 'rs_regexp_substr',
  regexp_count: 'rs_regexp_count',
  regexp_instr: 'rs_regexp_instr',
  regexp_replace: 'rs_regexp_replace',
  json_array_length: 'rs_json_array_length',
  json_serialize: 'rs_json_serialize',
  to_date: 'rs_to_date',
  sqrt: 'rs_sqrt',
  crc32: 'rs_crc32',
  concat: 'rs_concat',
  to_char: 'rs_to_char',
  to_timestamp: 'rs_to_timestamp',
};

/** EXTRACT parts whose Redshift value differs from Postgres' (whole seconds, ms and us of the second, decade). */
const EXTRACT_PARTS = new Set(
  'second seconds sec secs s millisecond milliseconds ms msec msecs msecond mseconds millisec millisecs millisecon microsecond microseconds microsec microsecs usecond useconds us usec usecs decade decades dec decs'.split(
    ' ',
  ),
);

/** Functions whose value is SUPER: an alias given to one names a SUPER value that may be navigated. */
const SUPER_FUNCTIONS = new Set([
  'json_parse',
  'split_to_array',
  'array_concat',
  'subarray',
  'array_flatten',
  'object',
]);

/** The conversion a cast of a navigated SUPER value goes through, by the target type's first word. */
const SUPER_CASTS: Record<string, string> = {
  varchar: 'rs_super_to_text',
  text: 'rs_super_to_text',
  char: 'rs_super_to_text',
  character: 'rs_super_to_text',
  nvarchar: 'rs_super_to_text',
  bpchar: 'rs_super_to_text',
  smallint: 'rs_super_to_numeric',
  int2: 'rs_super_to_numeric',
  integer: 'rs_super_to_numeric',
  int: 'rs_super_to_numeric',
  int4: 'rs_super_to_numeric',
  bigint: 'rs_super_to_numeric',
  int8: 'rs_super_to_numeric',
  decimal: 'rs_super_to_numeric',
  numeric: 'rs_super_to_numeric',
  real: 'rs_super_to_float',
  float: 'rs_super_to_float',
  float4: 'rs_super_to_float',
  float8: 'rs_super_to_float',
  double: 'rs_super_to_float',
  boolean: 'rs_super_to_boolean',
  bool: 'rs_super_to_boolean',
};
const COMPARISONS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);

const VARYING_TYPES = new Set([
  'varchar',
  'nvarchar',
  'varying',
  'varbyte',
  'varbinary',
  'char',
  'character',
  'bpchar',
]);
const STATEMENT_STARTS = new Set(['begin', 'then', 'else', 'loop']);
const NO_OP_STATEMENTS = new Set(['grant', 'revoke', 'analyze', 'vacuum']);
const USERS_AND_GROUPS = new Set(['user', 'group']);

interface Replacement {
  readonly text: string;
  /** Index of the first token after the construct. */
  readonly next: number;
}

type Range = readonly [number, number];

/** Where a word stands: the tokens around it, for the rewrites that depend on them. */
interface WordSite {
  /** The word's token. */
  readonly i: number;
  /** The end of the range being emitted. */
  readonly end: number;
  /** The significant tokens before and after the word (-1 for none), and the latter's text in lower case. */
  readonly before: number;
  readonly after: number;
  readonly afterText: string;
  /** The `)` of `word(...)` when the word is called (its `(` is `after`); -1 otherwise. */
  readonly close: number;
}

type WordRewrite = (rewriter: Rewriter, at: WordSite) => Replacement | undefined;

/** The word alone becomes `text`; what follows it is rewritten as usual. */
function replaceWord(text: string): WordRewrite {
  return (_, at) => ({ text, next: at.i + 1 });
}

/** Renamed whether called or not, so `NVARCHAR(20)` keeps its length. */
const TYPE_RENAMES: readonly [string, WordRewrite][] = [
  ['nvarchar', replaceWord('varchar')],
  ['nchar', replaceWord('char')],
];

class Rewriter {
  private readonly nextSignificant: Int32Array;
  private readonly previousSignificant: Int32Array;
  private readonly closing: Int32Array;

  constructor(
    private readonly tokens: readonly RedshiftToken[],
    private readonly database?: string,
  ) {
    const n = tokens.length;
    this.nextSignificant = new Int32Array(n + 1).fill(-1);
    this.previousSignificant = new Int32Array(n + 1).fill(-1);
    this.closing = new Int32Array(n).fill(-1);
    let last = -1;
    const open: number[] = [];
    for (let i = 0; i < n; i++) {
      const token = tokens[i] as RedshiftToken;
      this.previousSignificant[i] = last;
      if (token.kind === 'whitespace' || token.kind === 'comment') continue;
      last = i;
      if (token.text === '(') open.push(i);
      else if (token.text === ')') {
        const start = open.pop();
        if (start !== undefined) this.closing[start] = i;
      } else if (token.kind === 'dollar') open.length = 0;
    }
    let following = -1;
    for (let i = n - 1; i >= 0; i--) {
      this.nextSignificant[i] = following;
      const token = tokens[i] as RedshiftToken;
      if (token.kind !== 'whitespace' && token.kind !== 'comment') following = i;
    }
    this.statementOf = new Int32Array(n);
    this.superNames = this.findSuperNames();
  }

  /** Which statement each token is in (statements end at `;` and at the ends of bodies). */
  private readonly statementOf: Int32Array;
  /** Per statement, the names given to SUPER values in it (`json_parse(...) as doc`, `... ::super as doc`). */
  private readonly superNames: readonly ReadonlySet<string>[];

  private findSuperNames(): Set<string>[] {
    const names: Set<string>[] = [new Set()];
    const hasSuper = /json_parse|super|split_to_array|array_|subarray|object/i.test(
      this.tokens.map((t) => (t.kind === 'word' ? t.text : '')).join(' '),
    );
    let statement = 0;
    for (let i = 0; i < this.tokens.length; i++) {
      const token = this.tokens[i] as RedshiftToken;
      this.statementOf[i] = statement;
      if (token.text === ';' || token.kind === 'dollar') {
        statement++;
        names.push(new Set());
        continue;
      }
      if (!hasSuper || token.kind !== 'word') continue;
      const word = token.text.toLowerCase();
      let after = -1;
      const open = this.next(i);
      // Not inside CAST(json_parse(...) AS type), where the word after AS is a type.
      const inCast = this.text(this.previous(i)) === '(' && this.lower(this.previous(this.previous(i))) === 'cast';
      if (SUPER_FUNCTIONS.has(word) && this.text(open) === '(' && this.text(this.previous(i)) !== '.' && !inCast)
        after = (this.closing[open] ?? -2) + 1;
      else if (word === 'super' && this.text(this.previous(i)) === '::') after = i + 1;
      if (after <= 0) continue;
      const alias = this.aliasAfter(after);
      if (alias !== undefined) names[statement]?.add(alias);
    }
    return names;
  }

  /** The name an expression ending at or after `from` takes (`... end as name`), at its own depth; or undefined. */
  private aliasAfter(from: number): string | undefined {
    for (let j = from; j >= 0 && j < this.tokens.length; j = this.next(j)) {
      const token = this.tokens[j] as RedshiftToken;
      const text = token.text.toLowerCase();
      if (text === '(') {
        j = this.closing[j] ?? j;
        continue;
      }
      if (text === ')' || text === ',' || text === ';' || text === 'from' || token.kind === 'dollar') return undefined;
      if (text === 'as' && this.tokens[this.next(j)]?.kind === 'word') return this.lower(this.next(j));
      if (j < 0) return undefined;
    }
    return undefined;
  }

  /** Whether the word at `i` names a SUPER value of its statement. */
  private isSuperName(i: number): boolean {
    return this.tokens[i]?.kind === 'word' && (this.superNames[this.statementOf[i] ?? 0]?.has(this.lower(i)) ?? false);
  }

  /**
   * Navigation into a SUPER value ("Navigation"): `doc.attr`, `t.doc.attr`, `doc[0].attr`, `doc."Attr"` become jsonb
   * lookups, `(doc -> 'attr')`. Lax as Redshift is by default: a missing attribute or element, or an attribute of a
   * non-object, is NULL. Attribute names are folded to lower case, quoted or not, as Redshift does with
   * enable_case_sensitive_identifier and enable_case_sensitive_super_attribute off (the defaults); JSON keys are
   * matched exactly, so a mixed-case key is not found (the LOWER_ATTRIBUTE_NAMES page's example). A cast of the
   * navigated value reads the scalar (a string's text, unquoted; NULL for another type), and a string or number
   * literal compared with it is compared as a SUPER scalar.
   */
  private superNavigation(i: number, end: number): Replacement | undefined {
    let base: string;
    let cursor: number;
    const dot = this.next(i);
    if (this.isSuperName(i) && (this.text(dot) === '.' || this.text(dot) === '[')) {
      base = this.text(i);
      cursor = i;
    } else if (this.text(dot) === '.' && this.isSuperName(this.next(dot))) {
      const name = this.next(dot);
      const after = this.text(this.next(name));
      if (after !== '.' && after !== '[') return undefined;
      base = `${this.text(i)}.${this.text(name)}`;
      cursor = name;
    } else return undefined;
    const steps: string[] = [];
    for (;;) {
      const next = this.next(cursor);
      if (next < 0 || next >= end) break;
      const step = this.next(next);
      const stepToken = this.tokens[step];
      if (this.text(next) === '.' && (stepToken?.kind === 'word' || stepToken?.kind === 'quoted-identifier')) {
        const name = stepToken.kind === 'word' ? stepToken.text : stepToken.text.slice(1, -1).replaceAll('""', '"');
        steps.push(`'${name.toLowerCase().replaceAll("'", "''")}'`);
        cursor = step;
      } else if (this.text(next) === '[') {
        const close = this.closingBracket(next, end);
        if (close < 0) break;
        steps.push(`(${this.emit(next + 1, close).trim()})`);
        cursor = close;
      } else break;
    }
    if (steps.length === 0) return undefined;
    let text = `(${base} -> ${steps.join(' -> ')})`;
    let next = cursor + 1;
    const after = this.next(cursor);
    const typeStart = this.next(after);
    const conversion = SUPER_CASTS[this.lower(typeStart)];
    if (this.text(after) === '::' && conversion !== undefined) {
      let typeEnd = typeStart;
      if (['precision', 'varying'].includes(this.lower(this.next(typeEnd)))) typeEnd = this.next(typeEnd);
      if (this.text(this.next(typeEnd)) === '(') typeEnd = this.closing[this.next(typeEnd)] ?? typeEnd;
      text = `${conversion}${text}::${this.emit(typeStart, typeEnd + 1).trim()}`;
      next = typeEnd + 1;
    } else if (COMPARISONS.has(this.text(after))) {
      const literal = this.next(after);
      const kind = this.tokens[literal]?.kind;
      if (kind === 'string' || kind === 'number') {
        const value = kind === 'string' ? `${this.text(literal)}::text` : this.text(literal);
        text = `${text} ${this.text(after)} to_jsonb(${value})`;
        next = literal + 1;
      }
    }
    return { text, next };
  }

  /** The `]` closing the `[` at `open` (before `end`), or -1. */
  private closingBracket(open: number, end: number): number {
    let depth = 0;
    for (let j = open; j >= 0 && j < end; j = this.next(j)) {
      if (this.text(j) === '[') depth++;
      else if (this.text(j) === ']' && --depth === 0) return j;
    }
    return -1;
  }

  private text(i: number): string {
    return this.tokens[i]?.text ?? '';
  }

  private lower(i: number): string {
    return this.text(i).toLowerCase();
  }

  private next(i: number): number {
    return i < 0 ? -1 : (this.nextSignificant[i] ?? -1);
  }

  private previous(i: number): number {
    return i < 0 ? -1 : (this.previousSignificant[i] ?? -1);
  }

  /** The rewritten text of tokens [from, to). */
  emit(from: number, to: number): string {
    const end = Math.min(to, this.tokens.length);
    const out: string[] = [];
    // TOP n waiting for the end of its SELECT: the paren depth it was found at, and the LIMIT text.
    const limits: { depth: number; text: string }[] = [];
    let depth = 0;
    const flush = (atLeast: number): void => {
      while (limits.length > 0 && (limits[limits.length - 1]?.depth ?? 0) >= atLeast)
        out.push(limits.pop()?.text ?? '');
    };
    let i = from;
    while (i < end) {
      const token = this.tokens[i] as RedshiftToken;
      if (token.kind === 'word') {
        const top = this.top(i);
        if (top) {
          limits.push({ depth, text: ` limit ${top.count}` });
          i = top.next;
          continue;
        }
        const replacement = this.word(i, end);
        if (replacement) {
          out.push(replacement.text);
          i = replacement.next;
          continue;
        }
      } else if (token.kind === 'quoted-identifier' && this.threePartName(i)) {
        i = (this.threePartName(i) as Replacement).next;
        continue;
      } else if (token.kind === 'quoted-identifier') {
        // enable_case_sensitive_identifier is off by default: Redshift folds "TYPE" to type, quoted or not.
        out.push(token.text.toLowerCase());
        i++;
        continue;
      } else if (token.text === '(') depth++;
      else if (token.text === ')') {
        depth--;
        flush(depth + 1);
      } else if (token.text === ';') flush(depth);
      else if (token.kind === 'dollar') flush(Number.NEGATIVE_INFINITY);
      out.push(token.text);
      i++;
    }
    flush(Number.NEGATIVE_INFINITY);
    return out.join('');
  }

  /** `SELECT [ALL|DISTINCT] TOP n`: the count and the token after it. */
  private top(i: number): { count: string; next: number } | undefined {
    if (this.lower(i) !== 'top') return undefined;
    const count = this.next(i);
    if (this.tokens[count]?.kind !== 'number') return undefined;
    let before = this.previous(i);
    if (this.lower(before) === 'distinct' || this.lower(before) === 'all') before = this.previous(before);
    if (this.lower(before) !== 'select') return undefined;
    return { count: this.text(count), next: count + 1 };
  }

  /** The top-level comma-separated arguments inside the parentheses opening at `open`. */
  private args(open: number): Range[] {
    const close = this.closing[open] ?? -1;
    return close > open + 1 ? this.splitTopLevel(open + 1, close) : [];
  }

  /** The significant tokens of a range (for small checks such as "is this argument one word"). */
  private significant(range: Range): number[] {
    const out: number[] = [];
    for (let i = range[0]; i < range[1]; i++) {
      const kind = this.tokens[i]?.kind;
      if (kind !== 'whitespace' && kind !== 'comment') out.push(i);
    }
    return out;
  }

  private arg(range: Range): string {
    return `(${this.emit(range[0], range[1]).trim()})`;
  }

  /** The rewrite of the word at `i`, if it is one of the Redshift words rewritten and not qualified (`t.sysdate`). */
  private word(i: number, end: number): Replacement | undefined {
    const word = this.lower(i);
    const before = this.previous(i);
    if (this.text(before) === '.') return undefined;
    const navigation = this.superNavigation(i, end);
    if (navigation) return navigation;
    const threePart = this.threePartName(i);
    if (threePart) return threePart;
    if (this.atStatementStart(i)) {
      const statement = this.statement(i, word, end);
      if (statement) return statement;
    }
    const after = this.next(i);
    const afterText = this.lower(after);
    const close = afterText === '(' ? (this.closing[after] ?? -1) : -1;
    const call = close > 0 && close < end;
    const site: WordSite = { i, end, before, after, afterText, close: call ? close : -1 };
    // A word followed by `(` is only ever rewritten as a call: `max(x)` is the aggregate, not `VARCHAR(MAX)`.
    const rewrite = (call ? Rewriter.CALL_REWRITES : Rewriter.WORD_REWRITES).get(word);
    return rewrite?.(this, site);
  }

  /** Rewrites of `word(...)`, by the word in lower case. */
  private static readonly CALL_REWRITES: ReadonlyMap<string, WordRewrite> = new Map<string, WordRewrite>([
    ...TYPE_RENAMES,
    ...Object.entries(DATE_PART_FUNCTIONS).map(([word, name]): [string, WordRewrite] => [
      word,
      (r, at) => r.datePartCall(at.i, at.after, name),
    ]),
    ...Object.entries(RENAMED).map(([word, name]): [string, WordRewrite] => [
      word,
      (r, at) => ({ text: name + r.emit(at.i + 1, at.close + 1), next: at.close + 1 }),
    ]),
    // Redshift has no function MINUS: `minus (select ...)` is the set operator before a parenthesised query.
    ['minus', replaceWord('except')],
    ['listagg', (r, at) => r.listagg(at.after, at.end)],
    ['decode', (r, at) => r.decode(at.after)],
    ['nvl2', (r, at) => r.nvl2(at.after)],
    ['extract', (r, at) => r.extract(at.after)],
    ['array', (r, at) => r.superConstructor(at, 'jsonb_build_array')],
    ['object', (r, at) => r.superConstructor(at, 'jsonb_build_object')],
    ['convert', (r, at) => r.convert(at.after)],
    ['json_extract_path_text', (r, at) => r.jsonExtractPathText(at.after)],
    ['identity', (r, at) => r.identity(at.i, at.after)],
    ['distkey', (_, at) => ({ text: '', next: at.close + 1 })],
    ['sortkey', (_, at) => ({ text: '', next: at.close + 1 })],
    ['varbyte', (_, at) => ({ text: 'bytea', next: at.close + 1 })],
    ['varbinary', (_, at) => ({ text: 'bytea', next: at.close + 1 })],
  ]);

  /** Rewrites of a word not followed by `(`, by the word in lower case. */
  private static readonly WORD_REWRITES: ReadonlyMap<string, WordRewrite> = new Map<string, WordRewrite>([
    ...TYPE_RENAMES,
    ['sysdate', replaceWord('localtimestamp')],
    ['minus', replaceWord('except')],
    ['nonatomic', replaceWord('')],
    ['varbyte', replaceWord('bytea')],
    ['varbinary', replaceWord('bytea')],
    [
      'approximate',
      (_, at) =>
        at.afterText === 'count' || at.afterText === 'percentile_disc' ? { text: '', next: at.after } : undefined,
    ],
    ['distkey', replaceWord('')],
    ['sortkey', (_, at) => ({ text: '', next: at.afterText === 'auto' ? at.after + 1 : at.i + 1 })],
    ['compound', (r, at) => r.sortKeyStyle(at)],
    ['interleaved', (r, at) => r.sortKeyStyle(at)],
    ['diststyle', (_, at) => ({ text: '', next: at.after === -1 ? at.i + 1 : at.after + 1 })],
    ['encode', (r, at) => (r.tokens[at.after]?.kind === 'word' ? { text: '', next: at.after + 1 } : undefined)],
    [
      'backup',
      (_, at) => (at.afterText === 'yes' || at.afterText === 'no' ? { text: '', next: at.after + 1 } : undefined),
    ],
    ['max', (r, at) => r.varcharMax(at)],
    ['super', (r, at) => r.superType(at)],
    ['datetime', (r, at) => r.datetimeType(at)],
    ['with', (r, at) => r.noSchemaBinding(at)],
  ]);

  /** Redshift's DATETIME is TIMESTAMP: as a column's type (`(a datetime`, `, b datetime`) or a cast's target. */
  private datetimeType(at: WordSite): Replacement | undefined {
    const before = this.text(at.before);
    const beforeThat = this.text(this.previous(at.before));
    const isType =
      before === '::' ||
      before.toLowerCase() === 'as' ||
      ((this.tokens[at.before]?.kind === 'word' || this.tokens[at.before]?.kind === 'quoted-identifier') &&
        (beforeThat === '(' || beforeThat === ','));
    return isType ? { text: 'timestamp', next: at.i + 1 } : undefined;
  }

  /** `CREATE VIEW ... WITH NO SCHEMA BINDING` (a late-binding view): a plain view locally. */
  private noSchemaBinding(at: WordSite): Replacement | undefined {
    const no = at.after;
    const schema = this.next(no);
    const binding = this.next(schema);
    const matches = this.lower(no) === 'no' && this.lower(schema) === 'schema' && this.lower(binding) === 'binding';
    return matches ? { text: '', next: binding + 1 } : undefined;
  }

  /**
   * `<database>.schema.table` of the configured database: `schema.table` locally. The database may be quoted
   * (`"dap_txma_reporting_db"."conformed"."t"`): Redshift folds quoted identifiers to lower case too, by default.
   */
  private threePartName(i: number): Replacement | undefined {
    const token = this.tokens[i];
    const name = token?.kind === 'quoted-identifier' ? token.text.slice(1, -1).toLowerCase() : this.lower(i);
    if (this.database === undefined || name !== this.database || this.text(this.previous(i)) === '.') {
      return undefined;
    }
    const dot = this.next(i);
    const schema = this.next(dot);
    const dot2 = this.next(schema);
    if (this.text(dot) !== '.' || dot !== i + 1) return undefined;
    // `<database>.schema` where a schema is named (`CREATE SCHEMA IF NOT EXISTS db.reference_data`).
    const before = this.lower(this.previous(i));
    const namesSchema =
      before === 'schema' ||
      (before === 'exists' && this.lower(this.previous(this.previous(this.previous(this.previous(i))))) === 'schema');
    if (this.text(dot2) !== '.' && !namesSchema) return undefined;
    return { text: '', next: dot + 1 };
  }

  /** `COMPOUND|INTERLEAVED SORTKEY [(columns)]`, dropped whole. */
  private sortKeyStyle(at: WordSite): Replacement | undefined {
    if (at.afterText !== 'sortkey') return undefined;
    const open = this.next(at.after);
    const close = this.text(open) === '(' ? (this.closing[open] ?? -1) : -1;
    return { text: '', next: close > 0 ? close + 1 : at.after + 1 };
  }

  /** The `MAX` of `VARCHAR(MAX)` and the like: Postgres wants a number. */
  private varcharMax(at: WordSite): Replacement | undefined {
    const inTypeLength =
      this.text(at.before) === '(' && at.afterText === ')' && VARYING_TYPES.has(this.lower(this.previous(at.before)));
    return inTypeLength ? { text: '65535', next: at.i + 1 } : undefined;
  }

  /** `SUPER` as a type (after `::` or `AS`, or before what may follow a column's type); not `super.field`. */
  private superType(at: WordSite): Replacement | undefined {
    const typePosition =
      this.text(at.before) === '::' ||
      this.lower(at.before) === 'as' ||
      [',', ')', ';', 'not', 'null', 'default', 'encode'].includes(at.afterText) ||
      at.after === -1;
    if (!typePosition || at.afterText === '.') return undefined;
    // A string cast to SUPER is a string scalar ('Amazon'::super is "Amazon"), not JSON text to parse.
    const castOfString = this.text(at.before) === '::' && this.tokens[this.previous(at.before)]?.kind === 'string';
    return { text: castOfString ? 'text::jsonb' : 'jsonb', next: at.i + 1 };
  }

  private atStatementStart(i: number): boolean {
    const before = this.previous(i);
    if (before === -1) return true;
    const token = this.tokens[before] as RedshiftToken;
    return token.text === ';' || token.kind === 'dollar' || STATEMENT_STARTS.has(token.text.toLowerCase());
  }

  /** The index of the `;` (or body end, or end of input) that ends the statement starting at `i`. */
  private statementEnd(i: number, end: number): number {
    let j = i;
    while (j < end && j < this.tokens.length) {
      const text = this.text(j);
      if (text === ';' || this.tokens[j]?.kind === 'dollar') return j;
      j = text === '(' && (this.closing[j] ?? -1) > 0 ? (this.closing[j] as number) + 1 : j + 1;
    }
    return Math.min(end, this.tokens.length);
  }

  private statement(i: number, word: string, end: number): Replacement | undefined {
    const nothing = (this.tokens[i] as RedshiftToken).inBody ? 'null' : '';
    if (word === 'grant' || word === 'revoke' || (word === 'alter' && this.lower(this.next(i)) === 'default')) {
      const roleGrant = this.roleGrant(i, end);
      if (roleGrant !== undefined) return roleGrant;
    }
    if (NO_OP_STATEMENTS.has(word)) return { text: nothing, next: this.statementEnd(i, end) };
    // Users and groups: the local warehouse has one user (its roles, created by scripts, are real).
    if ((word === 'create' || word === 'alter' || word === 'drop') && USERS_AND_GROUPS.has(this.lower(this.next(i)))) {
      return { text: nothing, next: this.statementEnd(i, end) };
    }
    if (word === 'alter' && this.lower(this.next(i)) === 'table' && this.altersLayoutOnly(i, end)) {
      return { text: nothing, next: this.statementEnd(i, end) };
    }
    if (word === 'create') {
      const external = this.next(i);
      const schema = this.next(external);
      if (this.lower(external) !== 'external' || this.lower(schema) !== 'schema') return undefined;
      let name = this.next(schema);
      let ifNotExists = '';
      if (this.lower(name) === 'if') {
        ifNotExists = ' if not exists';
        name = this.next(this.next(this.next(name)));
      }
      return {
        text: `create schema${ifNotExists || ' if not exists'} ${this.text(name)}`,
        next: this.statementEnd(i, end),
      };
    }
    return undefined;
  }

  /**
   * `ALTER TABLE t ALTER DISTKEY c`, `ALTER DISTSTYLE ...`, `ALTER [COMPOUND|INTERLEAVED] SORTKEY ...`, `ALTER ENCODE
   * AUTO`, `ALTER COLUMN c ENCODE codec` (ALTER TABLE in the Redshift guide): they change how rows are laid out,
   * which the local warehouse has no notion of, and nothing a query sees.
   */
  private altersLayoutOnly(i: number, end: number): boolean {
    const last = this.statementEnd(i, end);
    let j = this.next(this.next(i));
    while (j >= 0 && j < last && this.lower(j) !== 'alter') j = this.next(j);
    if (j < 0 || j >= last) return false;
    const what = this.lower(this.next(j));
    if (['distkey', 'diststyle', 'sortkey', 'compound', 'interleaved', 'encode'].includes(what)) return true;
    const column = this.next(this.next(j));
    return what === 'column' && this.lower(this.next(column)) === 'encode';
  }

  /**
   * `GRANT ... TO ROLE r` / `REVOKE ... FROM ROLE r`, also in `ALTER DEFAULT PRIVILEGES`: roles are the platform's or
   * the project's own (created by a script), so the grant is real locally and least privilege is tested; Postgres
   * names the role without `ROLE`. Grants to users and groups stay no-ops: the local warehouse has one user.
   */
  private roleGrant(i: number, end: number): Replacement | undefined {
    const last = this.statementEnd(i, end);
    for (let j = this.next(i); j >= 0 && j < last; j = this.next(j)) {
      if ((this.lower(j) === 'to' || this.lower(j) === 'from') && this.lower(this.next(j)) === 'role') {
        const role = this.next(j);
        if (this.next(role) < 0) return undefined;
        const text = `${this.text(i)}${this.emit(i + 1, role)}${this.emit(this.next(role), last)}`;
        // Postgres's default privileges name procedures with functions, as ROUTINES; the statement holds no literal.
        const local = this.lower(i) === 'alter' ? text.replace(/\bon\s+procedures\b/i, 'on routines') : text;
        return { text: local, next: last };
      }
    }
    return undefined;
  }

  /** `DATEADD(day, ...)`: the unquoted date part becomes a string. */
  private datePartCall(i: number, open: number, name: string): Replacement {
    const close = this.closing[open] as number;
    const args = this.args(open);
    const first = args[0] ? this.significant(args[0]) : [];
    const firstToken = this.tokens[first[0] ?? -1];
    const parts = args.map((range, index) => {
      if (index === 0 && first.length === 1 && firstToken?.kind === 'word') return `'${firstToken.text.toLowerCase()}'`;
      return this.emit(range[0], range[1]);
    });
    return { text: `${name}${this.emit(i + 1, open)}(${parts.join(',')})`, next: close + 1 };
  }

  private listagg(open: number, end: number): Replacement {
    const close = this.closing[open] as number;
    const args = this.args(open);
    const first = args[0] ?? ([open + 1, close] as Range);
    const firstSignificant = this.significant(first);
    const distinct = this.lower(firstSignificant[0] ?? -1) === 'distinct';
    const expressionRange: Range = distinct ? [(firstSignificant[0] as number) + 1, first[1]] : first;
    const expression = `${this.arg(expressionRange)}::varchar`;
    const delimiter = args[1] ? this.emit(args[1][0], args[1][1]).trim() : "''";
    let next = close + 1;
    let orderBy: string | undefined;
    const within = this.next(close);
    if (this.lower(within) === 'within' && this.lower(this.next(within)) === 'group') {
      const groupOpen = this.next(this.next(within));
      const groupClose = this.closing[groupOpen] ?? -1;
      if (this.text(groupOpen) === '(' && groupClose > 0 && groupClose < end) {
        const by = this.next(this.next(groupOpen));
        orderBy = this.emit(by + 1, groupClose).trim();
        if (distinct) orderBy = this.distinctOrder(by + 1, groupClose, expressionRange, expression);
        next = groupClose + 1;
      }
    }
    const over = this.next(next - 1);
    const overOpen = this.next(over);
    if (this.lower(over) === 'over' && this.text(overOpen) === '(' && (this.closing[overOpen] ?? -1) > 0) {
      const overClose = this.closing[overOpen] as number;
      const partition = this.emit(overOpen + 1, overClose).trim();
      const ordering = orderBy ? ` order by ${orderBy} rows between unbounded preceding and unbounded following` : '';
      return {
        text: `string_agg(${distinct ? 'distinct ' : ''}${expression}, ${delimiter}) over (${partition}${ordering})`,
        next: overClose + 1,
      };
    }
    return {
      text: `string_agg(${distinct ? 'distinct ' : ''}${expression}, ${delimiter}${orderBy ? ` order by ${orderBy}` : ''})`,
      next,
    };
  }

  /** With DISTINCT, Postgres wants the ORDER BY expression to be the aggregated one: order by the same text. */
  private distinctOrder(from: number, to: number, expressionRange: Range, expression: string): string {
    const normalize = (text: string) => text.replace(/\s+/g, '').toLowerCase();
    const target = normalize(this.emit(expressionRange[0], expressionRange[1]));
    const items = this.splitTopLevel(from, to).map((range) => {
      const text = this.emit(range[0], range[1]).trim();
      const match = /^(.*?)(\s+(?:asc|desc)\b.*|\s+nulls\s+(?:first|last).*)?$/is.exec(text);
      const head = match?.[1] ?? text;
      return normalize(head) === target ? `${expression}${match?.[2] ?? ''}` : text;
    });
    return items.join(', ');
  }

  private splitTopLevel(from: number, to: number): Range[] {
    const ranges: Range[] = [];
    let start = from;
    let i = from;
    while (i < to) {
      const text = this.text(i);
      if (text === '(') i = (this.closing[i] ?? i) + 1;
      else {
        if (text === ',') {
          ranges.push([start, i]);
          start = i + 1;
        }
        i++;
      }
    }
    ranges.push([start, to]);
    return ranges;
  }

  /** `DECODE(e, s1, r1, ..., [default])` (three or more arguments; Postgres' own decode takes two). */
  private decode(open: number): Replacement | undefined {
    const args = this.args(open);
    if (args.length < 3) return undefined;
    const [subject, ...rest] = args.map((range) => this.arg(range));
    const parts: string[] = ['case'];
    for (let k = 0; k + 1 < rest.length; k += 2)
      parts.push(`when ${subject} is not distinct from ${rest[k]} then ${rest[k + 1]}`);
    if (rest.length % 2 === 1) parts.push(`else ${rest[rest.length - 1]}`);
    parts.push('end');
    return { text: `(${parts.join(' ')})`, next: (this.closing[open] as number) + 1 };
  }

  private nvl2(open: number): Replacement | undefined {
    const args = this.args(open);
    if (args.length !== 3) return undefined;
    const [test, notNull, isNull] = args.map((range) => this.arg(range));
    return {
      text: `(case when ${test} is not null then ${notNull} else ${isNull} end)`,
      next: (this.closing[open] as number) + 1,
    };
  }

  /** `EXTRACT(part FROM e)` for the parts Redshift counts differently: `rs_extract('part', e)`. */
  private extract(open: number): Replacement | undefined {
    const part = this.next(open);
    const from = this.next(part);
    const close = this.closing[open] ?? -1;
    if (!EXTRACT_PARTS.has(this.lower(part)) || this.lower(from) !== 'from' || close < 0) return undefined;
    return { text: `rs_extract('${this.lower(part)}', ${this.emit(from + 1, close).trim()})`, next: close + 1 };
  }

  /** `ARRAY(a, b, ...)` and `OBJECT(k, v, ...)` build SUPER values; `ARRAY(SELECT ...)` stays Postgres' own. */
  private superConstructor(at: WordSite, name: string): Replacement | undefined {
    const first = this.lower(this.next(at.after));
    if (first === 'select' || first === 'with') return undefined;
    const values = this.args(at.after).map((range, index) => {
      const value = this.emit(range[0], range[1]).trim();
      return name === 'jsonb_build_object' && index % 2 === 0 ? value : `rs_super_arg(${value})`;
    });
    return { text: `${name}(${values.join(', ')})`, next: at.close + 1 };
  }

  private convert(open: number): Replacement | undefined {
    const args = this.args(open);
    if (args.length !== 2 || !args[0]) return undefined;
    const written = this.emit(args[0][0], args[0][1]).trim();
    if (!/^[a-z_][a-z0-9_ ]*(\([0-9, ]+\))?$/i.test(written)) return undefined;
    const type = /^datetime$/i.test(written) ? 'timestamp' : written;
    return { text: `cast(${this.arg(args[1] as Range)} as ${type})`, next: (this.closing[open] as number) + 1 };
  }

  /** `JSON_EXTRACT_PATH_TEXT(doc, path..., [null_if_invalid])`: the flag moves first (the path is variadic). */
  private jsonExtractPathText(open: number): Replacement {
    const args = this.args(open);
    const last = args[args.length - 1];
    const lastTokens = last ? this.significant(last) : [];
    let flag = 'false';
    let values = args;
    if (lastTokens.length === 1 && /^(true|false)$/i.test(this.text(lastTokens[0] as number))) {
      flag = this.lower(lastTokens[0] as number);
      values = args.slice(0, -1);
    }
    return {
      text: `rs_json_extract_path_text(${flag}, ${values.map((range) => this.emit(range[0], range[1]).trim()).join(', ')})`,
      next: (this.closing[open] as number) + 1,
    };
  }

  /** `IDENTITY(seed, step)` (also after `GENERATED BY DEFAULT AS`): an identity column with that numbering. */
  private identity(i: number, open: number): Replacement | undefined {
    const args = this.args(open).map((range) =>
      this.significant(range)
        .map((k) => this.text(k))
        .join(''),
    );
    if (args.length !== 2 || !args.every((a) => /^[+-]?[0-9]+$/.test(a))) return undefined;
    const seed = BigInt(args[0] as string);
    const step = BigInt(args[1] as string);
    const bound = step > 0n ? (seed < 1n ? ` minvalue ${seed}` : '') : ` maxvalue ${seed}`;
    const options = `(start with ${seed} increment by ${step}${bound})`;
    const generated = this.lower(this.previous(i)) === 'as';
    return {
      text: generated ? `identity ${options}` : `generated always as identity ${options}`,
      next: (this.closing[open] as number) + 1,
    };
  }
}
