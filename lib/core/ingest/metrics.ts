import type { IngestSummary } from './report.ts';

/**
 * The metric the monitoring construct alarms on and the ingest Lambda publishes: one per
 * quarantined file, published as a CloudWatch embedded-metric log line, so it needs neither a client nor IAM.
 */
export const INGEST_QUARANTINE_METRIC = {
  namespace: 'dap',
  metricName: 'IngestQuarantinedFiles',
  dimension: 'Environment',
} as const;

/** The embedded-metric-format line for one quarantined file of an environment. */
export function quarantineMetricLine(environment: string, summary: IngestSummary, now: Date): string {
  const { namespace, metricName, dimension } = INGEST_QUARANTINE_METRIC;
  return JSON.stringify({
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [[dimension]], Metrics: [{ Name: metricName, Unit: 'Count' }] },
      ],
    },
    [dimension]: environment,
    [metricName]: 1,
    source: summary.source,
    key: summary.key,
    reason: summary.reason,
  });
}
