/**
 * The run guard Lambda: the first and last Task of the raw-to-stage state machine. `acquire` takes the lease or
 * says who holds it, `renew` is the heartbeat, `release` gives the lease up. Answers are snake_case for JSONPath.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { parseEvent } from '../../lib/core/lambda-event.ts';
import type { ControlStore } from '../../lib/core/ports.ts';
import {
  type GuardAcquireAnswer,
  type GuardReleaseAnswer,
  type GuardRenewAnswer,
  guardAcquireAnswer,
  guardRenewAnswer,
  LeaseLostError,
  RAW_TO_STAGE_LEASE,
} from '../../lib/core/run-guard.ts';
import { DynamoDbControlStore } from '../../lib/engines/aws/dynamodb-control-store.ts';
import { requireEnv, requirePositiveIntegerEnv } from '../../lib/engines/aws/env.ts';
import { lambdaEntry } from '../shared/lambda-entry.ts';
import { RUN_GUARD_ENV } from './env.ts';

export const RunGuardEventSchema = z.object({
  action: z.enum(['acquire', 'renew', 'release']),
  /** The state machine's execution name: unique per run, and what a refused run reports as the holder. */
  run_id: z.string().min(1),
  /** @default 'raw-to-stage' */
  lease: z.string().min(1).optional(),
});

export type RunGuardEvent = z.infer<typeof RunGuardEventSchema>;
export type RunGuardAnswer = GuardAcquireAnswer | GuardRenewAnswer | GuardReleaseAnswer;

export interface RunGuardDeps {
  readonly control: ControlStore;
  /** How long a lease lives without a heartbeat (environment `orchestration.lease_seconds`). */
  readonly leaseSeconds: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default a Powertools logger for service `run-guard` */
  readonly logger?: Logger;
}

/** The guard bound to its ports: the Lambda binds DynamoDB, the local twin and tests bind a folder. */
export function makeHandler(deps: RunGuardDeps): (event: unknown) => Promise<RunGuardAnswer> {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger ?? new Logger({ serviceName: 'run-guard' });
  return async (event) => {
    // A malformed event is a wiring bug of the state machine: it fails loudly, naming each bad field.
    const {
      action,
      run_id: runId,
      lease: leaseName = RAW_TO_STAGE_LEASE,
    } = parseEvent('run-guard', RunGuardEventSchema, event);
    switch (action) {
      case 'acquire': {
        const answer = guardAcquireAnswer(
          runId,
          await deps.control.acquireLease(leaseName, runId, now(), deps.leaseSeconds),
        );
        if (answer.acquired) logger.info('lease acquired', { ...answer });
        else logger.warn('run refused: lease held by another run', { lease: leaseName, ...answer });
        return answer;
      }
      case 'renew': {
        try {
          const answer = guardRenewAnswer(await deps.control.renewLease(leaseName, runId, now(), deps.leaseSeconds));
          logger.info('lease renewed', { lease: leaseName, run_id: runId, expires_at: answer.expires_at });
          return answer;
        } catch (error) {
          if (error instanceof LeaseLostError) {
            logger.error('lease lost: this run must stop writing', {
              lease: leaseName,
              run_id: runId,
              holder: error.currentHolder,
            });
          }
          throw error;
        }
      }
      case 'release': {
        await deps.control.releaseLease(leaseName, runId);
        logger.info('lease released (if this run held it)', { lease: leaseName, run_id: runId });
        return { released: true };
      }
    }
  };
}

export const handler = lambdaEntry('run-guard', (logger) =>
  makeHandler({
    control: new DynamoDbControlStore({ tableName: requireEnv(RUN_GUARD_ENV.controlTable) }),
    leaseSeconds: requirePositiveIntegerEnv(RUN_GUARD_ENV.leaseSeconds),
    logger,
  }),
);
