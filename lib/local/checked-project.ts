import { checkProjectFiles } from '../config/check.ts';
import { type Project, type ProjectFiles, parseProject } from '../config/loader.ts';
import { ConfigError } from '../config/problems.ts';
import { projectVersion, readCached, writeCached } from './content-cache.ts';

const CLEAN = 'no problems';

/**
 * The project, which must pass every check (as `loadCheckedProject`: a `ConfigError` lists every problem). Files
 * that passed before, checked by the same code, are not checked again: their verdict is in the content cache, so
 * only the parse is repeated. A project with problems is never cached: each command names them again.
 */
export function checkedProject(files: ProjectFiles, root = '.'): Project {
  const verdict = `checked-${projectVersion(files)}`;
  if (readCached(verdict) === CLEAN) {
    const { project, problems } = parseProject(files, root);
    if (problems.length === 0) return project;
  }
  const { project, problems } = checkProjectFiles(files, root);
  if (problems.length > 0) throw new ConfigError(problems);
  writeCached(verdict, CLEAN);
  return project;
}
