import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { type BucketKey, resourceNames, s3BucketNames } from '../core/model/names.ts';
import type { EnvironmentConfig } from '../core/model/schemas.ts';
import { removalPolicyOf } from './removal-policy.ts';

/** Every bucket except the access-logs bucket: they hold data, so they are encrypted with the environment's key. */
export type DataBucketKey = Exclude<BucketKey, 'accessLogs'>;

/** Which `retention_days` entry limits each bucket; a bucket missing here, or whose entry is null, keeps its data. */
const RETENTION: Readonly<Partial<Record<BucketKey, keyof EnvironmentConfig['retention_days']>>> = {
  landing: 'landing',
  raw: 'raw',
  archive: 'archive',
  quarantine: 'quarantine',
  processResults: 'process_results',
  athenaResults: 'athena_results',
  accessLogs: 'access_logs',
};

/** Order of creation, which fixes the logical ids; append new buckets at the end. */
const DATA_BUCKETS: readonly DataBucketKey[] = [
  'landing',
  'raw',
  'stage',
  'archive',
  'quarantine',
  'processResults',
  'metadata',
  'athenaResults',
];

/**
 * How long an overwritten or deleted object version stays recoverable. Versioning guards against mistakes; without
 * this limit old versions would outlive the retention period and break storage limitation.
 */
export const NONCURRENT_VERSION_DAYS = 30;

export interface DapStorageProps {
  readonly environment: EnvironmentConfig;
  /**
   * What happens to the key and buckets when they leave the stack.
   * @default RETAIN, or DESTROY (with the buckets emptied first) when `environment.removal_policy` is `destroy`
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The environment's KMS key, its data buckets, and the bucket their server access logs go to. */
export class DapStorage extends Construct {
  /** Encrypts every data bucket; rotated yearly by KMS. */
  public readonly key: kms.Key;
  /**
   * Target of every data bucket's server access logs, with S3-managed encryption as log delivery requires. It does
   * not log its own access (that would log each delivery, in a loop); cdk-nag's AwsSolutions-S1 knows log targets.
   */
  public readonly accessLogs: s3.Bucket;
  public readonly buckets: Readonly<Record<DataBucketKey, s3.Bucket>>;
  public readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: DapStorageProps) {
    super(scope, id);
    // Log delivery is granted by a bucket policy rather than the legacy LogDeliveryWrite ACL, so the log bucket can
    // disable ACLs like every other bucket. Set on this scope so it holds in any app, with or without cdk.json.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    const env = props.environment;
    this.removalPolicy = props.removalPolicy ?? removalPolicyOf(env);
    const names = s3BucketNames(env);

    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${resourceNames(env).prefix}`,
      description: `Encrypts the data buckets of the ${env.name} dap environment`,
      enableKeyRotation: true,
      removalPolicy: this.removalPolicy,
    });

    this.accessLogs = this.bucket('AccessLogs', names.accessLogs, env.retention_days.access_logs, {
      encryption: s3.BucketEncryption.S3_MANAGED,
    });

    const buckets: Partial<Record<DataBucketKey, s3.Bucket>> = {};
    for (const key of DATA_BUCKETS) {
      const retentionKey = RETENTION[key];
      const retentionDays = retentionKey === undefined ? null : env.retention_days[retentionKey];
      buckets[key] = this.bucket(constructId(key), names[key], retentionDays, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.key,
        // One data key per bucket instead of a KMS call per object: same protection, a fraction of the KMS cost.
        bucketKeyEnabled: true,
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `${names[key]}/`,
      });
    }
    this.buckets = buckets as Record<DataBucketKey, s3.Bucket>;
  }

  public get raw(): s3.Bucket {
    return this.buckets.raw;
  }

  public get stage(): s3.Bucket {
    return this.buckets.stage;
  }

  /** A bucket with the settings every dap bucket shares; `extra` adds encryption and logging. */
  private bucket(
    id: string,
    bucketName: string,
    retentionDays: number | null,
    extra: Pick<
      s3.BucketProps,
      'encryption' | 'encryptionKey' | 'bucketKeyEnabled' | 'serverAccessLogsBucket' | 'serverAccessLogsPrefix'
    >,
  ): s3.Bucket {
    const lifecycleRules: s3.LifecycleRule[] = [
      {
        id: 'noncurrent-versions-and-uploads',
        noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
        // A separate rule from the retention one: S3 rejects this flag beside Expiration Days in the same rule.
        expiredObjectDeleteMarker: true,
      },
    ];
    if (retentionDays !== null) {
      lifecycleRules.push({ id: 'retention', expiration: Duration.days(retentionDays) });
    }
    const destroy = this.removalPolicy === RemovalPolicy.DESTROY;
    return new s3.Bucket(this, id, {
      bucketName,
      ...extra,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules,
      removalPolicy: this.removalPolicy,
      autoDeleteObjects: destroy,
    });
  }
}

/** `processResults` → `ProcessResults`: construct ids stay stable and readable in the template. */
function constructId(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}
