import { AthenaClient } from '@aws-sdk/client-athena';
import { z } from 'zod';
import { parseEvent } from '../../lib/core/lambda-event.ts';
import type { ObjectStore, QueryEngine, QueryStatistics } from '../../lib/core/ports.ts';
import { familyRecordSchema, readFamilyOutcomes, readReportingOutcomes } from '../../lib/core/run-outcomes.ts';
import {
  blockedEventSchema,
  blockedReportingSchema,
  buildRunReport,
  familyOutcomeSchema,
  type RunStatus,
  reportingOutcomeSchema,
  runInfoSchema,
  runReportKey,
  runSummaryMessage,
  withConfigProblems,
} from '../../lib/core/run-report.ts';
import { AthenaQueryEngine } from '../../lib/engines/aws/athena-query-engine.ts';
import { requireEnv } from '../../lib/engines/aws/env.ts';
import { lambdaEntry } from '../shared/lambda-entry.ts';
import { awsRuntime } from '../shared/runtime.ts';
import { WRITE_REPORT_ENV } from './env.ts';

export const writeReportEventSchema = z.object({
  run: runInfoSchema,
  /** Each family as the families Map kept it (its outcome stored), or its whole outcome when storing it failed. */
  families: z.array(z.union([familyRecordSchema, familyOutcomeSchema])),
  reporting: z.array(reportingOutcomeSchema).default([]),
  /** The plan's parts left out for their config problems. */
  blocked: z.array(blockedEventSchema).default([]),
  reporting_blocked: z.array(blockedReportingSchema).default([]),
});

export interface WriteReportDeps {
  readonly environment: string;
  readonly store: ObjectStore;
  readonly processResultsBucket: string;
  readonly engine: Pick<QueryEngine, 'queryStatistics'>;
  readonly now?: () => Date;
}

export interface WriteReportResult {
  readonly status: RunStatus;
  readonly report_bucket: string;
  readonly report_key: string;
  readonly message: string;
}

/**
 * Builds the run report from the families' outcomes (read back from where the run kept them, every error whole),
 * stores it, and returns the run's status for the Choice.
 */
export function makeHandler(deps: WriteReportDeps) {
  return async (event: unknown): Promise<WriteReportResult> => {
    const input = parseEvent('write-report', writeReportEventSchema, event);
    const families = await readFamilyOutcomes(deps.store, deps.processResultsBucket, input.families);
    const reported = await readReportingOutcomes(deps.store, deps.processResultsBucket, input.reporting);
    const statistics = new Map<string, QueryStatistics>();
    for (const family of families) {
      for (const e of family.events) {
        const merge = e.queries?.merge?.query_execution_id;
        if (!merge) continue;
        const stats = await deps.engine.queryStatistics(merge);
        if (stats) statistics.set(merge, stats);
      }
    }
    const outcomes = withConfigProblems(
      { families, reporting: reported },
      { events: input.blocked, reporting: input.reporting_blocked },
    );
    const report = buildRunReport({
      run: input.run,
      environment: deps.environment,
      families: outcomes.families,
      reporting: outcomes.reporting,
      statistics,
      endedAt: (deps.now ?? (() => new Date()))(),
    });
    const key = runReportKey(report);
    await deps.store.put(deps.processResultsBucket, key, `${JSON.stringify(report)}\n`);
    return {
      status: report.status,
      report_bucket: deps.processResultsBucket,
      report_key: key,
      message: runSummaryMessage(report),
    };
  };
}

export const handler = lambdaEntry(
  'write-report',
  () =>
    makeHandler({
      environment: awsRuntime().environment,
      store: awsRuntime().store,
      processResultsBucket: requireEnv(WRITE_REPORT_ENV.processResultsBucket),
      engine: new AthenaQueryEngine({
        client: new AthenaClient({}),
        workgroup: requireEnv(WRITE_REPORT_ENV.athenaWorkgroup),
      }),
    }),
  (result) => ({ status: result.status, report: result.report_key }),
);
