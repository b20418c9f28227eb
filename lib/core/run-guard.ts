import type { Lease, LeaseAttempt } from './ports.ts';
/**
 * The run guard: a lease (mutex with expiry and heartbeat) that keeps two pipeline runs from working on the same
 * data at once. This file holds the pure decisions both `ControlStore` adapters share, so DynamoDB and the local
 * folder agree on when a lease is free, lapsed or ours, and the answers the guard Lambda returns.
 */

/** The lease every raw-to-stage run must hold from guard to release. */
export const RAW_TO_STAGE_LEASE = 'raw-to-stage';

/** Thrown by `renewLease` when another holder has taken the lease, or it is gone: the run must stop writing. */
export class LeaseLostError extends Error {
  constructor(
    readonly lease: string,
    readonly holder: string,
    readonly currentHolder: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `lease "${lease}" is no longer held by ${holder}: ${
        currentHolder === undefined ? 'nobody holds it (released or expired and removed)' : `${currentHolder} holds it`
      }`,
      options,
    );
    this.name = 'LeaseLostError';
  }
}

/**
 * Thrown by `ControlStore.put` when the stored version is not the one the writer read: someone else wrote in
 * between, so the writer must re-read and decide again rather than overwrite (watermarks, API cursors).
 */
export class VersionConflictError extends Error {
  constructor(
    readonly key: string,
    readonly expectedVersion: number,
    /** 0 when there is no stored value. */
    readonly actualVersion: number,
    options?: { cause?: unknown },
  ) {
    super(
      `value "${key}" was expected at version ${expectedVersion} but is at version ${actualVersion}` +
        (actualVersion === 0 ? ' (it does not exist)' : ''),
      options,
    );
    this.name = 'VersionConflictError';
  }
}

/**
 * Whole seconds since the epoch at or after `date`. DynamoDB TTL needs epoch seconds, and rounding the expiry up
 * means a lease never counts as lapsed before the instant its ISO `expiresAt` names.
 */
export function expiryEpochSeconds(date: Date | string): number {
  return Math.ceil(new Date(date).getTime() / 1000);
}

/** Whole seconds since the epoch at or before `now`: the clock side of the lapse comparison. */
export function nowEpochSeconds(now: Date): number {
  return Math.floor(now.getTime() / 1000);
}

/** A lease lapses once its expiry second is fully in the past; both adapters compare exactly this way. */
export function isLeaseLapsed(lease: Pick<Lease, 'expiresAt'>, now: Date): boolean {
  return expiryEpochSeconds(lease.expiresAt) < nowEpochSeconds(now);
}

function assertPositiveTtl(ttlSeconds: number): void {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`lease ttl must be a positive number of seconds, got ${ttlSeconds}`);
  }
}

/** The lease as it stands after being taken or renewed at `now`. */
export function leaseAt(name: string, holder: string, now: Date, ttlSeconds: number, acquiredAt?: string): Lease {
  assertPositiveTtl(ttlSeconds);
  return {
    name,
    holder,
    acquiredAt: acquiredAt ?? now.toISOString(),
    renewedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
  };
}

/**
 * Who gets the lease: a new tenure when it is free or lapsed (even if the lapsed one was ours: the gap means
 * someone else could have run), the same tenure extended when it is ours and live, otherwise a refusal.
 */
export function decideAcquire(
  current: Lease | undefined,
  name: string,
  holder: string,
  now: Date,
  ttlSeconds: number,
): LeaseAttempt {
  if (current === undefined || isLeaseLapsed(current, now)) {
    return { acquired: true, lease: leaseAt(name, holder, now, ttlSeconds) };
  }
  if (current.holder === holder) {
    return { acquired: true, lease: leaseAt(name, holder, now, ttlSeconds, current.acquiredAt) };
  }
  return { acquired: false, current };
}

/**
 * The heartbeat: extends the lease when we still hold it. A lapsed lease nobody took is still ours to renew, as in
 * DynamoDB, where the condition is on the holder only.
 */
export function decideRenew(
  current: Lease | undefined,
  name: string,
  holder: string,
  now: Date,
  ttlSeconds: number,
): Lease {
  if (current?.holder !== holder) throw new LeaseLostError(name, holder, current?.holder);
  return leaseAt(name, holder, now, ttlSeconds, current.acquiredAt);
}

/** The message a refused run reports, naming the run in its way so an operator can find it. */
export function runInProgressMessage(current: Lease): string {
  return `a run is already in progress: ${current.holder} since ${current.acquiredAt} (lease expires ${current.expiresAt})`;
}

/** The guard's answer to `acquire`, in the snake_case the state machine reads with JSONPath. */
export type GuardAcquireAnswer =
  | {
      readonly acquired: true;
      readonly run_id: string;
      readonly lease: string;
      readonly since: string;
      readonly expires_at: string;
    }
  | {
      readonly acquired: false;
      readonly run_id: string;
      readonly holder_run_id: string;
      readonly since: string;
      readonly expires_at: string;
      readonly message: string;
    };

export interface GuardRenewAnswer {
  readonly renewed: true;
  readonly expires_at: string;
}

export interface GuardReleaseAnswer {
  readonly released: true;
}

export function guardAcquireAnswer(runId: string, attempt: LeaseAttempt): GuardAcquireAnswer {
  if (attempt.acquired) {
    return {
      acquired: true,
      run_id: runId,
      lease: attempt.lease.name,
      since: attempt.lease.acquiredAt,
      expires_at: attempt.lease.expiresAt,
    };
  }
  return {
    acquired: false,
    run_id: runId,
    holder_run_id: attempt.current.holder,
    since: attempt.current.acquiredAt,
    expires_at: attempt.current.expiresAt,
    message: runInProgressMessage(attempt.current),
  };
}

export function guardRenewAnswer(lease: Lease): GuardRenewAnswer {
  return { renewed: true, expires_at: lease.expiresAt };
}
