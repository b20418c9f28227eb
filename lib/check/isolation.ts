import type { Problem } from '../core/model/problems.ts';
import { PATHS, type Project } from '../core/model/project.ts';

/**
 * What a problem stops: one event, one family's events, one reporting family, every reporting family, or the whole
 * project. A run leaves out what its problems stop and reports it FAILED; only a project-wide problem stops the run.
 */
export type ProblemScope =
  | { readonly kind: 'project' }
  /** A file no run reads: a transform no family lists. */
  | { readonly kind: 'nothing' }
  | { readonly kind: 'event'; readonly event: string }
  | { readonly kind: 'family'; readonly family: string }
  | { readonly kind: 'reporting' }
  | { readonly kind: 'reporting-family'; readonly family: string };

export interface IsolatedProblems {
  /** Problems no part of a run can go on without (an environment, a source, a file no family owns). */
  readonly blocking: readonly Problem[];
  /** Each enabled event of an enabled family that cannot run, with its problems. */
  readonly events: ReadonlyMap<string, readonly Problem[]>;
  /** Each enabled reporting family whose procedure cannot be called, with its problems. */
  readonly reporting: ReadonlyMap<string, readonly Problem[]>;
  /** Problems of disabled events or families, or of files no run reads: `dap check` names them; they stop nothing. */
  readonly disabled: readonly Problem[];
}

/** Where a problem's file (and path in it) says it belongs. */
export function scopeOf(problem: Problem, project: Project): ProblemScope {
  const { file, at = '' } = problem;
  const inFolder = (folder: string, suffix: string) =>
    file.startsWith(`${folder}/`) && file.endsWith(suffix) && !file.slice(folder.length + 1).includes('/')
      ? file.slice(folder.length + 1, -suffix.length)
      : undefined;
  const index = Number(/^\[(\d+)\]/.exec(at)?.[1] ?? Number.NaN);

  const transform = inFolder(PATHS.insertInto, '.sql');
  if (transform !== undefined) {
    return familyOf(project, transform) === undefined ? { kind: 'nothing' } : { kind: 'event', event: transform };
  }

  if (file === PATHS.productFamilies) {
    const family = project.families[index]?.product_family;
    return family ? { kind: 'family', family } : { kind: 'project' };
  }
  const events = inFolder(PATHS.processScripts, '_config.json');
  if (events !== undefined) {
    const event = project.familyEvents.get(events)?.events[index]?.event_name;
    if (event !== undefined) return { kind: 'event', event };
    return project.families.some((f) => f.product_family === events)
      ? { kind: 'family', family: events }
      : { kind: 'project' };
  }
  const stage = inFolder(PATHS.stageTables, '.json');
  if (stage !== undefined && project.families.some((f) => f.product_family === stage)) {
    return { kind: 'family', family: stage };
  }
  if (inFolder(PATHS.rawTables, '.json') !== undefined) {
    const table = /^tables\.([a-z][a-z0-9_]*)/.exec(at)?.[1];
    if (table !== undefined && familyOf(project, table) !== undefined) return { kind: 'event', event: table };
    return { kind: 'project' };
  }

  if (file === PATHS.reportingFamilies) {
    const family = project.reportingFamilies[index]?.product_family;
    return family ? { kind: 'reporting-family', family } : { kind: 'reporting' };
  }
  const procedure = inFolder(PATHS.warehouseProcedures, '.sql');
  if (procedure !== undefined) {
    const family = procedure.startsWith('sp_') ? procedure.slice(3) : undefined;
    return family && project.reportingFamilies.some((f) => f.product_family === family)
      ? { kind: 'reporting-family', family }
      : { kind: 'reporting' };
  }
  if (file.startsWith(`${PATHS.warehouseMigrations}/`)) return { kind: 'reporting' };
  return { kind: 'project' };
}

/** Sorts the project's problems by what they stop (see `scopeOf`). */
export function isolateProblems(project: Project, problems: readonly Problem[]): IsolatedProblems {
  const blocking: Problem[] = [];
  const disabled: Problem[] = [];
  const events = new Map<string, Problem[]>();
  const reporting = new Map<string, Problem[]>();
  const add = <K>(map: Map<K, Problem[]>, key: K, problem: Problem) => map.set(key, [...(map.get(key) ?? []), problem]);
  const enabledReporting = project.reportingFamilies.filter((f) => f.enabled).map((f) => f.product_family);

  for (const problem of problems) {
    const scope = scopeOf(problem, project);
    switch (scope.kind) {
      case 'project':
        blocking.push(problem);
        break;
      case 'nothing':
        disabled.push(problem);
        break;
      case 'event': {
        const family = familyOf(project, scope.event);
        if (family && isEnabledEvent(project, family, scope.event)) add(events, scope.event, problem);
        else disabled.push(problem);
        break;
      }
      case 'family': {
        const runnable = enabledEventsOf(project, scope.family);
        if (runnable.length === 0) disabled.push(problem);
        for (const event of runnable) add(events, event, problem);
        break;
      }
      case 'reporting-family':
        if (enabledReporting.includes(scope.family)) add(reporting, scope.family, problem);
        else disabled.push(problem);
        break;
      case 'reporting':
        if (enabledReporting.length === 0) disabled.push(problem);
        for (const family of enabledReporting) add(reporting, family, problem);
        break;
    }
  }
  return { blocking, events, reporting, disabled };
}

function familyOf(project: Project, event: string): string | undefined {
  for (const [family, file] of project.familyEvents) {
    if (file.events.some((e) => e.event_name === event)) return family;
  }
  return undefined;
}

function isEnabledEvent(project: Project, family: string, event: string): boolean {
  return enabledEventsOf(project, family).includes(event);
}

function enabledEventsOf(project: Project, family: string): string[] {
  if (!project.families.some((f) => f.product_family === family && f.enabled)) return [];
  return (project.familyEvents.get(family)?.events ?? []).filter((e) => e.enabled).map((e) => e.event_name);
}
