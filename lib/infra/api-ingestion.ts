import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { connectorConfig, PULL_API_ENV } from '../core/connectors/connector-config.ts';
import { stateKey } from '../core/connectors/pull-state.ts';
import { resourceNames } from '../core/model/names.ts';
import { PATHS, type Project } from '../core/model/project.ts';
import type { EnvironmentConfig } from '../core/model/schemas.ts';
import { valueKey } from '../engines/aws/dynamodb-control-store.ts';
import { pascal } from './construct-ids.ts';
import { DapFunction } from './dap-function.ts';
import { allowRuleDeadLetters } from './event-rules.ts';
import { logRetentionOf } from './log-group.ts';
import { acknowledgeNag } from './nag.ts';
import { failedRunsQueue, scheduleRuleName, scheduleRuns, sendFailedRuns } from './scheduled-runs.ts';

export interface DapApiIngestionProps {
  readonly environment: EnvironmentConfig;
  /** The validated project: one Lambda per `config/sources/apis/<source>.json`. */
  readonly project: Project;
  /** Where pages land, under each endpoint's raw table location. */
  readonly rawBucket: s3.IBucket;
  /** The control store (`pk`/`sk`); each source reads and writes only its own checkpoint item. */
  readonly controlTable: dynamodb.ITable;
  /**
   * Existing secrets by source name, for credentials managed elsewhere.
   * @default a secret per source named `<prefix>/api/<source>`, whose value you set to a JSON object of the
   * credential names in the source config, e.g. `{"EVENTBRITE_TOKEN": "..."}`
   */
  readonly secrets?: Readonly<Record<string, secretsmanager.ISecret>>;
  /**
   * Encrypts the created secrets, the dead-letter queue and the log groups.
   * @default AWS managed keys
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to created secrets and log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * API ingestion: per API source, a pull Lambda on the source's EventBridge schedule, with reserved concurrency 1 so
 * a source never runs twice at once, its credentials secret, and access to nothing but its own raw prefixes and
 * its own checkpoint item. Failed runs (and schedules that cannot invoke) land in one dead-letter queue.
 */
export class DapApiIngestion extends Construct {
  public readonly functions: ReadonlyMap<string, DapFunction>;
  public readonly secrets: ReadonlyMap<string, secretsmanager.ISecret>;
  /** Sources with `schedule: null` have no rule. */
  public readonly schedules: ReadonlyMap<string, events.Rule>;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DapApiIngestionProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const names = resourceNames(props.environment);
    const functions = new Map<string, DapFunction>();
    const secrets = new Map<string, secretsmanager.ISecret>();
    const schedules = new Map<string, events.Rule>();

    this.deadLetterQueue = failedRunsQueue(this, {
      queueName: `${names.prefix}-api-pull-failures`,
      of: 'the API pulls',
      ...(props.encryptionKey ? { key: props.encryptionKey } : {}),
      removalPolicy,
    });

    for (const sourceName of [...props.project.apiSources.keys()].sort()) {
      const connector = connectorConfig(props.project, sourceName);
      const { source } = connector;
      const idPrefix = pascal(sourceName);

      const secret =
        props.secrets?.[sourceName] ??
        new secretsmanager.Secret(this, `${idPrefix}Secret`, {
          secretName: `${names.prefix}/api/${sourceName}`,
          description: `Credentials of the ${sourceName} API: a JSON object with the keys named in config/sources/apis/${sourceName}.json`,
          ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
          removalPolicy,
        });
      if (secret instanceof secretsmanager.Secret) {
        acknowledgeNag(
          secret,
          'SMG4',
          `Third-party API credentials (${sourceName}) are issued by the vendor; a rotation Lambda cannot mint new ones`,
        );
      }

      const pull = new DapFunction(this, `${idPrefix}Pull`, {
        handlerName: 'pull-api',
        description: `Pulls the ${sourceName} API into raw, resuming from its checkpoint`,
        timeout: Duration.seconds(source.lambda_timeout_seconds),
        logRetention: logRetentionOf(props.environment),
        ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
        removalPolicy,
        environment: { [PULL_API_ENV.connector]: JSON.stringify(connector) },
      });
      // One run at a time per source: a second would race the first for the same checkpoint.
      (pull.function.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = 1;
      sendFailedRuns(this, `${idPrefix}FailedRuns`, pull, this.deadLetterQueue, props.encryptionKey);

      const locations = [...new Set(Object.values(connector.locations))].sort();
      pull.bindBucket(PULL_API_ENV.rawBucket, props.rawBucket, {
        objects: { prefixes: locations.map((location) => `${location}/`), write: true },
        key: props.rawBucket.encryptionKey,
        wildcardReason: (prefix) =>
          `Writes one object per pulled page under the ${prefix.slice(0, -1)} raw table; page keys depend on the pull`,
      });
      pull.bindTable(PULL_API_ENV.controlTable, props.controlTable, {
        items: 'read-put',
        partitions: [valueKey(stateKey(sourceName)).pk],
        key: props.controlTable.encryptionKey,
      });
      pull.bindSecret(PULL_API_ENV.secretArn, secret);

      if (source.schedule !== null) {
        schedules.set(
          sourceName,
          scheduleRuns(this, `${idPrefix}Schedule`, {
            ruleName: ruleName(props, sourceName),
            description: `Pulls the ${sourceName} API (config/sources/apis/${sourceName}.json)`,
            schedule: source.schedule,
            fn: pull,
            queue: this.deadLetterQueue,
          }),
        );
      }
      functions.set(sourceName, pull);
      secrets.set(sourceName, secret);
    }
    this.functions = functions;
    this.secrets = secrets;
    this.schedules = schedules;
    // EventBridge writes a schedule's failed invocations to the dead-letter queue, with its key when it has one.
    if (props.encryptionKey) {
      const ruleNames = [...schedules.keys()].map((sourceName) => ruleName(props, sourceName));
      allowRuleDeadLetters(props.encryptionKey, this, ruleNames);
    }
  }
}

/** `<prefix>-pull-<source>`, checked against EventBridge's limit. */
function ruleName(props: DapApiIngestionProps, sourceName: string): string {
  return scheduleRuleName(
    resourceNames(props.environment).prefix,
    'pull',
    sourceName,
    `${PATHS.apiSources}/${sourceName}.json`,
  );
}
