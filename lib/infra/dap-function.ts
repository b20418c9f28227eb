import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PACKAGE_ROOT } from '../core/package-root.ts';
import { DapLogGroup, lambdaLogGroupName } from './log-group.ts';
import { acknowledgeNag, nagArn } from './nag.ts';

export interface DapFunctionProps {
  /** The folder under `lambdas/` holding `handler.ts`; also how the local twin finds the handler. */
  readonly handlerName: string;
  readonly description: string;
  /**
   * Settings that name nothing the function reaches (an environment name, a lease length). A table, bucket or
   * secret goes through `bindTable`, `bindBucket` or `bindSecret`, which grant access with the variable.
   * @default none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 1 minute */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** How long the function's log group keeps its events; stacks pass `retention_days.logs`. @default 90 days */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Encrypts the function's log group.
   * @default CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Runs the function in these subnets with these security groups (a database source's extract), with the network
   * interface permissions that needs in a policy of its own.
   * @default outside any VPC
   */
  readonly network?: {
    readonly vpc: ec2.IVpc;
    readonly subnets: readonly ec2.ISubnet[];
    readonly securityGroups: readonly ec2.ISecurityGroup[];
  };
}

/** What a function may do with a table's items; each level includes the ones before it. */
export type TableItemAccess = 'read' | 'read-put' | 'read-write';

export interface TableAccess {
  readonly items: TableItemAccess;
  /**
   * Only items whose partition key is one of these (`*` matches any characters): a `dynamodb:LeadingKeys` condition.
   * @default every item
   */
  readonly partitions?: readonly string[];
  /** The key the table is encrypted with, granted what `items` needs. @default no key grant */
  readonly key?: kms.IKey;
}

const TABLE_ACTIONS: Readonly<Record<TableItemAccess, readonly string[]>> = {
  read: ['dynamodb:GetItem'],
  'read-put': ['dynamodb:GetItem', 'dynamodb:PutItem'],
  'read-write': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
};

export interface BucketAccess {
  /** What may be done to the objects under each prefix (`''` for every key). @default nothing */
  readonly objects?: {
    readonly prefixes: readonly string[];
    readonly read?: boolean;
    readonly write?: boolean;
    readonly delete?: boolean;
  };
  /**
   * `s3:ListBucket` on every key (`'bucket'`), or only under the object prefixes (`'prefixes'`, an `s3:prefix`
   * condition).
   * @default no listing
   */
  readonly list?: 'bucket' | 'prefixes';
  /**
   * The key the bucket is encrypted with: `kms:Decrypt` to read objects, `kms:GenerateDataKey` to write them.
   * @default no key grant
   */
  readonly key?: kms.IKey;
  /**
   * Why the function needs whichever key lies under a prefix: acknowledges cdk-nag's finding of each object wildcard.
   * @default no acknowledgement (an object wildcard is then a finding)
   */
  readonly wildcardReason?: string | ((prefix: string) => string);
}

/**
 * Every dap Lambda: Node 24 on ARM64, bundled by esbuild with source maps, X-Ray tracing, its own (encrypted) log
 * group with a retention, and a role holding only what its grants add. `DAP_HANDLER` names the handler for the
 * local twin. The `bind*` methods set an environment variable and grant access to what it names in one call, so
 * neither is ever set without the other; the variable names come from the handler's `lambdas/<name>/env.ts`.
 */
export class DapFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly handlerName: string;
  /** `/aws/lambda/<stack name>/<path in the stack>`. */
  public readonly logGroup: logs.LogGroup;
  private readonly variables = new Set<string>();

  constructor(scope: Construct, id: string, props: DapFunctionProps) {
    super(scope, id);
    this.handlerName = props.handlerName;
    for (const variable of Object.keys(props.environment ?? {})) this.variables.add(variable);
    const logGroup = new DapLogGroup(this, 'Logs', {
      logGroupName: lambdaLogGroupName(this),
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
    });
    this.logGroup = logGroup;
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `dap ${props.handlerName} Lambda`,
    });
    logGroup.grantWrite(role);
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PACKAGE_ROOT, 'lambdas', props.handlerName, 'handler.ts'),
      handler: 'handler',
      projectRoot: PACKAGE_ROOT,
      depsLockFilePath: join(PACKAGE_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      timeout: props.timeout ?? Duration.minutes(1),
      memorySize: props.memorySize ?? 512,
      // Tracing is switched on below, not by `tracing`, which would put X-Ray's "*" in the role's default policy.
      logGroup,
      role,
      ...(props.network
        ? {
            vpc: props.network.vpc,
            vpcSubnets: { subnets: [...props.network.subnets] },
            securityGroups: [...props.network.securityGroups],
          }
        : {}),
      environment: {
        ...props.environment,
        DAP_HANDLER: props.handlerName,
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: `dap-${props.handlerName}`,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        sourceMap: true,
        minify: true,
        // ESM bundles need `require` for the CommonJS dependencies they inline.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        // The embedded engines are local-twin only; Lambdas reach AWS through the SDK adapters.
        // pg's optional native binding is never used (pure JavaScript protocol), so it is not bundled.
        externalModules: [
          '@duckdb/node-api',
          '@duckdb/node-bindings',
          '@electric-sql/pglite',
          '@aws-sdk/*',
          'pg-native',
        ],
      },
    });
    // X-Ray's "*" lives in a policy of its own and is acknowledged there only, so a "*" that any grant adds to the
    // role's default policy is still a finding.
    const tracing = new iam.Policy(this, 'Tracing', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      ],
    });
    if (props.network) {
      // Lambda creates and removes the function's network interfaces under its role; EC2 scopes none of these
      // actions to a resource the stack knows, so they need "*", in a policy of their own.
      const interfaces = new iam.Policy(this, 'NetworkInterfaces', {
        roles: [role],
        statements: [
          new iam.PolicyStatement({
            actions: [
              'ec2:CreateNetworkInterface',
              'ec2:DescribeNetworkInterfaces',
              'ec2:DescribeSubnets',
              'ec2:DeleteNetworkInterface',
              'ec2:AssignPrivateIpAddresses',
              'ec2:UnassignPrivateIpAddresses',
            ],
            resources: ['*'],
          }),
        ],
      });
      this.function.node.addDependency(interfaces);
      acknowledgeNag(
        interfaces,
        'IAM5[Resource::*]',
        "A function in a VPC needs EC2's network interface actions, which take no resource-level permissions",
      );
    }
    const cfnFunction = this.function.node.defaultChild as lambda.CfnFunction;
    cfnFunction.tracingConfig = { mode: lambda.Tracing.ACTIVE };
    cfnFunction.node.addDependency(tracing);
    acknowledgeNag(
      tracing,
      'IAM5[Resource::*]',
      'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions, so tracing needs "*"',
    );
  }

  public get role(): iam.IRole {
    // The role is always set: it is created above.
    return this.function.role as iam.IRole;
  }

  /**
   * Sets `variable` to `value` and runs `grant`, the access to what `value` names. The other `bind*` build on it;
   * use it directly for what has no method of its own (an Athena workgroup, a Redshift target).
   */
  public bind(variable: string, value: string, grant: (role: iam.IRole) => void): void {
    if (this.variables.has(variable))
      throw new Error(`${this.node.path}: environment variable ${variable} is set twice`);
    this.variables.add(variable);
    this.function.addEnvironment(variable, value);
    grant(this.role);
  }

  /** `variable` names `table`; the function may `access.items`, of `access.partitions` only when given. */
  public bindTable(variable: string, table: dynamodb.ITable, access: TableAccess): void {
    const partitions = access.partitions;
    const operator = partitions?.some((pk) => pk.includes('*')) ? 'StringLike' : 'StringEquals';
    this.bind(variable, table.tableName, (role) => {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [...TABLE_ACTIONS[access.items]],
          resources: [table.tableArn],
          ...(partitions
            ? { conditions: { [`ForAllValues:${operator}`]: { 'dynamodb:LeadingKeys': partitions } } }
            : {}),
        }),
      );
      access.key?.grant(
        role,
        ...(access.items === 'read' ? ['kms:Decrypt'] : ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']),
      );
    });
  }

  /** `variable` names `bucket`; the function gets `access` and nothing more. */
  public bindBucket(variable: string, bucket: s3.IBucket, access: BucketAccess): void {
    const prefixes = access.objects?.prefixes ?? [];
    const listing = (conditions?: Record<string, unknown>) =>
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        ...(conditions ? { conditions } : {}),
      });
    this.bind(variable, bucket.bucketName, (role) => {
      // A listing of every key comes before the objects, one scoped to their prefixes after them.
      if (access.list === 'bucket') role.addToPrincipalPolicy(listing());
      const { read = false, write = false } = access.objects ?? {};
      const actions = [
        ...(write ? ['s3:PutObject'] : []),
        ...(read ? ['s3:GetObject'] : []),
        ...(access.objects?.delete ? ['s3:DeleteObject'] : []),
      ];
      if (actions.length > 0) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions, resources: prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`)) }),
        );
      }
      if (access.list === 'prefixes') {
        role.addToPrincipalPolicy(listing({ StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } }));
      }
      const keyActions = [...(read ? ['kms:Decrypt'] : []), ...(write ? ['kms:GenerateDataKey'] : [])];
      if (keyActions.length > 0) access.key?.grant(role, ...keyActions);
      const reason = access.wildcardReason;
      if (reason === undefined) return;
      for (const prefix of prefixes) {
        const why = typeof reason === 'string' ? reason : reason(prefix);
        acknowledgeNag(role, `IAM5[Resource::${nagArn(bucket)}/${prefix}*]`, why);
      }
    });
  }

  /** `variable` holds the ARN of `secret`, which the function may read. */
  public bindSecret(variable: string, secret: secretsmanager.ISecret): void {
    this.bind(variable, secret.secretArn, (role) => secret.grantRead(role));
  }
}
