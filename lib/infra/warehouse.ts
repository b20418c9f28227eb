import { ArnFormat, Names, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as redshiftserverless from 'aws-cdk-lib/aws-redshiftserverless';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { resourceNames } from '../core/model/names.ts';
import type { EnvironmentConfig } from '../core/model/schemas.ts';
import { glueReadStatement } from './glue-access.ts';
import { DapLogGroup, logRetentionOf } from './log-group.ts';
import { acknowledgeNag, nagArn } from './nag.ts';

export interface DapWarehouseProps {
  readonly environment: EnvironmentConfig;
  /** Encrypts the namespace, its admin secret, the VPC flow logs, and the raw and stage objects Spectrum reads. */
  readonly key: kms.IKey;
  /** Spectrum reads the raw and stage tables' files here. */
  readonly rawBucket: s3.IBucket;
  readonly stageBucket: s3.IBucket;
  /** Glue databases the external schemas map (`{{raw_schema}}`, `{{stage_schema}}`). */
  readonly rawDatabase: string;
  readonly stageDatabase: string;
  /** @default RETAIN unless the environment allows DESTROY (as the rest of the stack) */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Where the reporting model lives. With `redshift.cluster_identifier` in the environment file: an existing cluster,
 * and nothing is created here (the Data API targets the cluster; `redshift.spectrum_role_arn` is its Spectrum role).
 * Otherwise Redshift Serverless: a KMS-encrypted namespace whose admin password Secrets Manager generates and keeps
 * (never in the template), a workgroup in isolated private subnets with no public access and enhanced VPC routing,
 * and the Spectrum role (the namespace's default IAM role) that reads the Glue raw and stage databases and their
 * files, read-only.
 */
export class DapWarehouse extends Construct {
  /** The Serverless namespace, absent with an existing cluster. */
  public readonly namespace?: redshiftserverless.CfnNamespace;
  public readonly workgroup?: redshiftserverless.CfnWorkgroup;
  public readonly vpc?: ec2.Vpc;
  public readonly securityGroup?: ec2.SecurityGroup;
  /** The role the external schemas read with: created here, or the cluster's from config. */
  public readonly spectrumRoleArn: string;
  /** Role created here for Spectrum, absent with an existing cluster. */
  public readonly spectrumRole?: iam.Role;
  /** What the Data API addresses: a Serverless workgroup or a provisioned cluster. */
  public readonly target:
    | { readonly kind: 'workgroup'; readonly name: string; readonly arn: string }
    | { readonly kind: 'cluster'; readonly identifier: string; readonly arn: string };

  constructor(scope: Construct, id: string, props: DapWarehouseProps) {
    super(scope, id);
    const env = props.environment;
    const redshift = env.redshift;
    const stack = Stack.of(this);

    if (redshift.cluster_identifier !== undefined) {
      // The schema requires the role with a cluster; checked again here for a hand-built config.
      if (redshift.spectrum_role_arn === undefined) {
        throw new Error(
          `config/environments/${env.name}.json: redshift.spectrum_role_arn is required with cluster_identifier`,
        );
      }
      this.spectrumRoleArn = redshift.spectrum_role_arn;
      this.target = {
        kind: 'cluster',
        identifier: redshift.cluster_identifier,
        arn: stack.formatArn({
          service: 'redshift',
          resource: 'cluster',
          resourceName: redshift.cluster_identifier,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      };
      return;
    }

    const names = resourceNames(env);
    const workgroupName = redshift.workgroup ?? names.prefix;
    this.spectrumRole = this.spectrumReadRole(props);
    this.spectrumRoleArn = this.spectrumRole.roleArn;

    // Serverless needs three zones; DapStack gives its region's by Fn::GetAZs, so synthesis needs no lookup.
    const zones = stack.availabilityZones.slice(0, 3);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      availabilityZones: [...zones],
      natGateways: 0,
      // Isolated only: no internet gateway, no NAT. The Data API reaches the workgroup without any network path.
      subnetConfiguration: [{ name: 'warehouse', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // Spectrum and COPY reach S3 through the gateway endpoint (enhanced VPC routing keeps that traffic here).
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    const flowLogs = new DapLogGroup(this, 'FlowLogs', {
      logGroupName: `/aws/vpc-flow-logs/${names.prefix}/warehouse`,
      retention: logRetentionOf(env),
      encryptionKey: props.key,
      removalPolicy: props.removalPolicy,
    });
    this.vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: `${workgroupName} Redshift Serverless workgroup: no ingress; clients use the Data API`,
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(
      ec2.Peer.ipv4(this.vpc.vpcCidrBlock),
      ec2.Port.tcp(443),
      'HTTPS to endpoints inside the VPC',
    );

    this.namespace = new redshiftserverless.CfnNamespace(this, 'Namespace', {
      namespaceName: names.prefix,
      dbName: redshift.database,
      adminUsername: 'dap_admin',
      // Secrets Manager generates, stores and rotates the admin password; it is never in the template.
      manageAdminPassword: true,
      adminPasswordSecretKmsKeyId: props.key.keyArn,
      kmsKeyId: props.key.keyArn,
      iamRoles: [this.spectrumRole.roleArn],
      defaultIamRoleArn: this.spectrumRole.roleArn,
      logExports: ['userlog', 'connectionlog', 'useractivitylog'],
    });
    this.namespace.applyRemovalPolicy(props.removalPolicy);

    this.workgroup = new redshiftserverless.CfnWorkgroup(this, 'Workgroup', {
      workgroupName,
      namespaceName: this.namespace.namespaceName,
      baseCapacity: redshift.base_capacity_rpu,
      maxCapacity: redshift.max_capacity_rpu,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      subnetIds: this.vpc.isolatedSubnets.map((subnet) => subnet.subnetId),
      securityGroupIds: [this.securityGroup.securityGroupId],
      configParameters: [
        { parameterKey: 'require_ssl', parameterValue: 'true' },
        { parameterKey: 'enable_user_activity_logging', parameterValue: 'true' },
        // A runaway query stops where the pipeline would have given up on it anyway.
        { parameterKey: 'max_query_execution_time', parameterValue: String(redshift.procedure_timeout_seconds) },
      ],
    });
    this.workgroup.addResourceDependency(this.namespace);
    this.workgroup.applyRemovalPolicy(props.removalPolicy);
    this.target = { kind: 'workgroup', name: workgroupName, arn: this.workgroup.attrWorkgroupWorkgroupArn };
  }

  /**
   * Read-only access for Redshift Spectrum: the raw and stage Glue databases and their tables, the raw and stage
   * buckets' objects, and decrypting them. Nothing in any other database, bucket or key.
   */
  private spectrumReadRole(props: DapWarehouseProps): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'SpectrumRole', {
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('redshift.amazonaws.com'),
        new iam.ServicePrincipal('redshift-serverless.amazonaws.com'),
      ),
      description: `dap ${props.environment.name}: Redshift Spectrum reads the raw and stage Glue tables and their files`,
    });
    role.addToPrincipalPolicy(glueReadStatement(this, [props.rawDatabase, props.stageDatabase]));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket'],
        resources: [props.rawBucket.bucketArn, props.stageBucket.bucketArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [props.rawBucket.arnForObjects('*'), props.stageBucket.arnForObjects('*')],
      }),
    );
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.key.keyArn] }));
    const reason =
      'Spectrum reads every table of the raw and stage databases and every object under them: table names and object keys are data, unknown at deploy time; read-only, this environment only';
    for (const resource of [
      `${nagArn(props.rawBucket)}/*`,
      `${nagArn(props.stageBucket)}/*`,
      `arn:<AWS::Partition>:glue:${stack.region}:${stack.account}:table/${props.rawDatabase}/*`,
      `arn:<AWS::Partition>:glue:${stack.region}:${stack.account}:table/${props.stageDatabase}/*`,
    ]) {
      acknowledgeNag(role, `IAM5[Resource::${resource}]`, reason);
    }
    return role;
  }

  /**
   * Lets a Lambda run SQL here through the Data API as its own IAM identity: submit statements to the workgroup or
   * cluster, get temporary database credentials for it, and read back, describe or cancel its own statements.
   */
  public grantDataApi(role: iam.IRole, options: { readonly batch?: boolean; readonly results?: boolean } = {}): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['redshift-data:ExecuteStatement', ...(options.batch ? ['redshift-data:BatchExecuteStatement'] : [])],
        resources: [this.target.arn],
      }),
    );
    // In a policy of its own, acknowledged there only: a "*" that another grant adds to the role is still a finding.
    const ownStatements = new iam.Policy(this, `DataApiOwnStatements${Names.nodeUniqueId(role.node)}`, {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          // Statement ids are created per call; the Data API scopes these to statements the caller started.
          actions: [
            'redshift-data:DescribeStatement',
            'redshift-data:CancelStatement',
            ...(options.results ? ['redshift-data:GetStatementResult'] : []),
          ],
          resources: ['*'],
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, resolved by IAM, not by JS
          conditions: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
        }),
      ],
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions:
          this.target.kind === 'cluster'
            ? ['redshift:GetClusterCredentialsWithIAM']
            : ['redshift-serverless:GetCredentials'],
        resources: [this.target.arn],
      }),
    );
    acknowledgeNag(
      ownStatements,
      'IAM5[Resource::*]',
      'Data API DescribeStatement/CancelStatement/GetStatementResult take statement ids made per call; scoped to the caller by condition',
    );
  }
}
