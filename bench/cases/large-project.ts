import { join } from 'node:path';
import { derived, fact, failures, formatNumber, metric, rss, seconds, show, table } from '../lib/report.ts';
import type { BenchCase, Measurement, Step } from '../lib/types.ts';

/**
 * A synthetic project of N families × 10 events (lib/core/samples/large-project.ts): synthesized for `prod` (the
 * Lambdas not bundled: the figure is CloudFormation's, not esbuild's) and checked against AWS's limits, then run on
 * the twin with no data (every event planned, prepared and skipped): synthesis time, the largest template and its
 * share of the 1 MB limit, the largest state payload and its share of 256 KiB, twin time per event; then once more
 * with events failing with 32 KiB causes (Step Functions' longest), whose largest state payload must not grow with
 * the failures.
 */

interface LargeParams {
  readonly families: number;
  readonly part: 'synth' | 'twin';
  readonly workDir: string;
}

async function writeFiles(root: string, families: number): Promise<void> {
  const { largeProjectFiles } = await import('../../lib/core/samples/large-project.ts');
  const { writeFiles: write } = await import('../../test/helpers/project-fixture.ts');
  write(root, largeProjectFiles({ families, eventsPerFamily: 10 }));
}

export const largeProject: BenchCase = {
  name: 'large-project',
  title: 'A project at scale: synthesis, AWS limits and the twin at 500 events',
  plan({ quick }): Step[] {
    const counts = quick ? [5] : [5, 50];
    return counts.flatMap((families) =>
      (['synth', 'twin'] as const).map((part) => ({
        label: `${formatNumber(families * 10)} events over ${families} families: ${part === 'synth' ? 'synthesis' : 'twin run'}`,
        params: { families, part },
        repetitions: 1,
      })),
    );
  },
  async measure(raw): Promise<Measurement> {
    const p = raw as unknown as LargeParams;
    const root = join(p.workDir, `project-${p.families}`);
    await writeFiles(root, p.families);
    if (p.part === 'synth') {
      const { App } = await import('aws-cdk-lib');
      const { loadCheckedProject } = await import('../../lib/check/check.ts');
      const { addDapStacks } = await import('../../lib/infra/dap-app.ts');
      const { checkAssemblyLimits, LIMITS } = await import('../../lib/infra/deploy-limits.ts');
      const t0 = performance.now();
      const app = new App({ outdir: join(root, 'cdk.out'), context: { 'aws:cdk:bundling-stacks': [] } });
      addDapStacks(app, loadCheckedProject(root), { only: 'prod' });
      const report = checkAssemblyLimits(app.synth());
      const synthMs = performance.now() - t0;
      const largest = [...report.measured].sort((a, b) => b.templateBytes - a.templateBytes)[0];
      const rolePolicies = Math.max(...report.measured.map((m) => m.largestRolePolicies));
      return {
        metrics: { synth_ms: synthMs },
        facts: {
          stacks: report.measured.length,
          largest_template_bytes: largest?.templateBytes ?? 0,
          largest_template_share: (largest?.templateBytes ?? 0) / LIMITS.templateBytes.max,
          most_resources: Math.max(...report.measured.map((m) => m.resources)),
          largest_role_policies: rolePolicies,
          role_policy_share: rolePolicies / LIMITS.roleInlinePolicies.max,
          findings: report.findings.length,
          asl_errors: report.asl.length,
        },
      };
    }
    const { openLocal } = await import('../../lib/local/context.ts');
    const { LocalTwin, STATE_PAYLOAD_LIMIT_BYTES } = await import('../../lib/local/twin/local-twin.ts');
    const { TaskError } = await import('../../lib/local/twin/task-handlers.ts');
    const { failsInLongErrorRun } = await import('../../lib/core/samples/large-project.ts');
    const t0 = performance.now();
    const context = await openLocal({ root, env: 'dev', dataDir: join(root, '.dap') });
    try {
      const twin = await LocalTwin.open(context);
      const t1 = performance.now();
      const result = await twin.run({ trigger: 'bench' });
      const t2 = performance.now();
      const events = p.families * 10;
      const cause = (event: string) => `${event}: ${'x'.repeat(32_768 - event.length - 2)}`;
      const failing = await twin.run({
        trigger: 'bench',
        wrapTask: (state, handler) =>
          state === 'PrepareTransform'
            ? async (input) => {
                const event = String((input as { event_name?: unknown }).event_name);
                if (failsInLongErrorRun(event)) throw new TaskError('States.TaskFailed', cause(event));
                return handler(input);
              }
            : handler,
      });
      return {
        metrics: { open_ms: t1 - t0, run_ms: t2 - t1, per_event_ms: (t2 - t1) / events },
        facts: {
          outcome: result.outcome,
          largest_payload_bytes: result.largestPayload?.bytes ?? 0,
          largest_payload_state: `${result.largestPayload?.state} (${result.largestPayload?.direction})`,
          payload_share: (result.largestPayload?.bytes ?? 0) / STATE_PAYLOAD_LIMIT_BYTES,
          failing_events: failing.report?.totals.events_failed ?? 0,
          failing_outcome: failing.outcome,
          failing_payload_bytes: failing.largestPayload?.bytes ?? 0,
          failing_payload_state: `${failing.largestPayload?.state} (${failing.largestPayload?.direction})`,
          failing_payload_share: (failing.largestPayload?.bytes ?? 0) / STATE_PAYLOAD_LIMIT_BYTES,
        },
      };
    } finally {
      await context.close();
    }
  },
  render(results) {
    const percent = (value: unknown) => `${formatNumber(Number(value) * 100)}%`;
    const synth = results.filter((r) => r.step.params.part === 'synth');
    const twin = results.filter((r) => r.step.params.part === 'twin');
    return (
      [
        "A synthetic project (`lib/core/samples/large-project.ts`: DAP-shaped TxMA raw tables, one stage table per family, one transform per event), synthesized for `prod` in process (Lambdas not bundled) and checked by `lib/infra/deploy-limits.ts` as `cdk synth` checks it; then run on the twin with no raw data (every event planned, prepared and skipped), and again with events failing with 32 KiB causes (every event of the first family, the first event of each even-numbered one). No state carries what grows with events × error length: each family's outcome and each long error are kept in the process-results bucket and read back by the report step.",
        '',
        table(
          [
            'project',
            'synth + limit checks',
            'stacks',
            'largest template (of 1 MB)',
            'most resources (of 500)',
            'largest role policies (of 10,240)',
            'limit findings / ASL errors',
            'peak RSS',
          ],
          synth.map((r) => [
            r.step.label,
            seconds(metric(r, 'synth_ms')),
            String(fact(r, 'stacks') ?? '-'),
            `${formatNumber(Number(fact(r, 'largest_template_bytes')))} B (${percent(fact(r, 'largest_template_share'))})`,
            String(fact(r, 'most_resources') ?? '-'),
            `${formatNumber(Number(fact(r, 'largest_role_policies')))} (${percent(fact(r, 'role_policy_share'))})`,
            `${fact(r, 'findings') ?? '-'} / ${fact(r, 'asl_errors') ?? '-'}`,
            show(rss(r), 'MB'),
          ]),
        ),
        '',
        table(
          [
            'project',
            'open (catalog)',
            'run',
            'per event',
            'largest state payload (of 256 KiB)',
            'outcome',
            'events failing with 32 KiB causes: largest state payload, outcome',
            'peak RSS',
          ],
          twin.map((r) => [
            r.step.label,
            seconds(metric(r, 'open_ms')),
            seconds(metric(r, 'run_ms')),
            show(
              derived(r, (m) => m.metrics.per_event_ms ?? Number.NaN),
              'ms',
            ),
            `${formatNumber(Number(fact(r, 'largest_payload_bytes')))} B (${percent(fact(r, 'payload_share'))}), ${fact(r, 'largest_payload_state')}`,
            String(fact(r, 'outcome') ?? '-'),
            fact(r, 'failing_payload_bytes') === undefined
              ? '-'
              : `${fact(r, 'failing_events')} failing: ${formatNumber(Number(fact(r, 'failing_payload_bytes')))} B (${percent(fact(r, 'failing_payload_share'))}), ${fact(r, 'failing_payload_state')}; ${fact(r, 'failing_outcome')}`,
            show(rss(r), 'MB'),
          ]),
        ),
      ].join('\n') + failures(results)
    );
  },
};
