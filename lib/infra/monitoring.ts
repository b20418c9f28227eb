import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { INGEST_QUARANTINE_METRIC } from '../core/ingest/metrics.ts';
import { ruleArn } from './event-rules.ts';
import { RUN_PARTIAL_ERROR } from './raw-to-stage-definition.ts';

/** Namespace, name and dimension of the metric the ingestion Lambda publishes for each quarantined file. */

export interface DapMonitoringProps {
  /** Environment name: the `Environment` dimension of dap's own metrics, and part of every alarm name. */
  readonly environmentName: string;
  /** Prefix of the alarm, rule and dashboard names (`<prefix>-...`). */
  readonly prefix: string;
  /** Where alarms and the PARTIAL rule publish. */
  readonly topic: sns.ITopic;
  /** The topic's key: CloudWatch needs it to publish the alarms, EventBridge the PARTIAL message. */
  readonly topicKey: kms.IKey;
  readonly stateMachine: sfn.IStateMachine;
  /** Lambdas whose errors alarm, by a readable name (`plan`, `ingest-file`). */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /**
   * Dead-letter queues whose depth alarms, by a readable name.
   * @default none
   */
  readonly deadLetterQueues?: Readonly<Record<string, sqs.IQueue>>;
  /** Athena workgroup whose bytes scanned the dashboard shows. */
  readonly workgroupName: string;
  /**
   * Quarantined files in one hour that raise the ingest quarantine alarm.
   * @default 1
   */
  readonly quarantineThreshold?: number;
}

/**
 * What tells an operator the pipeline needs attention: alarms on failed and timed-out runs, Lambda errors,
 * dead letters and quarantined files, an EventBridge rule for PARTIAL runs, all to the alerts topic; and a
 * dashboard of executions, durations, Lambda errors and Athena bytes scanned.
 */
export class DapMonitoring extends Construct {
  /** Every alarm, by a stable name (`executions-failed`, `lambda-errors-plan`, ...). */
  public readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** Matches runs that ended PARTIAL and sends them to the topic. */
  public readonly partialRunRule: events.Rule;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DapMonitoringProps) {
    super(scope, id);
    const alarms = new Map<string, cloudwatch.Alarm>();
    const action = new actions.SnsAction(props.topic);
    const fiveMinutes = Duration.minutes(5);
    const alarm = (name: string, metric: cloudwatch.IMetric, description: string, threshold = 1) => {
      const created = new cloudwatch.Alarm(this, `Alarm-${name}`, {
        alarmName: `${props.prefix}-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No data means nothing happened: no runs, no errors, no dead letters.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      alarms.set(name, created);
      return created;
    };

    const machine = props.stateMachine;
    alarm(
      'executions-failed',
      machine.metricFailed({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      'A raw-to-stage run FAILED or ended PARTIAL (both end in a Fail state); the run report names the family and error',
    );
    alarm(
      'executions-timed-out',
      machine.metricTimedOut({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      'A raw-to-stage run hit the state machine timeout; its lease lapses and the next run takes over',
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(
        `lambda-errors-${name}`,
        fn.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
        `The ${name} Lambda threw; see its log group`,
      );
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues ?? {})) {
      alarm(
        `dlq-depth-${name}`,
        queue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: cloudwatch.Stats.MAXIMUM }),
        `Messages wait in the ${name} dead-letter queue: an event never reached its target`,
      );
    }
    const quarantined = new cloudwatch.Metric({
      namespace: INGEST_QUARANTINE_METRIC.namespace,
      metricName: INGEST_QUARANTINE_METRIC.metricName,
      dimensionsMap: { [INGEST_QUARANTINE_METRIC.dimension]: props.environmentName },
      period: Duration.hours(1),
      statistic: cloudwatch.Stats.SUM,
    });
    alarm(
      'ingest-quarantine',
      quarantined,
      'Ingestion quarantined files this hour; their reports in the quarantine bucket say why',
      props.quarantineThreshold ?? 1,
    );
    this.alarms = alarms;
    const alarmArn = (name: string) =>
      Stack.of(this).formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: `${props.prefix}-${name}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    this.allowTopicKey(props, 'cloudwatch.amazonaws.com', [...alarms.keys()].map(alarmArn));

    // PARTIAL is told apart from FAILED by the Fail state's error name, which the EventBridge event carries even
    // though the state machine logs exclude execution data.
    const partialRuleName = `${props.prefix}-run-partial`;
    this.partialRunRule = new events.Rule(this, 'PartialRun', {
      ruleName: partialRuleName,
      description: 'A raw-to-stage run ended PARTIAL: some families failed, the others committed',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [machine.stateMachineArn], status: ['FAILED'], error: [RUN_PARTIAL_ERROR] },
      },
      // Not targets.SnsTopic: its grant lets EventBridge use the topic and its key on behalf of any rule anywhere.
      targets: [
        {
          bind: () => ({
            arn: props.topic.topicArn,
            targetResource: props.topic,
            input: events.RuleTargetInput.fromText(
              `dap ${props.environmentName}: run ${events.EventField.fromPath('$.detail.name')} ended PARTIAL: ${events.EventField.fromPath('$.detail.cause')}`,
            ),
          }),
        },
      ],
    });
    props.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [props.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': this.partialRunRule.ruleArn },
        },
      }),
    );
    this.allowTopicKey(props, 'events.amazonaws.com', [ruleArn(this, partialRuleName)]);

    this.dashboard = this.pipelineDashboard(props, quarantined);
  }

  /**
   * Lets a service publish to the encrypted topic on behalf of these sources of this account only (SNS's
   * confused-deputy guard). The ARNs are spelled out from the names: as tokens they would make the key depend on
   * the alarms and rule, which depend on the topic, which depends on the key.
   */
  private allowTopicKey(props: DapMonitoringProps, service: string, sourceArns: string[]): void {
    props.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(service)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': sourceArns },
        },
      }),
    );
  }

  private pipelineDashboard(props: DapMonitoringProps, quarantined: cloudwatch.IMetric): cloudwatch.Dashboard {
    const machine = props.stateMachine;
    const period = Duration.minutes(5);
    const sum = { period, statistic: cloudwatch.Stats.SUM };
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.prefix}-pipeline`,
      defaultInterval: Duration.days(7),
    });
    const workgroup = props.workgroupName;
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms.values()], width: 24 }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Raw-to-stage executions',
        left: [
          machine.metricStarted(sum),
          machine.metricSucceeded(sum),
          machine.metricFailed(sum),
          machine.metricTimedOut(sum),
          machine.metricAborted(sum),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Raw-to-stage duration (ms)',
        left: [
          machine.metricTime({ period, statistic: cloudwatch.Stats.AVERAGE }),
          machine.metricTime({ period, statistic: cloudwatch.Stats.MAXIMUM }),
        ],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Lambda errors',
        left: Object.entries(props.functions).map(([name, fn]) => fn.metricErrors({ ...sum, label: name })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda duration p99 (ms)',
        left: Object.entries(props.functions).map(([name, fn]) =>
          fn.metricDuration({ period, statistic: cloudwatch.Stats.p(99), label: name }),
        ),
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `Athena bytes scanned (${workgroup})`,
        left: [
          // Athena publishes per QueryState and QueryType; the search sums them for the workgroup.
          new cloudwatch.MathExpression({
            expression: `SUM(SEARCH('{AWS/Athena,QueryState,QueryType,WorkGroup} MetricName="ProcessedBytes" WorkGroup="${workgroup}"', 'Sum', 300))`,
            label: 'bytes scanned',
            period,
          }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Quarantined files and dead letters',
        left: [quarantined],
        right: Object.entries(props.deadLetterQueues ?? {}).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM, label: name }),
        ),
        width: 12,
      }),
    );
    return dashboard;
  }
}
