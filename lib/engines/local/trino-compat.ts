import { createHash } from 'node:crypto';
/**
 * Trino (Athena) compatibility for the local DuckDB engine: macros for functions DuckDB lacks or implements
 * differently, and a token-aware SQL rewrite for what no macro can reach (casts, type names, functions whose
 * DuckDB namesake has other semantics). Expected values come from the Trino documentation; see the tests.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { type JavaFormatPiece, parseJavaFormat } from '../../core/sql/java-format.ts';
import { isUtcZone, parseTimestampLiteral } from '../../core/sql/timestamp-literal.ts';
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
  // %x is the year of the week %v numbers (ISO 8601).
  x: '%G',
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
  // Trino also allows [key] unquoted, and fails on paths that do not start with $, negative subscripts and `..`.
  `trino_json_path(path) AS CASE WHEN NOT starts_with(path, '$') OR regexp_matches(regexp_replace(path, '"[^"]*"|''[^'']*''', '', 'g'), '\\.\\.|\\[\\s*-') THEN error('Invalid JSON path: ' || path)
     ELSE regexp_replace(regexp_replace(regexp_replace(path, '\\[\\s*"([^"]*)"\\s*\\]', '."\\1"', 'g'), '\\[\\s*''([^'']*)''\\s*\\]', '."\\1"', 'g'),
       '\\[\\s*([A-Za-z0-9_]*[A-Za-z_][A-Za-z0-9_]*)\\s*\\]', '."\\1"', 'g') END`,
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
  // ISO 8601 week dates (2020-W10, 2020-W10-3) and ordinal dates (2020-123) as well as calendar dates.
  String.raw`from_iso8601_date(text) AS CASE WHEN regexp_matches(text, '^\d{4}-W\d{2}$') THEN CAST(strptime(text || '-1', '%G-W%V-%u') AS DATE)
     WHEN regexp_matches(text, '^\d{4}-W\d{2}-\d$') THEN CAST(strptime(text, '%G-W%V-%u') AS DATE)
     WHEN regexp_matches(text, '^\d{4}-\d{3}$') THEN CAST(strptime(text, '%Y-%j') AS DATE) ELSE CAST(text AS DATE) END`,
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
  'trino_two_digit_year(value) AS CASE WHEN year(value) = 1969 THEN value + INTERVAL 100 YEAR ELSE value END',
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
  "trino_element_at(container, key) AS CASE WHEN typeof(container) LIKE '%[]' AND TRY_CAST(key AS BIGINT) = 0 THEN error('SQL array indices start at 1') ELSE container[key] END",
  `trino_cardinality(container) AS CASE WHEN typeof(container) LIKE 'MAP(%'
     THEN len(json_keys(to_json(container))) ELSE json_array_length(to_json(container)) END`,
  // Trino: default step is -1 when start > stop.
  'sequence(start_value, stop_value) AS generate_series(start_value, stop_value, CASE WHEN start_value <= stop_value THEN 1 ELSE -1 END)',
  'sequence(start_value, stop_value, step) AS generate_series(start_value, stop_value, step)',
  // Trino: greatest/least return NULL if any argument is NULL; DuckDB skips NULLs.
  // NaN is skipped unless every argument is NaN.
  "trino_greatest(items) AS CASE WHEN list_count(items) = len(items) THEN coalesce(list_max(list_filter(items, item -> lower(CAST(item AS VARCHAR)) <> 'nan')), list_max(items)) END",
  "trino_least(items) AS CASE WHEN list_count(items) = len(items) THEN coalesce(list_min(list_filter(items, item -> lower(CAST(item AS VARCHAR)) <> 'nan')), list_min(items)) END",
  // Trino split_part returns NULL past the last field; DuckDB returns ''.
  "trino_split_part(text, delimiter, field_index) AS CASE WHEN field_index <= 0 THEN error('Index must be greater than zero') ELSE string_split(text, delimiter)[field_index] END",
  // Strings and binary.
  "codepoint(text) AS CASE WHEN length(text) <> 1 THEN error('codepoint takes a string of one character') ELSE unicode(text) END",
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
  // Trino CAST(json AS varchar) gives the scalar's text ("abc" becomes abc) and refuses objects and arrays; DuckDB
  // keeps the JSON text.
  // Java's Double.toString in scientific form, as Trino casts a double to varchar: 3.77E1, 1.0E-3, 0.0E0.
  "trino_java_mantissa(text) AS split_part(text, 'e', 1)",
  "trino_java_digits(text) AS replace(trino_java_mantissa(text), '.', '')",
  `trino_java_scientific(value) AS CASE WHEN isnan(value) THEN 'NaN' WHEN isinf(value) THEN CASE WHEN value > 0 THEN 'Infinity' ELSE '-Infinity' END
     WHEN value = 0 THEN CASE WHEN starts_with(CAST(value AS VARCHAR), '-') THEN '-0.0E0' ELSE '0.0E0' END
     ELSE CASE WHEN value < 0 THEN '-' ELSE '' END
       || left(rtrim(ltrim(trino_java_digits(CAST(abs(value) AS VARCHAR)), '0'), '0'), 1) || '.'
       || coalesce(nullif(substr(rtrim(ltrim(trino_java_digits(CAST(abs(value) AS VARCHAR)), '0'), '0'), 2), ''), '0') || 'E'
       || CAST(length(split_part(trino_java_mantissa(CAST(abs(value) AS VARCHAR)), '.', 1)) - 1
         - (length(trino_java_digits(CAST(abs(value) AS VARCHAR))) - length(ltrim(trino_java_digits(CAST(abs(value) AS VARCHAR)), '0')))
         + coalesce(TRY_CAST(nullif(split_part(CAST(abs(value) AS VARCHAR), 'e', 2), '') AS INTEGER), 0) AS VARCHAR) END`,
  `trino_cast_varchar(value) AS CASE WHEN typeof(value) IN ('DOUBLE', 'FLOAT') THEN trino_java_scientific(TRY_CAST(CAST(value AS VARCHAR) AS DOUBLE))
     WHEN typeof(value) <> 'JSON' THEN CAST(value AS VARCHAR)
     WHEN json_type(TRY_CAST(value AS JSON)) IN ('OBJECT', 'ARRAY') THEN error('Cannot cast JSON ' || lower(json_type(TRY_CAST(value AS JSON))) || ' to varchar')
     ELSE json_extract_string(TRY_CAST(value AS JSON), '$') END`,
  // Java's String.format %s: Double.toString (plain between 1e-3 and 1e7, else 1.0E10), other values as cast.
  `trino_format_text(value) AS CASE WHEN typeof(value) = 'JSON' THEN CAST(value AS VARCHAR) WHEN typeof(value) IN ('DOUBLE', 'FLOAT') AND (abs(TRY_CAST(CAST(value AS VARCHAR) AS DOUBLE)) >= 10000000 OR abs(TRY_CAST(CAST(value AS VARCHAR) AS DOUBLE)) < 0.001)
       AND TRY_CAST(CAST(value AS VARCHAR) AS DOUBLE) <> 0 THEN trino_cast_varchar(value)
     WHEN typeof(value) IN ('DOUBLE', 'FLOAT') AND isfinite(TRY_CAST(CAST(value AS VARCHAR) AS DOUBLE)) THEN CASE WHEN contains(CAST(value AS VARCHAR), '.') THEN CAST(value AS VARCHAR) ELSE CAST(value AS VARCHAR) || '.0' END
     ELSE trino_cast_varchar(value) END`,
  // 1234567.89 as 1,234,567.89: the integer digits grouped by thousands.
  `trino_group_thousands(text) AS CASE WHEN starts_with(text, '-') THEN '-' ELSE '' END || format('{:,}', CAST(ltrim(split_part(text, '.', 1), '-') AS HUGEINT))
     || CASE WHEN contains(text, '.') THEN '.' || split_part(text, '.', 2) ELSE '' END`,
  // Arithmetic. Trino fails on an exact division by zero; DuckDB gives NULL. A decimal quotient is rounded half up to
  // the larger scale of the operands (DuckDB divides decimals as doubles).
  "trino_exact_divisor(dividend, divisor) AS CASE WHEN divisor = 0 AND typeof(dividend) NOT IN ('DOUBLE', 'FLOAT') AND typeof(divisor) NOT IN ('DOUBLE', 'FLOAT') THEN CAST('Division by zero' AS TINYINT) ELSE divisor END",
  String.raw`trino_quotient_scale(dividend, divisor) AS CASE WHEN typeof(dividend) IN ('DOUBLE', 'FLOAT') OR typeof(divisor) IN ('DOUBLE', 'FLOAT') THEN 400
     ELSE greatest(coalesce(TRY_CAST(regexp_extract(typeof(dividend), ',(\d+)\)$', 1) AS INTEGER), 0), coalesce(TRY_CAST(regexp_extract(typeof(divisor), ',(\d+)\)$', 1) AS INTEGER), 0)) END`,
  'trino_divide(dividend, divisor) AS round(dividend / trino_exact_divisor(dividend, divisor), trino_quotient_scale(dividend, divisor))',
  'trino_modulo(dividend, divisor) AS dividend % trino_exact_divisor(dividend, divisor)',
  // Exact on HUGEINT while the shifted dividend has at most 37 digits; beyond, a double's digits (a known difference).
  `trino_decimal_quotient(dividend, divisor, shift, result_scale) AS (
     SELECT CASE WHEN quotient_divisor = 0 THEN error('Division by zero')
       WHEN quotient_dividend IS NULL THEN CAST(round(CAST(dividend AS DOUBLE) / CAST(divisor AS DOUBLE), result_scale) AS VARCHAR)
       ELSE CASE WHEN (quotient_dividend < 0) <> (quotient_divisor < 0) AND quotient <> 0 THEN '-' ELSE '' END ||
       CASE WHEN result_scale = 0 THEN CAST(quotient AS VARCHAR)
         ELSE left(digits, -result_scale) || '.' || right(digits, result_scale) END END
     FROM (SELECT *, lpad(CAST(quotient AS VARCHAR), CAST(greatest(length(CAST(quotient AS VARCHAR)), result_scale + 1) AS INTEGER), '0') AS digits
       FROM (SELECT quotient_dividend, quotient_divisor, (2 * abs(quotient_dividend) + abs(quotient_divisor)) // (2 * abs(quotient_divisor)) AS quotient
         FROM (SELECT CASE WHEN length(regexp_replace(dividend, '[^0-9]', '', 'g')) + shift <= 37
             THEN CAST(replace(dividend, '.', '') AS HUGEINT) * CAST('1' || repeat('0', shift) AS HUGEINT) END AS quotient_dividend,
           CAST(replace(divisor, '.', '') AS HUGEINT) AS quotient_divisor))))`,
  // Trino joins elements as it casts them to varchar; an all-NULL array joins to ''.
  "array_join(items, separator) AS CASE WHEN typeof(items) LIKE '%[][]' THEN error('Input type ' || typeof(items) || ' not supported') WHEN items IS NOT NULL THEN coalesce(array_to_string(list_transform(items, item -> trino_cast_varchar(item)), separator), '') END",
  'array_join(items, separator, null_replacement) AS array_to_string(list_transform(items, item -> coalesce(trino_cast_varchar(item), null_replacement)), separator)',
  // Math.
  // Trino returns NaN or -Infinity outside a function's domain; DuckDB fails.
  "trino_ln(value) AS CASE WHEN value < 0 THEN 'NaN'::DOUBLE WHEN value = 0 THEN '-Infinity'::DOUBLE ELSE ln(CASE WHEN value > 0 THEN value END) END",
  "trino_log10(value) AS CASE WHEN value < 0 THEN 'NaN'::DOUBLE WHEN value = 0 THEN '-Infinity'::DOUBLE ELSE log10(CASE WHEN value > 0 THEN value END) END",
  "trino_log2(value) AS CASE WHEN value < 0 THEN 'NaN'::DOUBLE WHEN value = 0 THEN '-Infinity'::DOUBLE ELSE log2(CASE WHEN value > 0 THEN value END) END",
  "trino_sqrt(value) AS CASE WHEN value < 0 THEN 'NaN'::DOUBLE ELSE sqrt(CASE WHEN value >= 0 THEN value END) END",
  "trino_acos(value) AS CASE WHEN abs(value) > 1 THEN 'NaN'::DOUBLE ELSE acos(CASE WHEN abs(value) <= 1 THEN value END) END",
  "trino_asin(value) AS CASE WHEN abs(value) > 1 THEN 'NaN'::DOUBLE ELSE asin(CASE WHEN abs(value) <= 1 THEN value END) END",
  // Trino round of an integer fails when the result leaves the type; DuckDB's wraps around.
  `trino_integer_round(value, digits, type_name) AS CASE WHEN abs(round(CAST(value AS HUGEINT), digits)) > CASE type_name WHEN 'TINYINT' THEN 127 WHEN 'SMALLINT' THEN 32767
     WHEN 'INTEGER' THEN 2147483647 ELSE 9223372036854775807 END THEN error('Out of range for ' || lower(type_name) || ': ' || round(CAST(value AS HUGEINT), digits))
     ELSE CAST(round(CAST(value AS HUGEINT), digits) AS BIGINT) END`,
  // DuckDB's round(decimal, n) narrows the scale to n; Trino keeps the argument's type.
  'trino_round(value) AS round(value)',
  "trino_round(value, digits) AS CASE WHEN typeof(value) LIKE 'DECIMAL%' THEN value - (value - round(value, digits)) WHEN typeof(value) IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT') THEN trino_integer_round(value, digits, typeof(value)) ELSE round(value, digits) END",
  // trunc(decimal, n) narrows the scale to n; Trino keeps the argument's type, so the truncated part is subtracted.
  'truncate(value) AS trunc(value)',
  'truncate(value, digits) AS value - (value - trunc(value, digits))',
  'trino_sign_double(value) AS CASE WHEN value = 0 OR isnan(value) THEN CAST(value AS DOUBLE) ELSE CAST(sign(value) AS DOUBLE) END',
  `from_base(text, radix) AS CASE WHEN radix < 2 OR radix > 36 THEN error('Radix must be between 2 and 36')
     WHEN list_bool_or(list_transform(string_split(lower(ltrim(text, '-')), ''), digit -> position(digit IN substr('0123456789abcdefghijklmnopqrstuvwxyz', 1, CAST(radix AS INTEGER))) = 0))
       THEN error('Not a valid base-' || radix || ' number: ' || text)
     ELSE CAST((CASE WHEN starts_with(text, '-') THEN -1 ELSE 1 END) * list_reduce(list_prepend(CAST(0 AS HUGEINT), list_transform(string_split(lower(ltrim(text, '-')), ''), digit -> CAST(position(digit IN '0123456789abcdefghijklmnopqrstuvwxyz') - 1 AS HUGEINT))), (total, digit) -> total * radix + digit) AS BIGINT) END`,
  "trino_to_base(value, radix) AS CASE WHEN value < 0 THEN '-' || lower(to_base(-value, radix)) ELSE lower(to_base(value, radix)) END",
  `width_bucket(operand, bound1, bound2, bucket_count) AS CASE WHEN bucket_count <= 0 THEN error('bucketCount must be greater than 0')
     WHEN bound1 = bound2 THEN error('bounds cannot equal each other')
     WHEN bound1 < bound2 THEN CASE WHEN operand < bound1 THEN 0 WHEN operand >= bound2 THEN bucket_count + 1
       ELSE CAST(floor((operand - bound1) * bucket_count / (bound2 - bound1)) AS BIGINT) + 1 END
     ELSE CASE WHEN operand > bound1 THEN 0 WHEN operand <= bound2 THEN bucket_count + 1
       ELSE CAST(floor((bound1 - operand) * bucket_count / (bound1 - bound2)) AS BIGINT) + 1 END END`,
  'width_bucket(operand, bins) AS CAST(len(list_filter(bins, bin -> bin <= operand)) AS BIGINT)',
  // Strings.
  "hamming_distance(left_text, right_text) AS CASE WHEN length(left_text) <> length(right_text) THEN error('The input strings to hamming_distance function must have the same length') ELSE hamming(left_text, right_text) END",
  // Trino replace with an empty search string inserts the replacement around every character.
  `trino_replace(text, search, replacement) AS CASE WHEN search = '' THEN replacement || array_to_string(string_split(text, ''), replacement) || CASE WHEN text = '' THEN '' ELSE replacement END
     ELSE replace(text, search, replacement) END`,
  // Trino substr: position 0, or one before the start, gives ''; DuckDB counts such positions into the string.
  "trino_substr(text, start) AS CASE WHEN start = 0 OR start < -length(text) THEN '' ELSE substr(text, start) END",
  "trino_substr(text, start, count) AS CASE WHEN start = 0 OR start < -length(text) OR count < 0 THEN '' ELSE substr(text, start, count) END",
  "trino_lpad(text, size, padding) AS CASE WHEN padding = '' THEN error('Padding string must not be empty') WHEN size < 0 THEN error('Target length must be in the range [0..2147483647]') ELSE lpad(text, size, padding) END",
  "trino_rpad(text, size, padding) AS CASE WHEN padding = '' THEN error('Padding string must not be empty') WHEN size < 0 THEN error('Target length must be in the range [0..2147483647]') ELSE rpad(text, size, padding) END",
  "trino_concat_ws_array(separator, items) AS CASE WHEN items IS NOT NULL THEN coalesce(array_to_string(items, separator), '') END",
  `split_to_map(text, entry_delimiter, key_delimiter) AS map_from_entries(list_transform(list_filter(string_split(text, entry_delimiter), entry -> entry <> ''),
     entry -> CASE WHEN strpos(entry, key_delimiter) = 0 THEN error('Key-value delimiter must appear exactly once in each entry. Bad input: ' || entry)
       ELSE {key: substr(entry, 1, strpos(entry, key_delimiter) - 1), value: substr(entry, strpos(entry, key_delimiter) + length(key_delimiter))} END))`,
  // Java's URLEncoder/URLDecoder: space is +, * is kept and ~ is encoded.
  "trino_url_encode(text) AS replace(replace(replace(url_encode(text), '%20', '+'), '~', '%7E'), '%2A', '*')",
  "trino_url_decode(text) AS url_decode(replace(text, '+', '%20'))",
  // Trino reads URLs with java.net.URI: a URL with a character URIs do not allow has no parts (NULL).
  String.raw`trino_url_part(url, part) AS CASE WHEN regexp_matches(url, '^[A-Za-z0-9\-._~:/?#\[\]@!$&''()*+,;=%]*$') THEN regexp_extract(url, '^(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$', part) END`,
  'url_extract_protocol(url) AS trino_url_part(url, 1)',
  "url_extract_host(url) AS regexp_replace(regexp_replace(trino_url_part(url, 2), '^.*@', ''), ':[0-9]*$', '')",
  "url_extract_port(url) AS TRY_CAST(nullif(regexp_extract(trino_url_part(url, 2), ':([0-9]+)$', 1), '') AS BIGINT)",
  // An opaque URI (mailto:x) has no path.
  "url_extract_path(url) AS CASE WHEN trino_url_part(url, 1) <> '' AND trino_url_part(url, 2) = '' AND NOT starts_with(trino_url_part(url, 3), '/') AND NOT contains(url, '//') THEN '' ELSE trino_url_part(url, 3) END",
  'url_extract_query(url) AS trino_url_part(url, 4)',
  'url_extract_fragment(url) AS trino_url_part(url, 5)',
  `url_extract_parameter(url, name) AS list_transform(list_filter(string_split(trino_url_part(url, 4), '&'), pair -> split_part(pair, '=', 1) = name),
     pair -> CASE WHEN strpos(pair, '=') = 0 THEN '' ELSE substr(pair, strpos(pair, '=') + 1) END)[1]`,
  // JSON.
  "is_json_scalar(json) AS json_type(json(json)) NOT IN ('OBJECT', 'ARRAY')",
  `json_array_contains(json, value) AS CASE WHEN json_valid(json) THEN CASE WHEN json_type(json) = 'ARRAY' AND value IS NOT NULL
     THEN coalesce(list_bool_or(list_transform(CAST(json_extract(json, '$[*]') AS JSON[]), element -> CASE
       WHEN typeof(value) = 'BOOLEAN' THEN json_type(element) = 'BOOLEAN' AND CAST(element AS VARCHAR) = CAST(value AS VARCHAR)
       WHEN typeof(value) IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT') THEN json_type(element) IN ('BIGINT', 'UBIGINT') AND CAST(element AS VARCHAR) = CAST(value AS VARCHAR)
       WHEN typeof(value) IN ('DOUBLE', 'FLOAT') OR typeof(value) LIKE 'DECIMAL%' THEN json_type(element) = 'DOUBLE' AND TRY_CAST(CAST(element AS VARCHAR) AS DOUBLE) = TRY_CAST(value AS DOUBLE)
       ELSE json_type(element) = 'VARCHAR' AND json_extract_string(element, '$') = CAST(value AS VARCHAR) END)), false) END END`,
  `json_array_get(json, array_index) AS CASE WHEN json_valid(json) THEN CASE WHEN json_type(json) = 'ARRAY' THEN (
     SELECT CASE WHEN json_type(element) = 'VARCHAR' THEN json_extract_string(element, '$') WHEN json_type(element) <> 'NULL' THEN CAST(element AS VARCHAR) END
     FROM (SELECT json_extract(json, CASE WHEN array_index < 0 THEN '$[#' || array_index || ']' ELSE '$[' || array_index || ']' END) AS element)) END END`,
  `json_size(json, path) AS CASE WHEN json_valid(json) THEN CASE json_type(json_extract(json, trino_json_path(path)))
     WHEN 'OBJECT' THEN len(json_keys(json_extract(json, trino_json_path(path)))) WHEN 'ARRAY' THEN json_array_length(json_extract(json, trino_json_path(path)))
     WHEN NULL THEN NULL ELSE 0 END END`,
  // Arrays. Trino keeps the first occurrence of each element, NULL included, in order.
  'trino_array_distinct(items) AS list_filter(items, (item, item_index) -> list_position(items, item) = item_index)',
  'array_union(left_items, right_items) AS trino_array_distinct(list_concat(left_items, right_items))',
  // list_concat with an empty slice of the other side gives the elements the arrays' common type.
  'trino_array_intersect(left_items, right_items) AS trino_array_distinct(list_filter(list_concat(left_items, right_items[1:0]), item -> list_position(right_items, item) IS NOT NULL))',
  'trino_array_except(left_items, right_items) AS trino_array_distinct(list_filter(left_items, item -> list_position(right_items, item) IS NULL))',
  // NaN equals nothing in Trino, so array_remove keeps it.
  "array_remove(items, value) AS list_filter(items, item -> item IS NULL OR item <> value OR lower(CAST(item AS VARCHAR)) = 'nan')",
  'trino_array_position(items, value) AS CASE WHEN items IS NOT NULL AND value IS NOT NULL THEN coalesce(list_position(items, value), 0) END',
  'trino_contains(items, value) AS CASE WHEN list_contains(items, value) THEN true WHEN value IS NULL OR list_count(items) < len(items) THEN NULL ELSE false END',
  // Trino array_min/max: NULL when an element is NULL; NaN only when every element is NaN.
  "trino_not_nan(items) AS list_filter(items, item -> lower(CAST(item AS VARCHAR)) <> 'nan')",
  'array_min(items) AS CASE WHEN list_count(items) = len(items) THEN coalesce(list_min(trino_not_nan(items)), list_min(items)) END',
  'array_max(items) AS CASE WHEN list_count(items) = len(items) THEN coalesce(list_max(trino_not_nan(items)), list_max(items)) END',
  `slice(items, start, count) AS CASE WHEN start = 0 THEN error('SQL array indices start at 1') WHEN count < 0 THEN error('length must be greater than or equal to 0')
     WHEN start > 0 THEN items[start:start + count - 1]
     WHEN len(items) + start + 1 < 1 THEN list_filter(items, item -> false)
     ELSE items[len(items) + start + 1:len(items) + start + count] END`,
  `arrays_overlap(left_items, right_items) AS CASE WHEN list_has_any(left_items, right_items) THEN true
     WHEN (list_count(left_items) < len(left_items) AND len(right_items) > 0) OR (list_count(right_items) < len(right_items) AND len(left_items) > 0) THEN NULL
     ELSE false END`,
  "trim_array(items, count) AS CASE WHEN count < 0 OR count > len(items) THEN error('size must not exceed array cardinality') ELSE items[1:len(items) - count] END",
  'ngrams(items, size) AS list_transform(range(1, greatest(len(items) - size, 0) + 2), start -> items[start:start + size - 1])',
  'array_histogram(items) AS map_from_entries(list_transform(trino_array_distinct(list_filter(items, item -> item IS NOT NULL)), item -> {key: item, value: CAST(len(list_filter(items, other -> other = item)) AS BIGINT)}))',
  'euclidean_distance(left_items, right_items) AS list_distance(CAST(left_items AS DOUBLE[]), CAST(right_items AS DOUBLE[]))',
  'dot_product(left_items, right_items) AS list_dot_product(CAST(left_items AS DOUBLE[]), CAST(right_items AS DOUBLE[]))',
  "current_timezone() AS 'UTC'",
  // strpos(string, substring, instance): the instance-th occurrence, from the end when negative, overlaps counted.
  `trino_strpos(text, search, instance) AS CASE WHEN instance = 0 THEN error('instance must be a positive or negative number')
     ELSE coalesce(list_filter(range(1, length(text) + 1), start -> substr(text, start, length(search)) = search)[instance], 0) END`,
  // split(string, delimiter, limit): at most limit pieces, the last one holding the rest.
  `trino_split(text, delimiter, piece_limit) AS CASE WHEN piece_limit <= 0 THEN error('Limit must be positive') WHEN delimiter = '' THEN error('The delimiter may not be the empty string')
     WHEN len(string_split(text, delimiter)) <= piece_limit THEN string_split(text, delimiter)
     ELSE list_append(string_split(text, delimiter)[1:piece_limit - 1], array_to_string(string_split(text, delimiter)[piece_limit:], delimiter)) END`,
  // regexp_position: where the occurrence-th match starts (from position start), or -1; RE2 matches as regexp_split.
  `trino_regexp_position(text, pattern, start, occurrence) AS CASE WHEN start < 1 THEN error('start position cannot be smaller than 1')
     WHEN occurrence < 1 THEN error('occurrence cannot be smaller than 1')
     WHEN len(regexp_extract_all(substr(text, start), pattern)) < occurrence THEN -1
     ELSE CAST(start AS BIGINT) + list_sum(list_transform(string_split_regex(substr(text, start), pattern)[1:occurrence], piece -> length(piece)))
       + coalesce(list_sum(list_transform(regexp_extract_all(substr(text, start), pattern)[1:occurrence - 1], piece -> length(piece))), 0) END`,
  'regexp_position(text, pattern) AS trino_regexp_position(text, pattern, 1, 1)',
  'regexp_position(text, pattern, start) AS trino_regexp_position(text, pattern, start, 1)',
  'regexp_position(text, pattern, start, occurrence) AS trino_regexp_position(text, pattern, start, occurrence)',
  `luhn_check(digits) AS CASE WHEN NOT regexp_matches(digits, '^[0-9]+$') THEN error('Input contains non-digit characters') ELSE
     list_sum(list_transform(string_split(reverse(digits), ''), (digit, position) -> CASE WHEN position % 2 = 0
       THEN (CAST(digit AS INTEGER) * 2) // 10 + (CAST(digit AS INTEGER) * 2) % 10 ELSE CAST(digit AS INTEGER) END)) % 10 = 0 END`,
  `split_to_multimap(text, entry_delimiter, key_delimiter) AS map_from_entries(list_transform(
     trino_array_distinct(list_transform(list_filter(string_split(text, entry_delimiter), entry -> entry <> ''), entry -> split_part(entry, key_delimiter, 1))),
     entry_key -> {key: entry_key, value: list_transform(list_filter(string_split(text, entry_delimiter), entry -> entry <> '' AND split_part(entry, key_delimiter, 1) = entry_key),
       entry -> substr(entry, strpos(entry, key_delimiter) + length(key_delimiter)))}))`,
  // parse_duration('1.5 h'): an interval day to second, rounded to milliseconds as Trino's type holds them.
  String.raw`parse_duration(text) AS CASE WHEN NOT regexp_matches(text, '^\s*[0-9]+(?:\.[0-9]+)?\s*(?:ns|us|ms|s|m|h|d)\s*$') THEN error('duration is not a valid data duration string: ' || text)
     ELSE to_microseconds(CAST(round(CAST(regexp_extract(text, '([0-9]+(?:\.[0-9]+)?)', 1) AS DOUBLE) * CASE regexp_extract(text, '(ns|us|ms|s|m|h|d)\s*$', 1)
       WHEN 'ns' THEN 0.000001 WHEN 'us' THEN 0.001 WHEN 'ms' THEN 1 WHEN 's' THEN 1000 WHEN 'm' THEN 60000 WHEN 'h' THEN 3600000 ELSE 86400000 END) AS BIGINT) * 1000) END`,
  `human_readable_seconds(seconds) AS CASE WHEN round(seconds) = 0 THEN '0 seconds' ELSE array_to_string(list_transform(list_filter(
     [{unit: 'week', amount: CAST(round(seconds) AS BIGINT) // 604800}, {unit: 'day', amount: CAST(round(seconds) AS BIGINT) % 604800 // 86400},
      {unit: 'hour', amount: CAST(round(seconds) AS BIGINT) % 86400 // 3600}, {unit: 'minute', amount: CAST(round(seconds) AS BIGINT) % 3600 // 60},
      {unit: 'second', amount: CAST(round(seconds) AS BIGINT) % 60}], part -> part.amount > 0),
     part -> part.amount || ' ' || part.unit || CASE WHEN part.amount > 1 THEN 's' ELSE '' END), ', ') END`,
  // Trino to_milliseconds(interval) is the interval's length; DuckDB's to_milliseconds(n) builds an interval.
  'trino_to_milliseconds(value) AS CAST(round(epoch(value) * 1000) AS BIGINT)',
  // parse_data_size('2.3MB'): bytes, in powers of 1024, the fraction dropped.
  String.raw`parse_data_size(text) AS CASE WHEN NOT regexp_matches(text, '^\s*[0-9]+(?:\.[0-9]+)?\s*(?:B|kB|MB|GB|TB|PB|EB|ZB|YB)\s*$') THEN error('Invalid data size: ' || text)
     ELSE CAST(trunc(CAST(regexp_extract(text, '([0-9]+(?:\.[0-9]+)?)', 1) AS DECIMAL(38, 10)) * CAST(['1', '1024', '1048576', '1073741824', '1099511627776', '1125899906842624', '1152921504606846976', '1180591620717411303424', '1208925819614629174706176'][strpos('BkMGTPEZY', left(regexp_extract(text, '([A-Za-z]+)\s*$', 1), 1))] AS DECIMAL(38, 0))) AS DECIMAL(38, 0)) END`,
  // Trino CAST(x AS varchar(n)) truncates text but fails for other values that do not fit.
  "trino_cast_varchar_length(value, size) AS CASE WHEN typeof(value) = 'VARCHAR' OR length(trino_cast_varchar(value)) <= size THEN left(trino_cast_varchar(value), size) ELSE error('Value ' || trino_cast_varchar(value) || ' cannot be represented as varchar(' || size || ')') END",
  // Trino fails on a subscript outside the array; DuckDB gives NULL (or counts from the end when negative).
  "trino_array_subscript(items, item_index) AS CASE WHEN item_index < 1 OR item_index > len(items) THEN error('Array subscript must be between 1 and ' || len(items) || ', got ' || item_index) ELSE items[item_index] END",
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
  // One round trip for every macro: statement by statement, the layer's ~200 macros would cost far more per open.
  await connection.run(MACRO_STATEMENTS);
}

const MACRO_STATEMENTS = groupOverloads(MACROS)
  .map((macro) => `CREATE OR REPLACE MACRO ${macro};`)
  .join('\n');

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
  ['mod', 'trino_modulo'],
  ['to_milliseconds', 'trino_to_milliseconds'],
  ['is_nan', 'isnan'],
  ['is_finite', 'isfinite'],
  ['is_infinite', 'isinf'],
  ['levenshtein_distance', 'levenshtein'],
  ['ln', 'trino_ln'],
  ['log10', 'trino_log10'],
  ['log2', 'trino_log2'],
  ['sqrt', 'trino_sqrt'],
  ['acos', 'trino_acos'],
  ['asin', 'trino_asin'],
  ['round', 'trino_round'],
  ['to_base', 'trino_to_base'],
  ['substr', 'trino_substr'],
  ['lpad', 'trino_lpad'],
  ['rpad', 'trino_rpad'],
  ['url_encode', 'trino_url_encode'],
  ['url_decode', 'trino_url_decode'],
  ['array_distinct', 'trino_array_distinct'],
  ['array_intersect', 'trino_array_intersect'],
  ['array_except', 'trino_array_except'],
  ['array_position', 'trino_array_position'],
  ['contains', 'trino_contains'],
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

/** A timestamp literal as DuckDB reads it: zoned ones as TIMESTAMPTZ (the instant; the zone itself is lost). */
function timestampLiteral(text: string, quoted: string): string {
  const literal = parseTimestampLiteral(text);
  if (!literal) return `TIMESTAMP ${quoted}`;
  if (literal.zone === undefined) return `TIMESTAMP ${sqlString(literal.wallTime)}`;
  const zone = isUtcZone(literal.zone) ? 'UTC' : literal.zone;
  const separator = /^[+-]/.test(zone) ? '' : ' ';
  return `TIMESTAMPTZ ${sqlString(`${literal.wallTime}${separator}${zone}`)}`;
}

/**
 * Rewrites Trino SQL into DuckDB SQL. Token-aware: string literals, quoted identifiers and comments are copied
 * unchanged, and `?` parameters are never duplicated or moved relative to each other.
 */
export function translateTrinoToDuckDb(sql: string): string {
  return translateTokens(withArithmeticCalls(tokenizeSql(sql)));
}

const synthetic = (kind: SqlToken['kind'], text: string): SqlToken => ({ kind, text, offset: 0 });

/**
 * `a / b` and `a % b` become `trino_divide(a, b)` and `trino_modulo(a, b)` calls (see `rewriteCall`): Trino fails on
 * an exact division by zero where DuckDB gives NULL, and divides decimals as decimals where DuckDB gives a double.
 * Operands are found by precedence: the left one runs back over a chain of `*`, `/`, `%`, the right one is a primary.
 * An operand the scan does not recognise leaves the operator as it is.
 */
function withArithmeticCalls(input: readonly SqlToken[]): SqlToken[] {
  let tokens = [...input];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token?.kind === 'punctuation' && token.text === '[') {
      const subscripted = withArraySubscript(tokens, index);
      if (subscripted) {
        tokens = subscripted;
        index = -1;
      }
      continue;
    }
    if (token?.kind === 'punctuation' && token.text === '||') {
      const concatenated = withArrayElementConcatenation(tokens, index);
      if (concatenated) {
        tokens = concatenated;
        index = -1;
      }
      continue;
    }
    if (token?.kind !== 'punctuation' || (token.text !== '/' && token.text !== '%')) continue;
    const start = leftOperandStart(tokens, index);
    const end = primaryEnd(tokens, nextSignificant(tokens, index + 1));
    if (start === undefined || end === undefined) continue;
    const name = token.text === '/' ? 'trino_divide' : 'trino_modulo';
    tokens = [
      ...tokens.slice(0, start),
      synthetic('word', name),
      synthetic('punctuation', '('),
      ...tokens.slice(start, index),
      synthetic('punctuation', ','),
      ...tokens.slice(index + 1, end),
      synthetic('punctuation', ')'),
      ...tokens.slice(end),
    ];
    index = start + 1;
  }
  return tokens;
}

/** `array[i]` on an expression known to be an array: Trino fails outside 1..cardinality, DuckDB gives NULL. */
function withArraySubscript(tokens: readonly SqlToken[], open: number): SqlToken[] | undefined {
  const last = previousSignificant(tokens, open - 1);
  if (tokens[last]?.text !== ']' && tokens[last]?.text !== ')') return undefined;
  const start = primaryStart(tokens, last);
  if (start === undefined || !isArrayExpression(tokens.slice(start, last + 1))) return undefined;
  const close = closingBracket(tokens, open);
  const position = tokens.slice(open + 1, close);
  if (close >= tokens.length || position.some((token) => token.text === ':')) return undefined;
  return [
    ...tokens.slice(0, start),
    synthetic('word', 'trino_array_subscript'),
    synthetic('punctuation', '('),
    ...tokens.slice(start, last + 1),
    synthetic('punctuation', ','),
    ...position,
    synthetic('punctuation', ')'),
    ...tokens.slice(close + 1),
  ];
}

/** Nesting depth of an ARRAY[...] constructor (ARRAY[ARRAY[1]] is 2), 0 for anything else. */
function arrayLiteralDepth(tokens: readonly SqlToken[]): number {
  const significant = tokens.filter((token) => !isTrivia(token));
  if (lowerWord(significant[0]) !== 'array' || significant[1]?.text !== '[') return 0;
  if (closingBracket(significant, 1) !== significant.length - 1) return 0;
  const first = splitArguments(significant.slice(2, -1))[0] ?? [];
  return 1 + arrayLiteralDepth(first);
}

/**
 * Trino `ARRAY[1] || 2` appends and `2 || ARRAY[1]` prepends an element; DuckDB's || joins lists only. Rewritten
 * when one side is an ARRAY[...] constructor one level deeper than the other and the || stands alone.
 */
function withArrayElementConcatenation(tokens: readonly SqlToken[], operator: number): SqlToken[] | undefined {
  const leftEnd = previousSignificant(tokens, operator - 1);
  const start = primaryStart(tokens, leftEnd);
  const end = primaryEnd(tokens, nextSignificant(tokens, operator + 1));
  if (start === undefined || end === undefined) return undefined;
  if (
    tokens[previousSignificant(tokens, start - 1)]?.text === '||' ||
    tokens[nextSignificant(tokens, end)]?.text === '||'
  )
    return undefined;
  const left = tokens.slice(start, leftEnd + 1);
  const right = tokens.slice(nextSignificant(tokens, operator + 1), end);
  const [leftDepth, rightDepth] = [arrayLiteralDepth(left), arrayLiteralDepth(right)];
  if (leftDepth === 0 && rightDepth === 0) return undefined;
  const name = leftDepth === rightDepth + 1 ? 'list_append' : rightDepth === leftDepth + 1 ? 'list_prepend' : undefined;
  if (!name) return undefined;
  // list_append(list, element) and list_prepend(element, list) both take the operands in the order written.
  return [
    ...tokens.slice(0, start),
    synthetic('word', name),
    synthetic('punctuation', '('),
    ...left,
    synthetic('punctuation', ','),
    ...right,
    synthetic('punctuation', ')'),
    ...tokens.slice(end),
  ];
}

const TYPED_LITERAL_WORDS = new Set([
  'decimal',
  'double',
  'real',
  'bigint',
  'integer',
  'int',
  'smallint',
  'tinyint',
  'date',
  'timestamp',
  'time',
  'json',
  'varchar',
  'char',
  'varbinary',
  'x',
]);

/** Start of the operand left of the operator at `operator`, over `*` `/` `%` chains; undefined if unrecognised. */
function leftOperandStart(tokens: readonly SqlToken[], operator: number): number | undefined {
  let start = primaryStart(tokens, previousSignificant(tokens, operator - 1));
  while (start !== undefined) {
    const before = previousSignificant(tokens, start - 1);
    const text = tokens[before]?.kind === 'punctuation' ? tokens[before]?.text : undefined;
    if (text !== '*' && text !== '/' && text !== '%') return start;
    const earlier = primaryStart(tokens, previousSignificant(tokens, before - 1));
    if (earlier === undefined) return start;
    start = earlier;
  }
  return undefined;
}

function openingBracket(tokens: readonly SqlToken[], close: number): number | undefined {
  let depth = 0;
  for (let index = close; index >= 0; index--) {
    const text = tokens[index]?.kind === 'punctuation' ? tokens[index]?.text : undefined;
    if (text === ')' || text === ']') depth++;
    else if (text === '(' || text === '[') {
      depth--;
      if (depth === 0) return index;
    }
  }
  return undefined;
}

/** Start of the primary expression ending at `last` (a literal, name, call, bracketed group, CASE ... END). */
function primaryStart(tokens: readonly SqlToken[], last: number): number | undefined {
  const token = tokens[last];
  if (!token) return undefined;
  let start: number | undefined;
  if (token.kind === 'punctuation' && (token.text === ')' || token.text === ']')) {
    const open = openingBracket(tokens, last);
    if (open === undefined) return undefined;
    const before = previousSignificant(tokens, open - 1);
    const beforeToken = tokens[before];
    if (
      token.text === ']' &&
      beforeToken &&
      !(beforeToken.kind === 'punctuation' && beforeToken.text !== ')' && beforeToken.text !== ']')
    ) {
      // A subscript (x[1]) or an ARRAY[...] constructor: the primary starts where its base does.
      start = lowerWord(beforeToken) === 'array' ? before : primaryStart(tokens, before);
    } else if (
      token.text === ')' &&
      beforeToken?.kind === 'word' &&
      !KEYWORDS_BEFORE_GROUP.has(lowerWord(beforeToken))
    ) {
      start = before;
    } else {
      start = open;
    }
  } else if (token.kind === 'string') {
    const before = previousSignificant(tokens, last - 1);
    start = TYPED_LITERAL_WORDS.has(lowerWord(tokens[before])) ? before : last;
  } else if (token.kind === 'number' || token.kind === 'parameter' || token.kind === 'quoted-identifier') {
    start = last;
  } else if (token.kind === 'word') {
    const word = lowerWord(token);
    if (word === 'end') return caseStart(tokens, last);
    if (KEYWORDS_BEFORE_GROUP.has(word) || NOT_OPERANDS.has(word)) return undefined;
    start = last;
  } else {
    return undefined;
  }
  if (start === undefined) return undefined;
  // Qualified names: a.b.c
  let dot = previousSignificant(tokens, start - 1);
  while (tokens[dot]?.text === '.' && tokens[dot]?.kind === 'punctuation') {
    const qualifier = previousSignificant(tokens, dot - 1);
    const kind = tokens[qualifier]?.kind;
    if (kind !== 'word' && kind !== 'quoted-identifier') break;
    start = qualifier;
    dot = previousSignificant(tokens, start - 1);
  }
  return start;
}

/** Words after which a parenthesis opens a group, not a call's arguments. */
const KEYWORDS_BEFORE_GROUP = new Set([
  'select',
  'where',
  'and',
  'or',
  'not',
  'when',
  'then',
  'else',
  'on',
  'in',
  'as',
  'by',
  'from',
  'having',
  'is',
  'like',
  'between',
  'return',
  'exists',
]);
const NOT_OPERANDS = new Set(['case', 'distinct', 'all', 'null', 'interval']);

function caseStart(tokens: readonly SqlToken[], end: number): number | undefined {
  let depth = 0;
  for (let index = end; index >= 0; index--) {
    const word = lowerWord(tokens[index]);
    if (word === 'end') depth++;
    else if (word === 'case') {
      depth--;
      if (depth === 0) return index;
    }
  }
  return undefined;
}

/** End (exclusive) of the primary expression starting at `first`, with a leading sign; undefined if unrecognised. */
function primaryEnd(tokens: readonly SqlToken[], first: number): number | undefined {
  const token = tokens[first];
  if (!token) return undefined;
  if (token.kind === 'punctuation' && (token.text === '-' || token.text === '+')) {
    return primaryEnd(tokens, nextSignificant(tokens, first + 1));
  }
  let end: number;
  if (token.kind === 'punctuation' && token.text === '(') {
    end = closingBracket(tokens, first) + 1;
  } else if (token.kind === 'number' || token.kind === 'parameter' || token.kind === 'string') {
    end = first + 1;
  } else if (token.kind === 'word' || token.kind === 'quoted-identifier') {
    const word = lowerWord(token);
    const after = nextSignificant(tokens, first + 1);
    const afterToken = tokens[after];
    if (word === 'case') {
      let depth = 0;
      end = tokens.length;
      for (let index = first; index < tokens.length; index++) {
        const candidate = lowerWord(tokens[index]);
        if (candidate === 'case') depth++;
        else if (candidate === 'end' && --depth === 0) {
          end = index + 1;
          break;
        }
      }
    } else if (KEYWORDS_BEFORE_GROUP.has(word) || NOT_OPERANDS.has(word)) {
      return undefined;
    } else if (TYPED_LITERAL_WORDS.has(word) && afterToken?.kind === 'string') {
      end = after + 1;
    } else if (
      afterToken?.kind === 'punctuation' &&
      (afterToken.text === '(' || (word === 'array' && afterToken.text === '['))
    ) {
      end = closingBracket(tokens, after) + 1;
    } else {
      end = first + 1;
      for (let dot = nextSignificant(tokens, end); tokens[dot]?.text === '.'; dot = nextSignificant(tokens, end)) {
        const part = nextSignificant(tokens, dot + 1);
        if (tokens[part]?.kind !== 'word' && tokens[part]?.kind !== 'quoted-identifier') break;
        end = part + 1;
      }
    }
  } else {
    return undefined;
  }
  // Subscripts: x[1][2]
  for (let open = nextSignificant(tokens, end); tokens[open]?.text === '['; open = nextSignificant(tokens, end)) {
    end = closingBracket(tokens, open) + 1;
  }
  return end > tokens.length ? undefined : end;
}

/** The static numeric type of an expression, when its tokens tell it (literals and casts). */
type NumericType =
  | { readonly kind: 'exact'; readonly precision: number; readonly scale: number; readonly integer?: true }
  | { readonly kind: 'double' };

const INTEGER_PRECISION: Readonly<Record<string, number>> = {
  tinyint: 3,
  smallint: 5,
  integer: 10,
  int: 10,
  bigint: 19,
};

function staticNumericType(tokens: readonly SqlToken[]): NumericType | undefined {
  let significant = tokens.filter((token) => !isTrivia(token));
  while (significant[0]?.text === '-' || significant[0]?.text === '+') significant = significant.slice(1);
  const [first, second] = significant;
  if (!first) return undefined;
  if (significant.length === 1 && first.kind === 'number') {
    if (/e/i.test(first.text)) return { kind: 'double' };
    if (first.text.includes('.')) {
      const type = decimalLiteralType(first.text);
      return type ? { kind: 'exact', ...type } : undefined;
    }
    return { kind: 'exact', precision: Number(first.text) <= 2147483647 ? 10 : 19, scale: 0, integer: true };
  }
  const word = lowerWord(first);
  if (significant.length === 2 && second?.kind === 'string') {
    if (word === 'double' || word === 'real') return { kind: 'double' };
    if (word === 'decimal') {
      const type = decimalLiteralType(stringTokenValue(second));
      return type ? { kind: 'exact', ...type } : undefined;
    }
    const precision = INTEGER_PRECISION[word];
    return precision === undefined ? undefined : { kind: 'exact', precision, scale: 0, integer: true };
  }
  if (first.text === '(' && closingBracket(significant, 0) === significant.length - 1) {
    return staticNumericType(significant.slice(1, -1));
  }
  if (
    (word === 'cast' || word === 'try_cast') &&
    second?.text === '(' &&
    closingBracket(significant, 1) === significant.length - 1
  ) {
    const asIndex = significant.findLastIndex((token) => lowerWord(token) === 'as');
    const type = significant.slice(asIndex + 1, -1);
    const typeName = lowerWord(type[0]);
    if (type.length === 1 && (typeName === 'double' || typeName === 'real')) return { kind: 'double' };
    const precision = INTEGER_PRECISION[typeName];
    if (type.length === 1 && precision !== undefined) return { kind: 'exact', precision, scale: 0, integer: true };
    if (typeName === 'decimal' && type.length === 6 && type[2]?.kind === 'number' && type[4]?.kind === 'number') {
      return { kind: 'exact', precision: Number(type[2].text), scale: Number(type[4].text) };
    }
  }
  if (['infinity', 'nan', 'random', 'rand', 'e', 'pi'].includes(word) && second?.text === '(')
    return { kind: 'double' };
  return undefined;
}

/**
 * Trino's decimal division (DecimalOperators.divide): scale max(s1, s2), precision p1 + s2 + max(0, s2 - s1),
 * rounded half up (see the trino_decimal_quotient macro).
 */
function decimalDivision(
  left: string,
  leftType: NumericType,
  right: string,
  rightType: NumericType,
): string | undefined {
  if (leftType.kind !== 'exact' || rightType.kind !== 'exact') return undefined;
  if (leftType.integer && rightType.integer) return undefined;
  const scale = Math.max(leftType.scale, rightType.scale);
  const precision = Math.min(38, leftType.precision + rightType.scale + Math.max(0, rightType.scale - leftType.scale));
  const shift = rightType.scale - leftType.scale + scale;
  const quotient = `trino_decimal_quotient(CAST(${left} AS VARCHAR), CAST(${right} AS VARCHAR), ${shift}, ${scale})`;
  return `CAST(${quotient} AS DECIMAL(${precision}, ${scale}))`;
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
    if (name === 'decimal' && afterToken?.kind === 'string' && !isQualified) {
      // Trino types DECIMAL '12.30' as decimal(4,2), from its digits; DuckDB would read it as DECIMAL(18,3).
      output += decimalLiteral(stringTokenValue(afterToken)) ?? `DECIMAL ${afterToken.text}`;
      index = after + 1;
      continue;
    }
    if (name === 'timestamp' && afterToken?.kind === 'string' && !isQualified) {
      output += timestampLiteral(stringTokenValue(afterToken), afterToken.text);
      index = after + 1;
      continue;
    }
    output += token.text;
    index++;
  }
  return output;
}

/** Trino's type of a decimal literal's text: digits after leading zeros give the precision (at least 1). */
function decimalLiteralType(text: string): { precision: number; scale: number } | undefined {
  const match = /^\s*[+-]?(\d*)(?:\.(\d*))?\s*$/.exec(text);
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) return undefined;
  const integral = (match[1] ?? '').replace(/^0+/, '');
  const scale = (match[2] ?? '').length;
  return { precision: Math.max(integral.length + scale, 1), scale };
}

function decimalLiteral(text: string): string | undefined {
  const type = decimalLiteralType(text);
  if (!type || type.precision > 38) return undefined;
  // DuckDB stores DECIMAL(18) and narrower as 64-bit integers and overflows mixing them (18,0 + 18,18): at least 19.
  return `CAST(${sqlString(text.trim())} AS DECIMAL(${Math.max(type.precision, 19)}, ${type.scale}))`;
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
    case 'trino_divide': {
      const parts = splitArguments(inner);
      const [left = '', right = ''] = argumentsOf();
      if (parts.length !== 2) return undefined;
      const leftType = staticNumericType(parts[0] ?? []);
      const rightType = staticNumericType(parts[1] ?? []);
      if (leftType?.kind === 'double' || rightType?.kind === 'double') return `fdiv(${left}, ${right})`;
      if (leftType && rightType) return decimalDivision(left, leftType, right, rightType);
      return undefined;
    }
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
      if (parts.length === 2) return `trino_replace(${parts.join(', ')}, '')`;
      return parts.length === 3 ? `trino_replace(${parts.join(', ')})` : undefined;
    }
    case 'substring': {
      // substring(x FROM n FOR m) is left to DuckDB; the comma form has Trino's substr semantics.
      const parts = argumentsOf();
      return parts.length >= 2 ? `trino_substr(${parts.join(', ')})` : undefined;
    }
    case 'concat_ws': {
      // Trino concat_ws(separator, array) joins the array's elements, skipping NULLs.
      const parts = splitArguments(inner);
      if (parts.length !== 2 || !isArrayExpression(parts[1] ?? [])) return undefined;
      return `trino_concat_ws_array(${argumentsOf().join(', ')})`;
    }
    case 'reverse': {
      const parts = splitArguments(inner);
      return parts.length === 1 && isArrayExpression(parts[0] ?? []) ? `list_reverse(${argumentsOf()[0]})` : undefined;
    }
    case 'e':
    case 'nan':
    case 'infinity':
      // Trino's IEEE constants; calls are rewritten, not macros, to keep the layer cheap to install.
      return inner.every(isTrivia) ? DOUBLE_CONSTANTS[name] : undefined;
    case 'with_timezone': {
      // The wall time read in the zone: the right instant (DuckDB keeps no zone, which the portability lint reports).
      const parts = argumentsOf();
      return parts.length === 2 ? `timezone(${parts[1]}, CAST(${parts[0]} AS TIMESTAMP))` : undefined;
    }
    case 'zip_with': {
      // zip_with(a, b, (x, y) -> f): f over the pairs, the shorter array padded with NULLs.
      const parts = splitArguments(inner);
      const lambda = parts.length === 3 ? lambdaParts(parts[2] ?? []) : undefined;
      if (lambda?.parameters.length !== 2 || inner.some((token) => token.kind === 'parameter')) return undefined;
      const [left = '', right = ''] = argumentsOf();
      const body = substituteWords(lambda.body, {
        [lambda.parameters[0] ?? '']: `(${left})[trino_position]`,
        [lambda.parameters[1] ?? '']: `(${right})[trino_position]`,
      });
      return `list_transform(range(1, greatest(len(${left}), len(${right})) + 1), trino_position -> ${body})`;
    }
    case 'array_sort': {
      // array_sort(a, (x, y) -> c): each element goes after the elements that compare below it (stable by position).
      const parts = splitArguments(inner);
      const lambda = parts.length === 2 ? lambdaParts(parts[1] ?? []) : undefined;
      if (lambda?.parameters.length !== 2 || inner.some((token) => token.kind === 'parameter')) return undefined;
      const [items = ''] = argumentsOf();
      const below = substituteWords(lambda.body, {
        [lambda.parameters[0] ?? '']: 'trino_other',
        [lambda.parameters[1] ?? '']: 'trino_item',
      });
      const checked = `CASE WHEN (${below}) IN (-1, 0, 1) THEN (${below}) ELSE error('Lambda comparator must return either -1, 0, or 1') END`;
      const rank = `len(list_filter(${items}, (trino_other, trino_other_position) -> trino_other_position <> trino_position AND ${checked} < 0))`;
      return `list_transform(list_sort(list_transform(${items}, (trino_item, trino_position) -> {rank: ${rank}, position: trino_position})), trino_entry -> (${items})[trino_entry.position])`;
    }
    case 'combinations': {
      // combinations(a, n) for a constant n: every n-element selection, in index order.
      const parts = splitArguments(inner);
      const size = parts[1]?.filter((token) => !isTrivia(token));
      if (parts.length !== 2 || size?.length !== 1 || size[0]?.kind !== 'number') return undefined;
      const count = Number(size[0].text);
      if (!Number.isInteger(count) || count < 1 || count > 5 || inner.some((token) => token.kind === 'parameter')) {
        return undefined;
      }
      const [items = ''] = argumentsOf();
      const names = Array.from({ length: count }, (_, position) => `trino_i${position}`);
      let expression = `[${names.map((name) => `(${items})[${name}]`).join(', ')}]`;
      for (let position = count - 1; position >= 0; position--) {
        const from = position === 0 ? '1' : `${names[position - 1]} + 1`;
        const loop = `list_transform(range(${from}, len(${items}) + 1), ${names[position]} -> ${expression})`;
        expression = position === count - 1 ? loop : `flatten(${loop})`;
      }
      return expression;
    }
    case 'json_array':
    case 'json_object':
      return rewriteJsonConstructor(name, inner);
    case 'strpos':
    case 'split': {
      const parts = argumentsOf();
      return parts.length === 3 ? `trino_${name}(${parts.join(', ')})` : undefined;
    }
    case 'parse_datetime': {
      // A Joda pattern without a zone: the text is read in the session zone (UTC) into a timestamp(3) with time zone.
      const parts = splitArguments(inner);
      const format = parts[1]?.filter((token) => !isTrivia(token));
      if (parts.length !== 2 || format?.length !== 1 || format[0]?.kind !== 'string') return undefined;
      const pattern = stringTokenValue(format[0]);
      if (/[Zz]/.test(pattern.replace(/'[^']*'/g, ''))) return undefined;
      const value = translateTokens(parts[0] ?? []).trim();
      return `CAST(date_trunc('millisecond', strptime(${value}, ${sqlString(jodaToStrftime(pattern))})) AS TIMESTAMPTZ)`;
    }
    case 'overlay': {
      // overlay(s PLACING r FROM n [FOR m]): the m characters of s from n (length of r by default) become r.
      const words = inner.map((token) => lowerWord(token));
      const placing = words.indexOf('placing');
      const from = words.indexOf('from');
      const forIndex = words.indexOf('for');
      if (placing < 0 || from < placing || inner.some((token) => token.kind === 'parameter')) return undefined;
      const text = translateTokens(inner.slice(0, placing)).trim();
      const replacement = translateTokens(inner.slice(placing + 1, from)).trim();
      const start = translateTokens(inner.slice(from + 1, forIndex < 0 ? undefined : forIndex)).trim();
      const count = forIndex < 0 ? `length(${replacement})` : translateTokens(inner.slice(forIndex + 1)).trim();
      return `(substr(${text}, 1, (${start}) - 1) || ${replacement} || substr(${text}, (${start}) + (${count})))`;
    }
    case 'normalize': {
      // DuckDB has NFC only; other forms are refused by the portability lint.
      const parts = argumentsOf();
      return parts.length === 1 ? `nfc_normalize(${parts[0]})` : undefined;
    }
    case 'ceil':
    case 'ceiling':
    case 'floor': {
      // DuckDB's ceil and floor of an integer are doubles; Trino's keep the integer.
      const parts = splitArguments(inner);
      const type = parts.length === 1 ? staticNumericType(parts[0] ?? []) : undefined;
      return type?.kind === 'exact' && type.integer ? `(${argumentsOf()[0]})` : undefined;
    }
    case 'sign': {
      // DuckDB's sign is an integer; Trino's sign of a double is a double.
      const parts = splitArguments(inner);
      return parts.length === 1 && isDoubleExpression(parts[0] ?? [])
        ? `trino_sign_double(${argumentsOf()[0]})`
        : undefined;
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
    case 'date_diff': {
      const parts = splitArguments(inner);
      if (parts.length !== 3 || !isTimeExpression(parts[1] ?? []) || !isTimeExpression(parts[2] ?? []))
        return undefined;
      const [unit, start, end] = argumentsOf();
      return `trino_date_diff(${unit}, DATE '1970-01-01' + ${start}, DATE '1970-01-01' + ${end})`;
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
      if (name === 'date_trunc' && parts.length === 2 && isTimeExpression(value)) {
        // DuckDB has no date_trunc for TIME: the time of day is truncated on 1970-01-01.
        return `CAST(date_trunc(${translated[0]}, DATE '1970-01-01' + ${translated[1]}) AS TIME)`;
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
        ? dateParse(value, pattern)
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

const ARRAY_FUNCTIONS = new Set([
  'array_distinct',
  'array_intersect',
  'array_union',
  'array_except',
  'array_remove',
  'array_sort',
  'slice',
  'sequence',
  'split',
  'regexp_split',
  'regexp_extract_all',
  'filter',
  'transform',
  'flatten',
  'repeat',
  'shuffle',
  'trim_array',
  'map_keys',
  'map_values',
]);

/** Heuristic for "this expression is an ARRAY": an array constructor, a cast to an array, or an array function. */
function isArrayExpression(tokens: readonly SqlToken[]): boolean {
  const significant = tokens.filter((token) => !isTrivia(token));
  const first = lowerWord(significant[0]);
  if (first === 'array' && significant[1]?.text === '[')
    return closingBracket(significant, 1) === significant.length - 1;
  if (significant[1]?.text !== '(' || closingBracket(significant, 1) !== significant.length - 1) return false;
  if (first === 'cast' || first === 'try_cast') {
    const asIndex = significant.findLastIndex((token) => lowerWord(token) === 'as');
    return lowerWord(significant[asIndex + 1]) === 'array';
  }
  return ARRAY_FUNCTIONS.has(first);
}

/** Heuristic for "this expression is a DOUBLE or REAL": a literal of those types or a function that returns one. */
function isDoubleExpression(tokens: readonly SqlToken[]): boolean {
  const significant = tokens.filter((token) => !isTrivia(token) && token.text !== '-' && token.text !== '+');
  const first = significant[0];
  if (significant.length === 1 && first?.kind === 'number') return /e/i.test(first.text);
  const word = lowerWord(first);
  if ((word === 'double' || word === 'real') && significant[1]?.kind === 'string') return significant.length === 2;
  if (['infinity', 'nan', 'random', 'rand'].includes(word) && significant[1]?.text === '(') {
    return closingBracket(significant, 1) === significant.length - 1;
  }
  return false;
}

/**
 * Trino's date_parse (Joda underneath) with a constant format: fields not in the format come from 1970-01-01 (not
 * strptime's 1900), a 12-hour clock without %p is AM, two-digit years run 1970-2069, and the result is timestamp(3).
 */
function dateParse(value: string, pattern: string): string {
  const specifiers = [...pattern.matchAll(/%(.)/gs)].map((match) => match[1]);
  let text = value;
  let format = mysqlToStrftime(pattern, MYSQL_TO_STRPTIME);
  if (
    specifiers.some((specifier) => specifier === 'h' || specifier === 'I' || specifier === 'l') &&
    !specifiers.includes('p')
  ) {
    text = `${text} || ' AM'`;
    format = `${format} %p`;
  }
  if (specifiers.includes('v') && !specifiers.some((specifier) => specifier === 'a' || specifier === 'W')) {
    // A week (%x %v) without a weekday is its Monday.
    text = `${text} || ' 1'`;
    format = `${format} %u`;
  }
  if (!specifiers.some((specifier) => specifier === 'Y' || specifier === 'y' || specifier === 'x')) {
    text = `'1970 ' || ${text}`;
    format = `%Y ${format}`;
  }
  const parsed = `date_trunc('millisecond', strptime(${text}, ${sqlString(format)}))`;
  return specifiers.includes('y') ? `trino_two_digit_year(${parsed})` : parsed;
}

/** Heuristic for "this expression is a TIME": a TIME literal or a cast to TIME. */
function isTimeExpression(tokens: readonly SqlToken[]): boolean {
  const significant = tokens.filter((token) => !isTrivia(token));
  const first = lowerWord(significant[0]);
  if (first === 'time' && significant[1]?.kind === 'string') return significant.length === 2;
  if ((first === 'cast' || first === 'try_cast') && significant[1]?.text === '(') {
    const close = closingBracket(significant, 1);
    return (
      close === significant.length - 1 &&
      lowerWord(significant[close - 1]) === 'time' &&
      lowerWord(significant[close - 2]) === 'as'
    );
  }
  return false;
}

/**
 * Trino's SQL/JSON constructors: json_array(v, ...) and json_object(k : v, ...) or (KEY k VALUE v, ...), with
 * `NULL ON NULL` or `ABSENT ON NULL` (json_array drops NULLs by default, json_object keeps them). Any other clause
 * (RETURNING, FORMAT, WITH UNIQUE KEYS) leaves the call alone, and the portability lint reports it.
 */
function rewriteJsonConstructor(name: 'json_array' | 'json_object', inner: readonly SqlToken[]): string | undefined {
  const significant = inner.filter((token) => !isTrivia(token));
  let absent = name === 'json_array';
  let body = [...inner];
  const tail = significant
    .slice(-3)
    .map((token) => lowerWord(token))
    .join(' ');
  if (tail === 'null on null' || tail === 'absent on null') {
    absent = tail === 'absent on null';
    const onNull = inner.lastIndexOf(significant.at(-3) as SqlToken);
    body = inner.slice(0, onNull);
  }
  if (inner.some((token) => token.kind === 'parameter')) return undefined;
  const entries = splitArguments(body).filter((entry) => entry.some((token) => !isTrivia(token)));
  if (name === 'json_array') {
    const values = entries.map((entry) => `to_json(${translateTokens(entry).trim()})`);
    if (values.length === 0) return "json('[]')";
    const list = `[${values.join(', ')}]`;
    return absent
      ? `to_json(list_filter(${list}, trino_value -> json_type(trino_value) <> 'NULL'))`
      : `json(to_json(${list}))`;
  }
  const pairs: string[] = [];
  for (const entry of entries) {
    const tokens = entry.filter((token) => !isTrivia(token));
    const withKeyword = lowerWord(tokens[0]) === 'key';
    const separator = withKeyword
      ? tokens.findIndex((token) => lowerWord(token) === 'value')
      : tokens.findIndex((token) => token.text === ':');
    if (separator < 1) return undefined;
    const key = translateTokens(tokens.slice(withKeyword ? 1 : 0, separator)).trim();
    const value = translateTokens(tokens.slice(separator + 1)).trim();
    pairs.push(`{key: ${key}, value: to_json(${value})}`);
  }
  if (pairs.length === 0) return "json('{}')";
  const filtered = absent
    ? `list_filter([${pairs.join(', ')}], trino_entry -> json_type(trino_entry.value) <> 'NULL')`
    : `[${pairs.join(', ')}]`;
  return `to_json(map_from_entries(${filtered}))`;
}

/** A lambda's parameter names and body tokens: `x -> body` or `(x, y) -> body`. */
function lambdaParts(tokens: readonly SqlToken[]): { parameters: string[]; body: SqlToken[] } | undefined {
  const arrow = tokens.findIndex((token) => token.text === '->');
  if (arrow < 0) return undefined;
  const parameters = tokens
    .slice(0, arrow)
    .filter((token) => token.kind === 'word')
    .map((token) => token.text.toLowerCase());
  return { parameters, body: tokens.slice(arrow + 1) };
}

/** The tokens translated, with each unqualified word named in `replacements` replaced by its text. */
function substituteWords(tokens: readonly SqlToken[], replacements: Readonly<Record<string, string>>): string {
  const substituted = tokens.map((token, position) => {
    const replacement = replacements[lowerWord(token)];
    const before = tokens[previousSignificant(tokens, position - 1)];
    const after = tokens[nextSignificant(tokens, position + 1)];
    if (replacement === undefined || before?.text === '.' || after?.text === '(') return token;
    return synthetic('word', replacement);
  });
  return translateTokens(substituted).trim();
}

const DOUBLE_CONSTANTS: Readonly<Record<string, string>> = {
  e: '2.718281828459045::DOUBLE',
  nan: "'NaN'::DOUBLE",
  infinity: "'Infinity'::DOUBLE",
};

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
        return `trino_format_text(${value})`;
      case 'S':
        return `upper(trino_format_text(${value}))`;
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
        const fixed = `CAST(CAST(round(${exact}, ${digits}) AS DECIMAL(38, ${digits})) AS VARCHAR)`;
        return piece.grouped ? `trino_group_thousands(${fixed})` : fixed;
      }
    }
  })();
  const shown = `coalesce(${text}, 'null')`;
  if (piece.width === undefined) return shown;
  const width = `CAST(greatest(length(${shown}), ${piece.width}) AS INTEGER)`;
  if (piece.leftAligned) return `rpad(${shown}, ${width}, ' ')`;
  if (!piece.zeroPadded) return `lpad(${shown}, ${width}, ' ')`;
  // Java puts the zeros after the sign: %05d of -8 is -0008.
  return `CASE WHEN starts_with(${shown}, '-') THEN '-' || lpad(substr(${shown}, 2), ${width} - 1, '0') ELSE lpad(${shown}, ${width}, '0') END`;
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
  if (typeName === 'char' && typeTokens.length === 4 && typeTokens[2]?.kind === 'number') {
    // Trino CHAR(n) holds n characters, padded with spaces (how it compares is reported by the portability lint).
    const text = kind === 'cast' ? `trino_cast_varchar(${value})` : `TRY_CAST(${value} AS VARCHAR)`;
    return `rpad(${text}, ${typeTokens[2].text}, ' ')`;
  }
  if (typeName === 'varchar' || typeName === 'char') {
    const length = typeTokens[2]?.kind === 'number' && typeTokens.length === 4 ? typeTokens[2].text : undefined;
    const text = kind === 'cast' ? `trino_cast_varchar(${value})` : `TRY_CAST(${value} AS VARCHAR)`;
    if (typeTokens.length === 1) return text;
    // Trino truncates text to varchar(n)'s length (and fails on other values that do not fit); DuckDB ignores it.
    if (length !== undefined)
      return kind === 'cast' ? `trino_cast_varchar_length(${value}, ${length})` : `left(${text}, ${length})`;
  }
  const valueTokens = inner.slice(0, asIndex);
  if (typeName === 'decimal' && !valueTokens.some((token) => token.kind === 'parameter')) {
    // Trino converts a double to decimal from its shortest decimal text (BigDecimal.valueOf), not its binary value:
    // CAST(1.005E0 AS DECIMAL(3,2)) is 1.01. The value is repeated, so a `?` parameter keeps the plain cast.
    const type = translateType(typeTokens);
    if (
      staticNumericType(valueTokens)?.kind === 'exact' ||
      valueTokens.every((token) => token.kind === 'string' || isTrivia(token))
    ) {
      return `${castKeyword}(${value} AS ${type})`;
    }
    // Through DECIMAL(38, s) first: DuckDB reads '2.34e+20' into a too narrow DECIMAL without the overflow error.
    const scale = typeTokens[4]?.kind === 'number' ? typeTokens[4].text : '0';
    const text = `${castKeyword}(CAST(${value} AS VARCHAR) AS DECIMAL(38, ${scale}))`;
    return `CASE WHEN typeof(${value}) IN ('DOUBLE', 'FLOAT') THEN ${castKeyword}(${text} AS ${type}) ELSE ${castKeyword}(${value} AS ${type}) END`;
  }
  const literal = inner.slice(0, asIndex).filter((token) => !isTrivia(token));
  if (typeName === 'timestamp' && literal.length === 1 && literal[0]?.kind === 'string') {
    // A constant: read as Trino reads a timestamp literal; to a plain TIMESTAMP the zone is dropped.
    const text = stringTokenValue(literal[0]);
    const parsed = parseTimestampLiteral(text);
    if (parsed && restWithTimeZone(typeTokens)) {
      // Without a zone the text is read in the session zone, UTC in Athena.
      return parsed.zone === undefined
        ? `TIMESTAMPTZ ${sqlString(`${parsed.wallTime}+00`)}`
        : timestampLiteral(text, literal[0].text);
    }
    if (parsed && typeTokens.length === 1) return `TIMESTAMP ${sqlString(parsed.wallTime)}`;
  }
  if (typeTokens.length === 1 && typeName === 'json') {
    // Trino CAST(x AS JSON) encodes x as a JSON value (a string becomes a JSON string); json_parse parses.
    return `to_json(${value})`;
  }
  return `${castKeyword}(${value} AS ${translateType(typeTokens)})`;
}

function restWithTimeZone(typeTokens: readonly SqlToken[]): boolean {
  return typeTokens
    .map((token) => token.text.toLowerCase())
    .join(' ')
    .endsWith('with time zone');
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
      const fields = splitArguments(innerTokens).map((field, position) => {
        const [fieldName, ...fieldType] = field.filter((token) => !isTrivia(token));
        // ROW(integer, integer): anonymous fields, which DuckDB's STRUCT cannot have.
        if (fieldType.length === 0) return `field${position} ${translateType(fieldName ? [fieldName] : [])}`;
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
