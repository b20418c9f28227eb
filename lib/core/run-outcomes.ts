import { z } from 'zod';
import { identifier } from './model/schemas.ts';
import type { ObjectStore } from './ports.ts';
import {
  type CaughtError,
  caughtErrorSchema,
  clipped,
  type FamilyOutcome,
  familyOutcomeSchema,
  type ReportingOutcome,
} from './run-report.ts';

/**
 * What a run keeps beside its state, under one prefix per run in the process-results bucket: each family's whole
 * outcome and each long error. Step Functions refuses a state over 256 KiB, so the state machine carries only a
 * summary per family and the start of each long cause; the report step reads the rest back, and the report holds
 * every event's status and every error whole.
 */

/** How much of a caught error's Cause a state carries; a longer one is kept whole under `cause_key`. */
export const CAUSE_IN_STATE_MAX_CHARS = 1_000;

/** An execution name: unique per run, and a single segment of an object key. */
export const runIdSchema = z
  .string()
  .min(1)
  .regex(/^[^/]+$/, { error: 'expected a run id with no "/"' });

/** What a caught error is of: one event of a family, a reporting family's procedure, or the warehouse migration. */
export const errorSubjectSchema = z.discriminatedUnion('of', [
  z.object({ of: z.literal('event'), product_family: identifier, event_name: identifier }),
  z.object({ of: z.literal('procedure'), product_family: identifier }),
  z.object({ of: z.literal('migration') }),
]);
export type ErrorSubject = z.infer<typeof errorSubjectSchema>;

/** What the families Map keeps of a family: its status, and where its whole outcome is. */
export const familyRecordSchema = z.object({
  product_family: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  outcome_key: z.string(),
});
export type FamilyRecord = z.infer<typeof familyRecordSchema>;

/** Where every run keeps its outcomes in the process-results bucket, one prefix below per run. */
export const RUN_OUTCOMES_PREFIX = 'run_outcomes/';

export function runOutcomesPrefix(runId: string): string {
  return `${RUN_OUTCOMES_PREFIX}${runIdSchema.parse(runId)}/`;
}

export function familyOutcomeKey(runId: string, family: string): string {
  return `${runOutcomesPrefix(runId)}families/${identifier.parse(family)}.json`;
}

export function errorKey(runId: string, subject: ErrorSubject): string {
  const of = errorSubjectSchema.parse(subject);
  const prefix = `${runOutcomesPrefix(runId)}errors/`;
  switch (of.of) {
    case 'event':
      return `${prefix}events/${of.product_family}/${of.event_name}.json`;
    case 'procedure':
      return `${prefix}procedures/${of.product_family}.json`;
    case 'migration':
      return `${prefix}migration.json`;
  }
}

/**
 * What a state carries of a caught error: the error itself when its Cause is short; else the start of the Cause
 * and `cause_key`, the object the whole error is stored at.
 */
export async function keepError(
  store: ObjectStore,
  bucket: string,
  runId: string,
  subject: ErrorSubject,
  error: CaughtError,
): Promise<CaughtError> {
  const cause = error.Cause;
  if (cause === undefined || cause.length <= CAUSE_IN_STATE_MAX_CHARS) return error;
  const key = errorKey(runId, subject);
  await store.put(bucket, key, JSON.stringify({ Error: error.Error, Cause: cause }));
  return { Error: error.Error, Cause: clipped(cause, CAUSE_IN_STATE_MAX_CHARS), cause_key: key };
}

/** Stores a family's whole outcome (its events, checks, commits) and returns what the families Map keeps of it. */
export async function keepFamilyOutcome(
  store: ObjectStore,
  bucket: string,
  runId: string,
  outcome: FamilyOutcome,
): Promise<FamilyRecord> {
  const key = familyOutcomeKey(runId, outcome.product_family);
  await store.put(bucket, key, JSON.stringify(outcome));
  return { product_family: outcome.product_family, status: outcome.status, outcome_key: key };
}

/** Reads each kept object once, however many outcomes point to it (one migration error fails every procedure). */
class KeptObjects {
  private readonly read = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: ObjectStore,
    private readonly bucket: string,
  ) {}

  get(key: string): Promise<unknown> {
    let value = this.read.get(key);
    if (!value) {
      value = this.store
        .get(this.bucket, key)
        .then((body) => (body === undefined ? undefined : JSON.parse(new TextDecoder().decode(body))));
      this.read.set(key, value);
    }
    return value;
  }

  /** The whole error a bounded one points to; the bounded one when the object is gone. */
  async error(error: CaughtError | undefined): Promise<CaughtError | undefined> {
    if (error?.cause_key === undefined) return error;
    const whole = await this.get(error.cause_key);
    return whole === undefined ? error : caughtErrorSchema.parse(whole);
  }
}

/**
 * The families' whole outcomes, every error whole, for the report: a kept family is read from its key, one carried
 * in the state (its recording failed) is taken as it is. A kept outcome that is gone fails its family, saying so.
 */
export async function readFamilyOutcomes(
  store: ObjectStore,
  bucket: string,
  families: readonly (FamilyRecord | FamilyOutcome)[],
): Promise<FamilyOutcome[]> {
  const kept = new KeptObjects(store, bucket);
  return Promise.all(
    families.map(async (family) => {
      const outcome = 'outcome_key' in family ? await keptOutcome(kept, family) : family;
      const events = await Promise.all(
        outcome.events.map(async (event) => withError(event, await kept.error(event.error))),
      );
      return withError({ ...outcome, events }, await kept.error(outcome.error));
    }),
  );
}

async function keptOutcome(kept: KeptObjects, family: FamilyRecord): Promise<FamilyOutcome> {
  const whole = await kept.get(family.outcome_key);
  if (whole !== undefined) return familyOutcomeSchema.parse(whole);
  return {
    product_family: family.product_family,
    status: 'FAILED',
    events: [],
    checks: [],
    committed: [],
    error: { Error: 'dap.OutcomeMissing', Cause: `the family's outcome is not at ${family.outcome_key}` },
  };
}

/** The reporting families' outcomes, every error whole. */
export async function readReportingOutcomes(
  store: ObjectStore,
  bucket: string,
  reporting: readonly ReportingOutcome[],
): Promise<ReportingOutcome[]> {
  const kept = new KeptObjects(store, bucket);
  return Promise.all(reporting.map(async (outcome) => withError(outcome, await kept.error(outcome.error))));
}

function withError<T extends { readonly error?: CaughtError }>(outcome: T, error: CaughtError | undefined): T {
  return error === undefined ? outcome : { ...outcome, error };
}
