import { Logger } from '@aws-lambda-powertools/logger';
import { makeHandler as makeCheckFamily } from '../../../lambdas/check-family/handler.ts';
import { makeHandler as makeCommitFamily } from '../../../lambdas/commit-family/handler.ts';
import { makeHandler as makeMigrateWarehouse } from '../../../lambdas/migrate-warehouse/handler.ts';
import { makeHandler as makePlan } from '../../../lambdas/plan/handler.ts';
import { makeHandler as makePrepareTransform } from '../../../lambdas/prepare-transform/handler.ts';
import { makeHandler as makeProcedureRunner } from '../../../lambdas/procedure-runner/handler.ts';
import { makeHandler as makeRecordOutcome } from '../../../lambdas/record-outcome/handler.ts';
import { makeHandler as makeRunGuard } from '../../../lambdas/run-guard/handler.ts';
import { makeHandler as makeWriteReport } from '../../../lambdas/write-report/handler.ts';
import { deployedProjectPerRun } from '../../check/deployed.ts';
import type { FamilyStepInput } from '../../core/family-outcome.ts';
import type { ResourceNames } from '../../core/model/names.ts';
import type { EnvironmentConfig } from '../../core/model/schemas.ts';
import type {
  ControlStore,
  MigratableWarehouse,
  ObjectLister,
  ObjectStore,
  QueryEngine,
  Warehouse,
} from '../../core/ports.ts';
import type { CheckOutcome } from '../../core/run-report.ts';
import { runnableProject } from '../checked-project.ts';

/** The local stand-ins a Lambda handler can be bound to. */
export interface TwinPorts {
  readonly environment: EnvironmentConfig;
  readonly names: ResourceNames;
  readonly store: ObjectStore & ObjectLister;
  readonly engine: QueryEngine;
  readonly control: ControlStore;
  readonly warehouse: Warehouse;
  /** The local Redshift as the migration step's warehouse (the context's `LocalWarehouse`, opened on first use). */
  readonly migratableWarehouse: () => Promise<MigratableWarehouse>;
  readonly now: () => Date;
  readonly runChecks: (input: FamilyStepInput) => Promise<CheckOutcome[]>;
}

export type LocalLambda = (event: unknown) => Promise<unknown>;

const quiet = () => new Logger({ logLevel: 'SILENT' });

/**
 * Each Lambda of the stack, by the `DAP_HANDLER` its function carries, bound to local ports: the same factory the
 * Lambda entry binds to AWS adapters. Config is read from the local metadata bucket, as in AWS.
 */
export function localLambdas(ports: TwinPorts): Readonly<Record<string, LocalLambda>> {
  const { environment, names, store } = ports;
  const projectForRun = deployedProjectPerRun(store, names.buckets.metadata, runnableProject);
  return {
    'run-guard': makeRunGuard({
      control: ports.control,
      leaseSeconds: environment.orchestration.lease_seconds,
      logger: quiet(),
    }),
    plan: makePlan({ environment: environment.name, projectForRun }),
    'prepare-transform': makePrepareTransform({
      environment: environment.name,
      projectForRun,
      control: ports.control,
      objects: store,
      rawBucket: names.buckets.raw,
      now: ports.now,
    }),
    'check-family': makeCheckFamily({ runChecks: ports.runChecks }),
    'commit-family': makeCommitFamily({ control: ports.control, now: ports.now }),
    'procedure-runner': makeProcedureRunner({
      warehouse: ports.warehouse,
      schema: environment.redshift.schema,
      logger: quiet(),
    }),
    'migrate-warehouse': makeMigrateWarehouse({
      environment: environment.name,
      projectForRun,
      warehouse: ports.migratableWarehouse,
    }),
    'record-outcome': makeRecordOutcome({ store, processResultsBucket: names.buckets.processResults }),
    'write-report': makeWriteReport({
      environment: environment.name,
      store,
      processResultsBucket: names.buckets.processResults,
      engine: ports.engine,
    }),
  };
}
