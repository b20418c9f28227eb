import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { TemplateResolver } from '../../lib/local/twin/definition.ts';
import type { CfnTemplate } from '../../lib/local/twin/synthesize.ts';
// cdk-nag over the whole stack, monitoring included, is dap-stack.test.ts's job.
import { devEnvironment, environmentConfig, templateOf } from './fixtures.ts';

const env = devEnvironment();
const { stack, template } = templateOf(env);
const topicRef = { Ref: stack.getLogicalId(stack.notifications.topic.node.defaultChild as never) };
const machineRef = { Ref: stack.getLogicalId(stack.orchestration.stateMachine.node.defaultChild as never) };

/** The alarm with this name must notify the alerts topic when it fires, and only then. */
function assertAlarm(name: string, properties: Record<string, unknown>): void {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: name,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
    AlarmActions: [topicRef],
    ...properties,
  });
}

describe('pipeline alarms', () => {
  test('fire on any failed or timed-out raw-to-stage execution', () => {
    for (const [metric, name] of [
      ['ExecutionsFailed', 'dev-dap-executions-failed'],
      ['ExecutionsTimedOut', 'dev-dap-executions-timed-out'],
    ] as const) {
      assertAlarm(name, {
        Namespace: 'AWS/States',
        MetricName: metric,
        Dimensions: [{ Name: 'StateMachineArn', Value: machineRef }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
      });
    }
  });

  test('fire on errors of every pipeline Lambda', () => {
    const functions = Object.values(stack.orchestration.functions);
    assert.ok(functions.length > 0);
    for (const fn of functions) {
      assertAlarm(`dev-dap-lambda-errors-${fn.handlerName}`, {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [
          { Name: 'FunctionName', Value: { Ref: stack.getLogicalId(fn.function.node.defaultChild as never) } },
        ],
        Statistic: 'Sum',
        Threshold: 1,
      });
    }
  });

  test('fire when the schedule dead-letter queue holds a message', () => {
    const queue = stack.orchestration.node.findChild('ScheduleDeadLetters');
    assertAlarm('dev-dap-dlq-depth-schedule', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [stack.getLogicalId(queue.node.defaultChild as never), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      Threshold: 1,
    });
  });

  test("fire on files quarantined by ingestion, from dap's own metric for this environment", () => {
    assertAlarm('dev-dap-ingest-quarantine', {
      Namespace: 'dap',
      MetricName: 'IngestQuarantinedFiles',
      Dimensions: [{ Name: 'Environment', Value: 'dev' }],
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 1,
    });
  });

  test('an environment without a schedule has no schedule dead-letter queue and no alarm for one', () => {
    const { template: manual } = templateOf(environmentConfig({ schedules: { raw_to_stage: null } }));

    const depthAlarms = Object.values(
      manual.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: 'ApproximateNumberOfMessagesVisible' },
      }),
    ).map((alarm) => (alarm as { Properties: { AlarmName: string } }).Properties.AlarmName);
    // Only the ingestion dead-letter queues remain watched.
    assert.deepEqual(depthAlarms.sort(), [
      'dev-dap-dlq-depth-api-pulls',
      'dev-dap-dlq-depth-database-extracts',
      'dev-dap-dlq-depth-file-ingestion',
    ]);
  });
});

describe('PARTIAL runs', () => {
  test('an EventBridge rule sends executions that failed with dap.RunPartial to the topic', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'dev-dap-run-partial',
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [machineRef], status: ['FAILED'], error: ['dap.RunPartial'] },
      },
      Targets: [Match.objectLike({ Arn: topicRef, InputTransformer: Match.anyValue() })],
    });
  });

  test('EventBridge and CloudWatch may publish to the topic and use its key', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sns:Publish',
            Principal: { Service: 'events.amazonaws.com' },
            Resource: topicRef,
            Condition: {
              StringEquals: { 'aws:SourceAccount': env.account },
              ArnEquals: {
                'aws:SourceArn': {
                  'Fn::GetAtt': [stack.getLogicalId(stack.monitoring.partialRunRule.node.defaultChild as never), 'Arn'],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  test('the key serves EventBridge and CloudWatch only for this account, for the rule and alarms that publish', () => {
    // Prepare
    const json = template.toJSON() as CfnTemplate;
    const resolver = new TemplateResolver(json, env);
    const keyStatements = Object.values(json.Resources)
      .filter((r) => r.Type === 'AWS::KMS::Key')
      .flatMap(
        (r) => (resolver.resolve(r.Properties?.KeyPolicy) as { Statement: Record<string, unknown>[] }).Statement,
      );
    // What publishing to an encrypted topic takes (the dead-letter queues' statements ask for GenerateDataKey).
    const grantTo = (service: string) => {
      const found = keyStatements.filter(
        (s) =>
          JSON.stringify(s.Principal) === JSON.stringify({ Service: service }) &&
          JSON.stringify(s.Action) === JSON.stringify(['kms:Decrypt', 'kms:GenerateDataKey*']),
      );
      assert.equal(found.length, 1, `one key statement for ${service} to publish`);
      return found[0] as { Condition: Record<string, Record<string, unknown>> };
    };

    // Act
    const events = grantTo('events.amazonaws.com');
    const cloudwatch = grantTo('cloudwatch.amazonaws.com');

    // Assess
    for (const statement of [events, cloudwatch]) {
      assert.deepEqual(statement.Condition.StringEquals, { 'aws:SourceAccount': env.account });
    }
    assert.deepEqual(events.Condition.ArnEquals, {
      'aws:SourceArn': ['arn:aws:events:eu-west-2:111111111111:rule/dev-dap-run-partial'],
    });
    const alarmArns = [...stack.monitoring.alarms.keys()].map(
      (name) => `arn:aws:cloudwatch:eu-west-2:111111111111:alarm:dev-dap-${name}`,
    );
    assert.ok(alarmArns.includes('arn:aws:cloudwatch:eu-west-2:111111111111:alarm:dev-dap-executions-failed'));
    assert.deepEqual(cloudwatch.Condition.ArnEquals, { 'aws:SourceArn': alarmArns });
  });
});

describe('the pipeline dashboard', () => {
  const body = () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    assert.equal(dashboards[0]?.Properties.DashboardName, 'dev-dap-pipeline');
    return JSON.stringify(stack.resolve(dashboards[0]?.Properties.DashboardBody));
  };

  test('shows executions, durations, Lambda errors and the Athena bytes scanned by the workgroup', () => {
    const text = body();
    for (const expected of [
      'Raw-to-stage executions',
      'ExecutionsSucceeded',
      'ExecutionTime',
      'Lambda errors',
      'ProcessedBytes',
      'WorkGroup=\\\\\\"dev-dap-workgroup\\\\\\"',
      'IngestQuarantinedFiles',
    ]) {
      assert.ok(text.includes(expected), `dashboard lacks ${expected}`);
    }
  });
});
