import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { dapStack, environmentConfig, nagReport, templateOf } from './fixtures.ts';

const CLUSTER_ROLE = 'arn:aws:iam::111111111111:role/existing-spectrum';

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

function policyStatements(template: ReturnType<typeof templateOf>['template'], roleLogicalIdPrefix: string) {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref.startsWith(roleLogicalIdPrefix)),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statement: Statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);

describe('the warehouse on Redshift Serverless', () => {
  const env = environmentConfig({ redshift: { base_capacity_rpu: 16, max_capacity_rpu: 48 } });
  const { stack, template } = templateOf(env);
  const keyArn = stack.resolve(stack.storage.key.keyArn);
  const spectrumRoleArn = stack.resolve(stack.warehouse.spectrumRole?.roleArn);
  const spectrumRoleId = stack.getLogicalId(stack.warehouse.spectrumRole?.node.defaultChild as never);

  test('the namespace is encrypted with the stack key, its admin password managed by Secrets Manager, logs exported', () => {
    template.hasResourceProperties('AWS::RedshiftServerless::Namespace', {
      NamespaceName: 'dev-dap',
      DbName: 'dap',
      KmsKeyId: keyArn,
      ManageAdminPassword: true,
      AdminPasswordSecretKmsKeyId: keyArn,
      AdminUserPassword: Match.absent(),
      LogExports: Match.arrayWith(['userlog', 'connectionlog', 'useractivitylog']),
      DefaultIamRoleArn: spectrumRoleArn,
      IamRoles: [spectrumRoleArn],
    });
    assert.doesNotMatch(JSON.stringify(template.toJSON()), /AdminUserPassword/);
  });

  test('the workgroup belongs to the namespace, is private, isolated, with enhanced VPC routing and the configured RPUs', () => {
    const namespaceId = stack.getLogicalId(stack.warehouse.namespace as never);
    template.hasResource('AWS::RedshiftServerless::Workgroup', {
      DependsOn: Match.arrayWith([namespaceId]),
      Properties: Match.objectLike({
        WorkgroupName: 'dev-dap',
        NamespaceName: 'dev-dap',
        PubliclyAccessible: false,
        EnhancedVpcRouting: true,
        BaseCapacity: 16,
        MaxCapacity: 48,
        ConfigParameters: Match.arrayWith([{ ParameterKey: 'require_ssl', ParameterValue: 'true' }]),
      }),
    });
    const subnets = template.findResources('AWS::EC2::Subnet');
    assert.equal(Object.keys(subnets).length, 3, 'three zones, Serverless needs three');
    for (const subnet of Object.values(subnets)) assert.equal(subnet.Properties.MapPublicIpOnLaunch, false);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const workgroup = Object.values(template.findResources('AWS::RedshiftServerless::Workgroup'))[0];
    const subnetIds = workgroup?.Properties.SubnetIds as { Ref: string }[];
    assert.deepEqual(subnetIds.map((s) => s.Ref).sort(), Object.keys(subnets).sort());
  });

  test('synthesizes offline: no context lookup (which needs AWS credentials) and no error annotation', () => {
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
    assert.deepEqual(
      subnets.map((s) => s.Properties.AvailabilityZone),
      [0, 1, 2].map((index) => ({ 'Fn::Select': [index, { 'Fn::GetAZs': '' }] })),
    );
  });

  test('the security group admits nothing, from 0.0.0.0/0 or anywhere', () => {
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    for (const group of Object.values(groups)) {
      assert.equal(group.Properties.SecurityGroupIngress, undefined);
    }
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('the Spectrum role reads only the raw and stage Glue databases, buckets and key', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({ Principal: { Service: 'redshift.amazonaws.com' } }),
          Match.objectLike({ Principal: { Service: 'redshift-serverless.amazonaws.com' } }),
        ],
      },
    });
    const statements = policyStatements(template, spectrumRoleId);
    const actions = statements.flatMap(actionsOf).sort();
    assert.deepEqual(actions, [
      'glue:BatchGetPartition',
      'glue:GetDatabase',
      'glue:GetPartition',
      'glue:GetPartitions',
      'glue:GetTable',
      'glue:GetTables',
      'kms:Decrypt',
      's3:GetBucketLocation',
      's3:GetObject',
      's3:ListBucket',
    ]);
    const glue = JSON.stringify(statements.find((s) => actionsOf(s).includes('glue:GetTable'))?.Resource);
    for (const resource of [':catalog"', ':database/dev_dap_raw"', ':database/dev_dap_stage"']) {
      assert.ok(glue.includes(resource), `${resource} in ${glue}`);
    }
    assert.ok(glue.includes(':table/dev_dap_raw/*"') && glue.includes(':table/dev_dap_stage/*"'));
    assert.equal((glue.match(/:table\//g) ?? []).length, 2, 'no other database');
    const objects = JSON.stringify(statements.find((s) => actionsOf(s).includes('s3:GetObject'))?.Resource);
    const rawId = stack.getLogicalId(stack.storage.buckets.raw.node.defaultChild as never);
    const stageId = stack.getLogicalId(stack.storage.buckets.stage.node.defaultChild as never);
    assert.ok(objects.includes(rawId) && objects.includes(stageId));
    assert.equal((objects.match(/Bucket[A-Za-z0-9]*", "Arn"|"Arn"\]/g) ?? []).length, 2, objects);
    assert.deepEqual(statements.find((s) => actionsOf(s).includes('kms:Decrypt'))?.Resource, keyArn);
  });

  test('the Lambdas address the created workgroup; the migration Lambda may batch and read results', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          DAP_HANDLER: 'migrate-warehouse',
          REDSHIFT_WORKGROUP: 'dev-dap',
          SPECTRUM_ROLE_ARN: spectrumRoleArn,
        }),
      },
    });
    const workgroupId = stack.getLogicalId(stack.warehouse.workgroup as never);
    const migrate = policyStatements(template, 'OrchestrationmigratewarehouseRole');
    const submit = migrate.find((s) => actionsOf(s).includes('redshift-data:BatchExecuteStatement'));
    assert.deepEqual(submit?.Resource, { 'Fn::GetAtt': [workgroupId, 'Workgroup.WorkgroupArn'] });
    const own = migrate.find((s) => actionsOf(s).includes('redshift-data:GetStatementResult'));
    assert.ok(own?.Condition, 'statement access is limited to the caller’s own statements');
    const credentials = migrate.find((s) => actionsOf(s).includes('redshift-serverless:GetCredentials'));
    assert.deepEqual(credentials?.Resource, { 'Fn::GetAtt': [workgroupId, 'Workgroup.WorkgroupArn'] });
    const runner = policyStatements(template, 'OrchestrationprocedurerunnerRole').flatMap(actionsOf);
    assert.ok(runner.includes('redshift-data:ExecuteStatement'));
    assert.ok(!runner.includes('redshift-data:BatchExecuteStatement'), 'the runner only CALLs');
  });
});

describe('the warehouse on an existing cluster', () => {
  const env = environmentConfig({
    redshift: { cluster_identifier: 'reporting-cluster', spectrum_role_arn: CLUSTER_ROLE },
  });
  const { stack, template } = templateOf(env);

  test('creates no namespace, workgroup, VPC or Spectrum role, and the Lambdas target the cluster', () => {
    template.resourceCountIs('AWS::RedshiftServerless::Namespace', 0);
    template.resourceCountIs('AWS::RedshiftServerless::Workgroup', 0);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    assert.equal(stack.warehouse.spectrumRole, undefined);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          DAP_HANDLER: 'migrate-warehouse',
          REDSHIFT_CLUSTER: 'reporting-cluster',
          SPECTRUM_ROLE_ARN: CLUSTER_ROLE,
          REDSHIFT_WORKGROUP: Match.absent(),
        }),
      },
    });
    const credentials = policyStatements(template, 'OrchestrationmigratewarehouseRole').find((s) =>
      actionsOf(s).includes('redshift:GetClusterCredentialsWithIAM'),
    );
    assert.match(JSON.stringify(credentials?.Resource), /:redshift:eu-west-2:111111111111:cluster:reporting-cluster/);
  });
});

test('a cluster reached with a database secret: the Redshift functions may read that secret, the others not', () => {
  // Prepare
  const secret = 'arn:aws:secretsmanager:eu-west-2:111111111111:secret:dap-redshift-AbC123';
  const env = environmentConfig({
    redshift: { cluster_identifier: 'c1', spectrum_role_arn: CLUSTER_ROLE, secret_arn: secret },
  });

  // Act
  const { template } = templateOf(env);

  // Assess
  for (const role of ['OrchestrationprocedurerunnerRole', 'OrchestrationmigratewarehouseRole']) {
    const read = policyStatements(template, role).find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
    assert.equal(read?.Resource, secret, role);
  }
  const others = policyStatements(template, 'OrchestrationplanRole').filter((s) =>
    actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
  );
  assert.deepEqual(others, []);
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ DAP_HANDLER: 'procedure-runner', REDSHIFT_SECRET_ARN: secret }) },
  });
});

test('cdk-nag AwsSolutions: the Serverless and the cluster stacks have no unacknowledged findings', () => {
  for (const redshift of [{}, { cluster_identifier: 'c1', spectrum_role_arn: CLUSTER_ROLE }]) {
    const report = nagReport((app) => dapStack(environmentConfig({ redshift }), app));
    assert.deepEqual(report.findings, []);
    for (const acknowledged of report.acknowledged) assert.ok(acknowledged.reason.length > 20, acknowledged.rule);
  }
});
