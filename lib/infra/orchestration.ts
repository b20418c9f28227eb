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
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CHECK_FAMILY_ENV } from '../../lambdas/check-family/env.ts';
import { COMMIT_FAMILY_ENV } from '../../lambdas/commit-family/env.ts';
import { MIGRATE_WAREHOUSE_ENV } from '../../lambdas/migrate-warehouse/env.ts';
import { PLAN_ENV } from '../../lambdas/plan/env.ts';
import { PREPARE_TRANSFORM_ENV } from '../../lambdas/prepare-transform/env.ts';
import { PROCEDURE_RUNNER_ENV } from '../../lambdas/procedure-runner/env.ts';
import { RECORD_OUTCOME_ENV } from '../../lambdas/record-outcome/env.ts';
import { RUN_GUARD_ENV } from '../../lambdas/run-guard/env.ts';
import { REDSHIFT_DATA_API_ENV, RUNTIME_ENV } from '../../lambdas/shared/env.ts';
import { WRITE_REPORT_ENV } from '../../lambdas/write-report/env.ts';
import { reportingRunnerRole, resourceNames } from '../core/model/names.ts';
import { PROJECT_FOLDERS } from '../core/model/project.ts';
import type { EnvironmentConfig } from '../core/model/schemas.ts';
import { RUN_OUTCOMES_PREFIX } from '../core/run-outcomes.ts';
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

/** The pipeline's Lambdas, by the state machine step each serves. */
type PipelineFunctions = Readonly<Record<keyof RawToStageFunctions, DapFunction>>;

/**
 * The raw-to-stage pipeline: its Lambdas, the state machine `<prefix>-raw-to-stage`, its schedule, and the
 * deployed copy of config and scripts in the metadata bucket that the Lambdas read.
 */
export class DapOrchestration extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly functions: PipelineFunctions;
  /** The schedule rule, when the environment has a schedule. */
  public readonly schedule?: events.Rule;
  /** Where the schedule's failed starts go, when the environment has a schedule. */
  public readonly scheduleDeadLetters?: sqs.Queue;

  constructor(scope: Construct, id: string, props: DapOrchestrationProps) {
    super(scope, id);
    const workgroupArn = Stack.of(this).formatArn({
      service: 'athena',
      resource: 'workgroup',
      resourceName: props.workgroupName,
    });
    this.functions = this.pipelineFunctions(props, workgroupArn);
    this.deployProjectCopy(props);
    this.acknowledgeBucketDeploymentFindings(props);
    this.stateMachine = this.rawToStageMachine(props, workgroupArn);
    const scheduled = this.scheduleRuns(props);
    if (scheduled) {
      this.schedule = scheduled.rule;
      this.scheduleDeadLetters = scheduled.deadLetters;
    }
  }

  // ---- the functions, each bound to the variables its handler reads and granted what they name

  private pipelineFunctions(props: DapOrchestrationProps, workgroupArn: string): PipelineFunctions {
    return {
      runGuard: this.runGuardFunction(props),
      plan: this.planFunction(props),
      prepareTransform: this.prepareTransformFunction(props),
      checkFamily: this.checkFamilyFunction(props, workgroupArn),
      commitFamily: this.commitFamilyFunction(props),
      procedureRunner: this.procedureRunnerFunction(props),
      migrateWarehouse: this.migrateWarehouseFunction(props),
      recordOutcome: this.recordOutcomeFunction(props),
      writeReport: this.writeReportFunction(props, workgroupArn),
    };
  }

  /** A pipeline function with the runtime's `DAP_ENV` and `settings`, values that name nothing it is granted. */
  private newFunction(
    props: DapOrchestrationProps,
    handlerName: string,
    description: string,
    settings: Readonly<Record<string, string>> = {},
    timeout?: Duration,
  ): DapFunction {
    return new DapFunction(this, handlerName, {
      handlerName,
      description,
      environment: { [RUNTIME_ENV.environment]: props.environment.name, ...settings },
      logRetention: logRetentionOf(props.environment),
      encryptionKey: props.key,
      removalPolicy: props.removalPolicy,
      ...(timeout ? { timeout } : {}),
    });
  }

  private runGuardFunction(props: DapOrchestrationProps): DapFunction {
    const fn = this.newFunction(props, 'run-guard', 'Takes, renews and releases the run lease', {
      ...this.metadataBucketName(props),
      [RUN_GUARD_ENV.leaseSeconds]: String(props.environment.orchestration.lease_seconds),
    });
    fn.bindTable(RUN_GUARD_ENV.controlTable, props.controlTable, { items: 'read-write', key: props.key });
    return fn;
  }

  private planFunction(props: DapOrchestrationProps): DapFunction {
    const fn = this.newFunction(props, 'plan', 'Reads the deployed config and plans the run');
    this.bindProjectCopy(fn, PLAN_ENV.metadataBucket, props);
    return fn;
  }

  private prepareTransformFunction(props: DapOrchestrationProps): DapFunction {
    const fn = this.newFunction(props, 'prepare-transform', "Works out one event's window and renders its MERGE");
    fn.bindTable(PREPARE_TRANSFORM_ENV.controlTable, props.controlTable, { items: 'read', key: props.key });
    // The prepare step lists the raw files of each window (sizes for the report, empty windows skipped).
    fn.bindBucket(PREPARE_TRANSFORM_ENV.rawBucket, props.rawBucket, { list: 'bucket' });
    this.bindProjectCopy(fn, PREPARE_TRANSFORM_ENV.metadataBucket, props);
    return fn;
  }

  private checkFamilyFunction(props: DapOrchestrationProps, workgroupArn: string): DapFunction {
    // It loads the deployed project (awsRuntime().projectForRun) for the family's checks.
    const fn = this.newFunction(props, 'check-family', "Runs a family's data-quality checks and decides its outcome");
    this.bindProjectCopy(fn, CHECK_FAMILY_ENV.metadataBucket, props);
    fn.bind(CHECK_FAMILY_ENV.athenaWorkgroup, props.workgroupName, (role) =>
      this.grantAthena(role, props, workgroupArn, 'checks'),
    );
    return fn;
  }

  private commitFamilyFunction(props: DapOrchestrationProps): DapFunction {
    const fn = this.newFunction(
      props,
      'commit-family',
      "Advances a passed family's watermarks",
      this.metadataBucketName(props),
    );
    fn.bindTable(COMMIT_FAMILY_ENV.controlTable, props.controlTable, { items: 'read-write', key: props.key });
    return fn;
  }

  private procedureRunnerFunction(props: DapOrchestrationProps): DapFunction {
    const fn = this.newFunction(
      props,
      'procedure-runner',
      'Runs CALL <schema>.sp_<family>(run_id) in Redshift through the Data API',
      { ...this.metadataBucketName(props), ...this.redshiftSettings(props, PROCEDURE_RUNNER_ENV.schema) },
      this.redshiftTimeout(props),
    );
    // Serverless maps the function's IAM identity to database user IAMR:<role> with the database roles this tag
    // names: the platform's runner role (created by the migration step), which may only run the procedures.
    this.bindWarehouse(fn, props, {}, reportingRunnerRole(props.environment.redshift.schema));
    return fn;
  }

  private migrateWarehouseFunction(props: DapOrchestrationProps): DapFunction {
    const fn = this.newFunction(
      props,
      'migrate-warehouse',
      'Creates the Spectrum schemas and applies pending reporting-model migrations through the Data API',
      // Redshift assumes the Spectrum role, not this function: the ARN is a setting.
      {
        ...this.redshiftSettings(props, MIGRATE_WAREHOUSE_ENV.schema),
        [MIGRATE_WAREHOUSE_ENV.spectrumRoleArn]: props.warehouse.spectrumRoleArn,
      },
      this.redshiftTimeout(props),
    );
    this.bindProjectCopy(fn, MIGRATE_WAREHOUSE_ENV.metadataBucket, props);
    // It owns the reporting model: creates and replaces its objects, and creates the runner role.
    this.bindWarehouse(fn, props, { batch: true, results: true }, 'sys:dba');
    return fn;
  }

  private recordOutcomeFunction(props: DapOrchestrationProps): DapFunction {
    const fn = this.newFunction(
      props,
      'record-outcome',
      "Keeps a family's outcome and long errors beside the run's state",
    );
    fn.bindBucket(RECORD_OUTCOME_ENV.processResultsBucket, props.processResultsBucket, {
      objects: { prefixes: [RUN_OUTCOMES_PREFIX], write: true },
      wildcardReason:
        "One object per family and per long error under each run's prefix; run ids are not known at deploy time",
    });
    props.key.grant(fn.role, 'kms:Encrypt', 'kms:GenerateDataKey');
    return fn;
  }

  private writeReportFunction(props: DapOrchestrationProps, workgroupArn: string): DapFunction {
    const fn = this.newFunction(
      props,
      'write-report',
      'Writes the run report and returns the run status',
      this.metadataBucketName(props),
    );
    fn.bindBucket(WRITE_REPORT_ENV.processResultsBucket, props.processResultsBucket, {
      objects: { prefixes: ['run_reports/'], write: true },
      wildcardReason: 'One report object per run under run_reports/; run ids are not known at deploy time',
    });
    // It reads back what the record step kept of the run (families' outcomes, long errors) in the same bucket;
    // listing there makes a missing object NoSuchKey rather than AccessDenied, as the local folder answers.
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [props.processResultsBucket.arnForObjects(`${RUN_OUTCOMES_PREFIX}*`)],
      }),
    );
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.processResultsBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${RUN_OUTCOMES_PREFIX}*`] } },
      }),
    );
    acknowledgeNag(
      fn.role,
      `IAM5[Resource::${nagArn(props.processResultsBucket)}/${RUN_OUTCOMES_PREFIX}*]`,
      'Reads what the run kept under its own prefix of run_outcomes/; run ids are not known at deploy time',
    );
    fn.bind(WRITE_REPORT_ENV.athenaWorkgroup, props.workgroupName, (role) =>
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['athena:GetQueryExecution', 'athena:GetQueryRuntimeStatistics'],
          resources: [workgroupArn],
        }),
      ),
    );
    // The report bucket's key, for the write and reads above: kms:Encrypt as well as the kms:GenerateDataKey
    // bindBucket grants, kms:Decrypt for the outcomes it reads back.
    props.key.grant(fn.role, 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt');
    return fn;
  }

  /**
   * `METADATA_BUCKET` with no access to the bucket, for the functions that do not bind it with `bindProjectCopy`:
   * `awsRuntime()` requires the name even where the handler reads no config.
   */
  private metadataBucketName(props: DapOrchestrationProps): Record<string, string> {
    return { [RUNTIME_ENV.metadataBucket]: props.metadataBucket.bucketName };
  }

  /** The deployed config and scripts, which the function reads every file of. */
  private bindProjectCopy(fn: DapFunction, variable: string, props: DapOrchestrationProps): void {
    fn.bindBucket(variable, props.metadataBucket, {
      list: 'bucket',
      objects: { prefixes: [''], read: true },
      key: props.key,
      wildcardReason:
        'Reads every config and script file the stack deployed to the metadata bucket; the set of keys is the project',
    });
  }

  /** The Data API settings the Redshift functions read (the target, which is granted, is bound by `bindWarehouse`). */
  private redshiftSettings(props: DapOrchestrationProps, schemaVariable: string): Record<string, string> {
    const redshift = props.environment.redshift;
    return {
      [REDSHIFT_DATA_API_ENV.database]: redshift.database,
      [schemaVariable]: redshift.schema,
      [REDSHIFT_DATA_API_ENV.procedureTimeoutSeconds]: String(redshift.procedure_timeout_seconds),
    };
  }

  private redshiftTimeout(props: DapOrchestrationProps): Duration {
    return Duration.seconds(props.environment.redshift.procedure_timeout_seconds + 60);
  }

  /**
   * The Data API target (a Serverless workgroup or a cluster), with the Data API grant `access` asks for and, on
   * Serverless, the database role the function's identity gets.
   */
  private bindWarehouse(
    fn: DapFunction,
    props: DapOrchestrationProps,
    access: { readonly batch?: boolean; readonly results?: boolean },
    databaseRole: string,
  ): void {
    const { target } = props.warehouse;
    const [variable, value] =
      target.kind === 'cluster'
        ? [REDSHIFT_DATA_API_ENV.cluster, target.identifier]
        : [REDSHIFT_DATA_API_ENV.workgroup, target.name];
    fn.bind(variable, value, (role) => {
      props.warehouse.grantDataApi(role, access);
      if (target.kind === 'workgroup') Tags.of(role).add('RedshiftDbRoles', databaseRole);
    });
    // A cluster reached with a database user's secret: the Data API reads it as the caller.
    const secretArn = props.environment.redshift.secret_arn;
    if (secretArn !== undefined) {
      // A complete ARN ends in the six characters Secrets Manager adds; a partial one is matched with a wildcard.
      const secret = /-[A-Za-z0-9]{6}$/.test(secretArn)
        ? secretsmanager.Secret.fromSecretCompleteArn(fn, 'RedshiftSecret', secretArn)
        : secretsmanager.Secret.fromSecretPartialArn(fn, 'RedshiftSecret', secretArn);
      fn.bindSecret(REDSHIFT_DATA_API_ENV.secretArn, secret);
    }
  }

  // ---- the deployed copy of config and scripts

  /**
   * One deployment per folder keeps the folder as the key prefix, as the loader expects. They share CDK's one
   * deployment Lambda, whose log group is created here so it is encrypted and expires like every other.
   */
  private deployProjectCopy(props: DapOrchestrationProps): void {
    const folders = PROJECT_FOLDERS.filter((f) => existsSync(join(props.projectRoot, f)));
    if (folders.length === 0) return;
    const deploymentLogs = new DapLogGroup(this, 'ConfigDeploymentLogs', {
      logGroupName: `${lambdaLogGroupName(this)}/ConfigDeployment`,
      retention: logRetentionOf(props.environment),
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

  // ---- the state machine and its schedule

  private rawToStageMachine(props: DapOrchestrationProps, workgroupArn: string): sfn.StateMachine {
    const env = props.environment;
    const names = resourceNames(env);
    const logGroup = new DapLogGroup(this, 'StateMachineLogs', {
      logGroupName: `/aws/vendedlogs/states/${names.stateMachine}`,
      retention: logRetentionOf(env),
      encryptionKey: props.key,
      removalPolicy: props.removalPolicy,
    });
    const definition = rawToStageDefinition(this, {
      functions: lambdaFunctions(this.functions),
      topic: props.topic,
      workgroupName: props.workgroupName,
      stageDatabase: props.stageDatabase,
      familyConcurrency: env.orchestration.family_concurrency,
      eventConcurrency: env.orchestration.event_concurrency,
      transformTimeout: Duration.seconds(env.orchestration.lease_seconds - 60),
    });
    const machine = new sfn.StateMachine(this, 'RawToStage', {
      stateMachineName: names.stateMachine,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      // Tracing and logging are set on the CloudFormation resource below, not by `tracingEnabled` and `logs`,
      // which would put their "*" statements in the role's default policy.
      timeout: Duration.hours(24),
    });
    this.traceAndLog(machine, logGroup);
    this.grantAthena(machine.role, props, workgroupArn, 'transforms');
    for (const fn of Object.values(this.functions)) {
      acknowledgeNag(
        machine.role,
        `IAM5[Resource::${nagArn(fn.function)}:*]`,
        'CDK grants invoking every version and alias of each pipeline Lambda the state machine calls, by design',
      );
    }
    return machine;
  }

  /** The schedule rule and the queue its failed starts go to, when the environment has a schedule. */
  private scheduleRuns(props: DapOrchestrationProps): { rule: events.Rule; deadLetters: sqs.Queue } | undefined {
    const schedule = props.environment.schedules.raw_to_stage;
    if (schedule === null) return undefined;
    const names = resourceNames(props.environment);
    const deadLetters = new sqs.Queue(this, 'ScheduleDeadLetters', {
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNag(deadLetters, 'SQS3', 'This queue is itself the dead-letter queue of the schedule target');
    // Named, so the key can let EventBridge write this rule's failed starts to the encrypted queue, and no other's.
    const ruleName = `${names.stateMachine}-schedule`;
    allowRuleDeadLetters(props.key, this, [ruleName]);
    const rule = new events.Rule(this, 'Schedule', {
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
    return { rule, deadLetters };
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

/** The Lambda functions the state machine invokes, by step. */
function lambdaFunctions(functions: PipelineFunctions): RawToStageFunctions {
  return {
    runGuard: functions.runGuard.function,
    plan: functions.plan.function,
    prepareTransform: functions.prepareTransform.function,
    checkFamily: functions.checkFamily.function,
    commitFamily: functions.commitFamily.function,
    procedureRunner: functions.procedureRunner.function,
    migrateWarehouse: functions.migrateWarehouse.function,
    recordOutcome: functions.recordOutcome.function,
    writeReport: functions.writeReport.function,
  };
}
