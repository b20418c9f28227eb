import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import {
  type CaseResult,
  CONFORMANCE_DIR,
  ENGINES,
  type EngineName,
  loadCorpus,
  loadKnownDifferences,
  REPORT_FILE,
  readmeBlock,
  reportMarkdown,
  runAll,
  withReadmeBlock,
} from './conformance.ts';

const describeMiss = ({ testCase }: CaseResult) => `${testCase.id}: ${testCase.sql}`;

/** The engines' own cases on the real local engines: every answer is theirs, or refused, or a listed difference. */
describe('conformance corpus', () => {
  let results: Record<EngineName, CaseResult[]>;
  before(async () => {
    results = await runAll();
  });

  for (const engine of ENGINES) {
    const categories = [...new Set(loadCorpus(engine).map((c) => c.category))];
    for (const category of categories) {
      test(`${engine} ${category}: no silent difference`, () => {
        // Act
        const silent = results[engine].filter((r) => r.testCase.category === category && r.verdict === 'silent');

        // Assess
        assert.deepEqual(silent.map(describeMiss), []);
      });
    }

    test(`${engine}: every listed known difference is a case of the corpus that still differs`, () => {
      // Arrange
      const byId = new Map(results[engine].map((r) => [r.testCase.id, r]));

      // Act
      const stale = Object.keys(loadKnownDifferences(engine)).filter((id) => byId.get(id)?.verdict !== 'known');

      // Assess
      assert.deepEqual(stale, [], 'remove these from the known differences: they match, are refused, or are not cases');
    });
  }

  test('case ids are unique across the corpus', () => {
    // Act
    const ids = ENGINES.flatMap((engine) => loadCorpus(engine).map((c) => c.id));

    // Assess
    assert.equal(new Set(ids).size, ids.length);
  });

  test('REPORT.md and the README block are what the corpus run gives (npx tsx scripts/conformance-report.ts)', () => {
    // Arrange
    const readme = readFileSync(join(CONFORMANCE_DIR, '../../README.md'), 'utf8');

    // Assess
    assert.equal(readFileSync(REPORT_FILE, 'utf8'), reportMarkdown(results));
    assert.equal(readme, withReadmeBlock(readme, readmeBlock(results)));
  });
});
