import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { extractStateKey, rawTableName, sourceLocation } from '../core/extract/extract-state.ts';
import { databaseSourceKey, EXTRACT_DATABASE_ENV } from '../core/extract/lambda-config.ts';
import type { DatabaseSource } from '../core/model/database-source-schema.ts';
import { resourceNames } from '../core/model/names.ts';
import { ConfigError } from '../core/model/problems.ts';
import { PATHS, type Project } from '../core/model/project.ts';
import type { DatabaseNetwork, EnvironmentConfig } from '../core/model/schemas.ts';
import { valueKey } from '../engines/aws/dynamodb-control-store.ts';
import { pascal } from './construct-ids.ts';
import { DapFunction } from './dap-function.ts';
import { allowRuleDeadLetters } from './event-rules.ts';
import { glueArn } from './glue-access.ts';
import { logRetentionOf } from './log-group.ts';
import { acknowledgeNag } from './nag.ts';
import { failedRunsQueue, scheduleRuleName, scheduleRuns, sendFailedRuns } from './scheduled-runs.ts';

export interface DapDatabaseIngestionProps {
  readonly environment: EnvironmentConfig;
  /** The validated project: one extract Lambda per enabled `config/sources/databases/<source>.json`. */
  readonly project: Project;
  /** Where extracts land, under `databases/<source>/`. */
  readonly rawBucket: s3.IBucket;
  /** The deployed project; each Lambda reads its own source's config file from it. */
  readonly metadataBucket: s3.IBucket;
  /** The Glue database of the raw tables, whose `snapshot_date` partitions promotion registers. */
  readonly rawDatabase: string;
  /** The control store (`pk`/`sk`); each source reads and writes only its own checkpoint item. */
  readonly controlTable: dynamodb.ITable;
  /**
   * Existing secrets by source name, for connections managed elsewhere.
   * @default a secret per source named `<prefix>/database/<source>`, whose value you set to a JSON object of the
   * instances' secret names, each a postgres:// URL or RDS's secret JSON as text, e.g. `{"TIMETABLE_NORTH_DB": "..."}`
   */
  readonly secrets?: Readonly<Record<string, secretsmanager.ISecret>>;
  /** Encrypts the created secrets, the dead-letter queue and the log groups. @default AWS managed keys */
  readonly encryptionKey?: kms.IKey;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** The CA bundle of the Lambda runtime, which holds the RDS certificate authorities Node.js does not ship. */
const RDS_CA_BUNDLE = '/var/runtime/ca-cert.pem';

/**
 * Database ingestion: per enabled database source with a network in this environment, an extract Lambda in that
 * VPC whose security group reaches the database port of the databases and HTTPS (AWS APIs) only, on the source's
 * schedule, with reserved concurrency 1 (one extract of a source at a time), its connection secret, and access to
 * nothing but its raw prefix, its config file, its checkpoint item and its tables' partitions.
 */
export class DapDatabaseIngestion extends Construct {
  public readonly functions: ReadonlyMap<string, DapFunction>;
  public readonly securityGroups: ReadonlyMap<string, ec2.SecurityGroup>;
  public readonly secrets: ReadonlyMap<string, secretsmanager.ISecret>;
  public readonly schedules: ReadonlyMap<string, events.Rule>;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DapDatabaseIngestionProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const names = resourceNames(props.environment);
    const functions = new Map<string, DapFunction>();
    const securityGroups = new Map<string, ec2.SecurityGroup>();
    const secrets = new Map<string, secretsmanager.ISecret>();
    const schedules = new Map<string, events.Rule>();

    this.deadLetterQueue = failedRunsQueue(this, {
      queueName: `${names.prefix}-database-extract-failures`,
      of: 'the database extracts',
      ...(props.encryptionKey ? { key: props.encryptionKey } : {}),
      removalPolicy,
    });

    for (const source of [...props.project.databaseSources.values()].sort((a, b) => a.source.localeCompare(b.source))) {
      if (!source.enabled) continue;
      const network = networkOf(props.environment, source);
      if (network === null) continue;
      const idPrefix = pascal(source.source);

      const vpc = ec2.Vpc.fromVpcAttributes(this, `${idPrefix}Vpc`, {
        vpcId: network.vpc_id,
        availabilityZones: [...new Set(network.subnets.map((subnet) => subnet.availability_zone))],
      });
      const subnets = network.subnets.map((subnet, index) => {
        const imported = ec2.Subnet.fromSubnetAttributes(this, `${idPrefix}Subnet${index}`, {
          subnetId: subnet.id,
          availabilityZone: subnet.availability_zone,
        });
        // Only placement is asked of these subnets; nothing here reads their route tables.
        Annotations.of(imported).acknowledgeWarning(
          '@aws-cdk/aws-ec2:noSubnetRouteTableId',
          'The extract Lambda is only placed in the subnet; no route is read or added',
        );
        return imported;
      });
      const securityGroup = new ec2.SecurityGroup(this, `${idPrefix}Egress`, {
        vpc,
        allowAllOutbound: false,
        description: `dap extract of ${source.source}: the database port and HTTPS only`,
      });
      const database =
        'cidr' in network.database
          ? ec2.Peer.ipv4(network.database.cidr)
          : ec2.Peer.securityGroupId(network.database.security_group_id);
      securityGroup.addEgressRule(database, ec2.Port.tcp(network.port), `The ${source.source} databases`);
      securityGroup.addEgressRule(
        network.https_security_group_id
          ? ec2.Peer.securityGroupId(network.https_security_group_id)
          : ec2.Peer.anyIpv4(),
        ec2.Port.tcp(443),
        'AWS APIs (S3, DynamoDB, Secrets Manager, Glue) over HTTPS',
      );

      const secret =
        props.secrets?.[source.source] ??
        new secretsmanager.Secret(this, `${idPrefix}Secret`, {
          secretName: `${names.prefix}/database/${source.source}`,
          description: `Connections of the ${source.source} databases: a JSON object with the secret names in ${PATHS.databaseSources}/${source.source}.json`,
          ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
          removalPolicy,
        });
      if (secret instanceof secretsmanager.Secret) {
        acknowledgeNag(
          secret,
          'SMG4',
          `The ${source.source} database users belong to the databases' owners, who rotate them; this secret holds the connections dap is given`,
        );
      }

      const extract = new DapFunction(this, `${idPrefix}Extract`, {
        handlerName: 'extract-database',
        description: `Extracts the ${source.source} databases into raw, checks them and promotes them`,
        timeout: Duration.minutes(15),
        memorySize: 1024,
        logRetention: logRetentionOf(props.environment),
        ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
        removalPolicy,
        network: { vpc, subnets, securityGroups: [securityGroup] },
        environment: { [EXTRACT_DATABASE_ENV.source]: source.source, NODE_EXTRA_CA_CERTS: RDS_CA_BUNDLE },
      });
      // One run at a time per source: a second would race the first for the same checkpoint.
      (extract.function.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = 1;
      // The next scheduled run resumes from the checkpoint, or starts over after a failed check.
      sendFailedRuns(this, `${idPrefix}FailedRuns`, extract, this.deadLetterQueue, props.encryptionKey);

      const prefix = `${sourceLocation(source.source)}/`;
      extract.bindBucket(EXTRACT_DATABASE_ENV.rawBucket, props.rawBucket, {
        objects: { prefixes: [prefix], read: true, write: true },
        list: 'prefixes',
        key: props.rawBucket.encryptionKey,
        wildcardReason: `Writes, lists and reads back the pages of each extract of ${source.source} and its promotion record; keys depend on the extract`,
      });
      extract.bindBucket(EXTRACT_DATABASE_ENV.metadataBucket, props.metadataBucket, {
        objects: { prefixes: [databaseSourceKey(source.source)], read: true },
        key: props.metadataBucket.encryptionKey,
        wildcardReason: `Reads the deployed ${databaseSourceKey(source.source)} (the grant is its key followed by "*")`,
      });
      extract.bindTable(EXTRACT_DATABASE_ENV.controlTable, props.controlTable, {
        items: 'read-put',
        partitions: [valueKey(extractStateKey(source.source)).pk],
        key: props.controlTable.encryptionKey,
      });
      extract.bindSecret(EXTRACT_DATABASE_ENV.secretArn, secret);
      extract.bind(EXTRACT_DATABASE_ENV.rawDatabase, props.rawDatabase, (role) =>
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['glue:GetTable', 'glue:GetPartition', 'glue:CreatePartition', 'glue:UpdatePartition'],
            resources: [
              glueArn(this, 'catalog'),
              glueArn(this, 'database', props.rawDatabase),
              ...source.tables.map((table) =>
                glueArn(this, 'table', `${props.rawDatabase}/${rawTableName(source.source, table.name)}`),
              ),
            ],
          }),
        ),
      );

      if (source.schedule !== undefined) {
        schedules.set(
          source.source,
          scheduleRuns(this, `${idPrefix}Schedule`, {
            ruleName: ruleName(props, source.source),
            description: `Extracts the ${source.source} databases (${PATHS.databaseSources}/${source.source}.json)`,
            schedule: source.schedule,
            fn: extract,
            queue: this.deadLetterQueue,
          }),
        );
      }
      functions.set(source.source, extract);
      securityGroups.set(source.source, securityGroup);
      secrets.set(source.source, secret);
    }
    this.functions = functions;
    this.securityGroups = securityGroups;
    this.secrets = secrets;
    this.schedules = schedules;
    if (props.encryptionKey && schedules.size > 0) {
      allowRuleDeadLetters(
        props.encryptionKey,
        this,
        [...schedules.keys()].map((name) => ruleName(props, name)),
      );
    }
  }
}

/** The source's network in this environment, null when it is deployed nowhere here; `dap check` names a missing one. */
function networkOf(environment: EnvironmentConfig, source: DatabaseSource): DatabaseNetwork | null {
  const network = environment.database_networks[source.source];
  if (network === undefined) {
    throw new ConfigError([
      {
        file: `${PATHS.environments}/${environment.name}.json`,
        at: `database_networks.${source.source}`,
        message: `database source "${source.source}" has no network here: expected {vpc_id, subnets, database}, or null to deploy no extract of it in ${environment.name}`,
      },
    ]);
  }
  return network;
}

/** `<prefix>-extract-<source>`, checked against EventBridge's limit. */
function ruleName(props: DapDatabaseIngestionProps, sourceName: string): string {
  return scheduleRuleName(
    resourceNames(props.environment).prefix,
    'extract',
    sourceName,
    `${PATHS.databaseSources}/${sourceName}.json`,
  );
}
