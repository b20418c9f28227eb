import type { Project } from './loader.ts';
import type { Problem } from './problems.ts';

/** Cross-references of API sources (endpoints, raw datasets, schedules, ...). */
export function checkApiSources(_project: Project): Problem[] {
  return [];
}
