import { Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Project } from '../config/loader.ts';
import { bucketNameProblems, resourceNames } from '../config/names.ts';
import { ConfigError } from '../config/problems.ts';
import type { EnvironmentConfig } from '../config/schemas.ts';
import { DapCatalog } from './catalog.ts';
import { DapStorage } from './storage.ts';

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
    });
  }
}
