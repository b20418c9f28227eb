import { Aws, Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/** Errors Athena answers when too many queries start at once; retried with backoff and full jitter. */
export const ATHENA_THROTTLING_ERRORS = ['Athena.TooManyRequestsException', 'Athena.InternalServerException'];

/** The execution outcomes an alarm can watch besides SUCCEEDED. */
export const RUN_PARTIAL_ERROR = 'dap.RunPartial';
export const RUN_FAILED_ERROR = 'dap.RunFailed';

export interface RawToStageFunctions {
  readonly runGuard: lambda.IFunction;
  readonly plan: lambda.IFunction;
  readonly prepareTransform: lambda.IFunction;
  readonly checkFamily: lambda.IFunction;
  readonly commitFamily: lambda.IFunction;
  readonly procedureRunner: lambda.IFunction;
  readonly migrateWarehouse: lambda.IFunction;
  /** Keeps each family's outcome and each long error beside the state (lambdas/record-outcome). */
  readonly recordOutcome: lambda.IFunction;
  readonly writeReport: lambda.IFunction;
}

export interface RawToStageDefinitionProps {
  readonly functions: RawToStageFunctions;
  readonly topic: sns.ITopic;
  readonly workgroupName: string;
  readonly stageDatabase: string;
  readonly familyConcurrency: number;
  readonly eventConcurrency: number;
  /** How long one Athena transform may run; below the run lease so a live run never loses its lease. */
  readonly transformTimeout: Duration;
}

/**
 * The raw-to-stage run, in JSONPath (the local twin runs this same definition):
 * guard → plan → Map(families: Map(events: prepare window → [no new data: skip] Athena .sync clear incoming → load
 *   incoming (INSERT with the window as parameters) → MERGE into stage → heartbeat)
 *   → quality checks → commit watermarks → keep the family's outcome)
 * → [reporting families: migrate the warehouse → Map(reporting families: CALL sp_<family>)] → run report → release → SUCCEEDED | notify → PARTIAL/FAILED.
 * Every event and every family catches its own failure, so one failing family never stops the others.
 *
 * No state grows with events × error length (Step Functions refuses a state over 256 KiB): each family's outcome
 * is stored under the run's prefix in the process-results bucket and the families Map keeps only its status and
 * key; a caught error whose Cause is long is stored whole and carried as its start and key. The run report step
 * reads both back, so the report holds every event's status and every error whole (lib/core/run-outcomes.ts).
 */
export function rawToStageDefinition(scope: Construct, props: RawToStageDefinitionProps): sfn.IChainable {
  return guardedRun(scope, props.functions.runGuard, leasedRun(scope, props));
}

/** Names the run, then runs `run` only when it holds the run lease. */
function guardedRun(scope: Construct, runGuard: lambda.IFunction, run: sfn.IChainable): sfn.IChainable {
  const initialise = new sfn.Pass(scope, 'InitialiseRun', {
    comment: 'Keep the execution input aside and name the run after the execution',
    parameters: {
      run: { run_id: sfn.JsonPath.executionName, started_at: sfn.JsonPath.stringAt('$$.Execution.StartTime') },
      input: sfn.JsonPath.entirePayload,
    },
  });
  const acquire = invoke(
    scope,
    'AcquireRunLease',
    runGuard,
    { action: 'acquire', run_id: sfn.JsonPath.stringAt('$.run.run_id') },
    '$.lease',
  );
  const alreadyRunning = new sfn.Succeed(scope, 'RunAlreadyInProgress', {
    comment: 'Another run holds the lease: exit cleanly, saying which run and since when',
    outputPath: '$.lease',
  });
  return initialise
    .next(acquire)
    .next(
      new sfn.Choice(scope, 'RunLeaseAcquired')
        .when(sfn.Condition.booleanEquals('$.lease.acquired', true), run)
        .otherwise(alreadyRunning),
    );
}

/** Everything the lease holder does; a step outside the families failing releases the lease, says so and fails. */
function leasedRun(scope: Construct, props: RawToStageDefinitionProps): sfn.IChainable {
  const { functions } = props;
  const plan = invoke(
    scope,
    'PlanRun',
    functions.plan,
    { run_id: sfn.JsonPath.stringAt('$.run.run_id'), input: sfn.JsonPath.objectAt('$.input') },
    '$.plan',
  );
  const families = processFamilies(scope, props);
  const buildModel = buildReportingModel(scope, props);
  const writeReport = invoke(
    scope,
    'WriteRunReport',
    functions.writeReport,
    {
      run: {
        run_id: sfn.JsonPath.stringAt('$.run.run_id'),
        started_at: sfn.JsonPath.stringAt('$.run.started_at'),
        trigger: sfn.JsonPath.stringAt('$.plan.trigger'),
      },
      families: sfn.JsonPath.listAt('$.families'),
      reporting: sfn.JsonPath.listAt('$.reporting'),
      // Enabled events and reporting families the plan left out for their config problems: reported FAILED.
      blocked: sfn.JsonPath.listAt('$.plan.blocked'),
      reporting_blocked: sfn.JsonPath.listAt('$.plan.reporting_blocked'),
    },
    '$.report',
  );
  const crash = crashPath(scope, props);
  for (const state of [plan, families, buildModel, writeReport]) {
    state.addCatch(crash, { resultPath: '$.crash' });
  }
  return plan
    .next(families)
    .next(reportingModel(scope, props, buildModel))
    .next(writeReport)
    .next(releaseAndConclude(scope, props));
}

/** Each enabled product family, isolated: its failure is its own. */
function processFamilies(scope: Construct, props: RawToStageDefinitionProps): sfn.Map {
  const families = new sfn.Map(scope, 'ProcessFamilies', {
    comment: 'Each enabled product family, isolated: its failure is its own',
    itemsPath: '$.plan.families',
    maxConcurrency: props.familyConcurrency,
    itemSelector: {
      run_id: sfn.JsonPath.stringAt('$.run.run_id'),
      product_family: sfn.JsonPath.stringAt('$$.Map.Item.Value.product_family'),
      events: sfn.JsonPath.listAt('$$.Map.Item.Value.events'),
      replay: sfn.JsonPath.objectAt('$.plan.replay'),
      complete_through: sfn.JsonPath.stringAt('$.plan.complete_through'),
    },
    resultPath: '$.families',
  });
  return families.itemProcessor(family(scope, props));
}

/**
 * One family: its events, its checks, then its watermarks; any failure is caught and recorded. Every way out
 * leaves the family's outcome at `$.outcome`, which is stored; what the families Map keeps is the store's answer.
 */
function family(scope: Construct, props: RawToStageDefinitionProps): sfn.IChainable {
  const events = processEvents(scope, props);
  const checkFamily = invoke(
    scope,
    'CheckFamily',
    props.functions.checkFamily,
    {
      run_id: sfn.JsonPath.stringAt('$.run_id'),
      product_family: sfn.JsonPath.stringAt('$.product_family'),
      events: sfn.JsonPath.listAt('$.event_outcomes'),
      replay: sfn.JsonPath.objectAt('$.replay'),
    },
    '$.outcome',
  );
  const commitFamily = invoke(
    scope,
    'CommitFamily',
    props.functions.commitFamily,
    {
      run_id: sfn.JsonPath.stringAt('$.run_id'),
      replay: sfn.JsonPath.objectAt('$.replay'),
      outcome: sfn.JsonPath.objectAt('$.outcome'),
    },
    '$.outcome',
  );
  const familyNotCommitted = new sfn.Pass(scope, 'FamilyNotCommitted', {
    comment: 'An event or a check failed: the watermarks stay where they were, the next run retries the window',
  });
  // The same shape as a checked family's outcome, which lists its events.
  const familyFailed = failedPass(scope, 'FamilyFailed', 'product_family', { events: [] }, '$.outcome');
  for (const state of [events, checkFamily, commitFamily]) state.addCatch(familyFailed, { resultPath: '$.error' });
  const keep = invoke(
    scope,
    'KeepFamilyOutcome',
    props.functions.recordOutcome,
    { action: 'family', run_id: sfn.JsonPath.stringAt('$.run_id'), outcome: sfn.JsonPath.objectAt('$.outcome') },
    undefined,
  );
  keep.addCatch(
    new sfn.Pass(scope, 'FamilyOutcomeNotKept', {
      comment: 'Storing the outcome failed: the families Map carries it whole instead',
      inputPath: '$.outcome',
    }),
    { resultPath: '$.keep_error' },
  );
  familyNotCommitted.next(keep);
  familyFailed.next(keep);
  commitFamily.next(keep);
  return events
    .next(checkFamily)
    .next(
      new sfn.Choice(scope, 'FamilyPassed')
        .when(sfn.Condition.stringEquals('$.outcome.status', 'SUCCEEDED'), commitFamily)
        .otherwise(familyNotCommitted),
    );
}

/** Each enabled event of a family; a failed event is recorded and the family's other events go on. */
function processEvents(scope: Construct, props: RawToStageDefinitionProps): sfn.Map {
  const events = new sfn.Map(scope, 'ProcessEvents', {
    comment: "Each enabled event of the family; a failed event is recorded and the family's other events go on",
    itemsPath: '$.events',
    maxConcurrency: props.eventConcurrency,
    itemSelector: {
      run_id: sfn.JsonPath.stringAt('$.run_id'),
      product_family: sfn.JsonPath.stringAt('$.product_family'),
      event_name: sfn.JsonPath.stringAt('$$.Map.Item.Value'),
      replay: sfn.JsonPath.objectAt('$.replay'),
      complete_through: sfn.JsonPath.stringAt('$.complete_through'),
    },
    resultPath: '$.event_outcomes',
  });
  return events.itemProcessor(event(scope, props));
}

/** One event: work out its window, load it and MERGE it in Athena (unless the window is empty), renew the lease. */
function event(scope: Construct, props: RawToStageDefinitionProps): sfn.IChainable {
  const prepare = invoke(
    scope,
    'PrepareTransform',
    props.functions.prepareTransform,
    {
      run_id: sfn.JsonPath.stringAt('$.run_id'),
      product_family: sfn.JsonPath.stringAt('$.product_family'),
      event_name: sfn.JsonPath.stringAt('$.event_name'),
      replay: sfn.JsonPath.objectAt('$.replay'),
      complete_through: sfn.JsonPath.stringAt('$.complete_through'),
    },
    '$.prepared',
  );
  const clearIncoming = athenaStep(scope, props, 'ClearIncoming', 'clear');
  const loadIncoming = athenaStep(scope, props, 'LoadIncoming', 'load');
  const mergeIntoStage = athenaStep(scope, props, 'MergeIntoStage', 'merge');
  const heartbeat = invoke(
    scope,
    'RenewRunLease',
    props.functions.runGuard,
    { action: 'renew', run_id: sfn.JsonPath.stringAt('$.run_id') },
    sfn.JsonPath.DISCARD,
  );
  const eventSucceeded = new sfn.Pass(scope, 'EventSucceeded', {
    parameters: { ...windowFacts(), queries: sfn.JsonPath.objectAt('$.athena') },
  });
  const eventSkipped = new sfn.Pass(scope, 'EventSkipped', {
    comment: 'No raw file in the window: nothing to read, nothing to write',
    parameters: { ...windowFacts(), skipped: true },
  });
  const eventFailed = keptError(
    scope,
    props,
    'KeepEventError',
    {
      runIdPath: '$.run_id',
      subject: {
        of: 'event',
        product_family: sfn.JsonPath.stringAt('$.product_family'),
        event_name: sfn.JsonPath.stringAt('$.event_name'),
      },
      errorPath: '$.error',
    },
    failedPass(scope, 'EventFailed', 'event_name'),
  );
  for (const state of [prepare, clearIncoming, loadIncoming, mergeIntoStage, heartbeat])
    state.addCatch(eventFailed, { resultPath: '$.error' });
  return prepare.next(
    new sfn.Choice(scope, 'WindowHasNewData')
      .when(sfn.Condition.booleanEquals('$.prepared.skip', true), eventSkipped)
      .otherwise(clearIncoming.next(loadIncoming).next(mergeIntoStage).next(heartbeat).next(eventSucceeded)),
  );
}

/** What an event that ran records of its window, whether or not the window held new data. */
function windowFacts(): Record<string, unknown> {
  return {
    event_name: sfn.JsonPath.stringAt('$.event_name'),
    status: 'SUCCEEDED',
    window: sfn.JsonPath.objectAt('$.prepared.window'),
    raw_partitions: sfn.JsonPath.numberAt('$.prepared.raw_partitions'),
    raw_files: sfn.JsonPath.numberAt('$.prepared.raw_files'),
    raw_bytes: sfn.JsonPath.numberAt('$.prepared.raw_bytes'),
    late_files: sfn.JsonPath.numberAt('$.prepared.late_files'),
    late_file_sample: sfn.JsonPath.listAt('$.prepared.late_file_sample'),
    late_days: sfn.JsonPath.listAt('$.prepared.late_days'),
    deferred_days: sfn.JsonPath.numberAt('$.prepared.deferred_days'),
  };
}

const ATHENA_STEP_COMMENTS = {
  clear: "Empty the event's incoming table (what a run that stopped half-way left there)",
  load: "Athena INSERT INTO the event's incoming table: its transform over the window, the bounds as ExecutionParameters",
  merge: "Athena MERGE of the incoming rows into the family's stage table on its deduplication key",
} as const;

/**
 * One Athena statement of an event, run to completion. Athena takes ExecutionParameters in SELECT/INSERT INTO/CTAS/
 * UNLOAD only, so the window is loaded into the event's incoming table with parameters, then merged into stage by a
 * MERGE that needs none.
 */
function athenaStep(
  scope: Construct,
  props: RawToStageDefinitionProps,
  id: string,
  step: keyof typeof ATHENA_STEP_COMMENTS,
): sfn.CustomState {
  const state = new sfn.CustomState(scope, id, {
    stateJson: {
      Type: 'Task',
      Comment: ATHENA_STEP_COMMENTS[step],
      Resource: `arn:${Aws.PARTITION}:states:::athena:startQueryExecution.sync`,
      Parameters: {
        'QueryString.$': `$.prepared.${step}_query`,
        ...(step === 'load' ? { 'ExecutionParameters.$': '$.prepared.load_parameters' } : {}),
        WorkGroup: props.workgroupName,
        QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: props.stageDatabase },
        // The same token on a retried start returns the same query instead of running the statement twice.
        'ClientRequestToken.$': `States.Format('{}-{}-${step}', $.run_id, $.event_name)`,
      },
      ResultSelector: {
        'query_execution_id.$': '$.QueryExecution.QueryExecutionId',
        'bytes_scanned.$': '$.QueryExecution.Statistics.DataScannedInBytes',
        'engine_ms.$': '$.QueryExecution.Statistics.EngineExecutionTimeInMillis',
      },
      ResultPath: `$.athena.${step}`,
      TimeoutSeconds: props.transformTimeout.toSeconds(),
    },
  });
  state.addRetry({
    errors: ATHENA_THROTTLING_ERRORS,
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  });
  return state;
}

/** One procedure per enabled reporting family, each isolated. */
function buildReportingModel(scope: Construct, props: RawToStageDefinitionProps): sfn.Map {
  const procedureRunner = props.functions.procedureRunner;
  const callProcedure = invoke(
    scope,
    'CallProcedure',
    procedureRunner,
    {
      run_id: sfn.JsonPath.stringAt('$.run_id'),
      product_family: sfn.JsonPath.stringAt('$.product_family'),
      depends_on: sfn.JsonPath.listAt('$.depends_on'),
      takes_run_id: sfn.JsonPath.stringAt('$.takes_run_id'),
      families: sfn.JsonPath.listAt('$.families'),
    },
    undefined,
  );
  const procedureFailed = keptError(
    scope,
    props,
    'KeepProcedureError',
    {
      runIdPath: '$.run_id',
      subject: { of: 'procedure', product_family: sfn.JsonPath.stringAt('$.product_family') },
      errorPath: '$.error',
    },
    failedPass(scope, 'ProcedureFailed', 'product_family'),
  );
  callProcedure.addCatch(procedureFailed, { resultPath: '$.error' });
  const build = new sfn.Map(scope, 'BuildReportingModel', {
    comment: 'CALL sp_<family>(run_id) in Redshift for each enabled reporting family',
    itemsPath: '$.plan.reporting_families',
    maxConcurrency: 1,
    itemSelector: {
      run_id: sfn.JsonPath.stringAt('$.run.run_id'),
      product_family: sfn.JsonPath.stringAt('$$.Map.Item.Value.product_family'),
      depends_on: sfn.JsonPath.listAt('$$.Map.Item.Value.depends_on'),
      takes_run_id: sfn.JsonPath.stringAt('$$.Map.Item.Value.takes_run_id'),
      // The families' outcomes: a reporting family is not built when one it depends on failed in this run.
      families: sfn.JsonPath.listAt('$.families'),
    },
    resultPath: '$.reporting',
  });
  return build.itemProcessor(callProcedure);
}

/**
 * The warehouse is migrated to the deployed scripts before `build`. If that fails no procedure is called: each
 * reporting family is recorded as failed with the migration's error, and the run goes on to its report.
 */
function reportingModel(scope: Construct, props: RawToStageDefinitionProps, build: sfn.Map): sfn.IChainable {
  const migrate = invoke(
    scope,
    'MigrateWarehouse',
    props.functions.migrateWarehouse,
    { run_id: sfn.JsonPath.stringAt('$.run.run_id') },
    '$.migration',
  );
  const notBuilt = new sfn.Map(scope, 'ReportingModelNotBuilt', {
    comment: 'The migration failed: every reporting family fails with its error, no procedure is called',
    itemsPath: '$.plan.reporting_families',
    itemSelector: {
      product_family: sfn.JsonPath.stringAt('$$.Map.Item.Value.product_family'),
      error: sfn.JsonPath.objectAt('$.migration_error'),
    },
    resultPath: '$.reporting',
  });
  notBuilt.itemProcessor(failedPass(scope, 'ReportingFamilyNotBuilt', 'product_family'));
  // One error copied to every reporting family: a long one is kept first, so each copy is short.
  const migrationFailed = keptError(
    scope,
    props,
    'KeepMigrationError',
    { runIdPath: '$.run.run_id', subject: { of: 'migration' }, errorPath: '$.migration_error' },
    notBuilt,
  );
  migrate.addCatch(migrationFailed, { resultPath: '$.migration_error' });
  const choice = new sfn.Choice(scope, 'HasReportingFamilies')
    .when(sfn.Condition.isPresent('$.plan.reporting_families[0]'), migrate.next(build))
    .otherwise(build);
  return sfn.Chain.custom(choice, [build, notBuilt], choice);
}

/** Releases the lease, then ends as the report says: SUCCEEDED, or notify and PARTIAL/FAILED. */
function releaseAndConclude(scope: Construct, props: RawToStageDefinitionProps): sfn.IChainable {
  const release = invoke(
    scope,
    'ReleaseRunLease',
    props.functions.runGuard,
    { action: 'release', run_id: sfn.JsonPath.stringAt('$.run.run_id') },
    sfn.JsonPath.DISCARD,
  );
  const succeeded = new sfn.Succeed(scope, 'RunSucceeded', { outputPath: '$.report' });
  const notify = new tasks.SnsPublish(scope, 'NotifyRunProblem', {
    topic: props.topic,
    subject: 'dap run did not fully succeed',
    message: sfn.TaskInput.fromJsonPathAt('$.report.message'),
    resultPath: sfn.JsonPath.DISCARD,
  });
  const partial = new sfn.Fail(scope, 'RunPartial', { error: RUN_PARTIAL_ERROR, causePath: '$.report.message' });
  const failed = new sfn.Fail(scope, 'RunFailed', { error: RUN_FAILED_ERROR, causePath: '$.report.message' });
  return release.next(
    new sfn.Choice(scope, 'RunOutcome')
      .when(sfn.Condition.stringEquals('$.report.status', 'SUCCEEDED'), succeeded)
      .otherwise(
        notify.next(
          new sfn.Choice(scope, 'PartialOrFailed')
            .when(sfn.Condition.stringEquals('$.report.status', 'PARTIAL'), partial)
            .otherwise(failed),
        ),
      ),
  );
}

/** Where a step outside the families goes when it fails: release the lease, say so, fail. */
function crashPath(scope: Construct, props: RawToStageDefinitionProps): sfn.IChainable {
  const release = invoke(
    scope,
    'ReleaseRunLeaseAfterError',
    props.functions.runGuard,
    { action: 'release', run_id: sfn.JsonPath.stringAt('$.run.run_id') },
    sfn.JsonPath.DISCARD,
  );
  const notify = new tasks.SnsPublish(scope, 'NotifyRunError', {
    topic: props.topic,
    subject: 'dap run failed',
    message: sfn.TaskInput.fromText(
      sfn.JsonPath.format(
        'dap run {} failed: {} {}',
        sfn.JsonPath.stringAt('$.run.run_id'),
        sfn.JsonPath.stringAt('$.crash.Error'),
        sfn.JsonPath.stringAt('$.crash.Cause'),
      ),
    ),
    resultPath: sfn.JsonPath.DISCARD,
  });
  const crashed = new sfn.Fail(scope, 'RunCrashed', { error: RUN_FAILED_ERROR, causePath: '$.crash.Cause' });
  return release.next(notify).next(crashed);
}

/**
 * The record of one event, family or reporting family that failed, named by `subject` and carrying the caught
 * `$.error`; `facts` go between the status and the error. It is the state's output, or goes at `resultPath`.
 */
function failedPass(
  scope: Construct,
  id: string,
  subject: 'event_name' | 'product_family',
  facts: Record<string, unknown> = {},
  resultPath?: string,
): sfn.Pass {
  return new sfn.Pass(scope, id, {
    parameters: {
      [subject]: sfn.JsonPath.stringAt(`$.${subject}`),
      status: 'FAILED',
      ...facts,
      error: sfn.JsonPath.objectAt('$.error'),
    },
    ...(resultPath === undefined ? {} : { resultPath }),
  });
}

/**
 * The caught error at `errorPath`, kept: a long one is stored whole and replaced by its start and key, so a Map
 * that gathers many failures stays small; then `next`. When keeping it fails, `next` gets the error as caught.
 */
function keptError(
  scope: Construct,
  props: RawToStageDefinitionProps,
  id: string,
  kept: { readonly runIdPath: string; readonly subject: Record<string, unknown>; readonly errorPath: string },
  next: sfn.State,
): sfn.IChainable {
  const keep = invoke(
    scope,
    id,
    props.functions.recordOutcome,
    {
      action: 'error',
      run_id: sfn.JsonPath.stringAt(kept.runIdPath),
      subject: kept.subject,
      error: sfn.JsonPath.objectAt(kept.errorPath),
    },
    kept.errorPath,
  );
  keep.addCatch(next, { resultPath: '$.keep_error' });
  return keep.next(next);
}

function invoke(
  scope: Construct,
  id: string,
  fn: lambda.IFunction,
  payload: Record<string, unknown>,
  resultPath: string | undefined,
): tasks.LambdaInvoke {
  return new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject(payload),
    ...(resultPath === undefined ? {} : { resultPath }),
  });
}
