import { z } from 'zod';

/**
 * A source's progress, kept in the control store under `api/<source>/pull` and written after every page that has
 * landed in raw. A pull is a walk over a queue of tasks (an endpoint, its parent record, the next page); it may span
 * several runs and ends when the queue is empty, which commits the changed-since watermarks.
 */

const taskSchema = z.object({
  endpoint: z.string(),
  /** Path parameters from the parent record (empty for a root endpoint). */
  parent: z.record(z.string(), z.string()),
  /** 1-based page number within this endpoint and parent. */
  page: z.number().int().min(1),
  /** The request of that page, relative to the base URL. */
  ref: z.string(),
});
export type PullTask = z.infer<typeof taskSchema>;

const activePullSchema = z.object({
  id: z.string(),
  started_at: z.string(),
  /** The changed-since value each incremental endpoint sends during this pull, fixed at its start. */
  since: z.record(z.string(), z.string()),
  tasks: z.array(taskSchema),
  pages_written: z.number().int(),
  records_written: z.number().int(),
});
export type ActivePull = z.infer<typeof activePullSchema>;

export const sourceStateSchema = z.object({
  pulls_started: z.number().int().default(0),
  /** Per incremental endpoint: when the last complete pull started (ISO). */
  watermarks: z.record(z.string(), z.string()).default({}),
  active: activePullSchema.optional(),
  last_complete: z
    .object({
      id: z.string(),
      started_at: z.string(),
      finished_at: z.string(),
      pages: z.number().int(),
      records: z.number().int(),
    })
    .optional(),
});
export type SourceState = z.infer<typeof sourceStateSchema>;

export function stateKey(source: string): string {
  return `api/${source}/pull`;
}

/** `20240115T093000Z-000007`: sortable, readable, and unique per source (the counter lives in the state). */
export function pullId(startedAt: Date, sequence: number): string {
  const stamp = startedAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `${stamp}-${String(sequence).padStart(6, '0')}`;
}
