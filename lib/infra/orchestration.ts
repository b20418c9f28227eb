import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, type RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { resourceNames } from '../core/model/names.ts';
import { PROJECT_FOLDERS } from '../core/model/project.ts';
import type { EnvironmentConfig } from '../core/model/schemas.ts';
import { DapFunction } from './dap-function.ts';
import { allowRuleDeadLetters } from './event-rules.ts';
import { glueArn, glueReadStatement } from './glue-access.ts';
import { DapLogGroup, lambdaLogGroupName, logRetentionOf } from './log-group.ts';
import { acknowledgeNag, nagArn } from './nag.ts';
import { type RawToStageFunctions, rawToStageDefinition } from './raw-to-stage-definition.ts';
import type { DapWarehouse } from './warehouse.ts';

export interface DapOrchestrationProps {
  readonly environment: EnvironmentConfig;
  /** The folder holding config/, athena-scripts/ and redshift-scripts/, deployed to the metadata bucket. */
  readonly projectRoot: string;
  readonly key: kms.IKey;
  readonly rawBucket: s3.IBucket;
  readonly stageBucket: s3.IBucket;
  readonly metadataBucket: s3.IBucket;
  readonly processResultsBucket: s3.IBucket;
  readonly athenaResultsBucket: s3.IBucket;
  readonly rawDatabase: string;
  readonly stageDatabase: string;
  /** Where each event's window is loaded before it is merged into stage. */
  readonly incomingDatabase: string;
  readonly workgroupName: string;
  readonly controlTable: dynamodb.ITable;
  readonly topic: sns.ITopic;
  readonly removalPolicy: RemovalPolicy;
  /** The Redshift the reporting steps run in (Serverless created by the stack, or an existing cluster). */
  readonly warehouse: DapWarehouse;
}

/**
 * The raw-to-stage pipeline: its Lambdas, the state machine `<prefix>-raw-to-stage`, its schedule, and the
 * deployed copy of config and scripts in the metadata bucket that the Lambdas read.
 */
export class DapOrchestration extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly functions: Readonly<Record<keyof RawToStageFunctions, DapFunction>>;
  /** The schedule rule, when the environment has a schedule. */
  public readonly schedule?: events.Rule;
  /** Where the schedule's failed starts go, when the environment has a schedule. */
  public readonly scheduleDeadLetters?: sqs.Queue;

  constructor(scope: Construct, id: string, props: DapOrchestrationProps) {
    super(scope, id);
    const env = props.environment;
    const names = resourceNames(env);
    const leaseSeconds = env.orchestration.lease_seconds;
    const workgroupArn = Stack.of(this).formatArn({
      service: 'athena',
      resource: 'workgroup',
      resourceName: props.workgroupName,
    });

    const common = { DAP_ENV: env.name, METADATA_BUCKET: props.metadataBucket.bucketName };
    const make = (handlerName: string, description: string, extra: Record<string, string> = {}, timeout?: Duration) =>
      new DapFunction(this, handlerName, {
        handlerName,
        description,
        environment: { ...common, ...extra },
        logRetention: logRetentionOf(env),
        encryptionKey: props.key,
        removalPolicy: props.removalPolicy,
        ...(timeout ? { timeout } : {}),
      });
    const redshift = env.redshift;
    const warehouse = props.warehouse;
    const redshiftConnection = {
      REDSHIFT_DATABASE: redshift.database,
      REDSHIFT_SCHEMA: redshift.schema,
      ...(warehouse.target.kind === 'cluster'
        ? { REDSHIFT_CLUSTER: warehouse.target.identifier }
        : { REDSHIFT_WORKGROUP: warehouse.target.name }),
      ...(redshift.secret_arn ? { REDSHIFT_SECRET_ARN: redshift.secret_arn } : {}),
      PROCEDURE_TIMEOUT_SECONDS: String(redshift.procedure_timeout_seconds),
    };
    const functions = {
      runGuard: make('run-guard', 'Takes, renews and releases the run lease', {
        CONTROL_TABLE: props.controlTable.tableName,
        LEASE_SECONDS: String(leaseSeconds),
      }),
      plan: make('plan', 'Reads the deployed config and plans the run'),
      prepareTransform: make('prepare-transform', "Works out one event's window and renders its MERGE", {
        CONTROL_TABLE: props.controlTable.tableName,
        RAW_BUCKET: props.rawBucket.bucketName,
      }),
      checkFamily: make('check-family', "Runs a family's data-quality checks and decides its outcome", {
        ATHENA_WORKGROUP: props.workgroupName,
      }),
      commitFamily: make('commit-family', "Advances a passed family's watermarks", {
        CONTROL_TABLE: props.controlTable.tableName,
      }),
      procedureRunner: make(
        'procedure-runner',
        'Runs CALL <schema>.sp_<family>(run_id) in Redshift through the Data API',
        redshiftConnection,
        Duration.seconds(redshift.procedure_timeout_seconds + 60),
      ),
      migrateWarehouse: make(
        'migrate-warehouse',
        'Creates the Spectrum schemas and applies pending reporting-model migrations through the Data API',
        { ...redshiftConnection, SPECTRUM_ROLE_ARN: warehouse.spectrumRoleArn },
        Duration.seconds(redshift.procedure_timeout_seconds + 60),
      ),
      writeReport: make('write-report', 'Writes the run report and returns the run status', {
        PROCESS_RESULTS_BUCKET: props.processResultsBucket.bucketName,
        ATHENA_WORKGROUP: props.workgroupName,
      }),
    };
    this.functions = functions;

    // ---- grants, each to the function that needs it
    const controlActions = {
      read: ['dynamodb:GetItem'],
      write: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    };
    for (const [fn, access] of [
      [functions.runGuard, 'write'],
      [functions.commitFamily, 'write'],
      [functions.prepareTransform, 'read'],
    ] as const) {
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: controlActions[access], resources: [props.controlTable.tableArn] }),
      );
      props.key.grant(
        fn.role,
        ...(access === 'read' ? ['kms:Decrypt'] : ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']),
      );
    }
    // The prepare step lists the raw files of each window (sizes for the report, empty windows skipped).
    functions.prepareTransform.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.rawBucket.bucketArn] }),
    );
    for (const fn of [functions.plan, functions.prepareTransform, functions.migrateWarehouse]) {
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.metadataBucket.bucketArn] }),
      );
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.metadataBucket.arnForObjects('*')] }),
      );
      props.key.grant(fn.role, 'kms:Decrypt');
      acknowledgeNag(
        fn.role,
        `IAM5[Resource::${nagArn(props.metadataBucket)}/*]`,
        'Reads every config and script file the stack deployed to the metadata bucket; the set of keys is the project',
      );
    }
    functions.writeReport.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [props.processResultsBucket.arnForObjects('run_reports/*')],
      }),
    );
    functions.writeReport.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['athena:GetQueryExecution', 'athena:GetQueryRuntimeStatistics'],
        resources: [workgroupArn],
      }),
    );
    props.key.grant(functions.writeReport.role, 'kms:Encrypt', 'kms:GenerateDataKey');
    acknowledgeNag(
      functions.writeReport.role,
      `IAM5[Resource::${nagArn(props.processResultsBucket)}/run_reports/*]`,
      'One report object per run under run_reports/; run ids are not known at deploy time',
    );
    warehouse.grantDataApi(functions.procedureRunner.role);
    warehouse.grantDataApi(functions.migrateWarehouse.role, { batch: true, results: true });
    if (warehouse.target.kind === 'workgroup') {
      // Serverless maps an IAM identity to database user IAMR:<role> with the database roles this tag names:
      // both create or replace objects of the reporting schema (migrations) or write its tables (procedures).
      for (const fn of [functions.procedureRunner, functions.migrateWarehouse]) {
        Tags.of(fn.role).add('RedshiftDbRoles', 'sys:dba');
      }
    }

    // ---- the deployed copy of config and scripts
    // One deployment per folder keeps the folder as the key prefix, as the loader expects. They share CDK's one
    // deployment Lambda, whose log group is created here so it is encrypted and expires like every other.
    const folders = PROJECT_FOLDERS.filter((f) => existsSync(join(props.projectRoot, f)));
    if (folders.length > 0) {
      const deploymentLogs = new DapLogGroup(this, 'ConfigDeploymentLogs', {
        logGroupName: `${lambdaLogGroupName(this)}/ConfigDeployment`,
        retention: logRetentionOf(env),
        encryptionKey: props.key,
        removalPolicy: props.removalPolicy,
      });
      for (const folder of folders) {
        new s3deploy.BucketDeployment(this, `Deploy-${folder}`, {
          destinationBucket: props.metadataBucket,
          destinationKeyPrefix: `${folder}/`,
          sources: [s3deploy.Source.asset(join(props.projectRoot, folder))],
          prune: true,
          retainOnDelete: false,
          memoryLimit: 256,
          logGroup: deploymentLogs,
        });
      }
    }

    this.acknowledgeBucketDeploymentFindings(props);

    // ---- the state machine
    const logGroup = new DapLogGroup(this, 'StateMachineLogs', {
      logGroupName: `/aws/vendedlogs/states/${names.stateMachine}`,
      retention: logRetentionOf(env),
      encryptionKey: props.key,
      removalPolicy: props.removalPolicy,
    });
    const definition = rawToStageDefinition(this, {
      functions: {
        runGuard: functions.runGuard.function,
        plan: functions.plan.function,
        prepareTransform: functions.prepareTransform.function,
        checkFamily: functions.checkFamily.function,
        commitFamily: functions.commitFamily.function,
        procedureRunner: functions.procedureRunner.function,
        migrateWarehouse: functions.migrateWarehouse.function,
        writeReport: functions.writeReport.function,
      },
      topic: props.topic,
      workgroupName: props.workgroupName,
      stageDatabase: props.stageDatabase,
      familyConcurrency: env.orchestration.family_concurrency,
      eventConcurrency: env.orchestration.event_concurrency,
      transformTimeout: Duration.seconds(leaseSeconds - 60),
    });
    this.stateMachine = new sfn.StateMachine(this, 'RawToStage', {
      stateMachineName: names.stateMachine,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      // Tracing and logging are set on the CloudFormation resource below, not by `tracingEnabled` and `logs`,
      // which would put their "*" statements in the role's default policy.
      timeout: Duration.hours(24),
    });
    this.traceAndLog(this.stateMachine, logGroup);
    this.grantAthena(this.stateMachine.role, props, workgroupArn, 'transforms');
    this.grantAthena(functions.checkFamily.role, props, workgroupArn, 'checks');
    for (const fn of Object.values(functions)) {
      acknowledgeNag(
        this.stateMachine.role,
        `IAM5[Resource::${nagArn(fn.function)}:*]`,
        'CDK grants invoking every version and alias of each pipeline Lambda the state machine calls, by design',
      );
    }

    // ---- schedule
    const schedule = env.schedules.raw_to_stage;
    if (schedule !== null) {
      const deadLetters = new sqs.Queue(this, 'ScheduleDeadLetters', {
        encryptionMasterKey: props.key,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledgeNag(deadLetters, 'SQS3', 'This queue is itself the dead-letter queue of the schedule target');
      this.scheduleDeadLetters = deadLetters;
      // Named, so the key can let EventBridge write this rule's failed starts to the encrypted queue, and no other's.
      const ruleName = `${names.stateMachine}-schedule`;
      allowRuleDeadLetters(props.key, this, [ruleName]);
      this.schedule = new events.Rule(this, 'Schedule', {
        ruleName,
        description: `Starts ${names.stateMachine}`,
        schedule: events.Schedule.expression(schedule),
        targets: [
          new targets.SfnStateMachine(this.stateMachine, {
            input: events.RuleTargetInput.fromObject({ trigger: 'schedule' }),
            deadLetterQueue: deadLetters,
            retryAttempts: 2,
          }),
        ],
      });
    }
  }

  /**
   * X-Ray tracing and every event logged (without execution data) to `logGroup`, as `tracingEnabled` and `logs`
   * would set them, but with their "*" statements in a policy of their own, acknowledged there only: a "*" that a
   * task's grant adds to the role's default policy is still a finding.
   */
  private traceAndLog(machine: sfn.StateMachine, logGroup: logs.ILogGroup): void {
    const cfn = machine.node.defaultChild as sfn.CfnStateMachine;
    cfn.tracingConfiguration = { enabled: true };
    cfn.loggingConfiguration = {
      destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: logGroup.logGroupArn } }],
      level: sfn.LogLevel.ALL,
      includeExecutionData: false,
    };
    const unscoped = new iam.Policy(this, 'RawToStageTracingAndLogDelivery', {
      roles: [machine.role],
      statements: [
        new iam.PolicyStatement({
          actions: [
            'xray:PutTraceSegments',
            'xray:PutTelemetryRecords',
            'xray:GetSamplingRules',
            'xray:GetSamplingTargets',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          actions: [
            'logs:CreateLogDelivery',
            'logs:GetLogDelivery',
            'logs:UpdateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:DescribeResourcePolicies',
            'logs:DescribeLogGroups',
          ],
          resources: ['*'],
        }),
      ],
    });
    cfn.node.addDependency(unscoped);
    acknowledgeNag(
      unscoped,
      'IAM5[Resource::*]',
      'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery and friends) accept no resource scoping',
    );
  }

  /** CDK's own BucketDeployment Lambda (a stack singleton) is built by CDK with broad S3 and KMS grants. */
  private acknowledgeBucketDeploymentFindings(props: DapOrchestrationProps): void {
    const stack = Stack.of(this);
    const singleton = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!singleton) return;
    const reason =
      "CDK's BucketDeployment custom resource copies config to the metadata bucket; its role is built by CDK";
    acknowledgeNag(singleton, 'L1', `${reason}, with the runtime CDK pins`);
    acknowledgeNag(
      singleton,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason,
    );
    for (const finding of [
      'Action::kms:GenerateDataKey*',
      'Action::kms:ReEncrypt*',
      'Action::s3:Abort*',
      'Action::s3:DeleteObject*',
      'Action::s3:GetBucket*',
      'Action::s3:GetObject*',
      'Action::s3:List*',
      `Resource::${nagArn(props.metadataBucket)}/*`,
      `Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${stack.account}-${stack.region}/*`,
    ]) {
      acknowledgeNag(singleton, `IAM5[${finding}]`, reason);
    }
  }

  /**
   * What Athena needs, acting for its caller: the workgroup, the two databases and their tables, the raw bucket to
   * read, the results bucket to write and the key; for `transforms` (the state machine's MERGEs) also writing the
   * stage tables, for `checks` (data-quality queries) only reading them and fetching results. Nothing wider.
   */
  private grantAthena(
    role: iam.IRole,
    props: DapOrchestrationProps,
    workgroupArn: string,
    purpose: 'transforms' | 'checks',
  ): void {
    const stack = Stack.of(this);
    const statements = [
      new iam.PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:StopQueryExecution',
          ...(purpose === 'checks' ? ['athena:GetQueryResults', 'athena:GetQueryRuntimeStatistics'] : []),
        ],
        resources: [workgroupArn],
      }),
      new iam.PolicyStatement({
        actions: ['athena:GetDataCatalog'],
        resources: [stack.formatArn({ service: 'athena', resource: 'datacatalog', resourceName: 'AwsDataCatalog' })],
      }),
      glueReadStatement(this, [
        props.rawDatabase,
        props.stageDatabase,
        ...(purpose === 'transforms' ? [props.incomingDatabase] : []),
      ]),
      ...(purpose === 'transforms'
        ? [
            new iam.PolicyStatement({
              // Iceberg commits update the stage and incoming tables' metadata location.
              actions: ['glue:UpdateTable'],
              resources: [
                glueArn(this, 'catalog'),
                glueArn(this, 'database', props.stageDatabase),
                glueArn(this, 'table', `${props.stageDatabase}/*`),
                glueArn(this, 'database', props.incomingDatabase),
                glueArn(this, 'table', `${props.incomingDatabase}/*`),
              ],
            }),
          ]
        : []),
      new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket'],
        resources: [props.rawBucket.bucketArn, props.stageBucket.bucketArn, props.athenaResultsBucket.bucketArn],
      }),
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [
          props.rawBucket.arnForObjects('*'),
          ...(purpose === 'checks' ? [props.stageBucket.arnForObjects('*')] : []),
        ],
      }),
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [
          ...(purpose === 'transforms' ? [props.stageBucket.arnForObjects('*')] : []),
          props.athenaResultsBucket.arnForObjects('*'),
        ],
      }),
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [props.key.keyArn],
      }),
    ];
    for (const statement of statements) role.addToPrincipalPolicy(statement);
    const reason =
      'Athena reads every object of raw and writes under stage and results: object keys and Glue table names are data, unknown at deploy time; scoped to this environment';
    for (const resource of [
      `${nagArn(props.rawBucket)}/*`,
      `${nagArn(props.stageBucket)}/*`,
      `${nagArn(props.athenaResultsBucket)}/*`,
      `arn:<AWS::Partition>:glue:${stack.region}:${stack.account}:table/${props.rawDatabase}/*`,
      `arn:<AWS::Partition>:glue:${stack.region}:${stack.account}:table/${props.stageDatabase}/*`,
      ...(purpose === 'transforms'
        ? [`arn:<AWS::Partition>:glue:${stack.region}:${stack.account}:table/${props.incomingDatabase}/*`]
        : []),
    ]) {
      acknowledgeNag(role, `IAM5[Resource::${resource}]`, reason);
    }
  }
}
