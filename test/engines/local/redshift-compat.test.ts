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
