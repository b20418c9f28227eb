import { createHash } from 'node:crypto';
/**
 * Trino (Athena) compatibility for the local DuckDB engine: macros for functions DuckDB lacks or implements
 * differently, and a token-aware SQL rewrite for what no macro can reach (casts, type names, functions whose
 * DuckDB namesake has other semantics). Expected values come from the Trino documentation; see the tests.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { type JavaFormatPiece, parseJavaFormat } from '../../core/sql/java-format.ts';
import { type SqlToken, stringTokenValue, tokenizeSql } from '../../core/sql/trino-tokens.ts';

/** MySQL date_format/date_parse specifiers (Trino docs, "MySQL date functions") mapped to DuckDB strftime. */
const MYSQL_TO_STRFTIME: Readonly<Record<string, string>> = {
  a: '%a',
  b: '%b',
  c: '%-m',
  d: '%d',
  e: '%-d',
  f: '%f',
  H: '%H',
  h: '%I',
  I: '%I',
  i: '%M',
  j: '%j',
  k: '%-H',
  l: '%-I',
  M: '%B',
  m: '%m',
  p: '%p',
  r: '%I:%M:%S %p',
  S: '%S',
  s: '%S',
  T: '%H:%M:%S',
  v: '%V',
  W: '%A',
  Y: '%Y',
  y: '%y',
  '%': '%%',
};

/** Translates a constant MySQL-style format; `%x` for an unlisted x means x (Trino docs). */
export function mysqlToStrftime(format: string, mapping: Readonly<Record<string, string>> = MYSQL_TO_STRFTIME): string {
  return format.replace(/%(.)|%$|(%)/gs, (_whole, specifier: string | undefined) =>
    specifier === undefined ? '%%' : (mapping[specifier] ?? (specifier === '%' ? '%%' : specifier)),
  );
}

/** strptime accepts unpadded numbers for the padded specifiers and has no `%-` forms. */
const MYSQL_TO_STRPTIME: Readonly<Record<string, string>> = {
  ...MYSQL_TO_STRFTIME,
  c: '%m',
  e: '%d',
  k: '%H',
  l: '%I',
};

const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/**
 * A SQL expression translating a MySQL-style format held in `format` to strftime at run time, so formats that
 * are not constants work too. Each `%x` first becomes chr(2)||x so that the strftime output of one specifier
 * (which contains `%`) can never be read again as input by the next replacement.
 */
function mysqlFormatExpression(mapping: Readonly<Record<string, string>>): string {
  let expression = "regexp_replace(format, '%(.)', chr(2) || '\\1', 'g')";
  for (const [specifier, target] of Object.entries(mapping)) {
    expression = `replace(${expression}, chr(2) || ${sqlString(specifier)}, ${sqlString(target)})`;
  }
  // Trino: "%x: x, for any x not listed above".
  return `replace(${expression}, chr(2), '')`;
}

const INTEGER_TYPES = ['tinyint', 'smallint', 'integer', 'bigint'] as const;

/**
 * Macros, in dependency order. Names that DuckDB already uses for something else get a `trino_` prefix and
 * the translator renames calls to them, so DuckDB's own functions stay intact for the engine's internal SQL.
 */
const MACROS: readonly string[] = [
  // JSON. Trino paths allow ["key"] and ['key']; DuckDB wants ."key".
  `trino_json_path(path) AS regexp_replace(regexp_replace(path, '\\[\\s*"([^"]*)"\\s*\\]', '."\\1"', 'g'), '\\[\\s*''([^'']*)''\\s*\\]', '."\\1"', 'g')`,
  // Trino: json_extract_scalar returns NULL when the value is an object or array.
  `json_extract_scalar(json, path) AS CASE WHEN json_type(json_extract(json, trino_json_path(path))) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(json, trino_json_path(path)) END`,
  'trino_json_extract(json, path) AS json_extract(json, trino_json_path(path))',
  'json_parse(text) AS json(text)',
  'json_format(value) AS CAST(json(value) AS VARCHAR)',
  // Time. Athena returns timestamp(3) in UTC; rounding to milliseconds as Trino does.
  'from_unixtime(seconds) AS make_timestamp(CAST(round(CAST(seconds AS DOUBLE) * 1000) AS BIGINT) * 1000)',
  "from_unixtime(seconds, zone) AS timezone(zone, timezone('UTC', make_timestamp(CAST(round(CAST(seconds AS DOUBLE) * 1000) AS BIGINT) * 1000)))",
  'to_unixtime(value) AS epoch(value)',
  'from_iso8601_timestamp(text) AS CAST(text AS TIMESTAMPTZ)',
  'from_iso8601_date(text) AS CAST(text AS DATE)',
  `to_iso8601(value) AS CASE typeof(value)
     WHEN 'DATE' THEN strftime(TRY_CAST(value AS DATE), '%Y-%m-%d')
     WHEN 'TIMESTAMP WITH TIME ZONE' THEN strftime(timezone('UTC', TRY_CAST(value AS TIMESTAMPTZ)), '%Y-%m-%dT%H:%M:%S.%g') || 'Z'
     ELSE strftime(TRY_CAST(value AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%g') END`,
  `trino_mysql_format_for_output(format) AS ${mysqlFormatExpression(MYSQL_TO_STRFTIME)}`,
  'date_format(value, format) AS strftime(value, trino_mysql_format_for_output(format))',
  // Trino counts whole units elapsed; DuckDB date_diff counts boundaries crossed, date_sub counts whole units.
  // Both sides become TIMESTAMP (in UTC) so DATE, TIMESTAMP, TIMESTAMPTZ and text parameters all bind.
  'trino_date_diff(unit, start_value, end_value) AS date_sub(lower(unit), CAST(start_value AS TIMESTAMP), CAST(end_value AS TIMESTAMP))',
  `trino_interval(unit, amount) AS CASE lower(unit)
     WHEN 'millisecond' THEN to_milliseconds(amount) WHEN 'second' THEN to_seconds(amount)
     WHEN 'minute' THEN to_minutes(amount) WHEN 'hour' THEN to_hours(amount)
     WHEN 'day' THEN to_days(CAST(amount AS INTEGER)) WHEN 'week' THEN to_weeks(CAST(amount AS INTEGER))
     WHEN 'month' THEN to_months(CAST(amount AS INTEGER)) WHEN 'quarter' THEN to_months(CAST(amount * 3 AS INTEGER))
     WHEN 'year' THEN to_years(CAST(amount AS INTEGER)) END`,
  'trino_date_add(unit, amount, value) AS value + trino_interval(unit, amount)',
  'trino_date_add_to_date(unit, amount, value) AS CAST(value + trino_interval(unit, amount) AS DATE)',
  'trino_date_trunc_date(unit, value) AS CAST(date_trunc(unit, value) AS DATE)',
  // Trino day_of_week is ISO (1 = Monday .. 7 = Sunday); DuckDB dayofweek is 0 = Sunday.
  'day_of_week(value) AS isodow(value)',
  'dow(value) AS isodow(value)',
  'day_of_year(value) AS dayofyear(value)',
  'doy(value) AS dayofyear(value)',
  'day_of_month(value) AS day(value)',
  'week_of_year(value) AS week(value)',
  'year_of_week(value) AS isoyear(value)',
  'yow(value) AS isoyear(value)',
  'last_day_of_month(value) AS last_day(value)',
  // DuckDB millisecond() includes the seconds (seconds * 1000 + ms); Trino returns the millisecond of the second.
  'trino_millisecond(value) AS millisecond(value) % 1000',
  "at_timezone(value, zone) AS timezone(zone, timezone('UTC', value))",
  // Regular expressions. Trino replaces every match and writes group references as $1; RE2 wants \\1.
  String.raw`trino_java_replacement(replacement) AS replace(replace(regexp_replace(regexp_replace(replace(replace(replacement, '\\', chr(3)), '\$', chr(4)), '\\(.)', '\1', 'g'), '\$(\d)', '\\\1', 'g'), chr(3), '\\'), chr(4), '$')`,
  "trino_regexp_replace(text, pattern) AS regexp_replace(text, pattern, '', 'g')",
  "trino_regexp_replace(text, pattern, replacement) AS regexp_replace(text, pattern, trino_java_replacement(replacement), 'g')",
  // Trino returns NULL when nothing matches; DuckDB returns ''.
  'trino_regexp_extract(text, pattern) AS CASE WHEN regexp_matches(text, pattern) THEN regexp_extract(text, pattern) END',
  'trino_regexp_extract(text, pattern, group_number) AS CASE WHEN regexp_matches(text, pattern) THEN regexp_extract(text, pattern, group_number) END',
  'regexp_like(text, pattern) AS regexp_matches(text, pattern)',
  'regexp_split(text, pattern) AS string_split_regex(text, pattern)',
  'regexp_count(text, pattern) AS len(regexp_extract_all(text, pattern))',
  // Collections. DuckDB subscripts are 1-based, count from the end when negative and give NULL out of range.
  'trino_element_at(container, key) AS container[key]',
  `trino_cardinality(container) AS CASE WHEN typeof(container) LIKE 'MAP(%'
     THEN len(json_keys(to_json(container))) ELSE json_array_length(to_json(container)) END`,
  'array_join(items, separator) AS array_to_string(items, separator)',
  'array_join(items, separator, null_replacement) AS array_to_string(list_transform(items, item -> coalesce(CAST(item AS VARCHAR), null_replacement)), separator)',
  // Trino: default step is -1 when start > stop.
  'sequence(start_value, stop_value) AS generate_series(start_value, stop_value, CASE WHEN start_value <= stop_value THEN 1 ELSE -1 END)',
  'sequence(start_value, stop_value, step) AS generate_series(start_value, stop_value, step)',
  // Trino: greatest/least return NULL if any argument is NULL; DuckDB skips NULLs.
  'trino_greatest(items) AS CASE WHEN list_count(items) < len(items) THEN NULL ELSE list_max(items) END',
  'trino_least(items) AS CASE WHEN list_count(items) < len(items) THEN NULL ELSE list_min(items) END',
  // Trino split_part returns NULL past the last field; DuckDB returns ''.
  'trino_split_part(text, delimiter, field_index) AS string_split(text, delimiter)[field_index]',
  // Strings and binary.
  'codepoint(text) AS unicode(text)',
  'to_utf8(text) AS encode(text)',
  'from_utf8(bytes) AS decode(bytes)',
  // Trino md5/sha256 take and return varbinary (so to_hex(md5(to_utf8(x))) is upper-case hex); DuckDB returns hex text.
  'trino_md5(bytes) AS unhex(md5(bytes))',
  'trino_sha256(bytes) AS unhex(sha256(bytes))',
  'trino_to_hex(bytes) AS hex(bytes)',
  'approx_distinct(value) AS approx_count_distinct(value)',
  'approx_percentile(value, percentage) AS approx_quantile(value, percentage)',
  `trino_typeof(value) AS CASE typeof(value) WHEN 'FLOAT' THEN 'real' WHEN 'BLOB' THEN 'varbinary'
     WHEN 'TIMESTAMP WITH TIME ZONE' THEN 'timestamp(3) with time zone' WHEN 'TIMESTAMP' THEN 'timestamp(3)'
     ELSE lower(typeof(value)) END`,
  // Trino CAST(double AS integer types) rounds half away from zero; DuckDB rounds half to even.
  ...INTEGER_TYPES.flatMap((type) => [
    `trino_cast_${type}(value) AS CASE WHEN typeof(value) IN ('DOUBLE', 'FLOAT') THEN CAST(round(TRY_CAST(value AS DOUBLE)) AS ${type.toUpperCase()}) ELSE CAST(value AS ${type.toUpperCase()}) END`,
    `trino_try_cast_${type}(value) AS CASE WHEN typeof(value) IN ('DOUBLE', 'FLOAT') THEN TRY_CAST(round(TRY_CAST(value AS DOUBLE)) AS ${type.toUpperCase()}) ELSE TRY_CAST(value AS ${type.toUpperCase()}) END`,
  ]),
  // Trino CAST(json AS varchar) gives the scalar's text ("abc" becomes abc); DuckDB keeps the JSON quoting.
  "trino_cast_varchar(value) AS CASE WHEN typeof(value) = 'JSON' THEN json_extract_string(TRY_CAST(value AS JSON), '$') ELSE CAST(value AS VARCHAR) END",
];

/** Installs the macros and the settings Trino semantics need. Idempotent; run once per connection. */
/** Identifies this version of the macros: a database file that holds them already is not given them again. */
export const TRINO_COMPAT_VERSION = createHash('sha256').update(MACROS.join('\n')).digest('hex');

/**
 * Sets the connection's Trino behaviour and, unless `macrosInstalled` (the database file holds this version of
 * them already, see `TRINO_COMPAT_VERSION`), creates the macros.
 */
export async function installTrinoCompat(
  connection: DuckDBConnection,
  options: { readonly macrosInstalled?: boolean } = {},
): Promise<void> {
  // Trino divides integers as integers, truncating toward zero (7 / 2 = 3, -7 / 2 = -3).
  await connection.run('SET integer_division = true');
  await connection.run("SET TimeZone = 'UTC'");
  if (options.macrosInstalled) return;
  for (const macro of groupOverloads(MACROS)) {
    await connection.run(`CREATE OR REPLACE MACRO ${macro}`);
  }
}

/** DuckDB replaces a macro wholesale, so overloads of one name must be declared in one statement. */
function groupOverloads(macros: readonly string[]): string[] {
  const byName = new Map<string, string[]>();
  for (const macro of macros) {
    const name = macro.slice(0, macro.indexOf('('));
    byName.set(name, [...(byName.get(name) ?? []), macro.slice(name.length)]);
  }
  return [...byName].map(([name, overloads]) => `${name}${overloads.join(', ')}`);
}

/** Calls whose DuckDB namesake has different semantics: renamed to the `trino_` macro. */
const RENAMED_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['date_diff', 'trino_date_diff'],
  ['regexp_replace', 'trino_regexp_replace'],
  ['regexp_extract', 'trino_regexp_extract'],
  ['json_extract', 'trino_json_extract'],
  ['element_at', 'trino_element_at'],
  ['cardinality', 'trino_cardinality'],
  ['split_part', 'trino_split_part'],
  ['millisecond', 'trino_millisecond'],
  ['transform', 'list_transform'],
  ['md5', 'trino_md5'],
  ['sha256', 'trino_sha256'],
  ['to_hex', 'trino_to_hex'],
  ['typeof', 'trino_typeof'],
]);

/** EXTRACT fields whose DuckDB meaning differs from Trino's. */
const EXTRACT_FIELDS: ReadonlyMap<string, string> = new Map([
  ['dow', 'isodow'],
  ['day_of_week', 'isodow'],
  ['doy', 'doy'],
  ['day_of_year', 'doy'],
  ['day_of_month', 'day'],
  ['yow', 'isoyear'],
  ['year_of_week', 'isoyear'],
]);

/** A zone suffix on a TIMESTAMP literal makes it a timestamp with time zone in Trino. */
const ZONED_TIMESTAMP_LITERAL = /\d(?:\s*(?:[A-Za-z_]+(?:\/[A-Za-z_]+)*|[+-]\d{2}(?::?\d{2})?))\s*$/;

/**
 * Rewrites Trino SQL into DuckDB SQL. Token-aware: string literals, quoted identifiers and comments are copied
 * unchanged, and `?` parameters are never duplicated or moved relative to each other.
 */
export function translateTrinoToDuckDb(sql: string): string {
  return translateTokens(tokenizeSql(sql));
}

const isTrivia = (token: SqlToken | undefined): boolean => token?.kind === 'whitespace' || token?.kind === 'comment';
const lowerWord = (token: SqlToken | undefined): string => (token?.kind === 'word' ? token.text.toLowerCase() : '');

function nextSignificant(tokens: readonly SqlToken[], from: number): number {
  let index = from;
  while (index < tokens.length && isTrivia(tokens[index])) index++;
  return index;
}

function previousSignificant(tokens: readonly SqlToken[], from: number): number {
  let index = from;
  while (index >= 0 && isTrivia(tokens[index])) index--;
  return index;
}

/** Index of the `)` or `]` closing the bracket at `open`, or tokens.length when unbalanced. */
function closingBracket(tokens: readonly SqlToken[], open: number): number {
  let depth = 0;
  for (let index = open; index < tokens.length; index++) {
    const text = tokens[index]?.kind === 'punctuation' ? tokens[index]?.text : undefined;
    if (text === '(' || text === '[') depth++;
    else if (text === ')' || text === ']') {
      depth--;
      if (depth === 0) return index;
    }
  }
  return tokens.length;
}

/** Splits tokens at top-level commas. */
function splitArguments(tokens: readonly SqlToken[]): SqlToken[][] {
  const parts: SqlToken[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === 'punctuation' && (token.text === '(' || token.text === '[')) depth++;
    if (token.kind === 'punctuation' && (token.text === ')' || token.text === ']')) depth--;
    if (depth === 0 && token.kind === 'punctuation' && token.text === ',') parts.push([]);
    else parts.at(-1)?.push(token);
  }
  return parts;
}

function translateTokens(tokens: readonly SqlToken[]): string {
  let output = '';
  let index = 0;
  while (index < tokens.length) {
    const token = tokens[index];
    if (!token) break;
    const name = lowerWord(token);
    const after = nextSignificant(tokens, index + 1);
    const afterToken = tokens[after];
    const previous = tokens[previousSignificant(tokens, index - 1)];
    const isQualified = previous?.kind === 'punctuation' && previous.text === '.';
    const isCall = name !== '' && !isQualified && afterToken?.kind === 'punctuation' && afterToken.text === '(';

    if (isCall) {
      const close = closingBracket(tokens, after);
      const inner = tokens.slice(after + 1, close);
      const rewritten = rewriteCall(name, token.text, inner);
      if (rewritten !== undefined) {
        output += rewritten;
        index = close + 1;
        continue;
      }
      const renamed = RENAMED_FUNCTIONS.get(name);
      if (renamed) {
        output += renamed;
        index++;
        continue;
      }
    }
    if (name === 'values' && !(afterToken?.kind === 'punctuation' && afterToken.text === '(')) {
      const end = endOfValuesList(tokens, after);
      const rows = splitArguments(tokens.slice(after, end)).map((row) => `(${translateTokens(row).trim()})`);
      output += `${token.text}${tokens
        .slice(index + 1, after)
        .map((trivia) => trivia.text)
        .join('')}${rows.join(', ')}`;
      index = end;
      continue;
    }
    const dateArithmetic = name === 'date' && afterToken?.kind === 'string' ? dateLiteralArithmetic(tokens, after) : 0;
    if (dateArithmetic > 0) {
      // Trino: date '2012-08-08' + interval '2' day is a DATE; DuckDB widens it to TIMESTAMP.
      output += `CAST(${tokens
        .slice(index, dateArithmetic)
        .map((part) => part.text)
        .join('')} AS DATE)`;
      index = dateArithmetic;
      continue;
    }
    if (name === 'timestamp' && afterToken?.kind === 'string' && !isQualified) {
      const zoned = ZONED_TIMESTAMP_LITERAL.test(stringTokenValue(afterToken));
      output += zoned ? `TIMESTAMPTZ ${afterToken.text}` : `TIMESTAMP ${afterToken.text}`;
      index = after + 1;
      continue;
    }
    output += token.text;
    index++;
  }
  return output;
}

const DATE_INTERVAL_UNITS = new Set(['day', 'days', 'week', 'weeks', 'month', 'months', 'year', 'years']);

/** For `DATE 'x' +|- INTERVAL 'n' unit` starting at the string, the index after the unit; otherwise 0. */
function dateLiteralArithmetic(tokens: readonly SqlToken[], literal: number): number {
  const operator = nextSignificant(tokens, literal + 1);
  const interval = nextSignificant(tokens, operator + 1);
  const amount = nextSignificant(tokens, interval + 1);
  const unit = nextSignificant(tokens, amount + 1);
  const isOperator = tokens[operator]?.text === '+' || tokens[operator]?.text === '-';
  const matches =
    isOperator &&
    lowerWord(tokens[interval]) === 'interval' &&
    tokens[amount]?.kind === 'string' &&
    DATE_INTERVAL_UNITS.has(lowerWord(tokens[unit]));
  return matches ? unit + 1 : 0;
}

const VALUES_LIST_END = new Set(['order', 'limit', 'offset', 'union', 'except', 'intersect', 'fetch', 'as', 'on']);

/**
 * Trino allows `VALUES 1, 2, 3` (one column, one row per item); DuckDB needs each row parenthesised.
 * Returns where the list ends: a closing parenthesis of the enclosing query, `;`, or a clause keyword.
 */
function endOfValuesList(tokens: readonly SqlToken[], start: number): number {
  let depth = 0;
  for (let index = start; index < tokens.length; index++) {
    const token = tokens[index];
    if (token?.kind === 'punctuation' && (token.text === '(' || token.text === '[')) depth++;
    else if (token?.kind === 'punctuation' && (token.text === ')' || token.text === ']')) {
      if (depth === 0) return previousSignificant(tokens, index - 1) + 1;
      depth--;
    } else if (depth === 0 && (token?.text === ';' || VALUES_LIST_END.has(lowerWord(token)))) {
      return previousSignificant(tokens, index - 1) + 1;
    }
  }
  return previousSignificant(tokens, tokens.length - 1) + 1;
}

/** Structural rewrites that need the call's arguments; undefined when the call is left to renaming. */
function rewriteCall(name: string, originalName: string, inner: readonly SqlToken[]): string | undefined {
  const argumentsOf = (): string[] => splitArguments(inner).map((part) => translateTokens(part).trim());
  switch (name) {
    case 'cast':
    case 'try_cast':
      return rewriteCast(name, inner);
    case 'extract':
      return rewriteExtract(originalName, inner);
    case 'array':
      // Only a type can follow ARRAY with a parenthesis (literals use brackets), e.g. in CREATE TABLE columns.
      return translateType([
        { kind: 'word', text: 'array', offset: 0 },
        { kind: 'punctuation', text: '(', offset: 0 },
        ...inner,
        { kind: 'punctuation', text: ')', offset: 0 },
      ]);
    case 'replace': {
      // Trino replace(string, search) removes every occurrence; DuckDB only has the three-argument form.
      const parts = argumentsOf();
      return parts.length === 2 ? `${originalName}(${parts.join(', ')}, '')` : undefined;
    }
    case 'if': {
      // Trino if(condition, value) yields NULL when false; DuckDB's if needs the third argument.
      const parts = argumentsOf();
      return parts.length === 2 ? `${originalName}(${parts.join(', ')}, NULL)` : undefined;
    }
    case 'format':
      return rewriteFormat(inner);
    case 'greatest':
    case 'least':
      return `trino_${name}(list_value(${argumentsOf().join(', ')}))`;
    case 'concat': {
      // Trino concat returns NULL if any argument is NULL, like ||; DuckDB concat skips NULLs.
      const parts = argumentsOf();
      return parts.length === 0 ? undefined : `(${parts.map((part) => `(${part.trim()})`).join(' || ')})`;
    }
    case 'reduce': {
      // Trino: reduce(array, initialState, inputFunction, outputFunction); DuckDB: list_reduce(list, lambda, initial).
      const parts = argumentsOf();
      if (parts.length !== 4) return undefined;
      const [items, initial, input, finish] = parts;
      return `list_transform([list_reduce(${items}, ${input}, ${initial})], ${finish})[1]`;
    }
    case 'date_add':
    case 'date_trunc': {
      const parts = splitArguments(inner);
      const value = parts.at(-1) ?? [];
      const translated = parts.map((part) => translateTokens(part).trim());
      if (name === 'date_add' && parts.length === 3) {
        return `${isDateExpression(value) ? 'trino_date_add_to_date' : 'trino_date_add'}(${translated.join(', ')})`;
      }
      if (name === 'date_trunc' && parts.length === 2 && isDateExpression(value)) {
        return `trino_date_trunc_date(${translated.join(', ')})`;
      }
      return undefined;
    }
    case 'date_parse':
    case 'date_format': {
      // DuckDB's strptime needs a constant format, so constant formats are translated here; date_format also
      // has a macro for computed formats. A computed date_parse format is reported by the portability lint.
      const parts = splitArguments(inner);
      const format = parts[1]?.filter((token) => !isTrivia(token));
      if (parts.length !== 2 || format?.length !== 1 || format[0]?.kind !== 'string') return undefined;
      const value = translateTokens(parts[0] ?? []);
      const pattern = stringTokenValue(format[0]);
      return name === 'date_parse'
        ? `strptime(${value}, ${sqlString(mysqlToStrftime(pattern, MYSQL_TO_STRPTIME))})`
        : `strftime(${value}, ${sqlString(mysqlToStrftime(pattern))})`;
    }
    case 'format_datetime': {
      const parts = splitArguments(inner);
      const format = parts[1]?.filter((token) => !isTrivia(token));
      if (parts.length !== 2 || format?.length !== 1 || format[0]?.kind !== 'string') return undefined;
      return `strftime(${translateTokens(parts[0] ?? [])}, ${sqlString(jodaToStrftime(stringTokenValue(format[0])))})`;
    }
    default:
      return undefined;
  }
}

/** Heuristic for "this expression is a DATE", used where DuckDB would widen a date result to TIMESTAMP. */
function isDateExpression(tokens: readonly SqlToken[]): boolean {
  const significant = tokens.filter((token) => !isTrivia(token));
  const first = lowerWord(significant[0]);
  if (first === 'date' && significant[1]?.kind === 'string' && significant.length === 2) return true;
  if (first === 'current_date' && significant.length === 1) return true;
  if (['date', 'from_iso8601_date', 'last_day_of_month'].includes(first) && significant[1]?.text === '(') {
    return closingBracket(significant, 1) === significant.length - 1;
  }
  if ((first === 'cast' || first === 'try_cast') && significant[1]?.text === '(') {
    const close = closingBracket(significant, 1);
    return (
      close === significant.length - 1 &&
      lowerWord(significant[close - 1]) === 'date' &&
      lowerWord(significant[close - 2]) === 'as'
    );
  }
  return false;
}

function rewriteExtract(originalName: string, inner: readonly SqlToken[]): string | undefined {
  const fieldIndex = nextSignificant(inner, 0);
  const replacement = EXTRACT_FIELDS.get(lowerWord(inner[fieldIndex]));
  if (!replacement) return undefined;
  const rest = inner.slice(fieldIndex + 1);
  return `${originalName}(${replacement}${translateTokens(rest)})`;
}

/**
 * Trino `format('...', args)` with a constant format string, as Java's `String.format` formats it (see
 * `parseJavaFormat`); any other format is left to DuckDB's own format(), and the lint refuses it.
 */
function rewriteFormat(inner: readonly SqlToken[]): string | undefined {
  const [formatTokens = [], ...argumentTokens] = splitArguments(inner);
  const significant = formatTokens.filter((token) => !isTrivia(token));
  const literal = significant[0];
  if (significant.length !== 1 || literal?.kind !== 'string') return undefined;
  const parsed = parseJavaFormat(stringTokenValue(literal));
  if (!parsed.ok || parsed.argumentsUsed > argumentTokens.length) return undefined;
  const args = argumentTokens.map((tokens) => `(${translateTokens(tokens).trim()})`);
  const parts = parsed.pieces.map((piece) =>
    piece.kind === 'text' ? quoteSqlString(piece.text) : javaFormatted(args[piece.index] ?? 'NULL', piece),
  );
  return parts.length === 0 ? "''" : `(${parts.join(' || ')})`;
}

/** One argument as Java formats it; NULL is `null`, as Java prints a null reference. */
function javaFormatted(value: string, piece: Extract<JavaFormatPiece, { kind: 'argument' }>): string {
  const text = (() => {
    switch (piece.conversion) {
      case 's':
        return `trino_cast_varchar(${value})`;
      case 'S':
        return `upper(trino_cast_varchar(${value}))`;
      case 'd':
        return piece.grouped
          ? `format('{:,}', CAST(${value} AS HUGEINT))`
          : `CAST(CAST(${value} AS HUGEINT) AS VARCHAR)`;
      case 'x':
        return `lower(to_hex(CAST(${value} AS BIGINT)))`;
      case 'X':
        return `to_hex(CAST(${value} AS BIGINT))`;
      case 'f': {
        // Java rounds the shortest decimal form of a double half up; a decimal's exact digits likewise.
        const digits = piece.precision ?? 6;
        const exact = `CAST(CAST(${value} AS VARCHAR) AS DECIMAL(38, 18))`;
        return `CAST(CAST(round(${exact}, ${digits}) AS DECIMAL(38, ${digits})) AS VARCHAR)`;
      }
    }
  })();
  return `coalesce(${text}, 'null')`;
}

function quoteSqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function rewriteCast(kind: 'cast' | 'try_cast', inner: readonly SqlToken[]): string | undefined {
  let depth = 0;
  let asIndex = -1;
  for (let index = 0; index < inner.length; index++) {
    const token = inner[index];
    if (token?.kind === 'punctuation' && (token.text === '(' || token.text === '[')) depth++;
    if (token?.kind === 'punctuation' && (token.text === ')' || token.text === ']')) depth--;
    if (depth === 0 && lowerWord(token) === 'as') asIndex = index;
  }
  if (asIndex === -1) return undefined;
  const value = translateTokens(inner.slice(0, asIndex)).trim();
  const typeTokens = inner.slice(asIndex + 1).filter((token) => !isTrivia(token));
  const typeName = lowerWord(typeTokens[0]);
  const castKeyword = kind === 'cast' ? 'CAST' : 'TRY_CAST';
  const prefix = kind === 'cast' ? 'trino_cast' : 'trino_try_cast';
  if (typeTokens.length === 1 && (INTEGER_TYPES as readonly string[]).includes(typeName)) {
    return `${prefix}_${typeName}(${value})`;
  }
  if (typeTokens.length === 1 && typeName === 'int') return `${prefix}_integer(${value})`;
  if (typeName === 'varchar' || typeName === 'char') {
    const length = typeTokens[2]?.kind === 'number' && typeTokens.length === 4 ? typeTokens[2].text : undefined;
    const text = kind === 'cast' ? `trino_cast_varchar(${value})` : `TRY_CAST(${value} AS VARCHAR)`;
    if (typeTokens.length === 1) return text;
    // Trino truncates to varchar(n)'s length; DuckDB ignores the length.
    if (length !== undefined) return `left(${text}, ${length})`;
  }
  if (typeTokens.length === 1 && typeName === 'json') {
    // Trino CAST(x AS JSON) encodes x as a JSON value (a string becomes a JSON string); json_parse parses.
    return `to_json(${value})`;
  }
  return `${castKeyword}(${value} AS ${translateType(typeTokens)})`;
}

/** Trino type syntax to DuckDB: array(T) → T[], row(a T) → STRUCT(a T), timestamp(p) → TIMESTAMP, ... */
export function translateType(tokens: readonly SqlToken[]): string {
  const significant = tokens.filter((token) => !isTrivia(token));
  const name = lowerWord(significant[0]);
  const hasArguments = significant[1]?.text === '(' || significant[1]?.text === '<';
  const closeIndex = hasArguments ? closingAngleOrParenthesis(significant, 1) : 0;
  const innerTokens = hasArguments ? significant.slice(2, closeIndex) : [];
  const rest = significant.slice(hasArguments ? closeIndex + 1 : 1);
  const restText = rest.map((token) => token.text.toLowerCase()).join(' ');
  switch (name) {
    case 'array':
      return `${translateType(innerTokens)}[]${rest.map((token) => token.text).join('')}`;
    case 'map': {
      const [keyType, valueType] = splitArguments(innerTokens);
      return `MAP(${translateType(keyType ?? [])}, ${translateType(valueType ?? [])})`;
    }
    case 'row':
    case 'struct': {
      const fields = splitArguments(innerTokens).map((field) => {
        const [fieldName, ...fieldType] = field.filter((token) => !isTrivia(token));
        return `${fieldName?.text ?? ''} ${translateType(fieldType)}`;
      });
      return `STRUCT(${fields.join(', ')})`;
    }
    case 'timestamp':
    case 'time':
      return restText.startsWith('with time zone') ? `${name.toUpperCase()}TZ` : name.toUpperCase();
    case 'varbinary':
      return 'BLOB';
    case 'double':
      return restText === 'precision' ? 'DOUBLE' : significant.map((token) => token.text).join(' ');
    default:
      return significant
        .map((token) => token.text)
        .join(' ')
        .replace(/\s*([(),])\s*/g, '$1');
  }
}

function closingAngleOrParenthesis(tokens: readonly SqlToken[], open: number): number {
  if (tokens[open]?.text === '(') return closingBracket(tokens, open);
  let depth = 0;
  for (let index = open; index < tokens.length; index++) {
    if (tokens[index]?.text === '<') depth++;
    else if (tokens[index]?.text === '>') {
      depth--;
      if (depth === 0) return index;
    }
  }
  return tokens.length;
}

/** Joda DateTimeFormat letters (format_datetime) to strftime; unknown letters are flagged by the portability lint. */
const JODA_TO_STRFTIME: ReadonlyArray<[RegExp, string]> = [
  [/^yyyy+$|^YYYY+$/, '%Y'],
  [/^yy$|^YY$/, '%y'],
  [/^y$|^Y$/, '%Y'],
  [/^MMMM+$/, '%B'],
  [/^MMM$/, '%b'],
  [/^MM$/, '%m'],
  [/^M$/, '%-m'],
  [/^dd$/, '%d'],
  [/^d$/, '%-d'],
  [/^HH$/, '%H'],
  [/^H$/, '%-H'],
  [/^kk$/, '%H'],
  [/^hh$/, '%I'],
  [/^h$/, '%-I'],
  [/^KK$/, '%I'],
  [/^mm$/, '%M'],
  [/^m$/, '%-M'],
  [/^ss$/, '%S'],
  [/^s$/, '%-S'],
  [/^SSS$/, '%g'],
  [/^SSSSSS$/, '%f'],
  [/^a$/, '%p'],
  [/^EEEE+$/, '%A'],
  [/^E{1,3}$/, '%a'],
  [/^DDD$/, '%j'],
  [/^Z+$/, '%z'],
];

export function jodaToStrftime(pattern: string): string {
  let output = '';
  let index = 0;
  while (index < pattern.length) {
    const character = pattern[index] ?? '';
    if (character === "'") {
      const close = pattern.indexOf("'", index + 1);
      const end = close === -1 ? pattern.length : close;
      output += end === index + 1 ? "'" : pattern.slice(index + 1, end).replaceAll('%', '%%');
      index = end + 1;
    } else if (/[A-Za-z]/.test(character)) {
      let end = index + 1;
      while (pattern[end] === character) end++;
      const run = pattern.slice(index, end);
      output += JODA_TO_STRFTIME.find(([matcher]) => matcher.test(run))?.[1] ?? run;
      index = end;
    } else {
      output += character === '%' ? '%%' : character;
      index++;
    }
  }
  return output;
}
