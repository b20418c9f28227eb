import { deferredDayLines, lateFileLines, type RunReport } from '../core/run-report.ts';
import { formatTable } from './table-format.ts';
import { STATE_PAYLOAD_LIMIT_BYTES, type TwinOutcome, type TwinRunResult } from './twin/local-twin.ts';

/**
 * `dap run` exit codes: 0 SUCCEEDED (or nothing to do because another run holds the lease), 2 PARTIAL, 1 FAILED.
 */
export const EXIT_CODES: Readonly<Record<TwinOutcome, number>> = {
  SUCCEEDED: 0,
  ALREADY_RUNNING: 0,
  PARTIAL: 2,
  FAILED: 1,
  CRASHED: 1,
  // As a shell reports a command ended by SIGINT.
  INTERRUPTED: 130,
};

export function reportTable(report: RunReport): string {
  const rows = report.families.flatMap((family) =>
    family.events.length === 0
      ? [
          {
            family: family.product_family,
            event: '(family)',
            status: family.status,
            rows_written: null,
            duration_ms: null,
          },
        ]
      : family.events.map((event) => ({
          family: family.product_family,
          event: event.event_name,
          status: event.status,
          rows_written: event.rows_written,
          duration_ms: event.duration_ms,
        })),
  );
  return formatTable(['family', 'event', 'status', 'rows_written', 'duration_ms'], rows);
}

/** The reporting model's procedures, one line each. */
export function reportingTable(report: RunReport): string {
  return formatTable(
    ['reporting_family', 'procedure', 'status', 'duration_ms'],
    report.reporting.map((r) => ({
      reporting_family: r.product_family,
      procedure: r.procedure,
      status: r.status,
      duration_ms: r.duration_ms,
    })),
  );
}

/** Prints what a run did and returns the exit code for its outcome. */
export function printRunResult(result: TwinRunResult, write: (text: string) => void = console.log): number {
  if (result.outcome === 'ALREADY_RUNNING') {
    const lease = result.output as { message?: string };
    write(`run ${result.runId} did not start: ${lease.message ?? 'another run holds the lease'}`);
    return EXIT_CODES.ALREADY_RUNNING;
  }
  if (result.outcome === 'INTERRUPTED') {
    write(
      `run ${result.runId} INTERRUPTED: stopped before it finished; its lease is released, the next run starts at once`,
    );
    return EXIT_CODES.INTERRUPTED;
  }
  const { report } = result;
  if (!report) {
    // A state over Step Functions' payload quota fails the execution wherever it is, report written or not.
    const when = result.error?.name === 'States.DataLimitExceeded' ? '' : ' before writing its report';
    write(`run ${result.runId} FAILED${when}: ${result.error?.name ?? ''} ${result.error?.cause ?? ''}`);
    return EXIT_CODES.CRASHED;
  }
  write('');
  write(reportTable(report));
  if (report.reporting.length > 0) write(`\n${reportingTable(report)}`);
  const { totals } = report;
  const reportingDone = report.reporting.filter((r) => r.status === 'SUCCEEDED').length;
  const reporting =
    report.reporting.length > 0 ? `, ${reportingDone}/${report.reporting.length} reporting procedures` : '';
  write(
    `\nrun ${report.run_id} ${report.status}: ${totals.families - totals.families_failed}/${totals.families} families, ` +
      `${totals.events - totals.events_failed}/${totals.events} events, ${totals.rows_written} rows written${reporting}`,
  );
  for (const family of report.families.filter((f) => f.status === 'FAILED')) {
    const events = family.events.filter((e) => e.status === 'FAILED');
    if (events.length === 0) write(`  ${family.product_family}: ${family.error ?? 'failed'}`);
    for (const event of events) write(`  ${family.product_family} / ${event.event_name}: ${event.error}`);
  }
  for (const reporting of report.reporting.filter((r) => r.status !== 'SUCCEEDED')) {
    write(`  ${reporting.product_family} (reporting): ${reporting.error}`);
  }
  for (const line of lateFileLines(report)) write(`  ${line}`);
  for (const line of deferredDayLines(report)) write(`  ${line}`);
  const warning = payloadWarning(result);
  if (warning) write(warning);
  if (result.reportKey) write(`report: ${result.reportKey}`);
  return EXIT_CODES[report.status];
}

/**
 * A run that passed a state more than 60% of Step Functions' 256 KiB quota (dap's headroom target, as for the
 * templates): said before a larger project crosses it in AWS.
 */
export function payloadWarning(result: Pick<TwinRunResult, 'largestPayload'>): string | undefined {
  const largest = result.largestPayload;
  if (largest === undefined || largest.bytes <= 0.6 * STATE_PAYLOAD_LIMIT_BYTES) return undefined;
  const share = Math.round((largest.bytes / STATE_PAYLOAD_LIMIT_BYTES) * 100);
  return `warning: state ${largest.state}'s ${largest.direction} was ${largest.bytes} bytes, ${share}% of Step Functions' ${STATE_PAYLOAD_LIMIT_BYTES}-byte quota; a run with more events or longer errors would fail in AWS (States.DataLimitExceeded)`;
}
