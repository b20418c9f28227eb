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
import { LANDING_PREFIX } from '../core/ingest/keys.ts';
import { leaseName, ledgerKey } from '../core/ingest/report.ts';
import { resourceNames } from '../core/model/names.ts';
import { PROJECT_FOLDERS, type Project } from '../core/model/project.ts';
import type { EnvironmentConfig } from '../core/model/schemas.ts';
import { leaseKey, valueKey } from '../engines/aws/dynamodb-control-store.ts';
import { DapFunction } from './dap-function.ts';
import { allowRuleDeadLetters } from './event-rules.ts';
import { logRetentionOf } from './log-group.ts';
import { acknowledgeNag, nagArn } from './nag.ts';

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
  /** @default 2048 MB: the parsers stream, this is head room for exceljs's shared strings and large parts */
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
      environment: {
        LANDING_BUCKET: props.landingBucket.bucketName,
        RAW_BUCKET: props.rawBucket.bucketName,
        ARCHIVE_BUCKET: props.archiveBucket.bucketName,
        QUARANTINE_BUCKET: props.quarantineBucket.bucketName,
        METADATA_BUCKET: props.metadataBucket.bucketName,
        CONTROL_TABLE: props.controlTable.tableName,
        DAP_ENV: props.environment.name,
      },
    });
    this.function = fn;
    // exceljs buffers worksheets that precede the shared strings in the zip to /tmp; room for large workbooks.
    (fn.function.node.defaultChild as lambda.CfnFunction).ephemeralStorage = { size: 4096 };

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

    this.grantAccess(props, fn.role);
  }

  /** Exactly what `ingestObject` does, prefix by prefix. */
  private grantAccess(props: DapFileIngestionProps, role: iam.IRole): void {
    const statement = (actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources, ...(conditions ? { conditions } : {}) }));
    const list = (bucket: s3.IBucket, prefixes: readonly string[]) =>
      statement(['s3:ListBucket'], [bucket.bucketArn], { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } });
    const objects = (bucket: s3.IBucket, prefixes: readonly string[]) =>
      prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`));

    // Landing: read (hash, parse, copy source) and remove once archived or quarantined.
    statement(['s3:GetObject', 's3:DeleteObject'], objects(props.landingBucket, [LANDING_PREFIX]));
    list(props.landingBucket, [LANDING_PREFIX]);

    // Raw: staging parts, then the datasets' table locations; deletes clean up an interrupted attempt.
    const rawPrefixes = [STAGING_PREFIX, ...this.datasetPrefixes(props.project)];
    statement(['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], objects(props.rawBucket, rawPrefixes));
    list(props.rawBucket, rawPrefixes);

    // Archive and quarantine: originals, reports and rejects, under <source>/ (or _unrouted/).
    for (const bucket of [props.archiveBucket, props.quarantineBucket]) {
      statement(['s3:PutObject', 's3:DeleteObject'], objects(bucket, ['']));
      list(bucket, ['']);
    }

    // The deployed config.
    const configPrefixes = PROJECT_FOLDERS.map((folder) => `${folder}/`);
    statement(['s3:GetObject'], objects(props.metadataBucket, configPrefixes));
    list(props.metadataBucket, configPrefixes);

    statement(['kms:Decrypt', 'kms:GenerateDataKey'], [props.key.keyArn]);
    statement(['sqs:SendMessage'], [this.deadLetterQueue.queueArn]);

    // The control table: only the ledger items and the leases of file hashes.
    statement(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [props.controlTable.tableArn],
      {
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': [valueKey(ledgerKey('*')).pk, leaseKey(leaseName('*')).pk],
        },
      },
    );
    if (props.controlTable.encryptionKey && props.controlTable.encryptionKey !== props.key) {
      props.controlTable.encryptionKey.grant(role, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    }

    const reasons: [s3.IBucket, string, string][] = [
      [props.landingBucket, LANDING_PREFIX, 'Reads and removes whichever file a sender drops under landing/'],
      ...rawPrefixes.map((prefix): [s3.IBucket, string, string] => [
        props.rawBucket,
        prefix,
        'Writes one part object per file and ingest date; keys carry the file hash',
      ]),
      [props.archiveBucket, '', 'Archives each loaded original under <source>/<date>/<hash>/'],
      [props.quarantineBucket, '', 'Quarantines originals, reports and rejects under <source>/<date>/<hash>/'],
      ...configPrefixes.map((prefix): [s3.IBucket, string, string] => [
        props.metadataBucket,
        prefix,
        'Reads the deployed config files',
      ]),
    ];
    for (const [bucket, prefix, reason] of reasons) {
      acknowledgeNag(role, `IAM5[Resource::${nagArn(bucket)}/${prefix}*]`, reason);
    }
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
