import { checkProjectFiles } from '../../check/check.ts';
import { readProjectFiles } from '../../config/loader.ts';
import { formatProblem } from '../../config/problems.ts';
import { recordCleanCheck } from '../checked-project.ts';
import { printLocalDrift } from '../drift.ts';

/** `dap check [--drift]`: every problem on stderr, one line each; returns the exit code. */
export async function check(
  root: string,
  options: { drift?: boolean; env: string; dataDir?: string },
): Promise<number> {
  const files = readProjectFiles(root);
  const { problems } = checkProjectFiles(files, root);
  if (problems.length > 0) {
    for (const problem of problems) console.error(formatProblem(problem));
    console.error(`\ndap check: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    return 1;
  }
  recordCleanCheck(files);
  console.log('dap check: no problems found');
  if (options.drift && (await printLocalDrift(root, options))) return 1;
  return 0;
}
