/**
 * The ingest Lambda: invoked by the EventBridge rule on S3 "Object Created" in the landing bucket under
 * `landing/`. It ingests the one object the event names (see `lib/core/ingest/ingest-file.ts`) and returns the
 * summary. Busy and failed ingestions throw, so Lambda's asynchronous retries try again and the DLQ keeps the
 * event when they are exhausted; the file itself stays in landing.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { loadDeployedProject } from '../../lib/check/deployed.ts';
import { type IngestBuckets, type IngestDeps, ingestObject } from '../../lib/core/ingest/ingest-file.ts';
import { quarantineMetricLine } from '../../lib/core/ingest/metrics.ts';
import type { IngestSummary } from '../../lib/core/ingest/report.ts';
import type { Project } from '../../lib/core/model/project.ts';
import type { ControlStore, ObjectStore } from '../../lib/core/ports.ts';
import { DynamoDbControlStore } from '../../lib/engines/aws/dynamodb-control-store.ts';
import { requireEnv } from '../../lib/engines/aws/env.ts';
import { S3ObjectStore } from '../../lib/engines/aws/s3-object-store.ts';

export const ObjectCreatedEventSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({ key: z.string().min(1), size: z.number().optional(), etag: z.string().optional() }),
  }),
});
export type ObjectCreatedEvent = z.infer<typeof ObjectCreatedEventSchema>;

/** The event is not what the rule should deliver: a wiring bug, so it fails loudly, naming each bad field. */
export class IngestEventError extends Error {
  constructor(
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`ingest-file event is invalid: ${problems.join('; ')}`, options);
    this.name = 'IngestEventError';
  }
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

const defaultLogger = new Logger({ serviceName: 'ingest-file' });

export function parseIngestEvent(event: unknown, landingBucket: string): ObjectCreatedEvent {
  const parsed = ObjectCreatedEventSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`);
    throw new IngestEventError(problems, { cause: parsed.error });
  }
  const bucket = parsed.data.detail.bucket.name;
  if (bucket !== landingBucket) {
    throw new IngestEventError([`detail.bucket.name: expected the landing bucket "${landingBucket}", got "${bucket}"`]);
  }
  return parsed.data;
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
  const logger = deps.logger ?? defaultLogger;
  return async (event) => {
    const { detail } = parseIngestEvent(event, deps.buckets.landing);
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

let awsHandler: ((event: unknown) => Promise<IngestSummary>) | undefined;

/** Bound on first use, so importing this module (tests, the twin) needs no AWS environment. */
function bindAws(): (event: unknown) => Promise<IngestSummary> {
  if (awsHandler) return awsHandler;
  const store = new S3ObjectStore();
  const metadataBucket = requireEnv('METADATA_BUCKET');
  let cached: { at: number; project: Promise<Project> } | undefined;
  awsHandler = makeHandler({
    buckets: {
      landing: requireEnv('LANDING_BUCKET'),
      raw: requireEnv('RAW_BUCKET'),
      archive: requireEnv('ARCHIVE_BUCKET'),
      quarantine: requireEnv('QUARANTINE_BUCKET'),
    },
    store,
    control: new DynamoDbControlStore({ tableName: requireEnv('CONTROL_TABLE') }),
    project: () => {
      if (cached === undefined || Date.now() - cached.at > PROJECT_TTL_MS) {
        cached = { at: Date.now(), project: loadDeployedProject(store, metadataBucket) };
        cached.project.catch(() => {
          cached = undefined;
        });
      }
      return cached.project;
    },
    logger: defaultLogger,
    metrics: { environment: requireEnv('DAP_ENV'), emit: (line) => process.stdout.write(`${line}\n`) },
  });
  return awsHandler;
}

export const handler = middy()
  .use(injectLambdaContext(defaultLogger))
  .handler(async (event: unknown) => bindAws()(event));
