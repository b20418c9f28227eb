import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PACKAGE_ROOT } from '../core/package-root.ts';
import { DapLogGroup, lambdaLogGroupName } from './log-group.ts';
import { acknowledgeNag } from './nag.ts';

export interface DapFunctionProps {
  /** The folder under `lambdas/` holding `handler.ts`; also how the local twin finds the handler. */
  readonly handlerName: string;
  readonly description: string;
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
}

/**
 * Every dap Lambda: Node 24 on ARM64, bundled by esbuild with source maps, X-Ray tracing, its own (encrypted) log
 * group with a retention, and a role holding only what its grants add. `DAP_HANDLER` names the handler for the
 * local twin.
 */
export class DapFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly handlerName: string;
  /** `/aws/lambda/<stack name>/<path in the stack>`. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DapFunctionProps) {
    super(scope, id);
    this.handlerName = props.handlerName;
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
        externalModules: ['@duckdb/node-api', '@duckdb/node-bindings', '@electric-sql/pglite', '@aws-sdk/*'],
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
}
