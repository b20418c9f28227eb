import { z } from 'zod';
import { type SourceState, sourceStateSchema, stateKey } from './connectors/pull-state.ts';
import { resourceNames } from './model/names.ts';
import { environment, type Project } from './model/project.ts';
import { identifier } from './model/schemas.ts';
import type { ControlStore, ObjectLister } from './ports.ts';
import { prepareTransform } from './transform.ts';
import {
  capWindow,
  type DayWindow,
  eventWindow,
  isEmptyWindow,
  lateArrivals,
  MAX_DAYS_PER_RUN,
  objectsInWindow,
  partitionDay,
  pulledThroughDay,
  type Watermark,
  watermarkKey,
} from './window.ts';

export const replaySchema = z.object({ from: z.string(), to: z.string() }).nullish();

export const prepareEventInputSchema = z.object({
  run_id: z.string().min(1),
  product_family: identifier,
  event_name: identifier,
  replay: replaySchema,
  complete_through: z.string().nullish(),
});

export interface PreparedEvent {
  readonly product_family: string;
  readonly event_name: string;
  readonly window: DayWindow;
  /** True when the window holds no raw file: no query runs, nothing is scanned. */
  readonly skip: boolean;
  /** Empties the event's incoming table; empty when skipped. */
  readonly clear_query: string;
  /** The transform's query into the incoming table, with `?` for the window's bounds; empty when skipped. */
  readonly load_query: string;
  /** Athena ExecutionParameters of `load_query`: SQL literals for its `?` markers, in order. */
  readonly load_parameters: readonly string[];
  /** MERGE of the incoming table into the stage table (no parameters: Athena takes none in MERGE); empty when skipped. */
  readonly merge_query: string;
  /**
   * Delivery days with data past the window, left for the next run: a window holds at most `MAX_DAYS_PER_RUN` days
   * (a first run over a long history catches up over several runs).
   */
  readonly deferred_days: number;
  readonly raw_partitions: number;
  readonly raw_files: number;
  readonly raw_bytes: number;
  /** Files that arrived in already-committed days: not read by this run, reported so nothing is lost silently. */
  readonly late_files: number;
  readonly late_file_sample: readonly string[];
  /** The delivery days the late files are in, sorted: what a backfill should cover. */
  readonly late_days: readonly string[];
}

export interface PrepareEventDeps {
  readonly environment: string;
  readonly projectForRun: (runId: string) => Promise<Project>;
  readonly control: ControlStore;
  readonly objects: ObjectLister;
  /** The raw bucket's name (in AWS it carries the account id; locally it is the folder name). */
  readonly rawBucket: string;
  readonly now: () => Date;
}

/** A backfill asks for more delivery days than one statement may write; it names where to split it. */
export class WindowTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WindowTooLargeError';
  }
}

export class UnknownEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownEventError';
  }
}

/** An Athena parameter is a SQL literal: strings go in quotes. */
export function athenaLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * For a raw table an API source's pulls fill, the last day only completed pulls wrote (undefined for files, which
 * the clock settles). A pull state in an unexpected shape counts as no completed pull: the clock decides.
 */
async function pulledThrough(control: ControlStore, project: Project, rawTable: string): Promise<string | null> {
  for (const source of project.apiSources.values()) {
    if (!source.endpoints.some((endpoint) => endpoint.raw_table === rawTable)) continue;
    const stored = await control.get<SourceState>(stateKey(source.source));
    const state = sourceStateSchema.safeParse(stored?.value);
    return (state.success && pulledThroughDay(state.data)) || null;
  }
  return null;
}

/** Works out an event's window from its watermark and the clock (or the replay asked for) and renders its statements. */
export async function prepareEvent(
  deps: PrepareEventDeps,
  input: z.infer<typeof prepareEventInputSchema>,
): Promise<PreparedEvent> {
  const project = await deps.projectForRun(input.run_id);
  const names = resourceNames(environment(project, deps.environment));
  const entry = project.familyEvents.get(input.product_family)?.events.find((e) => e.event_name === input.event_name);
  if (!entry) throw new UnknownEventError(`event "${input.event_name}" is not in family "${input.product_family}"`);
  const rawTable = project.rawTables.get(input.event_name);
  if (!rawTable) throw new UnknownEventError(`event "${input.event_name}" has no raw table`);

  const watermark = await deps.control.get<Watermark>(watermarkKey(input.event_name));
  const wanted = eventWindow({
    watermark: watermark?.value.through,
    now: deps.now(),
    latenessHours: entry.lateness_hours,
    replay: input.replay ?? null,
    completeThrough: input.complete_through ?? null,
    pulledThrough: await pulledThrough(deps.control, project, input.event_name),
  });
  const objects = await deps.objects.listObjects(deps.rawBucket, `${rawTable.location}/`);
  const wantedContents = objectsInWindow(objects, wanted);
  const days = wantedContents.partitions;
  if (input.replay && days.length > MAX_DAYS_PER_RUN) {
    throw new WindowTooLargeError(
      `the backfill of ${input.event_name} covers ${days.length} delivery days with data (${days[0]} to ${days.at(-1)}); one run writes at most ${MAX_DAYS_PER_RUN} (Athena's open partition writers per statement): backfill up to ${days[MAX_DAYS_PER_RUN - 1]} first, then the rest`,
    );
  }
  const { window, deferredDays } = capWindow(wanted, days);
  const contents = deferredDays === 0 ? wantedContents : objectsInWindow(objects, window);
  const late = input.replay ? [] : lateArrivals(objects, watermark?.value);
  const skip = isEmptyWindow(window) || contents.objects === 0;
  const prepared = skip ? undefined : prepareTransform(project, names, input.event_name, window);
  return {
    product_family: input.product_family,
    event_name: input.event_name,
    window,
    skip,
    clear_query: prepared?.clear ?? '',
    load_query: prepared?.load.sql ?? '',
    load_parameters: (prepared?.load.parameters ?? []).map(athenaLiteral),
    merge_query: prepared?.merge ?? '',
    deferred_days: deferredDays,
    raw_partitions: contents.partitions.length,
    raw_files: contents.objects,
    raw_bytes: contents.bytes,
    late_files: late.length,
    late_file_sample: late.slice(0, 5).map((o) => o.key),
    late_days: [...new Set(late.map((o) => partitionDay(o.key)).filter((day) => day !== undefined))].sort(),
  };
}
