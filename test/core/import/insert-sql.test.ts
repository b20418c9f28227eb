import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { convertInsertSql } from '../../../lib/core/import/dap/insert-sql.ts';
import { REPO_ROOT } from '../../helpers/twin-fixture.ts';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/dap-shaped/athena-scripts/dml/insert_into');

describe("DAP's insert SQL as dap runs it", () => {
  test('names the Glue databases by placeholder and the window by its parameters, and changes nothing else', () => {
    // Prepare
    const text = readFileSync(join(FIXTURE, 'parcel_scanned.sql'), 'utf8');

    // Act
    const converted = convertInsertSql(text);

    // Assess
    const expected = text
      .replace('"environment-txma-stage"."parcel_journey"', '{{stage_database}}.parcel_journey')
      .replace('"environment-txma-raw"."parcel_scanned"', '{{raw_database}}.parcel_scanned')
      .replace(
        'CAST(concat(year, month, day) AS INT) > filter_value',
        "concat(year, '-', month, '-', day) > :window_from",
      )
      .replace(
        "CAST(concat(year, month, day) AS INT) < CAST(date_format(now(), '%Y%m%d') as INT)",
        "concat(year, '-', month, '-', day) <= :window_to",
      );
    assert.equal(converted.text, expected);
    assert.deepEqual(converted.unconverted, []);
    assert.deepEqual(converted.changes, [
      'database "environment-txma-stage" → {{stage_database}}',
      'database "environment-txma-raw" → {{raw_database}}',
      "CAST(concat(year, month, day) AS INT) > filter_value → concat(year, '-', month, '-', day) > :window_from",
      "CAST(concat(year, month, day) AS INT) < CAST(date_format(now(), '%Y%m%d') as INT) → concat(year, '-', month, '-', day) <= :window_to",
    ]);
    // processed_date keeps DAP's own now(): only the predicate is the window's.
    assert.match(converted.text, /CAST\(date_format\(now\(\), '%Y%m%d'\) as VARCHAR\) AS processed_date/);
  });

  test('matches the predicate in any case and layout, and never inside strings or comments', () => {
    // Prepare
    const text = [
      'insert into "environment-txma-stage".f (a) select \'"environment-txma-raw".x filter_value\' -- filter_value',
      'from "ENVIRONMENT-TXMA-RAW"."e"',
      'where cast( concat(year,month,day) as int )>filter_value and',
      "cast(concat(year , month , day) as int) < cast(date_format(now(),'%Y%m%d') AS int)",
    ].join('\n');

    // Act
    const converted = convertInsertSql(text);

    // Assess
    assert.equal(
      converted.text,
      [
        'insert into {{stage_database}}.f (a) select \'"environment-txma-raw".x filter_value\' -- filter_value',
        'from {{raw_database}}.e',
        "where concat(year, '-', month, '-', day) > :window_from and",
        "concat(year, '-', month, '-', day) <= :window_to",
      ].join('\n'),
    );
    assert.deepEqual(converted.unconverted, []);
  });

  test('reports what it cannot convert, naming the line and what to write instead', () => {
    // Prepare: filter_value outside DAP's predicate, a database of another name, no upper bound
    const text = [
      'insert into "environment-txma-stage"."f" (a)',
      'select a from "environment-other"."e"',
      'where cast(day as int) >= filter_value',
    ].join('\n');

    // Act
    const converted = convertInsertSql(text);

    // Assess
    assert.deepEqual(converted.unconverted, [
      'line 2: "environment-other" is not one of DAP\'s Glue databases ("environment-txma-stage", "environment-txma-raw") followed by a table; name it by placeholder ({{stage_database}}, {{raw_database}}) by hand',
      "line 3: filter_value is not in DAP's lower bound (CAST(concat(year, month, day) AS INT) > filter_value); filter by the window with concat(year, '-', month, '-', day) > :window_from by hand",
      "no window upper bound found: expected CAST(concat(year, month, day) AS INT) < CAST(date_format(now(), '%Y%m%d') as INT); add concat(year, '-', month, '-', day) <= :window_to by hand",
    ]);
    assert.match(converted.text, /^insert into \{\{stage_database\}\}\.f \(a\)/);
  });
});
