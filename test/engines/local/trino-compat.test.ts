import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { installTrinoCompat, jodaToStrftime, translateTrinoToDuckDb } from '../../../lib/engines/local/trino-compat.ts';

/**
 * Expected values are Trino's, mostly the examples in the Trino documentation (functions/*.md), cited beside
 * each case. Values are compared as text: DuckDB hands BIGINT and DECIMAL back as strings, so every scalar is
 * turned into its string form (NULL stays null, booleans stay booleans, lists stay lists).
 */
type Expected = string | boolean | null | Expected[];

function normalise(value: unknown): Expected {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

let instance: DuckDBInstance;
let connection: DuckDBConnection;

before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  await installTrinoCompat(connection);
});

after(() => {
  connection.closeSync();
  instance.closeSync();
});

async function trinoValue(expression: string): Promise<Expected> {
  const reader = await connection.runAndReadAll(translateTrinoToDuckDb(`select ${expression} as value`));
  const row = reader.getRowObjectsJson()[0];
  return normalise(row?.value);
}

function cases(title: string, table: ReadonlyArray<readonly [string, Expected]>): void {
  describe(title, () => {
    for (const [expression, expected] of table) {
      test(`${expression} = ${JSON.stringify(expected)}`, async () => {
        // Act
        const actual = await trinoValue(expression);
        // Assess
        assert.deepEqual(actual, expected);
      });
    }
  });
}

cases("format() with a constant format, as Java's String.format formats it (Trino docs: functions/conversion)", [
  ["format('%s%%', 123)", '123%'], // doc example
  ["format('%.5f', pi())", '3.14159'], // doc example
  ["format('%s', 'abc')", 'abc'],
  ["format('%s and %s', 1, 'x')", '1 and x'],
  ["format('%s', NULL)", 'null'], // Java prints a null reference as "null"
  ["format('%S', 'abc')", 'ABC'],
  ["format('%d items', 42)", '42 items'],
  ["format('%,d', 1234567)", '1,234,567'],
  ["format('%,d', -1234567)", '-1,234,567'],
  ["format('%x', 255)", 'ff'],
  ["format('%X', -1)", 'FFFFFFFFFFFFFFFF'], // two's complement, as Java formats a negative long
  ["format('%.2f', 2.675e0)", '2.68'], // Java rounds the shortest decimal form half up (C printf gives 2.67)
  ["format('%.2f', 0.125e0)", '0.13'],
  ["format('%.2f', -0.125e0)", '-0.13'],
  ["format('%f', 1.5e0)", '1.500000'], // Java's default precision is 6
  ["format('%.1f', DECIMAL '2.25')", '2.3'],
  ["format('%2$s-%1$s', 'a', 'b')", 'b-a'],
  ["format('line%nnext')", 'line\nnext'],
  ["format('no specifiers')", 'no specifiers'],
]);

cases('regular expressions (Trino docs: functions/regexp)', [
  ["regexp_like('1a 2b 14m', '\\d+b')", true], // doc example
  ["regexp_like('abc', '^b')", false],
  ["regexp_like(null, 'a')", null],
  ["regexp_extract('1a 2b 14m', '\\d+')", '1'], // doc example
  ["regexp_extract('1a 2b 14m', '(\\d+)([a-z]+)', 2)", 'a'], // doc example
  ["regexp_extract('abc', '\\d')", null], // no match is NULL in Trino, '' in DuckDB
  ["regexp_extract_all('1a 2b 14m', '\\d+')", ['1', '2', '14']], // doc example
  ["regexp_extract_all('1a 2b 14m', '(\\d+)([a-z]+)', 2)", ['a', 'b', 'm']], // doc example
  ["regexp_replace('1a 2b 14m', '\\d+[ab] ')", '14m'], // doc example: removes every match
  ["regexp_replace('1a 2b 14m', '(\\d+)([ab]) ', '3c$2 ')", '3ca 3cb 14m'], // doc example: $g group reference
  ["regexp_replace('a.b.c', '\\.', '\\$')", 'a$b$c'], // doc: \$ is a literal dollar
  ["regexp_replace('abc', 'b', '\\\\')", 'a\\c'], // a literal backslash in the replacement
  ["regexp_replace(null, 'a', 'b')", null],
  ["regexp_split('1a 2b 14m', '\\s*[a-z]+\\s*')", ['1', '2', '14', '']], // doc example: trailing empty kept
  ["regexp_count('1a 2b 14m', '\\s*[a-z]+\\s*')", '3'], // doc example
]);

cases('date and time (Trino docs: functions/datetime)', [
  ["date_add('second', 86, TIMESTAMP '2020-03-01 00:00:00')", '2020-03-01 00:01:26'], // doc example
  ["date_add('hour', 9, TIMESTAMP '2020-03-01 00:00:00')", '2020-03-01 09:00:00'], // doc example
  ["date_add('day', -1, TIMESTAMP '2020-03-01 00:00:00 UTC')", '2020-02-29 00:00:00+00'], // doc example
  ["date_add('month', 1, DATE '2012-10-31')", '2012-11-30'], // end-of-month clamp, as the doc's + interval example
  ["date_add('quarter', 1, DATE '2024-01-15')", '2024-04-15'],
  ["date_add('day', 1, CAST(null AS TIMESTAMP))", null],
  ["date_diff('second', TIMESTAMP '2020-03-01 00:00:00', TIMESTAMP '2020-03-02 00:00:00')", '86400'], // doc example
  ["date_diff('hour', TIMESTAMP '2020-03-01 00:00:00 UTC', TIMESTAMP '2020-03-02 00:00:00 UTC')", '24'], // doc example
  ["date_diff('day', DATE '2020-03-01', DATE '2020-03-02')", '1'], // doc example
  [
    "date_diff('millisecond', TIMESTAMP '2020-06-01 12:30:45.000000000', TIMESTAMP '2020-06-02 12:30:45.123456789')",
    '86400123',
  ], // doc example
  // Whole units elapsed, not boundaries crossed: 23 hours is 0 days; Jan 31 to Feb 29 is not a whole month... it is 0.
  ["date_diff('day', TIMESTAMP '2024-01-01 11:00:00', TIMESTAMP '2024-01-02 10:00:00')", '0'],
  ["date_diff('year', DATE '2023-12-31', DATE '2024-01-01')", '0'],
  ["date_diff('month', DATE '2024-01-15', DATE '2024-03-14')", '1'],
  ["date_diff('day', null, DATE '2024-01-01')", null],
  ["date_trunc('day', TIMESTAMP '2022-10-20 05:10:00')", '2022-10-20 00:00:00'], // doc example
  ["date_trunc('month', TIMESTAMP '2022-10-20 05:10:00')", '2022-10-01 00:00:00'], // doc example
  ["date_trunc('year', TIMESTAMP '2022-10-20 05:10:00')", '2022-01-01 00:00:00'], // doc example
  ["date_trunc('week', TIMESTAMP '2001-08-22 03:04:05.321')", '2001-08-20 00:00:00'], // doc unit table
  ["date_trunc('month', DATE '2024-05-05')", '2024-05-01'], // same type as input
  ["date_format(TIMESTAMP '2022-10-20 05:10:00', '%m-%d-%Y %H')", '10-20-2022 05'], // doc example
  ["date_format(TIMESTAMP '2024-01-02 13:04:05', '%W %M %e %c %i %s %T')", 'Tuesday January 2 1 04 05 13:04:05'],
  [
    "date_format(TIMESTAMP '2024-01-02 13:04:05', '%r %p %h %k %l %j %y %a %b %%')",
    '01:04:05 PM PM 01 13 1 002 24 Tue Jan %',
  ],
  ["date_format(TIMESTAMP '2024-01-02 13:04:05.123', '%Y-%m-%d %H:%i:%s.%f')", '2024-01-02 13:04:05.123000'],
  ["date_format(TIMESTAMP '2024-01-02 13:04:05', '%q')", 'q'], // doc: %x is x for any x not listed
  ["date_format(TIMESTAMP '2024-01-02 13:04:05', '%' || 'Y')", '2024'], // computed format, macro path
  ["date_format(null, '%Y')", null],
  ["date_parse('2022/10/20/05', '%Y/%m/%d/%H')", '2022-10-20 05:00:00'], // doc example
  ["date_parse('20/1/2024 7:05', '%d/%c/%Y %k:%i')", '2024-01-20 07:05:00'],
  ["date_parse(null, '%Y')", null],
  ["format_datetime(TIMESTAMP '2024-01-02 03:04:05.123', 'yyyy-MM-dd HH:mm:ss.SSS')", '2024-01-02 03:04:05.123'],
  ["format_datetime(DATE '2024-01-02', 'EEEE d MMMM yyyy')", 'Tuesday 2 January 2024'],
  ['from_unixtime(0)', '1970-01-01 00:00:00'],
  ['from_unixtime(1700000000)', '2023-11-14 22:13:20'],
  ['from_unixtime(1.5)', '1970-01-01 00:00:01.5'],
  ["from_unixtime(0, 'America/New_York')", '1969-12-31 19:00:00'],
  ['from_unixtime(null)', null],
  ["to_unixtime(TIMESTAMP '2024-01-01 00:00:01.5')", '1704067201.5'],
  ["from_iso8601_timestamp('2020-05-11T11:15:05.055+01:00')", '2020-05-11 10:15:05.055+00'], // doc example, shown in UTC
  ["from_iso8601_timestamp('2020-05-11')", '2020-05-11 00:00:00+00'], // doc example, session zone UTC
  ["from_iso8601_date('2020-05-11')", '2020-05-11'], // doc example
  ["to_iso8601(DATE '2020-05-11')", '2020-05-11'],
  ["to_iso8601(TIMESTAMP '2020-05-11 11:15:05')", '2020-05-11T11:15:05.000'],
  ["to_iso8601(from_iso8601_timestamp('2020-05-11T11:15:05.055+01:00'))", '2020-05-11T10:15:05.055Z'],
  ["last_day_of_month(DATE '2024-02-07')", '2024-02-29'],
  // day_of_week is ISO: 1 = Monday .. 7 = Sunday (2024-01-07 is a Sunday).
  ["day_of_week(DATE '2024-01-07')", '7'],
  ["dow(DATE '2024-01-08')", '1'],
  ["extract(dow FROM DATE '2024-01-07')", '7'],
  ["extract(YEAR FROM TIMESTAMP '2022-10-20 05:10:00')", '2022'], // doc example
  ["day_of_year(DATE '2024-02-01')", '32'],
  ["doy(DATE '2024-12-31')", '366'],
  ["year_of_week(DATE '2021-01-01')", '2020'], // ISO week-year
  ["week(DATE '2021-01-01')", '53'],
  ["week_of_year(DATE '2024-01-07')", '1'],
  ["quarter(DATE '2024-05-01')", '2'],
  ["day_of_month(DATE '2024-05-09')", '9'],
  ["millisecond(TIMESTAMP '2024-01-01 00:00:01.250')", '250'], // of the second, not since the minute
  ["at_timezone(TIMESTAMP '2022-11-01 09:08:07.321', 'America/Los_Angeles')", '2022-11-01 02:08:07.321'],
  ["date '2012-08-08' + interval '2' day", '2012-08-10'], // doc operator table: stays a DATE
  ["date '2012-08-08' - interval '2' day", '2012-08-06'], // doc operator table
  ["TIMESTAMP '2012-08-08 01:00' + INTERVAL '29' HOUR", '2012-08-09 06:00:00'], // doc operator table
  ["TIMESTAMP '2012-10-31 01:00' + INTERVAL '1' MONTH", '2012-11-30 01:00:00'], // doc operator table
]);

cases('JSON (Trino docs: functions/json)', [
  ['json_extract_scalar(\'{"a":{"b":[1,2]}}\', \'$.a.b[0]\')', '1'],
  ['json_extract_scalar(\'{"a":{"b":1}}\', \'$.a\')', null], // not a scalar
  ['json_extract_scalar(\'{"a b":"x"}\', \'$["a b"]\')', 'x'], // bracket notation
  ["json_extract_scalar('{\"a\":null}', '$.a')", null],
  ["json_extract_scalar(null, '$.a')", null],
  ['json_extract(\'{"a":{"b":1}}\', \'$.a\')', '{"b":1}'],
  ["json_extract('{\"a\":1}', '$.missing')", null],
  ['json_format(json_parse(\'{"a": 1, "b": [1, 2]}\'))', '{"a":1,"b":[1,2]}'],
  ["json_array_length('[1, 2, 3]')", '3'],
  ['cast(json_extract(\'{"a":"x"}\', \'$.a\') as varchar)', 'x'], // JSON string scalar to its text
  ["cast('abc' as json)", '"abc"'], // a cast encodes; json_parse parses
]);

cases('strings (Trino docs: functions/string)', [
  ["length('héllo')", '5'],
  ["strpos('abc', 'c')", '3'],
  ["strpos('abc', 'z')", '0'],
  ["position('c' IN 'abc')", '3'],
  ["lpad('abc', 5, 'x')", 'xxabc'],
  ["lpad('abc', 2, 'x')", 'ab'], // truncated when size < length
  ["rpad('abc', 2, 'x')", 'ab'],
  ["concat('a', 'b', 'c')", 'abc'],
  ["concat('a', null)", null], // like ||: NULL if any argument is NULL
  ["'a' || 'b'", 'ab'],
  ["concat_ws(',', 'a', null, 'b')", 'a,b'], // doc: NULLs after the separator are skipped
  ["split('a,b,c', ',')", ['a', 'b', 'c']],
  ["split_part('a,b,c', ',', 2)", 'b'],
  ["split_part('a,b', ',', 5)", null], // doc: index past the last field is NULL
  ['chr(65)', 'A'],
  ["codepoint('A')", '65'],
  ["reverse('abc')", 'cba'],
  ["starts_with('abc', 'ab')", true],
  ["lower('ABC') || upper('def')", 'abcDEF'],
  ["replace('abcabc', 'b')", 'acac'], // doc: two-argument form removes
  ["translate('abcd', 'a', 'z')", 'zbcd'], // doc example
  ["substr('abcdef', -2)", 'ef'], // doc: negative start counts from the end
  ["to_hex(md5(to_utf8('a')))", '0CC175B9C0F1B6A831C399E269772661'],
  ["from_utf8(to_utf8('hé'))", 'hé'],
  ["typeof('a') = 'varchar' or typeof(1) = 'integer'", true], // doc: typeof(123) is integer
]);

cases('arrays, maps and lambdas (Trino docs: functions/array, functions/map)', [
  ['element_at(ARRAY[1, 2, 3], 1)', '1'],
  ['element_at(ARRAY[1, 2, 3], -1)', '3'], // negative index counts from the end
  ['element_at(ARRAY[1, 2, 3], 5)', null], // out of range is NULL
  ["element_at(map(ARRAY['a'], ARRAY[1]), 'a')", '1'],
  ["element_at(map(ARRAY['a'], ARRAY[1]), 'b')", null],
  ['cardinality(ARRAY[1, 2, 3])', '3'],
  ["cardinality(map(ARRAY['a', 'b'], ARRAY[1, 2]))", '2'],
  ['cardinality(CAST(null AS ARRAY(INTEGER)))', null],
  ["array_join(ARRAY['a', null, 'c'], ',')", 'a,c'],
  ["array_join(ARRAY['a', null], ',', 'x')", 'a,x'],
  ["array_join(ARRAY[1, 2], '-')", '1-2'],
  ['sequence(1, 5)', ['1', '2', '3', '4', '5']], // doc example
  ['sequence(5, 1)', ['5', '4', '3', '2', '1']], // doc: default step -1 when start > stop
  ['sequence(1, 9, 4)', ['1', '5', '9']],
  ['transform(ARRAY[5, 6], x -> x + 1)', ['6', '7']], // doc example
  ['filter(ARRAY[5, -6, null, 7], x -> x > 0)', ['5', '7']], // doc example
  ['reduce(ARRAY[5, 20, 50], 0, (s, x) -> s + x, s -> s)', '75'], // doc example
  ['reduce(ARRAY[], 0, (s, x) -> s + x, s -> s)', '0'], // doc example
  ['contains(ARRAY[1, 2], 2)', true],
  ['CAST(ARRAY[1, 2] AS ARRAY(VARCHAR))', ['1', '2']],
  ["CAST(ROW(1, 'a') AS ROW(id INTEGER, name VARCHAR)).name", 'a'],
  ['ARRAY[1, 2][2]', '2'],
]);

cases('conditionals and aggregates', [
  ['greatest(1, 3, 2)', '3'],
  ['greatest(1, null, 3)', null], // doc: NULL if any argument is NULL
  ["least('b', 'a')", 'a'],
  ['least(1, null)', null],
  ['coalesce(null, 2)', '2'],
  ['nullif(1, 1)', null],
  ["if(1 > 0, 'yes', 'no')", 'yes'],
  ["if(false, 'yes')", null],
  ["try(CAST('x' AS INTEGER))", null],
  ["try_cast('x' AS INTEGER)", null],
  ['(select approx_distinct(x) from (values 1, 2, 2) as t(x))', '2'],
  ['(select arbitrary(x) from (values 7) as t(x))', '7'],
  ['(select count_if(x > 1) from (values 1, 2, 3) as t(x))', '2'],
  ["(select name from (values (1, 'a'), (2, 'b')) as t(id, name) where id = 2)", 'b'],
]);

cases('operators and casts (Trino docs: functions/math, functions/conversion)', [
  ['7 / 2', '3'], // integer division
  ['-7 / 2', '-3'], // truncates toward zero
  ['7.0 / 2', '3.5'],
  ['-7 % 2', '-1'],
  ['round(2.5)', '3'], // half away from zero
  ['round(-2.5)', '-3'],
  ['round(2.5E0)', '3'],
  ['round(1.2345, 2)', '1.2300'], // keeps the type: TestMathFunctions, round(DECIMAL '3.449', 1) = 3.400
  ['CAST(2.5 AS INTEGER)', '3'],
  ['CAST(2.5E0 AS INTEGER)', '3'], // Trino rounds half away from zero; DuckDB rounds half to even
  ['CAST(-2.5E0 AS BIGINT)', '-3'],
  ['CAST(3.5E0 AS SMALLINT)', '4'],
  ["CAST('42' AS INTEGER)", '42'],
  ["TRY_CAST('x' AS BIGINT)", null],
  ["CAST('abcdef' AS VARCHAR(3))", 'abc'], // varchar(n) truncates
  ['CAST(1 AS VARCHAR)', '1'],
  ["CAST('true' AS BOOLEAN)", true],
  ['CAST(null AS INTEGER)', null],
  ["CAST('2024-01-02' AS DATE)", '2024-01-02'],
  ["TIMESTAMP '2024-01-01 00:00:00'", '2024-01-01 00:00:00'],
  ["CAST('2024-01-01 10:00:00' AS TIMESTAMP(3))", '2024-01-01 10:00:00'],
  ["DATE '2012-08-08' < DATE '2012-08-09'", true],
  ["'Paul' BETWEEN 'John' AND 'Ringo'", true], // doc example
]);

// Issue 17: values from Trino's own tests (core/trino-main/src/test/java/io/trino/...) and docs, as in the
// conformance corpus (test/conformance/trino/*.jsonl, where each case names its source).
cases('decimals keep Trino types and scales (TestDecimalOperators, TestMathFunctions)', [
  ["DECIMAL '137.7' + DECIMAL '17.1'", '154.8'], // decimal(4,1), not DuckDB's DECIMAL(18,3)
  ["CAST(DECIMAL '0.1234567890123456' AS VARCHAR)", '0.1234567890123456'],
  ["DECIMAL '999999999999999999' + DECIMAL '.999999999999999999'", '999999999999999999.999999999999999999'],
  ["DECIMAL '100.00' / DECIMAL '0.3'", '333.33'], // scale max(2, 1), rounded half up
  ["DECIMAL '-9' / DECIMAL '5'", '-2'],
  ["BIGINT '18' / DECIMAL '0.01'", '1800.00'],
  ["round(DECIMAL '-3.450', 1)", '-3.500'],
  ["round(DECIMAL '1234.5678', -2)", '1200.0000'],
  ["truncate(DECIMAL '1234.56', 1)", '1234.50'],
  ["mod(DECIMAL '5.0', DECIMAL '2.05')", '0.90'],
  ["nullif(DECIMAL '-2', DECIMAL '-3')", '-2'],
  ["cast(DOUBLE '123456789123456784' as DECIMAL(18,0))", '123456789123456780'], // from the double's shortest text
  ["cast(REAL '1456213.432632456' as DECIMAL(18,9))", '1456213.400000000'],
  ["from_base('-7fffffff', 16)", '-2147483647'],
  ['to_base(-2147483647, 16)', '-7fffffff'],
  ['width_bucket(3.14E0, 0, 4, 3)', '3'],
  ['is_nan(nan())', true],
  ['ln(0.0) < 0', true], // -Infinity where DuckDB fails
]);

cases('doubles cast to varchar as Java prints them (TestDoubleOperators)', [
  ['CAST(37.7E0 AS VARCHAR)', '3.77E1'],
  ['CAST(0.001E0 AS VARCHAR)', '1.0E-3'],
  ["array_join(ARRAY[1.0, DOUBLE '002.100', 3.3], 'x')", '1.0E0x2.1E0x3.3E0'],
]);

cases('time: literals, date_parse defaults, TIME truncation (TestDateTimeFunctions)', [
  ["CAST(TIMESTAMP '2001-1-22' AS VARCHAR)", '2001-01-22 00:00:00'], // a date alone is not a zone
  ["date_parse('2013-05-17 12:35:10', '%Y-%m-%d %h:%i:%s')", '2013-05-17 00:35:10'], // 12 AM without %p
  ["date_parse('1.2006', '%s.%f')", '1970-01-01 00:00:01.2'], // 1970, kept to milliseconds
  ["date_parse('69', '%y')", '2069-01-01 00:00:00'],
  ["CAST(date_trunc('hour', TIME '03:04:05.321') AS VARCHAR)", '03:00:00'],
  ["date_diff('second', TIME '07:02:09.678', TIME '03:04:05.321')", '-14284'],
  ["cast('2001-1-22 03:04:05 Asia/Oral' as timestamp)", '2001-01-22 03:04:05'],
  ["to_milliseconds(parse_duration('1d'))", '86400000'],
  ["from_iso8601_date('2020-W10')", '2020-03-02'],
  ["from_iso8601_date('2020-123')", '2020-05-02'],
  ["date_format(TIMESTAMP '2001-01-09 13:04:05.321', '%x %v')", '2001 02'],
  ["date_parse('1998 53', '%x %v')", '1998-12-28 00:00:00'],
  ['human_readable_seconds(3762)', '1 hour, 2 minutes, 42 seconds'],
  ["to_unixtime(with_timezone(TIMESTAMP '2001-06-01 03:04:05.321', 'America/Los_Angeles'))", '991389845.321'],
]);

cases('strings and URLs (TestStringFunctions, TestUrlFunctions)', [
  ["replace('abc', '', 'xx')", 'xxaxxbxxcxx'],
  ["substr('Quadratically', 0)", ''],
  ["strpos('abc/xyz/foo/bar', '/', -2)", '8'],
  ["split('a.b.c.', '.', 3)", ['a', 'b', 'c.']],
  ["regexp_position('a1b2c3d4e', '\\d', 4, 2)", '6'],
  ["concat_ws(',', ARRAY['abc', null, null, 'xyz'])", 'abc,xyz'],
  ["url_extract_host('https://username:password@example.com')", 'example.com'],
  ["url_extract_port('http://example.com:8080/path1/p.php?k1=v1&k2=v2#Ref1')", '8080'],
  ["url_extract_parameter('http://example.com/path1/p.php?k1=v1&k2=v2&k3&k4#Ref1', 'k3')", ''],
  ["url_encode('~@:.-*_+ ☃')", '%7E%40%3A.-*_%2B+%E2%98%83'],
  ["overlay('abcdef' PLACING 'XY' FROM 3)", 'abXYef'],
  ["luhn_check('79927398713')", true],
  ["length(CAST('hello' AS CHAR(20)))", '20'],
  ["parse_data_size('2.3MB')", '2411724'],
  ["format('%03d', 8)", '008'],
  ["format('%,.2f', 1234567.89)", '1,234,567.89'],
  ["format('%-7s,%7s', 'hello', 'world')", 'hello  ,  world'],
  ["format('%s', 1.5E0)", '1.5'], // Double.toString, not the varchar cast's 1.5E0
]);

cases('JSON (TestJsonFunctions)', [
  ["json_array_contains('[1.0]', 1)", false], // a bigint matches only integral numbers
  ['json_array_get(\'["a", [3, 9], "c"]\', 1)', '[3,9]'],
  ['json_array_get(\'["c", [3, 9], "a"]\', -1)', 'a'],
  ['json_size(\'{"x": {"a" : 1, "b" : 2} }\', \'$.x\')', '2'],
  ["json_extract_scalar('{\"fuu\": 1}', '$[fuu]')", '1'],
  ["is_json_scalar('[1, 2, 3]')", false],
  ['json_array(true, null, 1)', '[true,1]'], // ABSENT ON NULL by default
  ["json_object('x' : null, 'y' : 1 ABSENT ON NULL)", '{"y":1}'],
  ["json_object(KEY 'key1' VALUE 1, KEY 'key2' VALUE true)", '{"key1":1,"key2":true}'],
]);

cases('arrays (TestArrayFunctions, TestArrayOperators)', [
  ['array_distinct(ARRAY[2, 3, 4, 3, 1, 2, 3])', ['2', '3', '4', '1']], // first occurrence order
  ['array_union(ARRAY[2, 8], ARRAY[8, 3])', ['2', '8', '3']],
  ['array_intersect(ARRAY[0, 0, 1, NULL], ARRAY[0, 0, 1, NULL])', ['0', '1', null]],
  ["array_remove(ARRAY['foo', 'bar', NULL], 'foo')", ['bar', null]],
  ['array_max(ARRAY[NULL, FALSE])', null],
  ['slice(ARRAY[1, 2, 3, 4], -3, 3)', ['2', '3', '4']],
  ['arrays_overlap(ARRAY[2, 1], ARRAY[NULL, 3])', null],
  ['reverse(ARRAY[1, 2, 3, 4])', ['4', '3', '2', '1']],
  ['contains(array[NULL, 2, 3], 1)', null],
  ['array_position(ARRAY[1, NULL, 2], NULL)', null],
  ['ARRAY[1] || 2', ['1', '2']],
  ['zip_with(ARRAY[1, 2], ARRAY[3, 4], (x, y) -> x + y)', ['4', '6']],
  ["zip_with(ARRAY['a'], ARRAY['d', null, 'f'], (x, y) -> coalesce(x, y))", ['a', null, 'f']],
  ['array_sort(ARRAY[3, 2, 5, 1, 2], (x, y) -> IF(x < y, 1, IF(x = y, 0, -1)))', ['5', '3', '2', '2', '1']],
  [
    'array_sort(ARRAY[3, 2, null, 5, null, 1, 2], (x, y) -> CASE WHEN x IS NULL THEN -1 WHEN y IS NULL THEN 1 WHEN x < y THEN 1 WHEN x = y THEN 0 ELSE -1 END)',
    [null, null, '5', '3', '2', '2', '1'],
  ],
  [
    'combinations(ARRAY[1, 2, 3], 2)',
    [
      ['1', '2'],
      ['1', '3'],
      ['2', '3'],
    ],
  ],
  ['greatest(NaN(), 5, 4, 3)', '5'],
]);

describe('Trino failures where DuckDB gives NULL or a value', () => {
  for (const expression of [
    '155 / 0',
    "DECIMAL '1' / DECIMAL '0'",
    "mod(DECIMAL '5.0', DECIMAL '0')",
    'ARRAY[1, 2, 3][4]',
    'element_at(ARRAY[1, 2, 3], 0)',
    "round(TINYINT '127', -1)",
    "codepoint('hello')",
    "CAST(JSON '[1, 2, 3]' AS VARCHAR)",
    "json_extract('{}', '$.fuu..bar')",
    "cast(DECIMAL '12.4' as varchar(3))",
    "lpad('abc', 3, '')",
    'array_sort(ARRAY[2, 1, 2, 4], (x, y) -> y - x)',
  ]) {
    test(`${expression} fails`, async () => {
      // Act
      const run = trinoValue(expression);
      // Assess
      await assert.rejects(run);
    });
  }

  test('TRY(x / 0) is NULL: the division guard is not a volatile function', async () => {
    // Act
    const value = await trinoValue('COALESCE(TRY(155 / 0), 0)');
    // Assess
    assert.equal(value, '0');
  });
});

describe('UNNEST', () => {
  test('WITH ORDINALITY numbers elements from 1', async () => {
    // Prepare
    const sql = 'select v, n from unnest(ARRAY[10, 20]) with ordinality as t(v, n) order by n';
    // Act
    const reader = await connection.runAndReadAll(translateTrinoToDuckDb(sql));
    // Assess
    assert.deepEqual(reader.getRowObjectsJson().map(normalise), [
      normalise({ v: 10, n: '1' }),
      normalise({ v: 20, n: '2' }),
    ]);
  });

  test('CROSS JOIN UNNEST expands a column', async () => {
    const sql = 'select id, x from (values (1, ARRAY[1, 2])) as s(id, xs) cross join unnest(xs) as t(x) order by x';
    const reader = await connection.runAndReadAll(translateTrinoToDuckDb(sql));
    assert.deepEqual(reader.getRowObjectsJson(), [
      { id: 1, x: 1 },
      { id: 1, x: 2 },
    ]);
  });
});

describe('prepared statements', () => {
  test('? parameters survive translation and bind in order', async () => {
    // Prepare
    const sql = "select date_diff('day', ?, ?) as days, CAST(? AS INTEGER) as rounded, concat(?, 'x') as text";
    const prepared = await connection.prepare(translateTrinoToDuckDb(sql));
    prepared.bindVarchar(1, '2024-01-01');
    prepared.bindVarchar(2, '2024-01-03');
    prepared.bindDouble(3, 2.5);
    prepared.bindVarchar(4, 'a');
    // Act
    const reader = await prepared.runAndReadAll();
    // Assess
    assert.deepEqual(reader.getRowObjectsJson(), [{ days: '2', rounded: 3, text: 'ax' }]);
  });
});

describe('translateTrinoToDuckDb', () => {
  test('leaves string literals, quoted identifiers and comments untouched', () => {
    const sql = `select 'date_diff(x) cast(1 as array(int))' as "regexp_replace(", -- element_at(a, 1)\n /* split_part( */ 1`;
    assert.equal(translateTrinoToDuckDb(sql), sql);
  });

  test('renames shadowed functions in any letter case', () => {
    assert.equal(translateTrinoToDuckDb("SELECT Date_Diff('day', a, b)"), "SELECT trino_date_diff('day', a, b)");
  });

  test('does not rename a qualified name or a column that merely shares the name', () => {
    assert.equal(
      translateTrinoToDuckDb('select t.date_diff, date_diff from t'),
      'select t.date_diff, date_diff from t',
    );
  });

  test('keeps ? parameters in order and count', () => {
    const translated = translateTrinoToDuckDb('select * from t where a > ? and greatest(b, ?) < ? and c = ?');
    assert.equal(translated.split('?').length - 1, 4);
  });

  test('rewrites Trino type syntax in casts and column definitions', () => {
    assert.equal(translateTrinoToDuckDb('select cast(x as array(integer))'), 'select CAST(x AS integer[])');
    assert.equal(
      translateTrinoToDuckDb('select cast(x as array(row(a integer, b array(varchar))))'),
      'select CAST(x AS STRUCT(a integer, b varchar[])[])',
    );
    assert.equal(
      translateTrinoToDuckDb('select cast(x as map(varchar, double))'),
      'select CAST(x AS MAP(varchar, double))',
    );
    assert.equal(translateTrinoToDuckDb('create table t (tags array(varchar))'), 'create table t (tags varchar[])');
    assert.equal(
      translateTrinoToDuckDb('select cast(x as timestamp(3) with time zone)'),
      'select CAST(x AS TIMESTAMPTZ)',
    );
  });

  test('handles nested casts', () => {
    assert.equal(
      translateTrinoToDuckDb('select cast(cast(x as double) as bigint)'),
      'select trino_cast_bigint(CAST(x AS double))',
    );
  });

  test('a zoned TIMESTAMP literal becomes TIMESTAMPTZ, a plain one stays TIMESTAMP', () => {
    assert.equal(
      translateTrinoToDuckDb("select timestamp '2020-03-01 00:00:00 UTC', timestamp '2020-03-01 00:00:00'"),
      "select TIMESTAMPTZ '2020-03-01 00:00:00 UTC', TIMESTAMP '2020-03-01 00:00:00'",
    );
  });
});

describe('jodaToStrftime', () => {
  test('maps common Joda patterns and keeps quoted text literal', () => {
    assert.equal(jodaToStrftime("yyyy-MM-dd'T'HH:mm:ss.SSS"), '%Y-%m-%dT%H:%M:%S.%g');
    assert.equal(jodaToStrftime("d MMM yy 'at' h a"), '%-d %b %y at %-I %p');
    assert.equal(jodaToStrftime("'100%'"), '100%%');
  });
});
