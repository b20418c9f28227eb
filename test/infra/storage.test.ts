import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { CfnKey } from 'aws-cdk-lib/aws-kms';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { type BucketKey, s3BucketNames } from '../../lib/core/model/names.ts';
import type { EnvironmentConfig } from '../../lib/core/model/schemas.ts';
import type { DapStack } from '../../lib/infra/dap-stack.ts';
import { NONCURRENT_VERSION_DAYS } from '../../lib/infra/storage.ts';
import { DEV_ACCOUNT, devEnvironment, logicalIdOf, prodEnvironment, templateOf } from './fixtures.ts';

const dev = templateOf(devEnvironment());
const prod = templateOf(prodEnvironment());

/** Every bucket of the stack by its key in `resourceNames().buckets`, the access-logs bucket included. */
function allBuckets(stack: DapStack): [BucketKey, Bucket][] {
  return [...Object.entries(stack.storage.buckets), ['accessLogs', stack.storage.accessLogs]] as [BucketKey, Bucket][];
}

function bucketResource(template: Template, bucket: Bucket): Record<string, unknown> {
  const resource = template.toJSON().Resources[logicalIdOf(bucket)];
  assert.ok(resource, `no resource for ${bucket.node.path}`);
  return resource;
}

function bucketProperties(template: Template, bucket: Bucket): Record<string, unknown> {
  return bucketResource(template, bucket).Properties as Record<string, unknown>;
}

/** The ExpirationInDays of every lifecycle rule of the bucket that has one. */
function expirationDays(template: Template, bucket: Bucket): number[] {
  const { Rules } = bucketProperties(template, bucket).LifecycleConfiguration as {
    Rules: { ExpirationInDays?: number }[];
  };
  return Rules.flatMap((rule) => (rule.ExpirationInDays === undefined ? [] : [rule.ExpirationInDays]));
}

test('deployed bucket names are the resourceNames names suffixed with the account id', () => {
  // Prepare
  const expected = s3BucketNames(devEnvironment());

  // Act
  const actual = Object.fromEntries(
    allBuckets(dev.stack).map(([key, bucket]) => [key, bucketProperties(dev.template, bucket).BucketName]),
  );

  // Assess
  assert.equal(expected.raw, `dev-dap-raw-${DEV_ACCOUNT}`);
  assert.deepEqual(actual, expected);
});

test('data buckets are encrypted with the environment KMS key, which rotates', () => {
  const keyId = dev.stack.getLogicalId(dev.stack.storage.key.node.defaultChild as CfnKey);
  dev.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });

  for (const bucket of Object.values(dev.stack.storage.buckets)) {
    assert.deepEqual(
      bucketProperties(dev.template, bucket).BucketEncryption,
      {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
            },
          },
        ],
      },
      bucket.node.path,
    );
  }
});

test('the access-logs bucket uses S3-managed encryption, as server access log delivery requires', () => {
  assert.deepEqual(bucketProperties(dev.template, dev.stack.storage.accessLogs).BucketEncryption, {
    ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
  });
});

test('every bucket policy denies requests that do not use TLS', () => {
  for (const [, bucket] of allBuckets(dev.stack)) {
    dev.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalIdOf(bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  }
});

test('every bucket blocks public access, disables ACLs and keeps versions', () => {
  for (const [, bucket] of allBuckets(dev.stack)) {
    const properties = bucketProperties(dev.template, bucket);
    assert.deepEqual(
      properties.PublicAccessBlockConfiguration,
      { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      bucket.node.path,
    );
    assert.deepEqual(properties.VersioningConfiguration, { Status: 'Enabled' }, bucket.node.path);
    assert.deepEqual(properties.OwnershipControls, { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    assert.equal(properties.AccessControl, undefined, bucket.node.path);
  }
});

test('lifecycle expiration follows retention_days of the environment', () => {
  // Prepare
  const env: EnvironmentConfig = devEnvironment();
  const { buckets, accessLogs } = dev.stack.storage;
  const expected: [Bucket, number[]][] = [
    [buckets.landing, [env.retention_days.landing]],
    [buckets.raw, env.retention_days.raw === null ? [] : [env.retention_days.raw]],
    [buckets.archive, [env.retention_days.archive]],
    [buckets.quarantine, [env.retention_days.quarantine]],
    [buckets.processResults, [env.retention_days.process_results]],
    [buckets.athenaResults, [env.retention_days.athena_results]],
    [accessLogs, [env.retention_days.access_logs]],
    // Stage tables and pipeline metadata have no retention setting: they are kept.
    [buckets.stage, []],
    [buckets.metadata, []],
  ];

  // Assess
  for (const [bucket, days] of expected) {
    assert.deepEqual(expirationDays(dev.template, bucket), days, bucket.node.path);
  }
});

test('a null retention keeps the data: prod raw has no expiration', () => {
  assert.equal(prodEnvironment().retention_days.raw, null);
  assert.deepEqual(expirationDays(prod.template, prod.stack.storage.raw), []);
});

test('old object versions expire after the recovery window in every bucket', () => {
  for (const [, bucket] of allBuckets(prod.stack)) {
    const { Rules } = bucketProperties(prod.template, bucket).LifecycleConfiguration as {
      Rules: unknown[];
    };
    assert.ok(
      Rules.some(
        (rule) =>
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_VERSION_DAYS } }).test(rule)
            .isSuccess,
      ),
      bucket.node.path,
    );
  }
});

test('every data bucket logs server access to the access-logs bucket, which grants the logging service by policy', () => {
  // Prepare
  const names = s3BucketNames(devEnvironment());
  const accessLogsId = logicalIdOf(dev.stack.storage.accessLogs);

  for (const [key, bucket] of allBuckets(dev.stack)) {
    if (key === 'accessLogs') continue;
    // Assess
    assert.deepEqual(
      bucketProperties(dev.template, bucket).LoggingConfiguration,
      { DestinationBucketName: { Ref: accessLogsId }, LogFilePrefix: `${names[key]}/` },
      bucket.node.path,
    );
    dev.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: accessLogsId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:PutObject',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Condition: Match.objectLike({
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalIdOf(bucket), 'Arn'] } },
            }),
          }),
        ]),
      },
    });
  }
});

test('an environment that allows destroy gets DESTROY and emptied buckets; otherwise everything is retained', () => {
  const keyOf = (stack: DapStack) => stack.getLogicalId(stack.storage.key.node.defaultChild as CfnKey);
  const policies = (template: Template, logicalId: string) => {
    const { DeletionPolicy, UpdateReplacePolicy } = template.toJSON().Resources[logicalId];
    return { DeletionPolicy, UpdateReplacePolicy };
  };

  for (const [, bucket] of allBuckets(dev.stack)) {
    assert.deepEqual(policies(dev.template, logicalIdOf(bucket)), {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
    dev.template.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: logicalIdOf(bucket) } });
  }
  assert.deepEqual(policies(dev.template, keyOf(dev.stack)), {
    DeletionPolicy: 'Delete',
    UpdateReplacePolicy: 'Delete',
  });

  for (const [, bucket] of allBuckets(prod.stack)) {
    assert.deepEqual(policies(prod.template, logicalIdOf(bucket)), {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  }
  assert.deepEqual(policies(prod.template, keyOf(prod.stack)), {
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
  });
  assert.deepEqual(prod.template.findResources('Custom::S3AutoDeleteObjects'), {});
});
