import type { Project } from './project.ts';

export interface PlannedFamily {
  readonly productFamily: string;
  readonly events: readonly string[];
}

/**
 * The work of a run: enabled families, in config order, each with its enabled events. `only` limits the run to
 * some families (they must still be enabled).
 */
export function enabledFamilies(project: Project, only?: readonly string[]): PlannedFamily[] {
  return project.families
    .filter((f) => f.enabled && (only === undefined || only.includes(f.product_family)))
    .map((f) => ({
      productFamily: f.product_family,
      events: (project.familyEvents.get(f.product_family)?.events ?? [])
        .filter((e) => e.enabled)
        .map((e) => e.event_name),
    }));
}
