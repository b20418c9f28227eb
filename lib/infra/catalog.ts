import { createHash } from 'node:crypto';
import { ArnFormat, NestedStack, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  type ColumnType,
  icebergTypeProblem,
  parseColumnType,
  toGlueType,
  toIcebergType,
} from '../core/model/column-types.ts';
import { resourceNames } from '../core/model/names.ts';
import { ConfigError } from '../core/model/problems.ts';
import type { RawTableDef, StageTableDef } from '../core/model/project.ts';
import type { Column, EnvironmentConfig } from '../core/model/schemas.ts';
import { RUN_REPORTS_TABLE } from '../core/run-history.ts';
import { acknowledgeNag, nagArn } from './nag.ts';
import { removalPolicyOf } from './removal-policy.ts';

export interface DapCatalogProps {
  readonly environment: EnvironmentConfig;
  /** Holds the raw tables' files; the raw database points at it. */
  readonly rawBucket: s3.IBucket;
  /** Holds the stage (Iceberg) tables; the stage database points at it. */
  readonly stageBucket: s3.IBucket;
  /**
   * Holds the run reports (`run_reports/run_date=<day>/<run id>.json`): the ops database's `run_reports` table reads
   * them, so analysts query run history in Athena.
   * @default no ops database
   */
  readonly processResultsBucket?: s3.IBucket;
  /**
   * The key the raw bucket is encrypted with: the crawlers decrypt raw files with it and encrypt their logs with it.
   * @default no crawlers (they need the key to read raw and to encrypt their logs)
   */
  readonly encryptionKey?: kms.Key;
  /**
   * Raw tables to declare (`project.rawTables`): external JSON tables with partition projection.
   * @default none
   */
  readonly rawTables?: readonly RawTableDef[];
  /**
   * Stage tables to declare (`project.stageTables`): Iceberg tables in the stage bucket.
   * @default none
   */
  readonly stageTables?: readonly StageTableDef[];
  /**
   * Incoming tables to declare: one per event, with its family's stage table columns, where the event's window is
   * loaded (INSERT INTO with the window as query parameters) before it is merged into the stage table.
   * @default none
   */
  readonly incomingTables?: readonly StageTableDef[];
  /**
   * Which nested stack each table is declared in (`hashedTableGroups`), so that no stack nears CloudFormation's
   * limits however many tables there are.
   * @default every table in this construct's own stack
   */
  readonly tableGroups?: TableGroups;
  /**
   * When the drift crawlers run; they only look at folders added since their last run.
   * @default daily at 02:00 UTC, before the default 03:00 raw-to-stage run
   */
  readonly crawlerSchedule?: string;
  /**
   * First year the raw tables' `year` partition projection covers.
   * @default 2020
   */
  readonly projectionStartYear?: number;
  /**
   * What happens to the databases and tables when they leave the stack.
   * @default RETAIN, or DESTROY when `environment.removal_policy` is `destroy`
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The nested stack (by name) of each raw table, stage table (by family) and incoming table (by event). */
export interface TableGroups {
  readonly raw: ReadonlyMap<string, string>;
  readonly stage: ReadonlyMap<string, string>;
  readonly incoming: ReadonlyMap<string, string>;
}

/** How many nested stacks `catalog_stacks: nested` spreads the tables over; fixed, so a table never moves. */
export const CATALOG_TABLE_STACKS = 64;

/**
 * The nested stack of every table, by a hash of its kind and name: stable whatever families, events or other tables
 * come and go (a family rename or an event moving family leaves every table where it was), and even, so at 64
 * stacks a project of 10,000 tables puts about 160 (some 500 KB of template) in each.
 */
export function hashedTableGroups(
  rawTables: Iterable<string>,
  stageTables: Iterable<string>,
  incomingTables: Iterable<string>,
): TableGroups {
  const group = (kind: string, table: string) => {
    const bucket = createHash('sha256').update(`${kind}:${table}`).digest().readUInt32BE(0) % CATALOG_TABLE_STACKS;
    return `tables-${String(bucket).padStart(2, '0')}`;
  };
  const by = (kind: string, tables: Iterable<string>) => new Map([...tables].map((t) => [t, group(kind, t)]));
  return { raw: by('raw', rawTables), stage: by('stage', stageTables), incoming: by('incoming', incomingTables) };
}

/** Last year the `year` projection covers; projection only lists folders a query's filter selects. */
const PROJECTION_END_YEAR = 2099;

/**
 * The Glue catalog Athena reads. Raw: one external JSON table per raw table in config, with partition projection so
 * no crawler ever rewrites it. Stage: one Iceberg table per product family. Drift: a separate database where one
 * crawler per raw source records what the files actually hold; it only logs schema changes and never touches the
 * declared tables (`dap check --drift` compares the two locally).
 */
export class DapCatalog extends Construct {
  public readonly rawDatabase: glue.CfnDatabase;
  public readonly stageDatabase: glue.CfnDatabase;
  /** The crawlers' database: what the raw files hold, inferred, kept apart from the declared raw tables. */
  public readonly driftDatabase: glue.CfnDatabase;
  /** Glue names of the databases, for SQL and IAM. */
  public readonly rawDatabaseName: string;
  public readonly stageDatabaseName: string;
  public readonly incomingDatabase: glue.CfnDatabase;
  public readonly incomingDatabaseName: string;
  public readonly driftDatabaseName: string;
  /** `<prefix>_ops`: dap's own tables (`run_reports`), when the process-results bucket was given. */
  public readonly opsDatabase?: glue.CfnDatabase;
  public readonly runReportsTable?: glue.CfnTable;
  /** Declared raw tables, by table name. */
  public readonly rawTables: ReadonlyMap<string, glue.CfnTable>;
  /** Iceberg stage tables, by table name. */
  public readonly stageTables: ReadonlyMap<string, glue.CfnTable>;
  /** One drift crawler per raw source, by source name. */
  public readonly crawlers: ReadonlyMap<string, glue.CfnCrawler>;
  /** The role of each source's crawler, by source name. */
  public readonly crawlerRoles: ReadonlyMap<string, iam.Role>;
  /** The nested stacks the tables are declared in, by group name (`tables-NN`); none without `tableGroups`. */
  public readonly tableStacks: ReadonlyMap<string, NestedStack>;
  private readonly tableStackScopes = new Map<string, NestedStack>();

  private readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: DapCatalogProps) {
    super(scope, id);
    const env = props.environment;
    const names = resourceNames(env);
    this.removalPolicy = props.removalPolicy ?? removalPolicyOf(env);

    this.rawDatabaseName = names.rawDatabase;
    this.stageDatabaseName = names.stageDatabase;
    this.driftDatabaseName = `${names.rawDatabase}_drift`;
    this.rawDatabase = this.database('RawDatabase', names.rawDatabase, props.rawBucket, {
      description: `Raw events of the ${env.name} dap environment, as landed: one table per event`,
    });
    this.stageDatabase = this.database('StageDatabase', names.stageDatabase, props.stageBucket, {
      description: `Stage tables of the ${env.name} dap environment: one Iceberg table per product family`,
    });
    this.incomingDatabaseName = names.incomingDatabase;
    this.incomingDatabase = this.database('IncomingDatabase', names.incomingDatabase, props.stageBucket, {
      description: `Each event's window of the ${env.name} dap environment, loaded before it is merged into stage; emptied by every run`,
      prefix: '_incoming/',
    });
    this.driftDatabase = this.database('RawDriftDatabase', this.driftDatabaseName, props.rawBucket, {
      description: `Schemas the ${env.name} raw crawlers inferred from the raw files; compared with the declared raw tables, never read by transforms`,
    });

    if (props.processResultsBucket) {
      this.opsDatabase = this.database('OpsDatabase', names.opsDatabase, props.processResultsBucket, {
        description: `dap's own tables of the ${env.name} environment: run_reports, every run's report`,
      });
      // The run reports read as raw JSON tables are: OpenX SerDe, `run_date` projected from the report keys.
      this.runReportsTable = new glue.CfnTable(this, 'RunReports', {
        catalogId: Stack.of(this).account,
        databaseName: names.opsDatabase,
        tableInput: {
          ...rawTableInput(RUN_REPORTS_TABLE, props.processResultsBucket.bucketName, props.projectionStartYear ?? 2020),
          description: 'Every raw-to-stage run: its report as the write-report step wrote it, partitioned by run_date',
        },
      });
      this.runReportsTable.addResourceDependency(this.opsDatabase);
      this.runReportsTable.applyRemovalPolicy(this.removalPolicy);
    }

    const groups = props.tableGroups;
    const rawTables = new Map<string, glue.CfnTable>();
    for (const def of props.rawTables ?? []) {
      const scope = this.tableStack(groups?.raw.get(def.table));
      const table = new glue.CfnTable(scope, `Raw-${def.table}`, {
        catalogId: Stack.of(scope).account,
        databaseName: names.rawDatabase,
        tableInput: rawTableInput(def, props.rawBucket.bucketName, props.projectionStartYear ?? 2020),
      });
      table.addResourceDependency(this.rawDatabase);
      table.applyRemovalPolicy(this.removalPolicy);
      rawTables.set(def.table, table);
    }
    this.rawTables = rawTables;

    const stageTables = new Map<string, glue.CfnTable>();
    for (const def of props.stageTables ?? []) {
      const location = `s3://${props.stageBucket.bucketName}/${def.table}/`;
      const scope = this.tableStack(groups?.stage.get(def.table));
      stageTables.set(
        def.table,
        this.icebergTable(scope, `Stage-${def.table}`, this.stageDatabase, names.stageDatabase, def, location),
      );
    }
    this.stageTables = stageTables;
    for (const def of props.incomingTables ?? []) {
      const location = `s3://${props.stageBucket.bucketName}/_incoming/${def.table}/`;
      const scope = this.tableStack(groups?.incoming.get(def.table));
      this.icebergTable(scope, `Incoming-${def.table}`, this.incomingDatabase, names.incomingDatabase, def, location);
    }
    this.tableStacks = this.tableStackScopes;

    const crawlers = new Map<string, glue.CfnCrawler>();
    const crawlerRoles = new Map<string, iam.Role>();
    const bySource = new Map<string, RawTableDef[]>();
    for (const table of props.rawTables ?? [])
      bySource.set(table.source, [...(bySource.get(table.source) ?? []), table]);
    if (bySource.size > 0 && props.encryptionKey) {
      const key = props.encryptionKey;
      const securityConfiguration = this.crawlerSecurityConfiguration(names.prefix, key);
      for (const [source, tables] of bySource) {
        const others = (props.rawTables ?? []).filter((t) => t.source !== source);
        const role = this.crawlerRole(source, tables, others, props.rawBucket, key);
        const crawler = new glue.CfnCrawler(this, `DriftCrawler-${source}`, {
          name: `${names.prefix}-raw-${source}-drift`,
          description: `Infers the schema of the ${source} raw files into ${this.driftDatabaseName}; logs changes, never updates tables`,
          role: role.roleArn,
          databaseName: this.driftDatabaseName,
          targets: { s3Targets: tables.map((t) => ({ path: `s3://${props.rawBucket.bucketName}/${t.location}/` })) },
          // Glue allows crawling only new folders exactly when both behaviours are LOG: cheap daily runs, no rewrites.
          schemaChangePolicy: { updateBehavior: 'LOG', deleteBehavior: 'LOG' },
          recrawlPolicy: { recrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' },
          crawlerSecurityConfiguration: securityConfiguration.name,
          configuration: JSON.stringify({
            Version: 1.0,
            CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } },
            Grouping: { TableGroupingPolicy: 'CombineCompatibleSchemas' },
          }),
          schedule: { scheduleExpression: props.crawlerSchedule ?? 'cron(0 2 * * ? *)' },
        });
        crawler.addResourceDependency(this.driftDatabase);
        crawler.addResourceDependency(securityConfiguration);
        crawlers.set(source, crawler);
        crawlerRoles.set(source, role);
      }
    }
    this.crawlers = crawlers;
    this.crawlerRoles = crawlerRoles;
  }

  /** The nested stack of a group of tables, made when its first table is declared; this construct without one. */
  private tableStack(group: string | undefined): Construct {
    if (group === undefined) return this;
    let stack = this.tableStackScopes.get(group);
    if (stack === undefined) {
      stack = new NestedStack(this, `Tables-${group}`, {
        description: `Glue tables of ${group} in the ${Stack.of(this).stackName} dap catalog`,
        removalPolicy: this.removalPolicy,
      });
      this.tableStackScopes.set(group, stack);
    }
    return stack;
  }

  /** An Iceberg v2 table that Glue creates at `location`, in `database` (named `databaseName`). */
  private icebergTable(
    scope: Construct,
    id: string,
    database: glue.CfnDatabase,
    databaseName: string,
    def: StageTableDef,
    location: string,
  ): glue.CfnTable {
    const table = new glue.CfnTable(scope, id, {
      catalogId: Stack.of(scope).account,
      databaseName,
      tableInput: {
        name: def.table,
        ...(def.description === undefined ? {} : { description: def.description }),
        tableType: 'EXTERNAL_TABLE',
        storageDescriptor: { location, columns: glueColumns([...def.columns, ...def.partition_columns]) },
      },
      openTableFormatInput: {
        icebergInput: {
          metadataOperation: 'CREATE',
          version: '2',
          icebergTableInput: icebergTableInput(def, location),
        },
      },
    });
    table.addResourceDependency(database);
    table.applyRemovalPolicy(this.removalPolicy);
    return table;
  }

  private database(
    id: string,
    name: string,
    bucket: s3.IBucket,
    options: { readonly description: string; readonly prefix?: string },
  ): glue.CfnDatabase {
    const database = new glue.CfnDatabase(this, id, {
      catalogId: Stack.of(this).account,
      databaseInput: {
        name,
        description: options.description,
        locationUri: `s3://${bucket.bucketName}/${options.prefix ?? ''}`,
      },
    });
    database.applyRemovalPolicy(this.removalPolicy);
    return database;
  }

  /** Crawler logs go to CloudWatch encrypted with the environment key, which must let CloudWatch Logs use it. */
  private crawlerSecurityConfiguration(prefix: string, key: kms.Key): glue.CfnSecurityConfiguration {
    const stack = Stack.of(this);
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
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
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': crawlerLogGroupArn(stack) },
        },
      }),
    );
    return new glue.CfnSecurityConfiguration(this, 'CrawlerSecurity', {
      name: `${prefix}-raw-crawlers`,
      encryptionConfiguration: {
        cloudWatchEncryption: { cloudWatchEncryptionMode: 'SSE-KMS', kmsKeyArn: key.keyArn },
        s3Encryptions: [{ s3EncryptionMode: 'SSE-KMS', kmsKeyArn: key.keyArn }],
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: key.keyArn },
      },
    });
  }

  /**
   * One role per source: list and read that source's raw prefixes only, decrypt them, write tables and partitions in
   * the drift database only, and write its own (encrypted) crawler logs.
   */
  private crawlerRole(
    source: string,
    tables: readonly RawTableDef[],
    others: readonly RawTableDef[],
    bucket: s3.IBucket,
    key: kms.IKey,
  ): iam.Role {
    const stack = Stack.of(this);
    const glueArn = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, ...(resourceName === undefined ? {} : { resourceName }) });
    const role = new iam.Role(this, `DriftCrawlerRole-${source}`, {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: `dap drift crawler of the ${source} raw files`,
    });
    const prefixes = sourcePrefixes(tables, others);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [bucket.bucketArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': prefixes.flatMap((p) => [p, `${p}*`]) } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: prefixes.map((p) => bucket.arnForObjects(`${p}*`)),
      }),
    );
    key.grant(role, 'kms:Decrypt');
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'glue:GetDatabase',
          'glue:GetTable',
          'glue:GetTables',
          'glue:CreateTable',
          'glue:UpdateTable',
          'glue:GetPartition',
          'glue:GetPartitions',
          'glue:BatchGetPartition',
          'glue:CreatePartition',
          'glue:BatchCreatePartition',
          'glue:UpdatePartition',
          'glue:BatchUpdatePartition',
        ],
        resources: [
          glueArn('catalog'),
          glueArn('database', this.driftDatabaseName),
          glueArn('table', `${this.driftDatabaseName}/*`),
        ],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
        resources: [crawlerLogGroupArn(stack), `${crawlerLogGroupArn(stack)}:*`],
      }),
    );

    for (const prefix of prefixes) {
      acknowledgeNag(
        role,
        `IAM5[Resource::${nagArn(bucket)}/${prefix}*]`,
        `The ${source} crawler reads every file under the raw table's prefix; file keys are data, unknown at deploy time`,
      );
    }
    acknowledgeNag(
      role,
      `IAM5[Resource::arn:<AWS::Partition>:glue:${stack.region}:${stack.account}:table/${this.driftDatabaseName}/*]`,
      'The crawler creates its inferred tables in the drift database only; their names come from the raw folders',
    );
    const nagLogGroup = `arn:<AWS::Partition>:logs:${stack.region}:${stack.account}:log-group:/aws-glue/crawlers*`;
    for (const resource of [nagLogGroup, `${nagLogGroup}:*`]) {
      acknowledgeNag(
        role,
        `IAM5[Resource::${resource}]`,
        'Glue names crawler log groups /aws-glue/crawlers-role/<role>-<security configuration> itself at run time',
      );
    }
    return role;
  }
}

/**
 * The folders a source's crawler may read: the deepest folder all its tables share (`txma/` for `txma/{table}`), so
 * the policy stays the same size however many tables the source has; the tables' own folders when they share none.
 */
export function sourcePrefixes(
  tables: readonly Pick<RawTableDef, 'location'>[],
  others: readonly Pick<RawTableDef, 'location'>[] = [],
): string[] {
  const folders = tables.map((t) => `${t.location}/`.split('/').filter((part) => part !== ''));
  const own = [...new Set(folders.map((f) => `${f.join('/')}/`))];
  const [first = [], ...rest] = folders;
  let shared = 0;
  while (shared < first.length && rest.every((f) => f[shared] === first[shared])) shared++;
  // One table: its own folder. Several: the folder they share, unless that is the whole bucket or it holds
  // another source's tables too.
  if (shared === 0) return own;
  const prefix = `${first.slice(0, rest.length === 0 ? first.length : shared).join('/')}/`;
  return others.some((t) => `${t.location}/`.startsWith(prefix)) ? own : [prefix];
}

/** Log groups Glue crawlers write to (with a security configuration Glue appends the role and configuration). */
function crawlerLogGroupArn(stack: Stack): string {
  return stack.formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: '/aws-glue/crawlers*',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

function glueColumns(columns: readonly Column[]): glue.CfnTable.ColumnProperty[] {
  return columns.map((c) => ({
    name: c.name,
    type: toGlueType(parseColumnType(c.type)),
    ...(c.description === undefined ? {} : { comment: c.description }),
  }));
}

/**
 * The Athena table over one raw table's NDJSON files: OpenX JSON SerDe (malformed JSON fails the query rather than
 * reading as nulls; keys matched case-insensitively) and partition projection, so partitions need no crawler or
 * `MSCK REPAIR`: Athena computes them from the filter and `storage.location.template`.
 */
export function rawTableInput(
  def: RawTableDef,
  bucketName: string,
  projectionStartYear: number,
): glue.CfnTable.TableInputProperty {
  const location = `s3://${bucketName}/${def.location}/`;
  const parameters: Record<string, string> = { classification: 'json', EXTERNAL: 'TRUE' };
  // A database source's table has its partitions registered when an extract is promoted, so none is projected.
  if (def.partition_columns.length > 0 && !def.promotedExtracts) {
    parameters['projection.enabled'] = 'true';
    for (const column of def.partition_columns) {
      Object.assign(parameters, projectionOf(def, column, projectionStartYear));
    }
    const folders = def.partition_columns.map((c) => `${c.name}=\${${c.name}}`).join('/');
    parameters['storage.location.template'] = `${location}${folders}/`;
  }
  return {
    name: def.table,
    description: `Raw ${def.source} records of ${def.table}, declared in ${def.file}`,
    tableType: 'EXTERNAL_TABLE',
    parameters,
    partitionKeys: glueColumns(def.partition_columns),
    storageDescriptor: {
      location,
      columns: glueColumns(def.columns),
      inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      serdeInfo: {
        serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
        parameters: { 'ignore.malformed.json': 'false', 'case.insensitive': 'true', 'dots.in.keys': 'false' },
      },
    },
  };
}

/**
 * Projection of one partition column, from how dap writes raw keys: `year=YYYY/month=MM/day=DD` (API pulls, TxMA)
 * and `<name>_date=YYYY-MM-DD` (file ingestion). Any other column is `injected`: queries must name its value.
 */
function projectionOf(def: RawTableDef, column: Column, startYear: number): Record<string, string> {
  const key = `projection.${column.name}`;
  const type = parseColumnType(column.type);
  const textual = isPrimitive(type, 'string', 'varchar', 'char');
  if (column.name === 'year' && (textual || isPrimitive(type, 'int', 'integer'))) {
    return { [`${key}.type`]: 'integer', [`${key}.range`]: `${startYear},${PROJECTION_END_YEAR}` };
  }
  if (column.name === 'month' && (textual || isPrimitive(type, 'int', 'integer'))) {
    return { [`${key}.type`]: 'integer', [`${key}.range`]: '1,12', [`${key}.digits`]: '2' };
  }
  if (column.name === 'day' && (textual || isPrimitive(type, 'int', 'integer'))) {
    return { [`${key}.type`]: 'integer', [`${key}.range`]: '1,31', [`${key}.digits`]: '2' };
  }
  if (column.name.endsWith('_date') && (textual || isPrimitive(type, 'date'))) {
    return {
      [`${key}.type`]: 'date',
      [`${key}.format`]: 'yyyy-MM-dd',
      [`${key}.range`]: `${startYear}-01-01,NOW`,
      [`${key}.interval`]: '1',
      [`${key}.interval.unit`]: 'DAYS',
    };
  }
  if (textual) return { [`${key}.type`]: 'injected' };
  throw new ConfigError([
    {
      file: def.file,
      at: 'partition_columns',
      message: `partition column "${column.name}" of type ${column.type} has no projection: use year/month/day, a *_date column, or a string`,
    },
  ]);
}

function isPrimitive(type: ColumnType, ...names: string[]): boolean {
  return type.kind === 'primitive' && names.includes(type.name);
}

function icebergType(def: StageTableDef, column: Column): string {
  const name = toIcebergType(parseColumnType(column.type));
  // `dap check` reports such a column first (icebergTypeProblem); this guards a project that was not checked.
  if (name === undefined) {
    throw new ConfigError([{ file: def.file, at: 'columns', message: icebergTypeProblem(column) }]);
  }
  return name;
}

/** Partition columns become identity fields of the Iceberg partition spec (hidden partitioning, no partition keys). */
export function icebergTableInput(def: StageTableDef, location: string): glue.CfnTable.IcebergTableInputProperty {
  const columns = [...def.columns, ...def.partition_columns];
  const fields = columns.map((column, index) => ({
    id: index + 1,
    name: column.name,
    type: icebergType(def, column),
    required: false,
    ...(column.description === undefined ? {} : { doc: column.description }),
  }));
  const idOf = (name: string) => fields.find((f) => f.name === name)?.id ?? 0;
  return {
    location,
    schema: { schemaId: 0, type: 'struct', fields },
    ...(def.partition_columns.length === 0
      ? {}
      : {
          partitionSpec: {
            specId: 0,
            // Iceberg numbers partition fields from 1000.
            fields: def.partition_columns.map((c, index) => ({
              fieldId: 1000 + index,
              name: c.name,
              sourceId: idOf(c.name),
              transform: 'identity',
            })),
          },
        }),
    properties: { 'write.format.default': 'parquet', 'write.parquet.compression-codec': 'zstd' },
  };
}
