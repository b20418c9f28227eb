import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ConfigError } from '../core/model/problems.ts';
import type { DapFunction } from './dap-function.ts';
import { RULE_NAME_MAX_LENGTH } from './event-rules.ts';
import { acknowledgeNag } from './nag.ts';

/**
 * What the per-source Lambdas that run on a schedule share (API pulls, database extracts): one dead-letter queue
 * for their failed runs, no retry of a failed run (the next scheduled run resumes from the checkpoint), and a
 * named EventBridge rule per source.
 */

export function failedRunsQueue(
  scope: Construct,
  props: {
    readonly queueName: string;
    readonly of: string;
    readonly key?: kms.IKey;
    readonly removalPolicy: RemovalPolicy;
  },
): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetters', {
    queueName: props.queueName,
    retentionPeriod: Duration.days(14),
    enforceSSL: true,
    ...(props.key
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.key }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
    removalPolicy: props.removalPolicy,
  });
  acknowledgeNag(
    queue,
    'SQS3',
    `This queue is the dead-letter queue of ${props.of}; a message that reaches it is kept for inspection`,
  );
  return queue;
}

/**
 * A failed run goes to `queue`, not retried. Wired at the L1 level because the destination's own grant adds
 * kms:ReEncrypt* and kms:GenerateDataKey*, more than sending needs.
 */
export function sendFailedRuns(scope: Construct, id: string, fn: DapFunction, queue: sqs.IQueue, key?: kms.IKey): void {
  new lambda.CfnEventInvokeConfig(scope, id, {
    functionName: fn.function.functionName,
    qualifier: '$LATEST',
    maximumRetryAttempts: 0,
    destinationConfig: { onFailure: { destination: queue.queueArn } },
  });
  fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
  key?.grant(fn.role, 'kms:GenerateDataKey', 'kms:Decrypt');
}

/** The rule that invokes `fn` on `schedule`; invocations it cannot deliver go to `queue`. */
export function scheduleRuns(
  scope: Construct,
  id: string,
  props: {
    readonly ruleName: string;
    readonly description: string;
    readonly schedule: string;
    readonly fn: DapFunction;
    readonly queue: sqs.IQueue;
  },
): events.Rule {
  return new events.Rule(scope, id, {
    ruleName: props.ruleName,
    description: props.description,
    schedule: events.Schedule.expression(props.schedule),
    targets: [
      new targets.LambdaFunction(props.fn.function, {
        deadLetterQueue: props.queue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    ],
  });
}

/**
 * `<prefix>-<verb>-<source>`: named, so the key policy can name the rule (see `allowRuleDeadLetters`). Throws a
 * `ConfigError` naming the source's file when the name is longer than EventBridge allows.
 */
export function scheduleRuleName(prefix: string, verb: string, source: string, file: string): string {
  const name = `${prefix}-${verb}-${source}`;
  if (name.length > RULE_NAME_MAX_LENGTH) {
    throw new ConfigError([
      {
        file,
        message: `the schedule rule name "${name}" is ${name.length} characters, EventBridge allows ${RULE_NAME_MAX_LENGTH}; use a shorter source name or name_prefix`,
      },
    ]);
  }
  return name;
}
