import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PgliteWarehouse } from '../../../lib/engines/local/pglite-warehouse.ts';
import { DOC_CASES } from './redshift-doc-cases.ts';

describe('documented Redshift results on the local warehouse', () => {
  let warehouse: PgliteWarehouse;
  before(async () => {
    warehouse = await PgliteWarehouse.open();
  });
  after(async () => {
    await warehouse.close();
  });

  for (const docCase of DOC_CASES) {
    test(`${docCase.page}: ${docCase.sql}`, async () => {
      const result = await warehouse.queryText(docCase.sql);
      assert.deepEqual(result.rows[0]?.slice(0, docCase.expected.length), docCase.expected);
    });
  }
});

describe('FARMFINGERPRINT64 on the local warehouse', () => {
  let warehouse: PgliteWarehouse;
  before(async () => {
    warehouse = await PgliteWarehouse.open();
  });
  after(async () => {
    await warehouse.close();
  });

  // Every length branch of Fingerprint64 (0, 1-3, 4-7, 8-16, 17-32, 33-64, over 64 bytes): values from Guava's
  // FarmHashFingerprint64Test and BigQuery's FARM_FINGERPRINT examples, shown as signed BIGINT as Redshift does.
  const fingerprints: readonly [string, string][] = [
    ["''", '-7286425919675154353'],
    ["'WW5'", '6316074107149058620'],
    ["'3true'", '-4880158226897771312'],
    ["'test'", '8581389452482819506'],
    ["'2applefalse'", '2794438866806483259'],
    ["repeat('test', 8)", '-4196240717365766262'],
    ["'F7479877-4690-4A44-AFC9-8FE987EA512F:some_other_id'", '6862335115798125349'],
    ["repeat('test', 64)", '3500507768004279527'],
  ];
  for (const [input, expected] of fingerprints) {
    test(`farmfingerprint64(${input})`, async () => {
      const result = await warehouse.queryText(
        `select farmfingerprint64(${input}), farmfingerprint64((${input})::varbyte)`,
      );
      assert.deepEqual(result.rows[0], [expected, expected]);
    });
  }
});
