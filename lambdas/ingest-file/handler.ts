/**
 * The ingest Lambda: invoked by the EventBridge rule on S3 "Object Created" in the landing bucket under
 * `landing/`. It ingests the one object the event names (see `lib/core/ingest/ingest-file.ts`) and returns the
 * summary. Busy and failed ingestions throw, so Lambda's asynchronous retries try again and the DLQ keeps the
 * event when they are exhausted; the file itself stays in landing.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { type IngestBuckets, type IngestDeps, ingestObject } from '../../lib/core/ingest/ingest-file.ts';
import { quarantineMetricLine } from '../../lib/core/ingest/metrics.ts';
import type { IngestSummary } from '../../lib/core/ingest/report.ts';
import { parseEvent } from '../../lib/core/lambda-event.ts';
import type { Project } from '../../lib/core/model/project.ts';
import type { ControlStore, ObjectStore } from '../../lib/core/ports.ts';
import { DynamoDbControlStore } from '../../lib/engines/aws/dynamodb-control-store.ts';
import { requireEnv } from '../../lib/engines/aws/env.ts';
import { lambdaEntry } from '../shared/lambda-entry.ts';
import { awsRuntime } from '../shared/runtime.ts';
import { INGEST_FILE_ENV } from './env.ts';

export const ObjectCreatedEventSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({ key: z.string().min(1), size: z.number().optional(), etag: z.string().optional() }),
  }),
});
export type ObjectCreatedEvent = z.infer<typeof ObjectCreatedEventSchema>;

/** What the rule delivers for `landingBucket`: another bucket's event is a wiring bug, refused like a malformed one. */
export function landingEventSchema(landingBucket: string) {
  return ObjectCreatedEventSchema.superRefine((event, context) => {
    const bucket = event.detail.bucket.name;
    if (bucket === landingBucket) return;
    context.addIssue({
      code: 'custom',
      path: ['detail', 'bucket', 'name'],
      message: `expected the landing bucket "${landingBucket}", got "${bucket}"`,
    });
  });
}

export interface IngestFileDeps {
  readonly buckets: IngestBuckets;
  readonly store: ObjectStore;
  readonly control: ControlStore;
  /** The deployed project (config and source mappings), as of now. */
  readonly project: () => Promise<Project>;
  readonly now?: IngestDeps['now'];
  readonly newRunId?: IngestDeps['newRunId'];
  /** @default a Powertools logger for service `ingest-file` */
  readonly logger?: Logger;
  /** Where embedded-metric lines go (the environment is `DAP_ENV`). @default stdout, read by CloudWatch Logs */
  readonly metrics?: { readonly environment: string; readonly emit: (line: string) => void };
}

/**
 * Keys as events carry them may be URL-encoded (`a+b%281%29.csv` for `a b(1).csv`). The key is tried as given
 * first, so a key that really holds `+` or `%` still works; the decoded form only if that object does not exist.
 */
export function keyCandidates(key: string): string[] {
  try {
    const decoded = decodeURIComponent(key.replaceAll('+', ' '));
    return decoded === key ? [key] : [key, decoded];
  } catch {
    return [key];
  }
}

export function makeHandler(deps: IngestFileDeps): (event: unknown) => Promise<IngestSummary> {
  const logger = deps.logger ?? new Logger({ serviceName: 'ingest-file' });
  const schema = landingEventSchema(deps.buckets.landing);
  return async (event) => {
    const { detail } = parseEvent('ingest-file', schema, event);
    const project = await deps.project();
    const ingestDeps: IngestDeps = {
      project,
      buckets: deps.buckets,
      store: deps.store,
      control: deps.control,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.newRunId ? { newRunId: deps.newRunId } : {}),
    };
    let summary: IngestSummary | undefined;
    for (const key of keyCandidates(detail.object.key)) {
      summary = await ingestObject(ingestDeps, key);
      if (summary.outcome !== 'missing') break;
    }
    if (summary === undefined) throw new Error('unreachable: keyCandidates is never empty');
    const facts = { key: summary.key, outcome: summary.outcome, rows: summary.rows, reason: summary.reason };
    if (summary.outcome === 'loaded' || summary.outcome === 'partially_loaded') logger.info('file ingested', facts);
    else logger.warn(`file ${summary.outcome}`, { ...facts, report: summary.locations.report });
    if (summary.outcome === 'quarantined' && deps.metrics) {
      deps.metrics.emit(quarantineMetricLine(deps.metrics.environment, summary, deps.now?.() ?? new Date()));
    }
    return summary;
  };
}

/** How long a container reuses the deployed config before reading it again. */
const PROJECT_TTL_MS = 60_000;

export const handler = lambdaEntry(
  'ingest-file',
  (logger) => {
    const runtime = awsRuntime();
    return makeHandler({
      buckets: {
        landing: requireEnv(INGEST_FILE_ENV.landingBucket),
        raw: requireEnv(INGEST_FILE_ENV.rawBucket),
        archive: requireEnv(INGEST_FILE_ENV.archiveBucket),
        quarantine: requireEnv(INGEST_FILE_ENV.quarantineBucket),
      },
      store: runtime.store,
      control: new DynamoDbControlStore({ tableName: requireEnv(INGEST_FILE_ENV.controlTable) }),
      project: runtime.projectNoOlderThan(PROJECT_TTL_MS),
      logger,
      metrics: { environment: runtime.environment, emit: (line) => process.stdout.write(`${line}\n`) },
    });
  },
  (summary) => ({ key: summary.key, outcome: summary.outcome }),
);
