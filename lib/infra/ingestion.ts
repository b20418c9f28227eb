import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INGEST_FILE_ENV } from '../../lambdas/ingest-file/env.ts';
import { LANDING_PREFIX } from '../core/ingest/keys.ts';
import { leaseName, ledgerKey } from '../core/ingest/report.ts';
import { resourceNames } from '../core/model/names.ts';
import { PROJECT_FOLDERS, type Project } from '../core/model/project.ts';
import type { EnvironmentConfig } from '../core/model/schemas.ts';
import { leaseKey, valueKey } from '../engines/aws/dynamodb-control-store.ts';
import { DapFunction } from './dap-function.ts';
import { allowRuleDeadLetters } from './event-rules.ts';
import { logRetentionOf } from './log-group.ts';
import { acknowledgeNag } from './nag.ts';

/** Where ingestion stages raw parts before publishing them (see `lib/core/ingest/ingest-file.ts`). */
const STAGING_PREFIX = '_staging/ingest/';

export interface DapFileIngestionProps {
  readonly environment: EnvironmentConfig;
  /** The validated project: the raw table locations of the file sources' datasets bound the raw grants. */
  readonly project: Project;
  /** Files are dropped here under `landing/<source>/`; EventBridge notifications are switched on for it. */
  readonly landingBucket: s3.Bucket;
  readonly rawBucket: s3.IBucket;
  readonly archiveBucket: s3.IBucket;
  readonly quarantineBucket: s3.IBucket;
  /** Holds the deployed config the Lambda reads (`config/`, `athena-scripts/`, `redshift-scripts/`). */
  readonly metadataBucket: s3.IBucket;
  /** The control store: the ledger (one item per file hash) and the per-hash leases. */
  readonly controlTable: dynamodb.ITable;
  /** Encrypts the buckets (read and written with it), the dead-letter queue and the log group. */
  readonly key: kms.IKey;
  /** @default 2048 MB: the parsers stream, this is head room for a workbook's shared strings and long rows */
  readonly memorySize?: number;
  /** @default 15 minutes, Lambda's maximum */
  readonly timeout?: Duration;
  /** @default RemovalPolicy.RETAIN (log group and queue) */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * File ingestion in AWS: S3 "Object Created" events of the landing bucket under `landing/` go through an
 * EventBridge rule to the ingest Lambda, which validates, maps and loads the file into raw, then archives or
 * quarantines it. Events the rule cannot deliver and invocations that fail after retries go to a dead-letter queue;
 * the file itself stays in landing. The Lambda may touch nothing but the prefixes and items ingestion owns.
 */
export class DapFileIngestion extends Construct {
  public readonly function: DapFunction;
  public readonly rule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DapFileIngestionProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const names = resourceNames(props.environment);

    // At the CloudFormation level rather than Bucket.enableEventBridgeNotification(), which adds a custom-resource
    // Lambda (with a managed-policy role) only to flip this one flag.
    (props.landingBucket.node.defaultChild as s3.CfnBucket).addPropertyOverride(
      'NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled',
      true,
    );

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      queueName: `${names.prefix}-file-ingest-failures`,
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      removalPolicy,
    });
    acknowledgeNag(
      this.deadLetterQueue,
      'SQS3',
      'This queue is the dead-letter queue of file ingestion; a message that reaches it is kept for inspection',
    );

    const fn = new DapFunction(this, 'Ingest', {
      handlerName: 'ingest-file',
      description: 'Validates, maps and loads a file dropped into landing/<source>/, then archives or quarantines it',
      timeout: props.timeout ?? Duration.minutes(15),
      memorySize: props.memorySize ?? 2048,
      logRetention: logRetentionOf(props.environment),
      encryptionKey: props.key,
      removalPolicy,
      environment: { [INGEST_FILE_ENV.environment]: props.environment.name },
    });
    this.function = fn;

    // Two retries of a failed invocation (a busy hash clears within minutes), then the event goes to the DLQ.
    new lambda.CfnEventInvokeConfig(this, 'FailedInvocations', {
      functionName: fn.function.functionName,
      qualifier: '$LATEST',
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 6 * 3600,
      destinationConfig: { onFailure: { destination: this.deadLetterQueue.queueArn } },
    });

    const ruleName = `${names.prefix}-file-ingest`;
    this.rule = new events.Rule(this, 'ObjectCreated', {
      ruleName,
      description: `Ingests files dropped into ${LANDING_PREFIX}<source>/ of the ${props.environment.name} landing bucket`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.landingBucket.bucketName] },
          object: { key: [{ prefix: LANDING_PREFIX }] },
        },
      },
      targets: [
        new targets.LambdaFunction(fn.function, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 4,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
    // EventBridge itself writes undeliverable events to the KMS-encrypted DLQ.
    allowRuleDeadLetters(props.key, this, [ruleName]);

    this.bindAccess(props, fn);
  }

  /** The buckets and the table the handler reads by name, granted exactly what `ingestObject` does, prefix by prefix. */
  private bindAccess(props: DapFileIngestionProps, fn: DapFunction): void {
    // Landing: read (hash, parse, copy source) and remove once archived or quarantined.
    fn.bindBucket(INGEST_FILE_ENV.landingBucket, props.landingBucket, {
      objects: { prefixes: [LANDING_PREFIX], read: true, delete: true },
      list: 'prefixes',
      wildcardReason: 'Reads and removes whichever file a sender drops under landing/',
    });
    // Raw: staging parts, then the datasets' table locations; deletes clean up an interrupted attempt.
    fn.bindBucket(INGEST_FILE_ENV.rawBucket, props.rawBucket, {
      objects: {
        prefixes: [STAGING_PREFIX, ...this.datasetPrefixes(props.project)],
        read: true,
        write: true,
        delete: true,
      },
      list: 'prefixes',
      wildcardReason: 'Writes one part object per file and ingest date; keys carry the file hash',
    });
    // Archive and quarantine: originals, reports and rejects, under <source>/ (or _unrouted/).
    fn.bindBucket(INGEST_FILE_ENV.archiveBucket, props.archiveBucket, {
      objects: { prefixes: [''], write: true, delete: true },
      list: 'prefixes',
      wildcardReason: 'Archives each loaded original under <source>/<date>/<hash>/',
    });
    fn.bindBucket(INGEST_FILE_ENV.quarantineBucket, props.quarantineBucket, {
      objects: { prefixes: [''], write: true, delete: true },
      list: 'prefixes',
      wildcardReason: 'Quarantines originals, reports and rejects under <source>/<date>/<hash>/',
    });
    fn.bindBucket(INGEST_FILE_ENV.metadataBucket, props.metadataBucket, {
      objects: { prefixes: PROJECT_FOLDERS.map((folder) => `${folder}/`), read: true },
      list: 'prefixes',
      wildcardReason: 'Reads the deployed config files',
    });

    // One key encrypts every bucket above and the dead-letter queue: one statement for all of them.
    const statement = (actions: string[], resources: string[]) =>
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
    statement(['kms:Decrypt', 'kms:GenerateDataKey'], [props.key.keyArn]);
    statement(['sqs:SendMessage'], [this.deadLetterQueue.queueArn]);

    // The control table: only the ledger items and the leases of file hashes.
    const tableKey = props.controlTable.encryptionKey;
    fn.bindTable(INGEST_FILE_ENV.controlTable, props.controlTable, {
      items: 'read-write',
      partitions: [valueKey(ledgerKey('*')).pk, leaseKey(leaseName('*')).pk],
      // The storage key is granted above; a table with a key of its own needs that one too.
      key: tableKey === props.key ? undefined : tableKey,
    });
  }

  /** `files/<dataset>/` for each dataset a file source loads into, from its raw table declaration. */
  private datasetPrefixes(project: Project): string[] {
    const prefixes = new Set<string>();
    for (const source of project.fileSources.values()) {
      const table = project.rawTables.get(source.dataset);
      if (table) prefixes.add(`${table.location}/`);
    }
    return [...prefixes].sort();
  }
}
