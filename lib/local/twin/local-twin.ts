import './polyfills.ts';
import { randomUUID } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { deployProjectFiles } from '../../check/deployed.ts';
import { readProjectFiles } from '../../config/loader.ts';
import { runFamilyChecks } from '../../core/family-outcome.ts';
import { PROJECT_FOLDERS } from '../../core/model/project.ts';
import type { Warehouse } from '../../core/ports.ts';
import { RAW_TO_STAGE_LEASE } from '../../core/run-guard.ts';
import type { RunReport, RunStatus } from '../../core/run-report.ts';
import { FileControlStore, takeoverMessage } from '../../engines/local/file-control-store.ts';
import type { LocalContext } from '../context.ts';
import type { RunProgress, RunProgressEvent } from '../live-progress.ts';
import { readRunReport } from '../run-history.ts';
import { type AslMachine, stateMachineDefinition, TemplateResolver } from './definition.ts';
import { localLambdas } from './local-lambdas.ts';
import { PayloadQuota, type StatePayload } from './payload-quota.ts';
import { buildTaskHandlers, type TaskHandler } from './task-handlers.ts';
import { cachedTemplate } from './template-cache.ts';

export { STATE_PAYLOAD_LIMIT_BYTES, type StatePayload } from './payload-quota.ts';

/** The context's local warehouse, opened (and migrated) only when a reporting procedure is first called. */
function lazyWarehouse(context: LocalContext): Warehouse {
  return {
    callProcedure: async (schema, procedure, args) =>
      (await context.warehouse()).callProcedure(schema, procedure, args),
  };
}

export interface TwinRunOptions {
  readonly trigger?: string;
  /** Only these families; null or absent = all enabled. */
  readonly families?: readonly string[];
  /** @default a random UUID, like an execution name */
  readonly runId?: string;
  /** Live progress, step by step (`progressLines` or `liveProgress` render it). */
  readonly progress?: RunProgress;
  /** Wraps each task's local handler: fault injection in tests. */
  readonly wrapTask?: (stateName: string, handler: TaskHandler) => TaskHandler;
  /** Milliseconds to wait between retries per state, instead of the definition's intervals (tests). */
  readonly retryIntervalOverrides?: Readonly<Record<string, number>>;
  /** The clock the run's windows are computed from. @default the real clock */
  readonly now?: () => Date;
  /** A backfill of these delivery days (YYYY-MM-DD, both included), without moving watermarks. */
  readonly replay?: { readonly from: string; readonly to: string };
  /** Delivery days up to this one (YYYY-MM-DD) count as complete: the run input's `complete_through`. */
  readonly completeThrough?: string;
  /** Only these events of the run's families. */
  readonly events?: readonly string[];
  /** Called as each state is entered: lets tests stop the run at a step boundary, as a crash would. */
  readonly onStateEntered?: (stateName: string, abort: () => void) => void;
  /** Stops the run when it aborts (Ctrl-C): no further state starts, the run lease is released, outcome INTERRUPTED. */
  readonly signal?: AbortSignal;
}

export type TwinOutcome = RunStatus | 'ALREADY_RUNNING' | 'CRASHED' | 'INTERRUPTED';

export interface TwinRunResult {
  readonly runId: string;
  readonly outcome: TwinOutcome;
  /** The report written to the local process-results bucket, when the run got that far. */
  readonly report?: RunReport;
  readonly reportKey?: string;
  /** The execution's output (Succeed) or its error (Fail). */
  readonly output?: unknown;
  readonly error?: { readonly name: string; readonly cause: string };
  readonly notifications: readonly { readonly subject?: string; readonly message: string }[];
  /** The largest input or output any state had (Step Functions fails a state over 256 KiB). */
  readonly largestPayload?: StatePayload;
}

/**
 * The local twin: the state machine CDK synthesizes for this environment, run by aws-local-stepfunctions with each
 * Task mapped to a local implementation (Lambda handlers bound to local ports, DuckDB for Athena, the terminal for
 * SNS). Config is "deployed" to the local metadata bucket first, as the stack deploys it to S3.
 */
export class LocalTwin {
  private constructor(
    private readonly context: LocalContext,
    private readonly definition: AslMachine,
    private readonly resolver: TemplateResolver,
    private readonly warehouse: Warehouse,
  ) {}

  static async open(context: LocalContext, options: { readonly warehouse?: Warehouse } = {}): Promise<LocalTwin> {
    const { template } = await cachedTemplate(context.project, context.environment);
    const resolver = new TemplateResolver(template, context.environment);
    const definition = stateMachineDefinition(template, resolver, context.names.stateMachine);
    const twin = new LocalTwin(context, definition, resolver, options.warehouse ?? lazyWarehouse(context));
    await twin.deployProject();
    return twin;
  }

  get stateMachineDefinition(): AslMachine {
    return this.definition;
  }

  /** Replaces the local metadata bucket's copy of config and scripts with the files on disk (prune, then copy). */
  async deployProject(): Promise<void> {
    const { store, names, project } = this.context;
    for (const folder of PROJECT_FOLDERS) {
      for (const key of await store.list(names.buckets.metadata, `${folder}/`))
        await store.delete(names.buckets.metadata, key);
    }
    await deployProjectFiles(store, names.buckets.metadata, readProjectFiles(project.root));
  }

  async run(options: TwinRunOptions = {}): Promise<TwinRunResult> {
    const { context } = this;
    const runId = options.runId ?? randomUUID();
    const notifications: { subject?: string; message: string }[] = [];
    await context.engine.syncCatalog();
    const control = new FileControlStore(context.dataDir, {
      table: context.names.controlTable,
      onTakeover: (lease, pid) => options.progress?.({ kind: 'note', text: takeoverMessage(lease, pid) }),
    });
    const handlers = buildTaskHandlers(this.definition, this.resolver, {
      lambdas: localLambdas({
        environment: context.environment,
        names: context.names,
        store: context.store,
        engine: context.engine,
        control,
        warehouse: this.warehouse,
        migratableWarehouse: () => context.openWarehouse(),
        now: options.now ?? (() => new Date()),
        runChecks: (input) => runFamilyChecks(context.engine, context.project, context.names, input),
      }),
      engine: context.engine,
      notify: ({ subject, message }) => {
        notifications.push({ message, ...(subject ? { subject } : {}) });
        options.progress?.({ kind: 'note', text: `notification: ${subject ? `${subject}: ` : ''}${message}` });
      },
    });
    const quota = new PayloadQuota();
    const wrapped = Object.fromEntries(
      Object.entries(handlers).map(([name, handler]) => [
        name,
        quota.guard(name, options.wrapTask ? options.wrapTask(name, handler) : handler),
      ]),
    );

    const machine = new StateMachine(this.definition as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: false, checkPaths: true },
    });
    const input = {
      trigger: options.trigger ?? 'manual',
      families: options.families ? [...options.families] : null,
      events: options.events ? [...options.events] : null,
      replay: options.replay ? { ...options.replay } : null,
      complete_through: options.completeThrough ?? null,
    };
    const execution = machine.run(input, {
      overrides: {
        taskResourceLocalHandlers: wrapped as never,
        ...(options.retryIntervalOverrides ? { retryIntervalOverrides: { ...options.retryIntervalOverrides } } : {}),
      },
      context: { Execution: { Name: runId, StartTime: new Date().toISOString(), Input: input } },
    });

    quota.onExceeded(() => execution.abort());
    const interrupt = () => execution.abort();
    options.signal?.addEventListener('abort', interrupt, { once: true });
    const progress = options.progress;
    const started = new Map<string, number>();
    const seconds = (key: string) => {
      const since = started.get(key);
      return since === undefined ? {} : { seconds: (performance.now() - since) / 1000 };
    };
    const logs = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered' || event.type === 'StateExited') {
          quota.observe(event.type, event.state.name, event.state);
        }
        if (event.type === 'StateEntered') options.onStateEntered?.(event.state.name, execution.abort);
        if (progress && (event.type === 'StateEntered' || event.type === 'StateExited')) {
          const { name, input, output } = event.state as { name: string; input: unknown; output?: unknown };
          for (const step of progressOf(event.type, name, input, output)) {
            if (step.kind === 'event-started') started.set(`${step.family}/${step.event}`, performance.now());
            if (step.kind === 'procedure-started') started.set(`reporting/${step.family}`, performance.now());
            if (step.kind === 'event-done') progress({ ...step, ...seconds(`${step.family}/${step.event}`) });
            else if (step.kind === 'procedure-done') progress({ ...step, ...seconds(`reporting/${step.family}`) });
            else progress(step);
          }
        }
      }
    })();

    const crashedOverQuota = (): TwinRunResult => ({
      runId,
      outcome: 'CRASHED',
      notifications,
      ...(quota.exceeded ? { error: quota.exceeded } : {}),
      largestPayload: quota.largest,
    });
    let output: unknown;
    let error: { name: string; cause: string } | undefined;
    try {
      output = await execution.result;
    } catch (caught) {
      if (caught instanceof ExecutionAbortedError) {
        await logs.catch(() => undefined);
        // Step Functions fails the execution itself; the lease stays until it lapses, as in AWS.
        if (quota.exceeded) return crashedOverQuota();
        if (options.signal?.aborted) {
          // Stopped on purpose: give the lease back now rather than leave the next run waiting for it to lapse.
          await control.releaseLease(RAW_TO_STAGE_LEASE, runId);
          return {
            runId,
            outcome: 'INTERRUPTED',
            notifications,
            error: { name: 'Interrupted', cause: 'stopped by a signal' },
          };
        }
        return {
          runId,
          outcome: 'CRASHED',
          notifications,
          error: { name: 'ExecutionAborted', cause: 'the run was stopped' },
        };
      }
      if (!(caught instanceof ExecutionError)) throw caught;
      const inner = (caught as { cause?: unknown }).cause;
      const name = inner instanceof Error ? inner.name : caught.name;
      const cause = inner instanceof Error ? inner.message : caught.message;
      error = { name, cause };
    }
    await logs;
    // The quota was crossed by a state the interpreter had already moved past: the execution failed there.
    if (quota.exceeded) return crashedOverQuota();

    const reportKey = (await context.store.list(context.names.buckets.processResults, 'run_reports/')).find((key) =>
      key.endsWith(`/${runId}.json`),
    );
    const report = reportKey ? await readRunReport(this.context.store, this.context.names, reportKey) : undefined;
    const alreadyRunning = !error && (output as { acquired?: boolean } | undefined)?.acquired === false;
    const outcome: TwinOutcome = alreadyRunning ? 'ALREADY_RUNNING' : (report?.status ?? 'CRASHED');
    return {
      runId,
      outcome,
      notifications,
      ...(report ? { report } : {}),
      ...(reportKey ? { reportKey } : {}),
      ...(output === undefined ? {} : { output }),
      ...(error ? { error } : {}),
      largestPayload: quota.largest,
    };
  }
}

interface StepItem {
  readonly product_family: string;
  readonly event_name?: string;
  readonly error?: { readonly Error?: string; readonly Cause?: string };
  readonly prepared?: { readonly raw_files?: number; readonly raw_bytes?: number };
  readonly status?: string;
  readonly checks?: readonly { readonly name?: string; readonly severity?: string; readonly status?: string }[];
}

/** What a state entered or exited says of the run's progress, if anything. */
function progressOf(
  type: 'StateEntered' | 'StateExited',
  state: string,
  input: unknown,
  output: unknown,
): RunProgressEvent[] {
  const item = input as StepItem;
  const family = item?.product_family;
  const event = item?.event_name ?? '';
  if (type === 'StateExited' && state === 'PlanRun') {
    const plan = (
      output as {
        plan?: {
          families?: { product_family: string; events: string[] }[];
          reporting_families?: { product_family: string }[];
        };
      }
    )?.plan;
    return [
      {
        kind: 'planned',
        families: plan?.families ?? [],
        reporting: (plan?.reporting_families ?? []).map((r) => r.product_family),
      },
    ];
  }
  if (type === 'StateEntered' && state === 'PrepareTransform') return [{ kind: 'event-started', family, event }];
  if (type === 'StateExited' && state === 'EventSkipped')
    return [{ kind: 'event-done', family, event, outcome: 'nothing-new' }];
  if (type === 'StateExited' && state === 'EventSucceeded') {
    const files = item.prepared?.raw_files;
    const bytes = item.prepared?.raw_bytes;
    return [
      {
        kind: 'event-done',
        family,
        event,
        outcome: 'loaded',
        ...(files === undefined ? {} : { files }),
        ...(bytes === undefined ? {} : { bytes }),
      },
    ];
  }
  if (type === 'StateExited' && state === 'EventFailed') {
    return [{ kind: 'event-done', family, event, outcome: 'failed', error: item.error?.Error ?? 'failed' }];
  }
  if (type === 'StateExited' && state === 'CommitFamily') return [{ kind: 'family-done', family }];
  if (type === 'StateExited' && state === 'FamilyNotCommitted') {
    const outcome = (input as { outcome?: StepItem }).outcome ?? item;
    const failing = (outcome.checks ?? [])
      .filter((c) => c.severity === 'error' && c.status !== 'PASSED')
      .map((c) => c.name);
    const error = failing.length > 0 ? `checks failed: ${failing.join(', ')}` : 'an event failed: watermarks not moved';
    return [{ kind: 'family-done', family, error }];
  }
  if (type === 'StateExited' && state === 'FamilyFailed') {
    return [{ kind: 'family-done', family, error: item.error?.Error ?? 'failed' }];
  }
  if (type === 'StateEntered' && state === 'CallProcedure') return [{ kind: 'procedure-started', family }];
  if (type === 'StateExited' && state === 'CallProcedure') return [{ kind: 'procedure-done', family }];
  if (type === 'StateExited' && state === 'ProcedureFailed') {
    return [{ kind: 'procedure-done', family, error: item.error?.Error ?? 'failed' }];
  }
  return [];
}
