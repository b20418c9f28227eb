import { z } from 'zod';
import { enabledFamilies } from './model/plan.ts';
import { formatProblem, type Problem } from './model/problems.ts';
import { PATHS, type Project } from './model/project.ts';
import { procedureNameForFamily, procedureSignature } from './procedure-call.ts';
import { replayWindow } from './window.ts';

/** The state machine's execution input: from the schedule (`{"trigger":"schedule"}`), `dap run`, or by hand. */
export const runInputSchema = z.object({
  trigger: z.string().default('manual'),
  /** Only these families (each must be enabled); null or absent = every enabled family. */
  families: z.array(z.string()).nullish(),
  /** Only these events of those families (each must be enabled); null or absent = every enabled event. */
  events: z.array(z.string()).nullish(),
  /** A backfill: re-process exactly these delivery days, idempotently, without moving watermarks. */
  replay: z.object({ from: z.string(), to: z.string() }).nullish(),
  /**
   * Treat delivery days up to this one (YYYY-MM-DD) as complete, today's partial day too: the window runs to it
   * even before midnight plus lateness. Watermarks move to it, so files landing later in those days are late.
   */
  complete_through: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a day YYYY-MM-DD' })
    .nullish(),
});
export type RunInput = z.infer<typeof runInputSchema>;

export interface RunPlan {
  readonly environment: string;
  readonly trigger: string;
  readonly replay: { readonly from: string; readonly to: string } | null;
  /** Delivery days up to this one count as complete (see `runInputSchema`); null: as the clock and lateness say. */
  readonly complete_through: string | null;
  readonly families: readonly { readonly product_family: string; readonly events: readonly string[] }[];
  readonly reporting_families: readonly {
    readonly product_family: string;
    /** Families whose failure in this run means the procedure is not called. */
    readonly depends_on: readonly string[];
    /** Whether `sp_<family>` is called with the run id (`sp_x(run_id varchar)`) or with nothing (`sp_x()`). */
    readonly takes_run_id: boolean;
  }[];
  /** Enabled events this run leaves out because of their config problems: each is reported FAILED with them. */
  readonly blocked: readonly {
    readonly product_family: string;
    readonly event_name: string;
    readonly problem: string;
  }[];
  /** Enabled reporting families whose procedure is not called because of config problems: reported FAILED. */
  readonly reporting_blocked: readonly { readonly product_family: string; readonly problem: string }[];
}

export class UnknownFamilyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownFamilyError';
  }
}

/**
 * Refuses a selection naming a family that is not there or not enabled, or an event that is not an enabled event of
 * the families selected, with the closest known name; what `planRun` and the CLI (before it opens anything) check.
 */
export function checkRunSelection(
  project: Project,
  families: readonly string[] | undefined,
  events: readonly string[] | undefined,
): void {
  const known = project.families.filter((f) => f.enabled).map((f) => f.product_family);
  for (const name of families ?? []) {
    const family = project.families.find((f) => f.product_family === name);
    if (!family) {
      throw new UnknownFamilyError(
        `family "${name}" is not in product_family_config.json${suggestion(name, known)} (enabled: ${known.join(', ') || 'none'})`,
      );
    }
    if (!family.enabled) throw new UnknownFamilyError(`family "${name}" is disabled in product_family_config.json`);
  }
  const covered = enabledFamilies(project, families).flatMap((f) => f.events);
  for (const name of events ?? []) {
    if (!covered.includes(name)) {
      throw new UnknownFamilyError(
        `event "${name}" is not an enabled event of the families this run covers${suggestion(name, covered)}`,
      );
    }
  }
}

/** `: did you mean "x"?` for the known name within two edits of `name`, or nothing. */
function suggestion(name: string, known: readonly string[]): string {
  const close = known
    .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
    .filter(({ distance }) => distance <= 2)
    .sort((a, b) => a.distance - b.distance)[0];
  return close ? `: did you mean "${close.candidate}"?` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** Which families, events and reporting families a run does. Small on purpose: names only, never SQL text. */
export function planRun(project: Project, environment: string, input: RunInput): RunPlan {
  const only = input.families ?? undefined;
  const onlyEvents = input.events ?? undefined;
  checkRunSelection(project, only, onlyEvents);
  const blockedEvents = project.blocked?.events ?? new Map();
  const wanted = enabledFamilies(project, only).map((f) => ({
    product_family: f.productFamily,
    events: onlyEvents ? f.events.filter((e) => onlyEvents.includes(e)) : f.events,
  }));
  const families = wanted.map((f) => ({ ...f, events: f.events.filter((e) => !blockedEvents.has(e)) }));
  const blocked = wanted.flatMap((f) =>
    f.events
      .filter((e) => blockedEvents.has(e))
      .map((event_name) => ({
        product_family: f.product_family,
        event_name,
        problem: problemsText(blockedEvents.get(event_name) ?? []),
      })),
  );
  const blockedReporting = project.blocked?.reporting ?? new Map();
  const reporting = only ? [] : project.reportingFamilies.filter((f) => f.enabled);
  if (input.replay) replayWindow(input.replay);
  return {
    environment,
    trigger: input.trigger,
    replay: input.replay ?? null,
    complete_through: input.complete_through ?? null,
    families: families.filter((f) => f.events.length > 0),
    // A run limited to some families leaves the reporting model alone: it would be built from partial stage data.
    reporting_families: reporting
      .filter((f) => !blockedReporting.has(f.product_family))
      .map((f) => ({
        product_family: f.product_family,
        depends_on: f.depends_on,
        takes_run_id: takesRunId(project, f.product_family),
      })),
    blocked,
    reporting_blocked: reporting
      .filter((f) => blockedReporting.has(f.product_family))
      .map((f) => ({
        product_family: f.product_family,
        problem: problemsText(blockedReporting.get(f.product_family) ?? []),
      })),
  };
}

/** A part's config problems as one line: the first three, and how many more. */
function problemsText(problems: readonly Problem[]): string {
  const shown = problems.slice(0, 3).map(formatProblem).join('; ');
  return problems.length > 3 ? `${shown} (and ${problems.length - 3} more: run dap check)` : shown;
}

/** How the checked project's procedure for a reporting family is called (a project that fails the check never runs). */
function takesRunId(project: Project, family: string): boolean {
  const procedure = procedureNameForFamily(family);
  const script = project.warehouseScripts.find((s) => s.file === `${PATHS.warehouseProcedures}/${procedure}.sql`);
  const signature = script ? procedureSignature(script.text, procedure) : undefined;
  return signature?.ok ? signature.takesRunId : true;
}
