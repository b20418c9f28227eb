import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { resourceNames } from '../config/names.ts';
import type { EnvironmentConfig } from '../config/schemas.ts';
import { removalPolicyOf } from './removal-policy.ts';

export interface DapCatalogProps {
  readonly environment: EnvironmentConfig;
  /** Holds the raw tables' files; the raw database points at it. */
  readonly rawBucket: s3.IBucket;
  /** Holds the stage (Iceberg) tables; the stage database points at it. */
  readonly stageBucket: s3.IBucket;
  /**
   * What happens to the databases when they leave the stack.
   * @default RETAIN, or DESTROY when `environment.removal_policy` is `destroy`
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The Glue databases Athena reads: raw (one table per event) and stage (one table per product family). */
export class DapCatalog extends Construct {
  public readonly rawDatabase: glue.CfnDatabase;
  public readonly stageDatabase: glue.CfnDatabase;
  /** Glue names of the databases, for SQL and IAM. */
  public readonly rawDatabaseName: string;
  public readonly stageDatabaseName: string;

  constructor(scope: Construct, id: string, props: DapCatalogProps) {
    super(scope, id);
    const env = props.environment;
    const names = resourceNames(env);
    const removalPolicy = props.removalPolicy ?? removalPolicyOf(env);

    this.rawDatabaseName = names.rawDatabase;
    this.stageDatabaseName = names.stageDatabase;
    this.rawDatabase = this.database('RawDatabase', names.rawDatabase, props.rawBucket, removalPolicy, {
      description: `Raw events of the ${env.name} dap environment, as landed: one table per event`,
    });
    this.stageDatabase = this.database('StageDatabase', names.stageDatabase, props.stageBucket, removalPolicy, {
      description: `Stage tables of the ${env.name} dap environment: one Iceberg table per product family`,
    });
  }

  private database(
    id: string,
    name: string,
    bucket: s3.IBucket,
    removalPolicy: RemovalPolicy,
    options: { description: string },
  ): glue.CfnDatabase {
    const database = new glue.CfnDatabase(this, id, {
      catalogId: Stack.of(this).account,
      databaseInput: { name, description: options.description, locationUri: `s3://${bucket.bucketName}/` },
    });
    database.applyRemovalPolicy(removalPolicy);
    return database;
  }
}
