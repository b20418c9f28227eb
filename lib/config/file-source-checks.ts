import type { Project } from './loader.ts';
import type { Problem } from './problems.ts';

/** Cross-references of file sources (mappings target real columns, datasets exist, ...). */
export function checkFileSources(_project: Project): Problem[] {
  return [];
}
