import { PRICES } from '../lib/cost.ts';
import { fact, formatNumber, metric, table } from '../lib/report.ts';
import type { BenchCase, StepResult } from '../lib/types.ts';
import { pairs } from './end-to-end.ts';

/**
 * Derived, not measured: what the runs measured by the end-to-end and incremental cases would cost on AWS, from
 * their own figures. Every state entered counts as a Step Functions transition (counted on the synthesized
 * definition as the twin runs it); Lambda is billed at each function's memory size in the synthesized template for
 * the duration its handler took locally; Athena bills each transform's raw bytes in window and each quality check at
 * the 10 MB minimum.
 */

function usd(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value < 0.01 ? `$${value.toFixed(5)}` : `$${value.toFixed(4)}`;
}

function costRow(label: string, r: StepResult | undefined, runsPerMonth?: number): string[] {
  const athena = metric(r, 'cost_athena_usd')?.median;
  const sfn = metric(r, 'cost_sfn_usd')?.median;
  const lambda = metric(r, 'cost_lambda_usd')?.median;
  const total = athena !== undefined && sfn !== undefined && lambda !== undefined ? athena + sfn + lambda : undefined;
  return [
    label,
    `${formatNumber(metric(r, 'athena_queries')?.median ?? Number.NaN)} queries, ${formatNumber((metric(r, 'bytes_scanned')?.median ?? Number.NaN) / 1024 ** 2)} MB raw`,
    usd(athena),
    `${formatNumber(metric(r, 'transitions')?.median ?? Number.NaN)}`,
    usd(sfn),
    `${formatNumber(metric(r, 'lambda_invocations')?.median ?? Number.NaN)} calls, ${formatNumber(metric(r, 'lambda_gb_s')?.median ?? Number.NaN)} GB-s`,
    usd(lambda),
    usd(total),
    runsPerMonth && total !== undefined ? usd(total * runsPerMonth) : '',
  ];
}

export const awsCost: BenchCase = {
  name: 'aws-cost',
  title: 'Per-run AWS cost estimate',
  plan() {
    return [];
  },
  async measure() {
    throw new Error('aws-cost is derived from the end-to-end and incremental results; it measures nothing itself');
  },
  render(_results, all) {
    const endToEnd = pairs(all.get('end-to-end') ?? []).filter((p) => p.twin);
    const incremental = all.get('incremental') ?? [];
    if (endToEnd.length === 0 && incremental.length === 0) {
      return 'Derived from the end-to-end and incremental cases, which did not run this time (`--case end-to-end --case incremental --case aws-cost`).';
    }
    const rows = [
      ...endToEnd.map((p) => costRow(`full load, ${p.scale} (${fact(p.twin, 'raw_records') ?? '?'} records)`, p.twin)),
      ...incremental.map((r) => costRow(`daily incremental run, ${r.step.label}`, r, 30)),
    ];
    return [
      `List prices: Athena $${PRICES.athenaPerTb} per TB scanned, rounded up to the MB, ${PRICES.athenaMinimumBytes / 1024 ** 2} MB minimum per query; Step Functions Standard $${PRICES.stepFunctionsPerThousandTransitions} per 1,000 state transitions; Lambda $${PRICES.lambdaPerGbSecond.arm64} per GB-s on arm64 (the template's architecture) and $${PRICES.lambdaPerMillionRequests} per million requests; no free tier. Transitions are the states entered by the real synthesized definition as the twin ran it (\`onStateEntered\`). Lambda GB-s = each task's memory size in the synthesized template × the duration its handler took here (local durations stand in for Lambda's; cold starts not included). Athena: each event's load query is billed for the raw bytes in its window, its clear and merge queries (uncompressed NDJSON here; Firehose with GZIP would cut this several-fold), and each quality check at the 10 MB minimum (merge and checks read the window's stage rows, Parquet in AWS). Not included: S3 requests and storage, Glue catalog, KMS, CloudWatch, SNS, Redshift (the reporting families are disabled), DynamoDB (the lease: a handful of writes per run).`,
      '',
      table(
        [
          'run',
          'Athena',
          'Athena $',
          'transitions',
          'Step Functions $',
          'Lambda',
          'Lambda $',
          'per run',
          'per month (30 runs)',
        ],
        rows,
      ),
      '',
      'At these scales the fixed part dominates: every Athena query is billed at least 10 MB (three per event, clear + load + merge, plus one per quality check) and every run enters the states of every enabled family and event whatever the data; only the raw scan of the load queries grows with the data, and an incremental run scans only its new day.',
    ].join('\n');
  },
};
