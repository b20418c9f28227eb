import { ArnFormat, Lazy, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import type { EnvironmentConfig } from '../core/model/schemas.ts';

export interface DapLogGroupProps {
  /**
   * Named, so the key policy can name it: its ARN as a token would make the key depend on the log group, which
   * depends on the key.
   */
  readonly logGroupName: string;
  readonly retention: logs.RetentionDays;
  /**
   * Encrypts the log group; its policy is extended to let CloudWatch Logs use it for this log group only.
   * @default CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
}

/** Every log group of a dap stack: named, with a retention, and encrypted with the environment's key. */
export class DapLogGroup extends logs.LogGroup {
  constructor(scope: Construct, id: string, props: DapLogGroupProps) {
    super(scope, id, {
      logGroupName: props.logGroupName,
      retention: props.retention,
      removalPolicy: props.removalPolicy,
      ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
    });
    if (props.encryptionKey) {
      const arn = Stack.of(this).formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: props.logGroupName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      logGroupArnsOf(props.encryptionKey).push(arn);
    }
  }
}

/** The log group retention of an environment, as CDK spells it (the schema admits only values CloudWatch accepts). */
export function logRetentionOf(env: EnvironmentConfig): logs.RetentionDays {
  return env.retention_days.logs as logs.RetentionDays;
}

/** `/aws/lambda/<stack name>/<path in the stack>`: unique in the account and region, and readable. */
export function lambdaLogGroupName(scope: IConstruct): string {
  const stack = Stack.of(scope);
  const path = scope.node.scopes
    .slice(stack.node.scopes.length)
    .map((s) => s.node.id)
    .join('/');
  return `/aws/lambda/${stack.stackName}/${path}`.replace(/[^\w./#-]/g, '-');
}

const encryptedLogGroups = new WeakMap<kms.IKey, string[]>();

/**
 * The ARNs of the log groups encrypted with `key`. The first call adds the one key-policy statement that lets
 * CloudWatch Logs use the key, for exactly these log groups (its encryption context names the log group).
 */
function logGroupArnsOf(key: kms.IKey): string[] {
  const known = encryptedLogGroups.get(key);
  if (known) return known;
  const arns: string[] = [];
  encryptedLogGroups.set(key, arns);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchLogsEncryptsDapLogGroups',
      principals: [new iam.ServicePrincipal(`logs.${Stack.of(key).region}.amazonaws.com`)],
      actions: [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'kms:GenerateDataKey',
        'kms:DescribeKey',
      ],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Lazy.list({ produce: () => arns }) },
      },
    }),
  );
  return arns;
}
