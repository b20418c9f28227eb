import { checkProjectFiles, checkVerdict, runnable } from '../../check/check.ts';
import { readProjectFiles } from '../../config/loader.ts';
import { formatDrift } from '../../core/drift.ts';
import { formatProblem } from '../../core/model/problems.ts';
import type { Project } from '../../core/model/project.ts';
import { recordCleanCheck } from '../checked-project.ts';
import { resolveLocal } from '../context.ts';
import { localDrift } from '../drift.ts';
import { formatFills, localFill } from '../fill.ts';

/** `dap check [--drift] [--fill]`: every problem on stderr, one line each; returns the exit code. */
export async function check(
  root: string,
  options: { drift?: boolean; fill?: boolean; env: string; dataDir?: string },
): Promise<number> {
  const files = readProjectFiles(root);
  const checked = checkProjectFiles(files, root);
  const { failing: problems, notes } = checkVerdict(checked);
  for (const problem of notes) console.error(`note (stops nothing: disabled or unused): ${formatProblem(problem)}`);
  if (problems.length > 0) {
    for (const problem of problems) console.error(formatProblem(problem));
    console.error(`\ndap check: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    // The parts that run despite the problems (isolated per event) are measured all the same.
    if (options.fill) await printFill(runnable(checked), options.env);
    return 1;
  }
  if (notes.length === 0) recordCleanCheck(files);
  console.log(
    notes.length === 0
      ? 'dap check: no problems found'
      : `dap check: no problems in what runs (${notes.length} note${notes.length === 1 ? '' : 's'} on disabled or unused parts)`,
  );
  const drift = options.drift ? await printDrift(root, options) : 0;
  const fill = options.fill ? await printFill(checked.project, options.env) : 0;
  return Math.max(drift, fill);
}

/** `--fill`: each enabled event's transform on a fully filled raw record; exit 1 when any leaves a column NULL. */
async function printFill(project: Project, envName: string): Promise<number> {
  const fills = await localFill(project, envName);
  const { lines, failing } = formatFills(fills);
  for (const line of lines) console.log(line);
  return failing ? 1 : 0;
}

/** `--drift`: each raw table with local files against its declaration; exit 1 when any drifted. */
async function printDrift(root: string, options: { env: string; dataDir?: string }): Promise<number> {
  // The project was just checked: its verdict is recorded, so this only parses it again.
  const { project, dataDir } = resolveLocal({
    root,
    env: options.env,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  const { drifts, withoutFiles } = await localDrift(project, options.env, dataDir);
  const drifted = drifts.filter((d) => d.changes.length > 0).length;
  for (const line of formatDrift(drifts)) console.log(line);
  if (withoutFiles.length > 0) console.log(`no local files for: ${withoutFiles.join(', ')}`);
  console.log(
    drifted === 0
      ? `dap drift: ${drifts.length} raw table(s) match their declared columns`
      : `dap drift: ${drifted} of ${drifts.length} raw table(s) differ from their declared columns`,
  );
  return drifted > 0 ? 1 : 0;
}
