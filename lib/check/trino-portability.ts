import { parseJavaFormat } from '../core/sql/java-format.ts';
import { indexLines, lineAndColumn } from '../core/sql/scanner.ts';
import { isUtcZone, parseTimestampLiteral } from '../core/sql/timestamp-literal.ts';
import { type SqlToken, stringTokenValue, tokenizeSql } from '../core/sql/trino-tokens.ts';

/**
 * Lint for Athena (Trino) transform SQL: finds constructs the local DuckDB engine cannot run with Trino's
 * documented semantics, so `dap check` can say so before a transform silently behaves differently locally.
 * Pure: no DuckDB. Its tokens are the shared ones of `lib/core/sql/trino-tokens.ts`.
 */

export interface PortabilityIssue {
  readonly line: number;
  readonly column: number;
  readonly construct: string;
  readonly message: string;
}

/** Java regex features RE2 (DuckDB's engine) rejects or reads differently. */
const JAVA_ONLY_REGEX_FEATURES: ReadonlyArray<{ pattern: RegExp; feature: string }> = [
  { pattern: /\(\?<[=!]/, feature: 'lookbehind' },
  { pattern: /\(\?[=!]/, feature: 'lookahead' },
  { pattern: /\(\?>/, feature: 'atomic group' },
  { pattern: /(?:[*+?}])\+/, feature: 'possessive quantifier' },
  { pattern: /(?<!\\)\\[1-9]/, feature: 'backreference inside the pattern' },
  { pattern: /\\[GZ]/, feature: '\\G or \\Z anchor' },
  { pattern: /\[[^\]]*&&/, feature: 'character class intersection' },
];

const REGEX_FUNCTIONS = new Set([
  'regexp_like',
  'regexp_extract',
  'regexp_extract_all',
  'regexp_replace',
  'regexp_split',
  'regexp_count',
  'regexp_position',
]);

/** MySQL-style specifiers Trino documents as unsupported; Trino rejects them, DuckDB would not. */
const UNSUPPORTED_DATE_FORMAT_SPECIFIERS = /%[DUuVwX]/;

/** Joda pattern letters the translator maps to strftime; anything else in a format_datetime pattern is flagged. */
const SUPPORTED_JODA_LETTERS = new Set(['y', 'Y', 'M', 'd', 'H', 'h', 'm', 's', 'S', 'a', 'E', 'D', 'k', 'K', 'Z']);

/** Whole statements Athena runs that have no local equivalent. */
const NON_PORTABLE_STATEMENTS: ReadonlyArray<{ words: string[]; message: string }> = [
  { words: ['unload'], message: 'UNLOAD writes files to S3 from Athena; the local engine has no equivalent' },
  { words: ['msck'], message: 'MSCK REPAIR TABLE loads Hive partitions into the Glue catalog; locally there is none' },
  {
    words: ['vacuum'],
    message: 'VACUUM is an Iceberg maintenance statement in Athena; DuckDB VACUUM does something else',
  },
  { words: ['optimize'], message: 'OPTIMIZE ... REWRITE DATA is Iceberg maintenance in Athena; not available locally' },
];

/** Functions with no local implementation that matches Trino's result. */
const UNMATCHED_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['from_iso8601_timestamp_nanos', 'nanosecond timestamps are not supported by DuckDB (microseconds at most)'],
  ['from_unixtime_nanos', 'nanosecond timestamps are not supported by DuckDB (microseconds at most)'],
  ['timezone_minute', 'DuckDB keeps no zone on TIMESTAMP WITH TIME ZONE values'],
  ['word_stem', 'word_stem has no DuckDB counterpart'],
  ['map_zip_with', 'map_zip_with has no DuckDB counterpart'],
  ['transform_keys', 'transform_keys has no DuckDB counterpart'],
  ['transform_values', 'transform_values has no DuckDB counterpart'],
  ['map_filter', 'map_filter has no DuckDB counterpart'],
  ['at_timezone', 'DuckDB keeps no zone on TIMESTAMP WITH TIME ZONE values: the result would lose its zone'],
  ['normal_cdf', 'normal_cdf needs the error function, which DuckDB does not have'],
  ['inverse_normal_cdf', 'inverse_normal_cdf has no DuckDB counterpart'],
  ['cosine_similarity', 'cosine_similarity over maps has no DuckDB counterpart'],
  ['format_number', 'format_number has no DuckDB counterpart'],
  ['soundex', 'soundex has no DuckDB counterpart'],
  ['title_case', 'title_case has no DuckDB counterpart'],
  [
    'json_query',
    'the SQL/JSON path language (lax/strict, filters, wrapper and ON ERROR clauses) is not available locally',
  ],
  [
    'json_value',
    'the SQL/JSON path language (lax/strict, filters, RETURNING and ON ERROR clauses) is not available locally',
  ],
  ['json_exists', 'the SQL/JSON path language (lax/strict, filters, ON ERROR clauses) is not available locally'],
]);

/** A function call on an INTERVAL literal whose field DuckDB reads from an unnormalised interval. */
const INTERVAL_FIELD_FUNCTIONS = new Set(['hour', 'minute', 'second', 'day', 'millisecond', 'extract']);

/** Groups a Java (or RE2) pattern captures: unescaped `(` not followed by `?`. */
function captureGroups(pattern: string): number {
  let groups = 0;
  let inClass = false;
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern[index];
    if (character === '\\') index++;
    else if (inClass) inClass = character !== ']';
    else if (character === '[') inClass = true;
    else if (character === '(' && pattern[index + 1] !== '?') groups++;
  }
  return groups;
}

/** Why a Java regex replacement string would not be read locally as Trino reads it, if it would not. */
function replacementProblem(replacement: string, groups: number): string | undefined {
  if (/(?:^|[^\\])(?:\\\\)*\\$/.test(replacement))
    return 'the replacement ends with a lone backslash, which Trino rejects';
  for (const match of replacement.matchAll(/\\.|\$(\d+)/g)) {
    const digits = match[1];
    if (digits === undefined) continue;
    if (Number(digits[0]) > groups)
      return `the replacement names group $${digits[0]}, which the pattern does not have: Trino fails`;
    if (digits.length > 1 && Number(digits.slice(0, 2)) <= groups) {
      return `the replacement names group $${digits.slice(0, 2)}: Java reads two-digit group numbers, RE2 only one digit`;
    }
  }
  return undefined;
}

/**
 * Why a `format(...)` call cannot run with Trino's (Java's) semantics locally: its format is not a constant string,
 * holds a specifier the local engine does not reproduce, or names more arguments than the call passes.
 */
function formatProblem(significant: Significant, index: number): string | undefined {
  const literal = significant[index + 2]?.token;
  const after = significant[index + 3]?.token.text;
  if (literal?.kind !== 'string' || (after !== ',' && after !== ')')) {
    return 'Trino format() uses a Java format string; only a constant one (a string literal) is formatted as Java does locally';
  }
  const parsed = parseJavaFormat(stringTokenValue(literal));
  if (!parsed.ok) return `Trino format(): ${parsed.reason}`;
  const given = countArguments(significant, index + 1) - 1;
  if (parsed.argumentsUsed > given) {
    return `Trino format(): the format string uses ${parsed.argumentsUsed} argument(s), the call passes ${given}`;
  }
  return undefined;
}

/**
 * Returns every construct in `sql` that the local engine cannot run with Trino's semantics, in source order.
 * Line and column are 1-based and point at the construct's first character.
 */
export function findPortabilityIssues(sql: string): PortabilityIssue[] {
  const tokens = tokenizeSql(sql);
  const lines = indexLines(sql);
  const issues: PortabilityIssue[] = [];
  const report = (token: SqlToken, construct: string, message: string): void => {
    issues.push({ ...lineAndColumn(lines, token.offset), construct, message });
  };
  const significant = tokens
    .map((token, position) => ({ token, position }))
    .filter(({ token }) => token.kind !== 'whitespace' && token.kind !== 'comment');
  const word = (index: number): string => {
    const entry = significant[index];
    return entry?.token.kind === 'word' ? entry.token.text.toLowerCase() : '';
  };
  const text = (index: number): string => significant[index]?.token.text ?? '';
  let statementStart = true;

  for (let index = 0; index < significant.length; index++) {
    const entry = significant[index];
    if (!entry) continue;
    const { token } = entry;
    const name = word(index);
    if (statementStart && name) {
      const statement = NON_PORTABLE_STATEMENTS.find((candidate) => candidate.words[0] === name);
      if (statement) report(token, name.toUpperCase(), statement.message);
    }
    statementStart = token.text === ';';
    if (!name) continue;
    const isCall = text(index + 1) === '(';

    if (name === 'create' && tableWithProperties(significant, index)) {
      report(
        token,
        'CREATE TABLE ... WITH (...)',
        'table properties (format, location, partitioning, table_type) are Athena/Glue settings; the local engine ignores storage layout, so CTAS WITH (...) is not run as written',
      );
    }
    if (isCall && REGEX_FUNCTIONS.has(name)) {
      const pattern = significant[index + 4];
      if (text(index + 3) === ',' && pattern?.token.kind === 'string') {
        const value = stringTokenValue(pattern.token);
        for (const { pattern: detector, feature } of JAVA_ONLY_REGEX_FEATURES) {
          if (detector.test(value)) {
            report(
              pattern.token,
              `${name} ${feature}`,
              `the pattern uses a Java regex ${feature}, which DuckDB's RE2 engine does not support`,
            );
          }
        }
      } else if (text(index + 3) !== ',') {
        report(token, name, `${name} with a computed first argument could not be checked for Java-only regex syntax`);
      }
      if (name === 'regexp_replace' && text(index + 5) === ',' && significant[index + 6]?.token.kind === 'string') {
        const replacement = stringTokenValue(significant[index + 6]?.token ?? token);
        if (/\$\{/.test(replacement)) {
          report(
            token,
            'regexp_replace named group reference',
            'named group references ($ followed by {name}) in the replacement are not supported locally',
          );
        }
      }
      if (name === 'regexp_replace' && isLambdaArgument(significant, index)) {
        report(
          token,
          'regexp_replace with a lambda',
          'regexp_replace with a function replacement has no DuckDB counterpart',
        );
      }
    }
    if (isCall && (name === 'date_format' || name === 'date_parse')) {
      const format = formatArgument(significant, index);
      if (!format) {
        report(
          token,
          `${name} non-constant format`,
          `${name} with a non-constant format is translated at run time; Trino rejects %D %U %u %V %w %X, which the local engine cannot check`,
        );
      } else if (UNSUPPORTED_DATE_FORMAT_SPECIFIERS.test(stringTokenValue(format))) {
        report(
          format,
          `${name} format specifier`,
          `Trino does not support %D %U %u %V %w %X in ${name}; the local engine would accept them`,
        );
      }
    }
    if (isCall && name === 'format_datetime') {
      const format = formatArgument(significant, index);
      const unsupported = format ? unsupportedJodaLetters(stringTokenValue(format)) : [];
      if (!format) {
        report(
          token,
          'format_datetime non-constant format',
          'format_datetime needs a constant Joda pattern to be translated to strftime',
        );
      } else if (unsupported.length > 0) {
        report(
          format,
          'format_datetime pattern',
          `Joda pattern letters ${unsupported.join(', ')} have no strftime equivalent here`,
        );
      }
    }
    if (isCall && UNMATCHED_FUNCTIONS.has(name) && text(index - 1) !== '.') {
      report(token, name, UNMATCHED_FUNCTIONS.get(name) ?? name);
    }
    if (isCall && name === 'format' && text(index - 1) !== '.') {
      const problem = formatProblem(significant, index);
      if (problem !== undefined) report(token, 'format', problem);
    }
    if (isCall && name === 'parse_datetime' && text(index - 1) !== '.') {
      const format = formatArgument(significant, index);
      const pattern = format ? stringTokenValue(format).replace(/'[^']*'/g, '') : undefined;
      if (pattern === undefined) {
        report(
          token,
          'parse_datetime non-constant format',
          'parse_datetime needs a constant Joda pattern to be translated to strptime',
        );
      } else if (/[Zz]/.test(pattern)) {
        report(format ?? token, 'parse_datetime time zone', `a parsed zone is lost: ${ZONE_LOST}`);
      } else if (unsupportedJodaLetters(pattern).length > 0) {
        report(
          format ?? token,
          'parse_datetime pattern',
          `Joda pattern letters ${unsupportedJodaLetters(pattern).join(', ')} have no strptime equivalent here`,
        );
      }
    }
    if (name === 'timestamp' && significant[index + 1]?.token.kind === 'string' && text(index - 1) !== '.') {
      const literal = significant[index + 1]?.token;
      const zone = literal ? parseTimestampLiteral(stringTokenValue(literal))?.zone : undefined;
      if (literal && zone !== undefined && !isUtcZone(zone)) {
        report(token, 'TIMESTAMP literal with a time zone', ZONE_LOST);
      }
    }
    if (isCall && name === 'cast' && significant[index + 2]?.token.kind === 'string' && word(index + 3) === 'as') {
      const literal = significant[index + 2]?.token;
      const zone = literal ? parseTimestampLiteral(stringTokenValue(literal))?.zone : undefined;
      const zoned = word(index + 4) === 'timestamp' && word(index + 5) === 'with';
      if (literal && zoned && zone !== undefined && !isUtcZone(zone)) {
        report(literal, 'timestamp with time zone text', ZONE_LOST);
      }
    }
    if (isCall && name === 'from_iso8601_timestamp' && significant[index + 2]?.token.kind === 'string') {
      const literal = significant[index + 2]?.token;
      const offset = literal ? /(?:[+-]\d{2}(?::?\d{2})?)$/.exec(stringTokenValue(literal))?.[0] : undefined;
      if (literal && offset !== undefined && !isUtcZone(offset)) {
        report(literal, 'from_iso8601_timestamp with an offset', ZONE_LOST);
      }
    }
    if (isCall && name === 'from_unixtime' && countArguments(significant, index + 1) > 1) {
      report(token, 'from_unixtime with a time zone', ZONE_LOST);
    }
    if (isCall && name === 'with_timezone' && text(index - 1) !== '.') {
      const close = matchingParenthesis(significant, index + 1);
      const zone = significant[close - 1]?.token;
      if (!(zone?.kind === 'string' && text(close - 2) === ',' && isUtcZone(stringTokenValue(zone)))) {
        report(token, 'with_timezone', `the instant is kept, the zone is not: ${ZONE_LOST}`);
      }
    }
    if (isCall && (name === 'json_array' || name === 'json_object') && text(index - 1) !== '.') {
      const close = matchingParenthesis(significant, index + 1);
      const words = significant.slice(index + 2, close).map((entry) => entry.token.text.toLowerCase());
      if (words.some((part) => ['returning', 'format', 'unique', 'without'].includes(part))) {
        report(
          token,
          `${name} clause`,
          `only NULL ON NULL and ABSENT ON NULL of Trino's ${name} clauses are translated locally`,
        );
      }
    }
    if (isCall && name === 'combinations') {
      const close = matchingParenthesis(significant, index + 1);
      const size = significant[close - 1]?.token;
      if (!(size?.kind === 'number' && text(close - 2) === ',' && Number(size.text) >= 1 && Number(size.text) <= 5)) {
        report(token, 'combinations', 'combinations needs a constant size from 1 to 5 to be translated locally');
      }
    }
    if (isCall && name === 'normalize' && countArguments(significant, index + 1) === 2) {
      const form = word(matchingParenthesis(significant, index + 1) - 1);
      if (form !== 'nfc') {
        report(token, `normalize ${form.toUpperCase()}`, 'DuckDB normalizes to NFC only');
      }
    }
    if (isCall && name === 'from_utf8' && countArguments(significant, index + 1) === 2) {
      report(token, 'from_utf8 with a replacement', 'DuckDB fails on invalid UTF-8 instead of replacing it');
    }
    if (isCall && name === 'concat_ws') {
      const close = matchingParenthesis(significant, index + 1);
      for (let at = index + 2; at < close; at++) {
        if (significant[at]?.token.kind === 'number' && (text(at - 1) === ',' || text(at - 1) === '(')) {
          report(
            significant[at]?.token ?? token,
            'concat_ws with a number',
            'Trino concat_ws takes varchar only and fails; DuckDB casts the number',
          );
          break;
        }
      }
    }
    if ((name === 'char' || name === 'character') && text(index + 1) === '(' && word(index - 1) === 'as') {
      report(
        token,
        'CHAR(n)',
        'Trino CHAR(n) is padded with spaces to n characters and compares without them; DuckDB CHAR is VARCHAR',
      );
    }
    if (isCall && INTERVAL_FIELD_FUNCTIONS.has(name)) {
      const argument =
        name === 'extract'
          ? significant.findIndex((entry, at) => at > index && entry.token.text.toLowerCase() === 'from') + 1
          : index + 2;
      if (argument > 0 && word(argument) === 'interval') {
        report(
          token,
          `${name} of an interval`,
          'DuckDB keeps an interval as written (27 hours stay 27 hours); Trino reads the fields of the normalised interval',
        );
      }
    }
    if (
      name === 'when' &&
      (['>', '<', '>=', '<=', '<>', '!=', '='].includes(text(index + 1)) ||
        ['between', 'is', 'like'].includes(word(index + 1)))
    ) {
      report(
        token,
        'CASE ... WHEN <predicate>',
        'simple CASE with comparison fragments (WHEN > 100) is not DuckDB syntax',
      );
    }
    if (
      isCall &&
      (name === 'regexp_replace' || name === 'regexp_extract') &&
      significant[index + 4]?.token.kind === 'string' &&
      text(index + 5) === ','
    ) {
      const groups = captureGroups(stringTokenValue(significant[index + 4]?.token ?? token));
      const argument = significant[index + 6]?.token;
      if (name === 'regexp_replace' && argument?.kind === 'string') {
        const problem = replacementProblem(stringTokenValue(argument), groups);
        if (problem) report(argument, 'regexp_replace replacement', problem);
      }
      if (name === 'regexp_extract' && argument?.kind === 'number' && Number(argument.text) > groups) {
        report(argument, 'regexp_extract group', `the pattern has ${groups} group(s): Trino fails, DuckDB returns ''`);
      }
    }
    if (name === 'at' && word(index + 1) === 'time' && word(index + 2) === 'zone') {
      report(
        token,
        'AT TIME ZONE',
        'DuckDB reads a plain TIMESTAMP as wall time in the target zone and drops the zone from the result; Trino converts from the session zone and keeps it',
      );
    }
    if (name === 'tablesample') {
      report(token, 'TABLESAMPLE', 'sampling picks different rows in DuckDB than in Athena');
    }
    if (name === 'typeof' && isCall) {
      report(
        token,
        'typeof',
        'type names differ between Trino (varchar(3), integer) and DuckDB; only common types are mapped',
      );
    }
  }
  return issues;
}

const ZONE_LOST =
  'DuckDB keeps no zone on TIMESTAMP WITH TIME ZONE values: locally the value is the UTC instant, so its text and its fields (hour, day, date) are those of UTC, not of the zone written';

type Significant = ReadonlyArray<{ token: SqlToken; position: number }>;

function tableWithProperties(significant: Significant, createIndex: number): boolean {
  // CREATE [OR REPLACE] TABLE name [(columns)] WITH ( ... ) [AS ...]: WITH directly after the table head.
  let index = createIndex + 1;
  const lower = (at: number): string => significant[at]?.token.text.toLowerCase() ?? '';
  if (lower(index) === 'or' && lower(index + 1) === 'replace') index += 2;
  if (lower(index) !== 'table') return false;
  index++;
  if (lower(index) === 'if') index += 3;
  while (significant[index] && (significant[index + 1]?.token.text === '.' || lower(index) === '.')) index++;
  index++;
  if (lower(index) === '(') index = matchingParenthesis(significant, index) + 1;
  return lower(index) === 'with' && lower(index + 1) === '(';
}

function matchingParenthesis(significant: Significant, open: number): number {
  let depth = 0;
  for (let index = open; index < significant.length; index++) {
    const text = significant[index]?.token.text;
    if (text === '(') depth++;
    else if (text === ')') {
      depth--;
      if (depth === 0) return index;
    }
  }
  return significant.length;
}

function countArguments(significant: Significant, open: number): number {
  const close = matchingParenthesis(significant, open);
  if (close === open + 1) return 0;
  let depth = 0;
  let count = 1;
  for (let index = open + 1; index < close; index++) {
    const text = significant[index]?.token.text;
    if (text === '(' || text === '[') depth++;
    else if (text === ')' || text === ']') depth--;
    else if (text === ',' && depth === 0) count++;
  }
  return count;
}

/** The second argument of a two-argument call when it is a plain string literal. */
function formatArgument(significant: Significant, nameIndex: number): SqlToken | undefined {
  const open = nameIndex + 1;
  const close = matchingParenthesis(significant, open);
  const candidate = significant[close - 1];
  const before = significant[close - 2];
  if (candidate?.token.kind === 'string' && before?.token.text === ',') return candidate.token;
  return undefined;
}

function isLambdaArgument(significant: Significant, nameIndex: number): boolean {
  const close = matchingParenthesis(significant, nameIndex + 1);
  for (let index = nameIndex + 1; index < close; index++) {
    if (significant[index]?.token.text === '->') return true;
  }
  return false;
}

function unsupportedJodaLetters(pattern: string): string[] {
  const unsupported = new Set<string>();
  let quoted = false;
  for (const character of pattern) {
    if (character === "'") quoted = !quoted;
    else if (!quoted && /[A-Za-z]/.test(character) && !SUPPORTED_JODA_LETTERS.has(character))
      unsupported.add(character);
  }
  return [...unsupported];
}
