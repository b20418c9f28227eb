import { checkProjectFiles, runnable } from '../check/check.ts';
import { type ProjectFiles, parseProject } from '../config/loader.ts';
import type { Problem } from '../core/model/problems.ts';
import type { Project } from '../core/model/project.ts';
import { projectVersion, readCached, writeCached } from './content-cache.ts';

const CLEAN = 'no problems';

/** Where the verdict of these very files, checked by this very code, is kept. */
const verdictOf = (files: ProjectFiles) => `checked-${projectVersion(files)}`;

/**
 * Every problem of the project (as `dap check` finds them) with the project as far as it parses. Files that passed
 * before, checked by the same code, are not checked again: their verdict is in the content cache, so only the parse
 * is repeated. A project with problems is never cached: each command finds and names them again.
 */
export function projectWithProblems(
  files: ProjectFiles,
  root = '.',
): { project: Project; problems: readonly Problem[] } {
  const verdict = verdictOf(files);
  if (readCached(verdict) === CLEAN) {
    const parsed = parseProject(files, root);
    if (parsed.problems.length === 0) return parsed;
  }
  const checked = checkProjectFiles(files, root);
  if (checked.problems.length === 0) writeCached(verdict, CLEAN);
  return checked;
}

/**
 * The project as a run takes it (`runnable`): a `ConfigError` lists the problems that stop everything; the events
 * and reporting families other problems stop are in `project.blocked`.
 */
export function runnableProject(files: ProjectFiles, root = '.'): Project {
  return runnable(projectWithProblems(files, root));
}

/** Records that these files passed a full check (`dap check` found nothing), so the next command skips it. */
export function recordCleanCheck(files: ProjectFiles): void {
  writeCached(verdictOf(files), CLEAN);
}
