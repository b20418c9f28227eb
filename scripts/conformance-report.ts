/**
 * Runs the conformance corpus on the local engines and writes what it found: test/conformance/REPORT.md (figures and
 * every case that does not match) and the fidelity block of README.md. `npm test` fails when either is out of date.
 *
 *   npx tsx scripts/conformance-report.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONFORMANCE_DIR,
  REPORT_FILE,
  readmeBlock,
  reportMarkdown,
  runAll,
  tally,
  withReadmeBlock,
} from '../test/conformance/conformance.ts';

async function main(): Promise<void> {
  const results = await runAll();
  const readmeFile = join(CONFORMANCE_DIR, '../../README.md');
  writeFileSync(REPORT_FILE, reportMarkdown(results));
  writeFileSync(readmeFile, withReadmeBlock(readFileSync(readmeFile, 'utf8'), readmeBlock(results)));
  for (const [engine, engineResults] of Object.entries(results)) {
    const t = tally(engineResults);
    console.log(`${engine}: ${t.match}/${t.cases} match, ${t.refused} refused, ${t.known} known, ${t.silent} silent`);
  }
}

await main();
