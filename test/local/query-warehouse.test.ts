import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

describe('dap query --warehouse', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dap-query-warehouse-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const dap = (...args: string[]) =>
    spawnSync(process.execPath, [join(REPO, 'bin/dap.js'), '--root', REPO, ...args, '--data-dir', dataDir], {
      encoding: 'utf8',
    });

  test('prints Redshift SQL results as Redshift shows them', () => {
    // DATEADD, ADD_MONTHS, LAST_DAY, NVL, DECODE pages of the Amazon Redshift Database Developer Guide.
    const result = dap(
      'query',
      '--warehouse',
      "select dateadd(month,18,'2008-02-28') as date_add, add_months('2008-03-31',1) as add_months, last_day(date '2008-02-14') as last_day, nvl(null, 'second') as nvl, decode('TX', 'NY', 'New York') as decoded, 1.50::decimal(5,2) as amount, true as flag, timestamp '2008-06-01 09:59:59.123456' as ts",
    );
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.deepEqual(
      lines[0]?.split('|').map((c) => c.trim()),
      ['date_add', 'add_months', 'last_day', 'nvl', 'decoded', 'amount', 'flag', 'ts'],
    );
    assert.deepEqual(
      lines[2]?.split('|').map((c) => c.trim()),
      [
        '2009-08-28 00:00:00',
        '2008-04-30 00:00:00',
        '2008-02-29',
        'second',
        '',
        '1.50',
        'true',
        '2008-06-01 09:59:59.123456',
      ],
    );
    assert.equal(lines[3], '(1 row)');
  });

  test('--json prints one object per row, NULL as null and exact decimals as text', () => {
    const result = dap(
      'query',
      '--warehouse',
      '--json',
      "select listagg(x, ',') within group (order by x) as xs, median(n) as median, count(*) as n, null::varchar as nothing from (select 'b' as x, 1 as n union all select 'a', 2) t",
    );
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout.trim()), { xs: 'a,b', median: '1.5', n: 2, nothing: null });
  });

  test("a statement the warehouse rejects prints the warehouse's message and exits 1", () => {
    const result = dap('query', '--warehouse', 'select * from no_such_table');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /relation "no_such_table" does not exist/);
  });
});
