import { Fn, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { bucketNameProblems, resourceNames } from '../core/model/names.ts';
import { ConfigError } from '../core/model/problems.ts';
import type { Project } from '../core/model/project.ts';
import type { EnvironmentConfig } from '../core/model/schemas.ts';
import { incomingTableDefs } from '../core/transform.ts';
import { DapApiIngestion } from './api-ingestion.ts';
import { DapCatalog, hashedTableGroups } from './catalog.ts';
import { DapControlTable } from './control.ts';
import { DapDatabaseIngestion } from './database-ingestion.ts';
import { DapFileIngestion } from './ingestion.ts';
import { DapMonitoring } from './monitoring.ts';
import { DapNotifications } from './notifications.ts';
import { DapOrchestration } from './orchestration.ts';
import { DapQuery } from './query.ts';
import { DapStorage } from './storage.ts';
import { DapWarehouse } from './warehouse.ts';

export interface DapStackProps extends StackProps {
  /** The environment this stack deploys; its account and region become the stack's `env`. */
  readonly environment: EnvironmentConfig;
  /** The validated project (families, events, tables) the pipeline is built from. */
  readonly project: Project;
}

/** Everything one dap environment runs on, as one CloudFormation stack named after the environment's prefix. */
export class DapStack extends Stack {
  /** The environment file this stack was built from (`Stack.environment` is the `aws://account/region` string). */
  public readonly config: EnvironmentConfig;
  public readonly project: Project;
  public readonly storage: DapStorage;
  public readonly catalog: DapCatalog;
  public readonly query: DapQuery;
  public readonly control: DapControlTable;
  public readonly warehouse: DapWarehouse;
  public readonly notifications: DapNotifications;
  public readonly orchestration: DapOrchestration;
  public readonly apiIngestion: DapApiIngestion;
  public readonly databaseIngestion: DapDatabaseIngestion;
  public readonly fileIngestion: DapFileIngestion;
  public readonly monitoring: DapMonitoring;

  /**
   * The region's first three zones, chosen by CloudFormation at deploy time (`Fn::GetAZs`) rather than looked up
   * at synthesis, which would need AWS credentials; the warehouse's subnets (Serverless needs three zones) use them.
   */
  override get availabilityZones(): string[] {
    return [0, 1, 2].map((index) => Fn.select(index, Fn.getAzs()));
  }

  constructor(scope: Construct, id: string, props: DapStackProps) {
    const { environment: env, project, ...stackProps } = props;
    // Checked before any resource exists, so a bad name stops synthesis with the file and field to fix.
    const problems = bucketNameProblems(env);
    if (problems.length > 0) throw new ConfigError(problems);

    super(scope, id, {
      stackName: resourceNames(env).prefix,
      env: { account: env.account, region: env.region },
      description: `dap ELT platform, ${env.name} environment`,
      // A stack that keeps its data should not be one `cdk destroy` away from losing its key and catalog.
      terminationProtection: env.removal_policy === 'retain',
      ...stackProps,
    });
    this.config = env;
    this.project = project;
    Tags.of(this).add('dap:environment', env.name);

    this.storage = new DapStorage(this, 'Storage', { environment: env });
    this.catalog = new DapCatalog(this, 'Catalog', {
      environment: env,
      rawBucket: this.storage.raw,
      stageBucket: this.storage.stage,
      processResultsBucket: this.storage.buckets.processResults,
      encryptionKey: this.storage.key,
      rawTables: [...project.rawTables.values()],
      stageTables: [...project.stageTables.values()],
      incomingTables: incomingTableDefs(project),
      ...(env.catalog_stacks === 'nested'
        ? {
            tableGroups: hashedTableGroups(
              project.rawTables.keys(),
              [...project.stageTables.values()].map((t) => t.table),
              incomingTableDefs(project).map((t) => t.table),
            ),
          }
        : {}),
    });
    const names = resourceNames(env);
    const buckets = this.storage.buckets;
    this.query = new DapQuery(this, 'Query', {
      workgroupName: names.workgroup,
      resultsBucket: buckets.athenaResults,
      encryptionKey: this.storage.key,
      bytesScannedCutoffPerQuery: env.athena.bytes_scanned_cutoff,
    });
    this.control = new DapControlTable(this, 'Control', {
      tableName: names.controlTable,
      encryptionKey: this.storage.key,
      removalPolicy: this.storage.removalPolicy,
    });
    this.warehouse = new DapWarehouse(this, 'Warehouse', {
      environment: env,
      key: this.storage.key,
      rawBucket: buckets.raw,
      stageBucket: buckets.stage,
      rawDatabase: this.catalog.rawDatabaseName,
      stageDatabase: this.catalog.stageDatabaseName,
      removalPolicy: this.storage.removalPolicy,
    });
    this.notifications = new DapNotifications(this, 'Notifications', {
      topicName: `${names.prefix}-alerts`,
      encryptionKey: this.storage.key,
      emails: env.alerts.emails,
    });
    this.orchestration = new DapOrchestration(this, 'Orchestration', {
      environment: env,
      projectRoot: project.root,
      key: this.storage.key,
      rawBucket: buckets.raw,
      stageBucket: buckets.stage,
      metadataBucket: buckets.metadata,
      processResultsBucket: buckets.processResults,
      athenaResultsBucket: buckets.athenaResults,
      rawDatabase: this.catalog.rawDatabaseName,
      stageDatabase: this.catalog.stageDatabaseName,
      incomingDatabase: this.catalog.incomingDatabaseName,
      workgroupName: this.query.workgroupName,
      controlTable: this.control.table,
      topic: this.notifications.topic,
      removalPolicy: this.storage.removalPolicy,
      warehouse: this.warehouse,
    });
    this.apiIngestion = new DapApiIngestion(this, 'ApiIngestion', {
      environment: env,
      project,
      rawBucket: buckets.raw,
      controlTable: this.control.table,
      encryptionKey: this.storage.key,
      removalPolicy: this.storage.removalPolicy,
    });
    this.databaseIngestion = new DapDatabaseIngestion(this, 'DatabaseIngestion', {
      environment: env,
      project,
      rawBucket: buckets.raw,
      metadataBucket: buckets.metadata,
      rawDatabase: this.catalog.rawDatabaseName,
      controlTable: this.control.table,
      encryptionKey: this.storage.key,
      removalPolicy: this.storage.removalPolicy,
    });
    this.fileIngestion = new DapFileIngestion(this, 'FileIngestion', {
      environment: env,
      project,
      landingBucket: buckets.landing,
      rawBucket: buckets.raw,
      archiveBucket: buckets.archive,
      quarantineBucket: buckets.quarantine,
      metadataBucket: buckets.metadata,
      controlTable: this.control.table,
      key: this.storage.key,
      removalPolicy: this.storage.removalPolicy,
    });
    // Last, so it sees every Lambda.
    const scheduleDeadLetters = this.orchestration.scheduleDeadLetters;
    this.monitoring = new DapMonitoring(this, 'Monitoring', {
      environmentName: env.name,
      prefix: names.prefix,
      topic: this.notifications.topic,
      topicKey: this.storage.key,
      stateMachine: this.orchestration.stateMachine,
      functions: Object.fromEntries([
        ...Object.values(this.orchestration.functions).map((f) => [f.handlerName, f.function] as const),
        ...[...this.apiIngestion.functions].map(([source, f]) => [`pull-${source}`, f.function] as const),
        ...[...this.databaseIngestion.functions].map(([source, f]) => [`extract-${source}`, f.function] as const),
        ['ingest-file', this.fileIngestion.function.function] as const,
      ]),
      deadLetterQueues: {
        ...(scheduleDeadLetters ? { schedule: scheduleDeadLetters } : {}),
        'api-pulls': this.apiIngestion.deadLetterQueue,
        'database-extracts': this.databaseIngestion.deadLetterQueue,
        'file-ingestion': this.fileIngestion.deadLetterQueue,
      },
      workgroupName: this.query.workgroupName,
    });
  }
}
