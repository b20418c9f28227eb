import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type ExtractDeps, type ExtractResult, extractSource } from '../../lib/core/extract/extract.ts';
import { deployedDatabaseSource, EXTRACT_DATABASE_ENV } from '../../lib/core/extract/lambda-config.ts';
import type { DatabaseSource } from '../../lib/core/model/database-source-schema.ts';
import { DynamoDbControlStore } from '../../lib/engines/aws/dynamodb-control-store.ts';
import { requireEnv } from '../../lib/engines/aws/env.ts';
import { GlueSnapshotCatalog } from '../../lib/engines/aws/glue-snapshot-catalog.ts';
import { S3ObjectStore } from '../../lib/engines/aws/s3-object-store.ts';
import { SecretsManagerSecretSource } from '../../lib/engines/aws/secrets-manager-secret-source.ts';
import { PgSourceDatabases } from '../../lib/engines/postgres/pg-source-databases.ts';

export { EXTRACT_DATABASE_ENV };

/** An extract whose integrity checks failed: the Lambda fails too, so the run lands in the dead-letter queue and alarms. */
export class ExtractFailedError extends Error {
  constructor(readonly result: ExtractResult) {
    const first = result.problems[0];
    super(
      `extract ${result.extract_id} of ${result.source} failed ${result.problems.length} integrity check(s), nothing promoted` +
        (first ? `; first: ${first.source_id} ${first.table} ${first.check}: ${first.message}` : ''),
    );
    this.name = 'ExtractFailedError';
  }
}

export interface ExtractDatabaseDeps extends Omit<ExtractDeps, 'remainingMs'> {
  /** The source's config, read once per container. */
  readonly source: () => Promise<DatabaseSource>;
}

/**
 * One scheduled run of one database source: extract until done (checks passed and promoted, or failed), or until
 * the time limit ends the run as partial (a success: the next run resumes). The event is ignored.
 */
export function makeHandler(deps: ExtractDatabaseDeps) {
  return async (_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<ExtractResult> => {
    const result = await extractSource(await deps.source(), {
      ...deps,
      remainingMs: () => context.getRemainingTimeInMillis(),
    });
    deps.log?.('extract ended', { ...result });
    if (result.status === 'failed') throw new ExtractFailedError(result);
    return result;
  };
}

const logger = new Logger();
let bound: ReturnType<typeof makeHandler> | undefined;

function awsHandler(): ReturnType<typeof makeHandler> {
  if (!bound) {
    const store = new S3ObjectStore();
    const rawBucket = requireEnv(EXTRACT_DATABASE_ENV.rawBucket);
    let source: Promise<DatabaseSource> | undefined;
    bound = makeHandler({
      source: () => {
        source ??= deployedDatabaseSource(
          store,
          requireEnv(EXTRACT_DATABASE_ENV.metadataBucket),
          requireEnv(EXTRACT_DATABASE_ENV.source),
        ).catch((error: unknown) => {
          source = undefined;
          throw error;
        });
        return source;
      },
      store,
      rawBucket,
      control: new DynamoDbControlStore({ tableName: requireEnv(EXTRACT_DATABASE_ENV.controlTable) }),
      secrets: new SecretsManagerSecretSource(requireEnv(EXTRACT_DATABASE_ENV.secretArn)),
      databases: new PgSourceDatabases(),
      catalog: new GlueSnapshotCatalog({ database: requireEnv(EXTRACT_DATABASE_ENV.rawDatabase), bucket: rawBucket }),
      log: (message, details) => logger.info(message, details ?? {}),
    });
  }
  return bound;
}

export const handler = middy<unknown, ExtractResult, Error, Context>().handler((event, context) =>
  awsHandler()(event, context),
);
