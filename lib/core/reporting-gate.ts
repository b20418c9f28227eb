/**
 * Whether a reporting family's procedure may run after this run's families: not when a family it depends on failed
 * (an event or a quality check), because that family's stage may hold rows that did not pass their checks, and the
 * reporting model keeps what it loads (one row per event_id, first copy wins). The next run, once the family passes,
 * builds it. Pure.
 */
export interface FamilyStatus {
  readonly product_family: string;
  readonly status: string;
}

/** The dependencies that failed in this run, in the order they are declared; empty = the procedure may run. */
export function failedDependencies(dependsOn: readonly string[], families: readonly FamilyStatus[]): string[] {
  const failed = new Set(families.filter((f) => f.status !== 'SUCCEEDED').map((f) => f.product_family));
  return dependsOn.filter((family) => failed.has(family));
}

export function skipReason(procedure: string, failed: readonly string[]): string {
  const names = failed.map((f) => `"${f}"`).join(', ');
  return `${procedure} not called: ${failed.length === 1 ? 'family' : 'families'} ${names} failed in this run, so stage may hold rows that did not pass their checks; the next run that passes builds it`;
}
