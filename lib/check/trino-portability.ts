import { parseJavaFormat } from '../core/sql/java-format.ts';
import { indexLines, lineAndColumn } from '../core/sql/scanner.ts';
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
const UNSUPPORTED_DATE_FORMAT_SPECIFIERS = /%[DUuVwXx]/;

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
  ['regexp_position', 'regexp_position has no DuckDB counterpart'],
  ['parse_datetime', 'parse_datetime (Joda patterns, time zone result) has no DuckDB counterpart'],
  ['from_iso8601_timestamp_nanos', 'nanosecond timestamps are not supported by DuckDB (microseconds at most)'],
  ['from_unixtime_nanos', 'nanosecond timestamps are not supported by DuckDB (microseconds at most)'],
  ['with_timezone', 'DuckDB keeps no zone on TIMESTAMP WITH TIME ZONE values, so the zone cannot be attached'],
  ['timezone_minute', 'DuckDB keeps no zone on TIMESTAMP WITH TIME ZONE values'],
  ['split_to_multimap', 'split_to_multimap has no DuckDB counterpart'],
  ['word_stem', 'word_stem has no DuckDB counterpart'],
  ['luhn_check', 'luhn_check has no DuckDB counterpart'],
  ['human_readable_seconds', 'human_readable_seconds has no DuckDB counterpart'],
  ['parse_duration', 'parse_duration has no DuckDB counterpart'],
  ['map_zip_with', 'map_zip_with has no DuckDB counterpart'],
  ['zip_with', 'zip_with has no DuckDB counterpart'],
  ['transform_keys', 'transform_keys has no DuckDB counterpart'],
  ['transform_values', 'transform_values has no DuckDB counterpart'],
  ['map_filter', 'map_filter has no DuckDB counterpart'],
]);

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
          `${name} with a non-constant format is translated at run time; Trino rejects %D %U %u %V %w %X which the local engine cannot check`,
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
    if (isCall && name === 'split' && countArguments(significant, index + 1) === 3) {
      report(token, 'split with limit', 'split(string, delimiter, limit) has no DuckDB counterpart');
    }
    if (isCall && name === 'strpos' && countArguments(significant, index + 1) === 3) {
      report(token, 'strpos with instance', 'strpos(string, substring, instance) has no DuckDB counterpart');
    }
    if (isCall && name === 'from_iso8601_date') {
      const argument = significant[index + 2];
      if (argument?.token.kind === 'string' && /W|^\d{4}-\d{3}$/.test(stringTokenValue(argument.token))) {
        report(
          argument.token,
          'from_iso8601_date week or ordinal date',
          'ISO week dates and ordinal dates are not parsed locally',
        );
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
