import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatDrift } from '../../lib/core/drift.ts';
import { openLocal } from '../../lib/local/context.ts';
import { runDemo } from '../../lib/local/demo.ts';
import { localDrift } from '../../lib/local/drift.ts';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

test('npm start (dap demo) runs the shipped samples end to end on the twin and succeeds; its data has no drift and its people are consolidated', async () => {
  // Prepare: a data folder of its own, as on a fresh clone
  const dataDir = mkdtempSync(join(tmpdir(), 'dap-demo-'));
  const lines: string[] = [];
  try {
    // Act
    const code = await runDemo({ root: REPO_ROOT, env: 'dev', dataDir }, (line) => lines.push(line));

    // Assess
    const output = lines.join('\n');
    assert.equal(code, 0, output);
    assert.match(output, /wrote 160 sample file\(s\), 3096 TxMA record\(s\)/);
    assert.match(output, /eventbrite: complete/);
    assert.match(output, /timetable: extract \S+ \(snapshot \d{4}-\d\d-\d\d\) promoted; 19 row\(s\)/);
    assert.match(output, /quarantined +landing\/shop_sales\/sales_2026-11-17\.csv/);
    assert.match(
      output,
      /run \S+ SUCCEEDED: 5\/5 families, 12\/12 events, \d+ rows written, 2\/2 reporting procedures/,
    );
    assert.match(output, /user_journey +\| conformed\.sp_user_journey +\| SUCCEEDED/);
    assert.match(output, /single_customer_view \| conformed\.sp_single_customer_view \| SUCCEEDED/);
    assert.match(output, /auth_account_creation \| auth_create_account +\| SUCCEEDED \| 377/);

    // dap check --drift on the demo's data: every raw table with files matches its declaration
    const context = await openLocal({ root: REPO_ROOT, env: 'dev', dataDir });
    try {
      const { drifts } = await localDrift(context.project, 'dev', dataDir);
      assert.equal(drifts.length, 26, drifts.map((d) => d.table).join(', '));
      assert.deepEqual(formatDrift(drifts), []);

      // the single customer view links the people the samples share: fewer customers than records
      const warehouse = await context.warehouse();
      const [counts] = (
        await warehouse.database.query(
          'select count(*)::int as customers, sum(record_count)::int as records, ' +
            'sum(case when record_count > 1 then 1 else 0 end)::int as linked from conformed.scv_customer',
        )
      ).rows;
      // the timetable's 7 staff add 5 customers: Alan Turing and Marie Curie are in both campus databases
      assert.deepEqual(counts, { customers: 430, records: 452, linked: 14 });
    } finally {
      await context.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
