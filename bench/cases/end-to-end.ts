import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { resourceNames } from '../../lib/core/model/names.ts';
import type { Warehouse } from '../../lib/core/ports.ts';
import { prepareTransform } from '../../lib/core/transform.ts';
import { addDays, eventWindow } from '../../lib/core/window.ts';
import { DuckDbEngine } from '../../lib/engines/local/duckdb-engine.ts';
import { openLocal } from '../../lib/local/context.ts';
import { taskStates } from '../../lib/local/twin/definition.ts';
import { LocalTwin } from '../../lib/local/twin/local-twin.ts';
import { synthesizeTemplate } from '../../lib/local/twin/synthesize.ts';
import { athenaCost, type LambdaInvocation, lambdaCost, lambdaGbSeconds, stepFunctionsCost } from '../lib/cost.ts';
import { lambdaSizesByState } from '../lib/lambda-memory.ts';
import { derived, fact, failures, formatNumber, metric, rss, seconds, show, table } from '../lib/report.ts';
import { summarize } from '../lib/stats.ts';
import { BENCH_SEED, BENCH_START_DATE, writeTxmaScale } from '../lib/txma-data.ts';
import type { BenchCase, Measurement, Step, StepResult } from '../lib/types.ts';
import { copyProject, folderSize, resetDataDir } from '../lib/workspace.ts';

export const DAYS = 30;
export const FULL_SCALES = [100_000, 500_000, 1_000_000];
export const QUICK_SCALES = [10_000];

export interface TxmaParams {
  readonly workDir: string;
  readonly events: number;
  readonly days: number;
  /**
   * `off` (default): raw → stage only, the reporting families disabled in the project copy. `shipped`: the
   * reporting families as configured, on the twin's warehouse as it opens. `no-nested-loops`: the same with
   * `enable_nestloop = off` in the warehouse session (the fix proposed in the findings).
   */
  readonly reporting?: 'off' | 'shipped' | 'no-nested-loops';
}

export function txmaPaths(params: TxmaParams) {
  const base = join(params.workDir, `txma-${params.events}`);
  const project = join(params.workDir, (params.reporting ?? 'off') === 'off' ? 'project-stage-only' : 'project');
  return { project, dataDir: join(base, 'data'), bareDb: join(base, 'bare.duckdb') };
}

/** The clock of a run that processes every delivery day of the scale (late deliveries included). */
export function clockAfter(days: number, extraDays = 2): () => Date {
  const at = new Date(`${addDays(BENCH_START_DATE, days + extraDays)}T12:00:00Z`);
  return () => at;
}

export async function prepareTxma(params: TxmaParams, days = params.days) {
  const paths = txmaPaths(params);
  copyProject(paths.project, { reporting: (params.reporting ?? 'off') !== 'off' });
  rmSync(paths.dataDir, { recursive: true, force: true });
  const context = await openLocal({ root: paths.project, env: 'dev', dataDir: paths.dataDir });
  try {
    const written = await writeTxmaScale(context.store, context.names.buckets.raw, {
      events: params.events,
      days,
      startDate: BENCH_START_DATE,
      seed: BENCH_SEED,
    });
    return { raw_records: written.records, raw_bytes: written.bytes, raw_files: written.files };
  } finally {
    await context.close();
  }
}

/** Time spent in each Task state's local handler, and how many states were entered (Step Functions transitions). */
export interface TwinTimings {
  readonly taskMs: Map<string, number>;
  readonly taskCalls: Map<string, number[]>;
  transitions: number;
}

/** One full local run on the twin, every state timed. Returns the figures and what AWS would bill for it. */
export async function timedTwinRun(
  dataDir: string,
  project: string,
  now: () => Date,
  options: { readonly noNestedLoops?: boolean } = {},
): Promise<{ metrics: Record<string, number>; facts: Record<string, string | number> }> {
  const started = performance.now();
  const context = await openLocal({ root: project, env: 'dev', dataDir });
  const opened = performance.now();
  try {
    const warehouse: Warehouse | undefined = options.noNestedLoops
      ? {
          callProcedure: async (schema, procedure, args) => {
            const opened = await context.warehouse();
            await opened.database.execute('set enable_nestloop = off');
            return opened.callProcedure(schema, procedure, args);
          },
        }
      : undefined;
    const twin = await LocalTwin.open(context, warehouse ? { warehouse } : {});
    const twinOpened = performance.now();
    const timings: TwinTimings = { taskMs: new Map(), taskCalls: new Map(), transitions: 0 };
    const result = await twin.run({
      trigger: 'bench',
      now,
      onStateEntered: () => {
        timings.transitions++;
      },
      wrapTask: (stateName, handler) => async (input) => {
        const t = performance.now();
        try {
          return await handler(input);
        } finally {
          const ms = performance.now() - t;
          timings.taskMs.set(stateName, (timings.taskMs.get(stateName) ?? 0) + ms);
          timings.taskCalls.set(stateName, [...(timings.taskCalls.get(stateName) ?? []), ms]);
        }
      },
    });
    const ended = performance.now();
    const report = result.report;
    if (!report || result.outcome !== 'SUCCEEDED') {
      throw new Error(`the benchmark run ended ${result.outcome}: ${result.error?.cause ?? 'no report'}`);
    }

    // What AWS would bill for the same run: every state entered is a transition; each Lambda task's measured
    // duration at its template memory size; one Athena query per transform that ran and per quality check.
    const sizes = lambdaSizesByState(
      twin.stateMachineDefinition,
      synthesizeTemplate(context.project, context.environment),
      context.environment,
    );
    const invocations: LambdaInvocation[] = [];
    for (const [state, calls] of timings.taskCalls) {
      const size = sizes.get(state);
      if (!size) continue;
      for (const durationMs of calls) invocations.push({ durationMs, ...size });
    }
    const events = report.families.flatMap((f) => f.events);
    const ran = events.filter((e) => !e.skipped && e.status === 'SUCCEEDED');
    const checks = report.families.reduce((sum, f) => sum + f.checks.length, 0);
    // Every Athena task call is a query (per event: clear the incoming table, load the window, merge into stage);
    // the load scans the window's raw bytes, the others are billed here at the 10 MB minimum. Quality checks run
    // inside the check Lambda, one Athena query each.
    const athenaStates = taskStates(twin.stateMachineDefinition)
      .filter(({ state }) => state.Resource?.startsWith('arn:aws:states:::athena:'))
      .map(({ name }) => name);
    const athenaCalls = athenaStates.reduce((sum, name) => sum + (timings.taskCalls.get(name)?.length ?? 0), 0);
    const loads = ran.map((e) => e.bytes_scanned ?? e.raw_bytes ?? 0);
    const athenaScans = [...loads, ...Array(Math.max(0, athenaCalls - loads.length) + checks).fill(0)];

    const metrics: Record<string, number> = {
      wall_ms: ended - started,
      open_context_ms: opened - started,
      open_twin_ms: twinOpened - opened,
      run_ms: ended - twinOpened,
      rows_written: report.totals.rows_written,
      bytes_scanned: report.totals.bytes_scanned,
      raw_partitions: report.totals.raw_partitions,
      transitions: timings.transitions,
      athena_queries: athenaScans.length,
      lambda_invocations: invocations.length,
      lambda_gb_s: lambdaGbSeconds(invocations),
      cost_athena_usd: athenaCost(athenaScans),
      cost_sfn_usd: stepFunctionsCost(timings.transitions),
      cost_lambda_usd: lambdaCost(invocations),
    };
    for (const [state, ms] of timings.taskMs) metrics[`task_ms:${state}`] = ms;
    for (const r of report.reporting ?? []) metrics[`procedure_ms:${r.product_family}`] = r.duration_ms ?? Number.NaN;
    const transformMs = events.reduce((sum, e) => sum + (e.duration_ms ?? 0), 0);
    metrics.engine_ms = transformMs;
    return {
      metrics,
      facts: {
        events_run: ran.length,
        events_skipped: events.length - ran.length,
        quality_checks: checks,
        athena_task_calls: athenaCalls,
        reporting_procedures: report.reporting?.length ?? 0,
      },
    };
  } finally {
    await context.close();
  }
}

/**
 * The same statements the run sends to Athena per event (clear incoming, load the window, merge), run one after
 * another on the local engine (DuckDB with the Trino compatibility layer) over the same raw files: no state machine,
 * no Lambdas, no checks, no watermarks.
 */
export async function bareEngineRun(
  dataDir: string,
  project: string,
  databasePath: string,
  now: () => Date,
): Promise<{ metrics: Record<string, number> }> {
  rmSync(databasePath, { force: true });
  rmSync(`${databasePath}.wal`, { force: true });
  const { loadCheckedProject } = await import('../../lib/check/check.ts');
  const { environment } = await import('../../lib/core/model/project.ts');
  const loaded = loadCheckedProject(project);
  const env = environment(loaded, 'dev');
  const names = resourceNames(env);
  // The engine with its catalog as the twin builds it (raw views, stage and incoming tables), then only statements.
  const engine = await DuckDbEngine.open({ project: loaded, environment: env, dataDir, databasePath });
  try {
    const rawDir = join(dataDir, names.buckets.raw);
    const enabledFamilies = loaded.families.filter((f) => f.enabled).map((f) => f.product_family);
    const statements: { sql: string; parameters: readonly string[]; counts: boolean }[] = [];
    for (const family of enabledFamilies) {
      for (const entry of loaded.familyEvents.get(family)?.events ?? []) {
        if (!entry.enabled) continue;
        const raw = loaded.rawTables.get(entry.event_name);
        if (!raw || folderSize(join(rawDir, raw.location)).files === 0) continue;
        const window = eventWindow({ watermark: undefined, now: now(), latenessHours: entry.lateness_hours });
        const prepared = prepareTransform(loaded, names, entry.event_name, window);
        statements.push(
          { sql: prepared.clear, parameters: [], counts: false },
          { sql: prepared.load.sql, parameters: prepared.load.parameters, counts: false },
          { sql: prepared.merge, parameters: [], counts: true },
        );
      }
    }
    let rows = 0;
    const started = performance.now();
    for (const statement of statements) {
      const result = await engine.execute(statement.sql, { parameters: statement.parameters });
      if (statement.counts) rows += result.rowsAffected;
    }
    const ms = performance.now() - started;
    return { metrics: { wall_ms: ms, rows_written: rows, statements: statements.length } };
  } finally {
    await engine.close();
    rmSync(databasePath, { force: true });
    rmSync(`${databasePath}.wal`, { force: true });
  }
}

function label(events: number): string {
  return events >= 1_000_000 ? `${events / 1_000_000}M events` : `${events / 1000}k events`;
}

export const endToEnd: BenchCase = {
  name: 'end-to-end',
  title: 'End-to-end local run (raw → stage) beside the bare engine',
  plan({ quick }): Step[] {
    const scales = quick ? QUICK_SCALES : FULL_SCALES;
    const repetitions = quick ? 1 : 3;
    const reportingEvents = quick ? 10_000 : 100_000;
    return [
      ...scales.flatMap((events) => [
        {
          label: `${label(events)} · twin`,
          params: { events, days: DAYS, variant: 'twin' },
          repetitions,
          prepare: true,
        },
        { label: `${label(events)} · bare DuckDB`, params: { events, days: DAYS, variant: 'bare' }, repetitions },
      ]),
      // Raw → stage → reporting model, at one scale: the reporting step on PGlite does not fit the budget at more.
      ...(['shipped', 'no-nested-loops'] as const).map((reporting) => ({
        label: `${label(reportingEvents)} · twin with reporting model${reporting === 'shipped' ? '' : ', nested loops off'}`,
        params: { events: reportingEvents, days: DAYS, variant: 'twin', reporting },
        repetitions: 1,
        prepare: !scales.includes(reportingEvents) && reporting === 'shipped',
      })),
    ];
  },
  async prepare(params) {
    return prepareTxma(params as unknown as TxmaParams);
  },
  async measure(params): Promise<Measurement> {
    const p = params as unknown as TxmaParams & { variant: 'twin' | 'bare' };
    const paths = txmaPaths(p);
    copyProject(paths.project, { reporting: (p.reporting ?? 'off') !== 'off' });
    const now = clockAfter(p.days);
    if (p.variant === 'bare') return bareEngineRun(paths.dataDir, paths.project, paths.bareDb, now);
    const env = (await import('../../lib/core/model/project.ts')).environment;
    const { loadCheckedProject } = await import('../../lib/check/check.ts');
    const names = resourceNames(env(loadCheckedProject(paths.project), 'dev'));
    resetDataDir(paths.dataDir, [names.buckets.raw]);
    return timedTwinRun(paths.dataDir, paths.project, now, { noNestedLoops: p.reporting === 'no-nested-loops' });
  },
  render(results) {
    return renderEndToEnd(results);
  },
};

/** Twin and bare steps of the same scale, paired. */
export function pairs(results: readonly StepResult[]): { scale: string; twin?: StepResult; bare?: StepResult }[] {
  const byScale = new Map<string, { scale: string; twin?: StepResult; bare?: StepResult }>();
  for (const result of results) {
    if ((result.step.params.reporting ?? 'off') !== 'off') continue;
    const scale = result.step.label.split(' · ')[0] ?? result.step.label;
    const entry = byScale.get(scale) ?? { scale };
    if (result.step.params.variant === 'bare') entry.bare = result;
    else entry.twin = result;
    byScale.set(scale, entry);
  }
  return [...byScale.values()];
}

const STAGES: readonly (readonly [string, string])[] = [
  ['open_context_ms', 'open the local context (config check, DuckDB)'],
  ['open_twin_ms', 'open the twin (CDK synth in process, deploy config to the metadata folder)'],
  ['task_ms:AcquireRunLease', 'AcquireRunLease (run-guard Lambda)'],
  ['task_ms:PlanRun', 'PlanRun (plan Lambda)'],
  ['task_ms:PrepareTransform', 'PrepareTransform (window, raw listing, SQL), per event'],
  ['task_ms:RunTransform', 'RunTransform (Athena → DuckDB), per event'],
  ['task_ms:ClearIncoming', "ClearIncoming (Athena → DuckDB: empty the event's incoming table), per event"],
  ['task_ms:LoadIncoming', "LoadIncoming (Athena → DuckDB: insert_into SQL over the window's raw files), per event"],
  ['task_ms:MergeIntoStage', 'MergeIntoStage (Athena → DuckDB: MERGE on the dedup key), per event'],
  ['task_ms:RenewRunLease', 'RenewRunLease (heartbeat), per event'],
  ['task_ms:CheckFamily', 'CheckFamily (quality checks), per family'],
  ['task_ms:CommitFamily', 'CommitFamily (watermarks), per family'],
  ['task_ms:MigrateWarehouse', 'MigrateWarehouse (local warehouse migrations)'],
  ['task_ms:CallProcedure', 'CallProcedure (reporting procedures on PGlite), per reporting family'],
  ['task_ms:WriteRunReport', 'WriteRunReport'],
  ['task_ms:ReleaseRunLease', 'ReleaseRunLease'],
];

export function renderEndToEnd(results: readonly StepResult[]): string {
  const paired = pairs(results);
  const perSecond = (m: Measurement, key: string) => {
    const records = Number(m.facts?.raw_records);
    const ms = m.metrics[key];
    return ms ? records / (ms / 1000) : undefined;
  };
  const ratio = (twin: StepResult | undefined, bare: StepResult | undefined, key: string) => {
    const a = metric(twin, key)?.median;
    const b = metric(bare, 'wall_ms')?.median;
    return a && b ? `${(a / b).toFixed(2)}×` : '–';
  };
  const headline = table(
    [
      'scale',
      'raw records (files, MB)',
      'stage rows written',
      'twin: state machine run',
      'twin: whole command (with startup)',
      'events/s (run)',
      'bare DuckDB, same statements',
      'run ÷ bare',
      'whole ÷ bare',
      'peak RSS twin',
      'peak RSS bare',
    ],
    paired.map(({ scale, twin, bare }) => [
      scale,
      `${formatNumber(Number(fact(twin, 'raw_records') ?? Number.NaN))} (${fact(twin, 'raw_files') ?? '–'}, ${formatNumber(Number(fact(twin, 'raw_bytes') ?? 0) / 1024 ** 2)} MB)`,
      formatNumber(metric(twin, 'rows_written')?.median ?? Number.NaN),
      seconds(metric(twin, 'run_ms')),
      seconds(metric(twin, 'wall_ms')),
      show(derived(twin, (m) => perSecond(m, 'run_ms'))),
      seconds(metric(bare, 'wall_ms')),
      ratio(twin, bare, 'run_ms'),
      ratio(twin, bare, 'wall_ms'),
      show(rss(twin), 'MB'),
      show(rss(bare), 'MB'),
    ]),
  );
  const extrapolated = extrapolate(paired, 5_000_000);
  const stageRows = STAGES.filter(([key]) => paired.some(({ twin }) => metric(twin, key))).map(([key, name]) => [
    name,
    ...paired.map(({ twin }) => seconds(metric(twin, key))),
  ]);
  const stages = table(
    ['stage (time inside the step, summed over its calls)', ...paired.map((p) => p.scale)],
    [...stageRows, ['state machine run, wall', ...paired.map(({ twin }) => seconds(metric(twin, 'run_ms')))]],
  );
  const transitions = paired.map(({ twin }) => metric(twin, 'transitions')?.median).find((v) => v !== undefined);
  const anyTwin = paired.find((p) => p.twin)?.twin;
  return (
    [
      'TxMA sample events (the shipped generator: whole user journeys, 2% re-deliveries, 1% producer retries, 0.5% late) spread over 30 delivery days, one full run of the `dev` state machine on the twin from an empty stage: every enabled family and event, quality checks, watermark commits, run report. **Bare DuckDB** runs the very statements the run sends to Athena for each event (clear the incoming table, load the window with the insert_into SQL and its bound parameters, MERGE into stage; translated by the Trino layer) one after another on a plain DuckDB connection over the same files: no state machine, Lambdas, checks or watermarks. *Run* is the state machine execution; *whole command* adds opening the context and the twin (what `dap run` pays once per invocation). Events/s counts raw records read (duplicates included) per second of the run.',
      '',
      headline,
      ...(extrapolated ? ['', extrapolated] : []),
      '',
      `Where the time goes (median ms of each step's calls, summed; Map iterations run concurrently, so the sum of per-event steps can exceed the run's wall time). ${anyTwin ? `${fact(anyTwin, 'events_run')} events ran a query, ${fact(anyTwin, 'events_skipped')} had no raw files (the Eventbrite and SmartSurvey families, whose data comes from ingestion), ${fact(anyTwin, 'quality_checks')} quality checks, no reporting procedure (these runs disable the reporting families in their copy of the project, so that they measure raw → stage at every scale; the reporting step is measured separately below)` : ''}; ${transitions ?? '–'} states entered per run.`,
      '',
      stages,
      ...renderReporting(results),
    ].join('\n') + failures(results)
  );
}

export { summarize };

/**
 * The issue asks for 5M events; that scale does not fit the 30-minute budget on this machine, so its run and bare
 * times are extrapolated linearly from the two largest measured scales (labelled as such, never mixed with
 * measurements).
 */
function extrapolate(paired: ReturnType<typeof pairs>, target: number): string | undefined {
  const measured = paired
    .map((p) => ({ records: Number(fact(p.twin, 'raw_records')), p }))
    .filter((m) => Number.isFinite(m.records) && m.records > 0)
    .sort((a, b) => a.records - b.records);
  const [a, b] = measured.slice(-2);
  if (!a || !b || b.records >= target) return undefined;
  const recordsAtTarget = (b.records / Number(b.p.twin?.step.params.events)) * target;
  const [small, large] = [a, b];
  const line = (result: (p: typeof small.p) => StepResult | undefined, key: string) => {
    const ya = metric(result(small.p), key)?.median;
    const yb = metric(result(large.p), key)?.median;
    if (ya === undefined || yb === undefined) return undefined;
    return yb + ((yb - ya) / (large.records - small.records)) * (recordsAtTarget - large.records);
  };
  const run = line((p) => p.twin, 'run_ms');
  const whole = line((p) => p.twin, 'wall_ms');
  const bare = line((p) => p.bare, 'wall_ms');
  if (run === undefined || bare === undefined || whole === undefined) return undefined;
  return `**${target / 1_000_000}M events, extrapolated (not measured)** linearly from the ${formatNumber(a.records)}- and ${formatNumber(b.records)}-record runs: about ${formatNumber(recordsAtTarget)} raw records (${formatNumber(((Number(fact(b.p.twin, 'raw_bytes')) / b.records) * recordsAtTarget) / 1024 ** 3)} GB), state machine run ≈ ${formatNumber(run / 1000)} s, whole command ≈ ${formatNumber(whole / 1000)} s, bare DuckDB ≈ ${formatNumber(bare / 1000)} s (run ÷ bare ≈ ${(run / bare).toFixed(2)}×). The measured scales were chosen so that the full \`npm run bench\` stays within 30 minutes on this machine; generating 5M events alone takes about 2 minutes and 3 GB of disk.`;
}

/** Raw → stage → reporting model runs: the reporting step's share, as shipped and with nested loops off. */
function renderReporting(results: readonly StepResult[]): string[] {
  const runs = results.filter((r) => (r.step.params.reporting ?? 'off') !== 'off');
  if (runs.length === 0) return [];
  const families = [
    ...new Set(runs.flatMap((r) => r.measurements.flatMap((m) => Object.keys(m.metrics)))).values(),
  ].filter((key) => key.startsWith('procedure_ms:'));
  return [
    '',
    "With the reporting model (raw → stage → reporting): the same run with the shipped reporting families enabled, once on the twin's warehouse as it opens today and once with `enable_nestloop = off` in its session (the fix proposed below). The warehouse step copies the stage tables into PGlite (the Spectrum stand-in) before each procedure call, then runs the procedure.",
    '',
    table(
      [
        'run',
        'state machine run',
        'MigrateWarehouse',
        'CallProcedure (copy + procedure, summed)',
        ...families.map((f) => `of which ${f.slice('procedure_ms:'.length)}`),
        'peak RSS',
      ],
      runs.map((r) => [
        r.step.label,
        seconds(metric(r, 'run_ms')),
        seconds(metric(r, 'task_ms:MigrateWarehouse')),
        seconds(metric(r, 'task_ms:CallProcedure')),
        ...families.map((f) => seconds(metric(r, f))),
        show(rss(r), 'MB'),
      ]),
    ),
  ];
}
