import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import {
  type ConnectorConfig,
  connectorConfigSchema,
  PULL_API_ENV,
} from '../../lib/core/connectors/connector-config.ts';

export { PULL_API_ENV };

import { type PullDeps, type PullResult, pullSource } from '../../lib/core/connectors/pull.ts';
import { DynamoDbControlStore } from '../../lib/engines/aws/dynamodb-control-store.ts';
import { InvalidEnvironmentVariableError, requireEnv } from '../../lib/engines/aws/env.ts';
import { S3ObjectStore } from '../../lib/engines/aws/s3-object-store.ts';
import { SecretsManagerSecretSource } from '../../lib/engines/aws/secrets-manager-secret-source.ts';

/** A pull that failed: the Lambda fails too, so the invocation lands in the dead-letter queue and alarms. */
export class PullFailedError extends Error {
  constructor(readonly result: PullResult) {
    super(`pull of ${result.source} failed: ${result.error?.message}`, { cause: result.error });
    this.name = 'PullFailedError';
  }
}

/** What a run answers: the pull's outcome without the error object (it is in the logs and the thrown error). */
export type PullAnswer = Omit<PullResult, 'error'>;

export interface PullApiDeps extends Omit<PullDeps, 'remainingMs'> {
  readonly connector: ConnectorConfig;
}

/**
 * One scheduled run of one source: pull until done, or until the time limit, the request budget or a long rate
 * limit ends the run as partial (a success: the next run resumes). The event is ignored; the schedule is the input.
 */
export function makeHandler(deps: PullApiDeps) {
  return async (_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<PullAnswer> => {
    const result = await pullSource(deps.connector, {
      ...deps,
      remainingMs: () => context.getRemainingTimeInMillis(),
    });
    if (result.status === 'failed') throw new PullFailedError(result);
    const { error: _error, ...answer } = result;
    return answer;
  };
}

/** Parses `DAP_API_CONNECTOR`, naming the variable when it is not the JSON the stack writes. */
export function connectorFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectorConfig {
  const text = requireEnv(PULL_API_ENV.connector, env);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidEnvironmentVariableError(PULL_API_ENV.connector, text.slice(0, 80), 'JSON written by the stack');
  }
  const result = connectorConfigSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InvalidEnvironmentVariableError(
      PULL_API_ENV.connector,
      text.slice(0, 80),
      `a connector config (${issue?.path.join('.')}: ${issue?.message})`,
    );
  }
  return result.data;
}

const logger = new Logger();
let bound: ReturnType<typeof makeHandler> | undefined;

function awsHandler(): ReturnType<typeof makeHandler> {
  bound ??= makeHandler({
    connector: connectorFromEnv(),
    store: new S3ObjectStore(),
    rawBucket: requireEnv(PULL_API_ENV.rawBucket),
    control: new DynamoDbControlStore({ tableName: requireEnv(PULL_API_ENV.controlTable) }),
    secrets: new SecretsManagerSecretSource(requireEnv(PULL_API_ENV.secretArn)),
    log: (message, details) => logger.info(message, details),
  });
  return bound;
}

export const handler = middy<unknown, PullAnswer, Error, Context>().handler((event, context) =>
  awsHandler()(event, context),
);
