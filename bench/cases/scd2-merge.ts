import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCase } from '../lib/types.ts';
import { REPO_ROOT } from '../lib/workspace.ts';

/**
 * Type 2 merge on the local warehouse (PGlite): 1% and 10% changed keys on a dimension of 1M keys. The type 2
 * procedures are being written (issue 7); this case runs once `redshift-scripts/procedures/` holds an SCD2
 * procedure and `test/helpers/scd2-fixture.ts` exists to build its input. Until then it reports itself pending.
 */

const FIXTURE = join(REPO_ROOT, 'test', 'helpers', 'scd2-fixture.ts');
const PROCEDURES = join(REPO_ROOT, 'redshift-scripts', 'procedures');

/** Procedure files that look like a type 2 merge (valid_from / valid_to / is_current). */
export function scd2Procedures(): string[] {
  if (!existsSync(PROCEDURES)) return [];
  return readdirSync(PROCEDURES)
    .filter((name) => name.endsWith('.sql'))
    .filter((name) => /valid_to|is_current/i.test(readFileSync(join(PROCEDURES, name), 'utf8')));
}

export function pendingReason(): string | undefined {
  const procedures = scd2Procedures();
  const missing = [
    ...(procedures.length === 0 ? ['no type 2 procedure in `redshift-scripts/procedures/`'] : []),
    ...(existsSync(FIXTURE) ? [] : ['no `test/helpers/scd2-fixture.ts` to build its input']),
  ];
  return missing.length > 0 ? missing.join(' and ') : undefined;
}

export const scd2Merge: BenchCase = {
  name: 'scd2-merge',
  title: 'Type 2 merge on the local warehouse',
  plan() {
    return [];
  },
  async measure() {
    throw new Error(`the type 2 merge case is pending: ${pendingReason() ?? 'not written yet'}`);
  },
  render() {
    const reason = pendingReason();
    return [
      '**Pending.** Planned: a dimension of 1M keys loaded into the local warehouse (PGlite), then the type 2 procedure called with 1% and 10% of the keys changed (plus a share of deletions and returning keys); measured: wall time of the CALL, rows touched (versions closed + opened), peak RSS, each 3 times in its own process, with the first load as the baseline.',
      '',
      `Why not yet: ${reason ?? 'the procedure and its fixture have landed after this benchmark was written; add the measurement in `bench/cases/scd2-merge.ts`'} (the type 2 procedures of issue 7 were being written while this harness was built). The harness needs only this module filled in: \`plan\` returns the two steps (1%, 10%) and \`measure\` builds the dimension with the fixture and times the procedure.`,
    ].join('\n');
  },
};
