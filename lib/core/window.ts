import { ATHENA_OPEN_PARTITION_WRITERS } from './athena-limits.ts';
import type { StoredObject } from './ports.ts';

/**
 * Incremental windows. Raw data is partitioned by delivery day; a run processes, per event, the delivery days
 * `(from, to]`: `from` is the event's committed watermark (the last day already in stage), `to` the last day
 * complete enough to read, i.e. the day before `now - lateness` (a day's partition can still receive files until
 * the delivery stream's buffer has flushed after midnight). Days are `YYYY-MM-DD` strings, compared as text.
 */
export interface DayWindow {
  /** Exclusive lower bound, a day already processed (or `0000-00-00` for "from the beginning"). */
  readonly from: string;
  /** Inclusive upper bound. */
  readonly to: string;
  /**
   * Present when the window reaches past the last settled day because a pull that wrote those days has completed:
   * the days after `settled` are read now but not committed, so each run reads them again (stage writes converge)
   * until the clock settles them, and pages a later pull adds to them are never late.
   */
  readonly settled?: string;
}

export const BEGINNING = '0000-00-00';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export class InvalidWindowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidWindowError';
  }
}

export function isDay(value: string): boolean {
  return DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The last delivery day whose partition is complete at `now`, given how late files may still arrive. */
export function lastCompleteDay(now: Date, latenessHours: number): string {
  const settled = new Date(now.getTime() - latenessHours * 3_600_000);
  return addDays(settled.toISOString().slice(0, 10), -1);
}

/**
 * The window an event processes: from its watermark to the last complete day, or, in a replay (backfill), exactly
 * the days asked for. Empty (`from >= to`) when there is nothing new.
 */
export function eventWindow(input: {
  readonly watermark: string | undefined;
  readonly now: Date;
  readonly latenessHours: number;
  readonly replay?: { readonly from: string; readonly to: string } | null;
  /** Days up to this one count as complete whatever the clock says (never fewer than the clock gives). */
  readonly completeThrough?: string | null;
  /** For a raw table an API source fills: the last day all of whose pages come from completed pulls. */
  readonly pulledThrough?: string | null;
}): DayWindow {
  if (input.replay) return replayWindow(input.replay);
  const clock = lastCompleteDay(input.now, input.latenessHours);
  const settled = input.completeThrough && input.completeThrough > clock ? input.completeThrough : clock;
  const from = input.watermark ?? BEGINNING;
  if (input.pulledThrough && input.pulledThrough > settled) return { from, to: input.pulledThrough, settled };
  return { from, to: settled };
}

/** The last day of a window its run may commit: the watermark never passes a day only a pull made complete. */
export function committableDay(window: DayWindow): string {
  return window.settled !== undefined && window.settled < window.to ? window.settled : window.to;
}

/**
 * The last delivery day of an API source's raw pages that only completed pulls wrote, from its pull state: pages land
 * in the day their pull started, so the day of the last complete pull, unless a pull still running started that day.
 */
export function pulledThroughDay(state: {
  readonly last_complete?: { readonly started_at: string } | undefined;
  readonly active?: { readonly started_at: string } | undefined;
}): string | undefined {
  if (!state.last_complete) return undefined;
  const complete = state.last_complete.started_at.slice(0, 10);
  const running = state.active?.started_at.slice(0, 10);
  return running !== undefined && running <= complete ? addDays(complete, -1) : complete;
}

/** The window of a backfill of the delivery days `from`..`to`, both included. */
export function replayWindow(replay: { readonly from: string; readonly to: string }): DayWindow {
  const { from, to } = replay;
  if (!isDay(from) || !isDay(to)) throw new InvalidWindowError(`replay days must be YYYY-MM-DD, got ${from} and ${to}`);
  if (from > to) throw new InvalidWindowError(`replay starts (${from}) after it ends (${to})`);
  return { from: addDays(from, -1), to };
}

export function isEmptyWindow(window: DayWindow): boolean {
  return window.from >= window.to;
}

/**
 * The delivery day of a raw object, from its hive partitions: `year=/month=/day=`, or a single partition holding
 * a date (`ingest_date=2024-01-15`). Undefined for a key outside any day partition.
 */
export function partitionDay(key: string): string | undefined {
  const values = new Map<string, string>();
  for (const segment of key.split('/')) {
    const match = /^([a-z_][a-z0-9_]*)=([^/]+)$/.exec(segment);
    if (match?.[1] && match[2]) values.set(match[1], decodeURIComponent(match[2]));
  }
  const [year, month, day] = [values.get('year'), values.get('month'), values.get('day')];
  if (year && month && day) return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  return [...values.values()].find((v) => DAY.test(v));
}

export interface WindowContents {
  /** Delivery days with at least one object in the window. */
  readonly partitions: readonly string[];
  readonly objects: number;
  readonly bytes: number;
}

export function objectsInWindow(objects: readonly StoredObject[], window: DayWindow): WindowContents {
  const days = new Set<string>();
  let count = 0;
  let bytes = 0;
  for (const object of objects) {
    const day = partitionDay(object.key);
    if (day === undefined || day <= window.from || day > window.to) continue;
    days.add(day);
    count++;
    bytes += object.size;
  }
  return { partitions: [...days].sort(), objects: count, bytes };
}

/**
 * Delivery days one run may read per event: each becomes a partition of the stage table, and Athena keeps at most
 * 100 partition writers open per INSERT or MERGE (ICEBERG_TOO_MANY_OPEN_PARTITIONS past them).
 */
export const MAX_DAYS_PER_RUN = ATHENA_OPEN_PARTITION_WRITERS;

/**
 * A window cut to its first `maxDays` delivery days that hold data (`days`: those of the window, sorted), so a
 * first run over years of raw data catches up over several runs instead of failing; the days left are counted.
 * A cut window is wholly committable: it ends before any day a pull alone made complete.
 */
export function capWindow(
  window: DayWindow,
  days: readonly string[],
  maxDays: number = MAX_DAYS_PER_RUN,
): { readonly window: DayWindow; readonly deferredDays: number } {
  if (days.length <= maxDays) return { window, deferredDays: 0 };
  const to = days[maxDays - 1] as string;
  const settled = window.settled !== undefined && window.settled < to ? window.settled : undefined;
  return {
    window: settled === undefined ? { from: window.from, to } : { from: window.from, to, settled },
    deferredDays: days.length - maxDays,
  };
}

/**
 * Files that arrived in a day partition after that day was committed: outside the lateness the pipeline waits for,
 * so no incremental run will read them. They are reported, never silently lost; a backfill loads them.
 */
export function lateArrivals(
  objects: readonly StoredObject[],
  committed: { readonly through: string; readonly at: string } | undefined,
): StoredObject[] {
  if (!committed) return [];
  const committedAt = Date.parse(committed.at);
  return objects.filter((object) => {
    const day = partitionDay(object.key);
    return day !== undefined && day <= committed.through && object.lastModified.getTime() > committedAt;
  });
}

/** Where an event's watermark lives in the control store. */
export function watermarkKey(eventName: string): string {
  return `watermark/raw-to-stage/${eventName}`;
}

export interface Watermark {
  /** The last delivery day in stage. */
  readonly through: string;
  /** When it was committed, ISO. */
  readonly at: string;
  readonly run_id: string;
}
