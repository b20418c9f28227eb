import assert from 'node:assert/strict';
import { test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { CfnKey } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { ConfigError } from '../../lib/core/model/problems.ts';
import { dapStack, devEnvironment, environmentConfig, nagReport, PROD_ACCOUNT, prodEnvironment } from './fixtures.ts';

for (const [label, makeEnv] of [
  ['dev (destroy)', devEnvironment],
  ['prod (retain)', prodEnvironment],
] as const) {
  test(`cdk-nag AwsSolutions: the ${label} stack has no unacknowledged findings`, () => {
    // Act
    const report = nagReport((app) => dapStack(makeEnv(), app));

    // Assess
    assert.deepEqual(report.findings, []);
    for (const { rule, reason } of report.acknowledged) {
      assert.ok(reason.length >= 30, `acknowledgement of ${rule} needs a specific reason, got "${reason}"`);
    }
  });
}

test('cdk-nag: a "*" resource granted to any pipeline role is a finding (acknowledgements are per statement)', () => {
  // Prepare
  const rolePaths: string[] = [];

  // Act
  const report = nagReport((app) => {
    const stack = dapStack(devEnvironment(), app);
    const functions = [
      ...Object.values(stack.orchestration.functions),
      ...stack.apiIngestion.functions.values(),
      stack.fileIngestion.function,
    ];
    for (const role of [...functions.map((fn) => fn.role), stack.orchestration.stateMachine.role]) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
      rolePaths.push(role.node.path);
    }
  });

  // Assess
  assert.ok(rolePaths.length >= 10);
  for (const path of rolePaths) {
    assert.ok(report.findings.includes(`AwsSolutions-IAM5[Resource::*] at ${path}/DefaultPolicy/Resource`), path);
  }
});

test('wildcard actions are only in the role CDK builds for its BucketDeployment, as the README says', () => {
  // Prepare
  const template = Template.fromStack(dapStack(devEnvironment()));

  // Act
  const wildcards = Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([id, policy]) =>
    (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
      .flatMap((statement) => [statement.Action].flat())
      .filter((action) => action.includes('*'))
      .map((action) => ({ id, action })),
  );

  // Assess
  assert.ok(wildcards.length > 0);
  for (const { id, action } of wildcards) assert.match(id, /^CustomCDKBucketDeployment/, action);
  assert.deepEqual([...new Set(wildcards.map((w) => w.action))].sort(), [
    'kms:GenerateDataKey*',
    'kms:ReEncrypt*',
    's3:Abort*',
    's3:DeleteObject*',
    's3:GetBucket*',
    's3:GetObject*',
    's3:List*',
  ]);
});

test('the cdk-nag harness does report findings (a bare bucket breaks AwsSolutions-S1 and S10)', () => {
  const report = nagReport((app) => new Bucket(new Stack(app, 'Bare'), 'Bucket'));

  assert.ok(report.findings.some((finding) => finding.startsWith('AwsSolutions-S1 at Bare/Bucket')));
  assert.ok(report.findings.some((finding) => finding.startsWith('AwsSolutions-S10 at Bare/Bucket')));
});

test('the key serves EventBridge and CloudWatch only for sources of this account, each named by its ARN', () => {
  // Prepare
  const stack = dapStack(devEnvironment());
  const keyPolicy = (stack.storage.key.node.defaultChild as CfnKey).keyPolicy;
  const statements = (stack.resolve(keyPolicy) as { Statement: { Principal?: unknown; Condition?: unknown }[] })
    .Statement;

  // Act
  const services = ['events.amazonaws.com', 'cloudwatch.amazonaws.com'];
  const forServices = statements.filter((s) =>
    services.some((service) => JSON.stringify(s.Principal) === JSON.stringify({ Service: service })),
  );

  // Assess
  assert.ok(forServices.length >= 2, 'the alarms, the PARTIAL rule and the dead-letter queues use the key');
  for (const statement of forServices) {
    const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
    assert.deepEqual(condition?.StringEquals, { 'aws:SourceAccount': '111111111111' }, JSON.stringify(statement));
    assert.ok(condition?.ArnEquals?.['aws:SourceArn'], `a source ARN in ${JSON.stringify(statement)}`);
  }
});

test('the stack is named after the prefix and deploys to the environment account and region', () => {
  const stack = dapStack(prodEnvironment());

  assert.equal(stack.stackName, 'prod-dap');
  assert.equal(stack.account, PROD_ACCOUNT);
  assert.equal(stack.region, 'eu-west-2');
});

test('termination protection is on exactly when the environment retains its resources', () => {
  assert.equal(dapStack(prodEnvironment()).terminationProtection, true);
  assert.equal(dapStack(devEnvironment()).terminationProtection, false);
});

test('an environment whose bucket names S3 would reject stops synthesis, naming the file and field', () => {
  const problemsOf = (fields: Record<string, unknown>) => {
    try {
      dapStack(environmentConfig(fields), new App());
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  const [underscore] = problemsOf({ name: 'qa_eu' });
  assert.equal(underscore?.file, 'config/environments/qa_eu.json');
  assert.equal(underscore?.at, 'name');
  assert.match(underscore?.message ?? '', /qa_eu-dap-.*set name_prefix/);

  const [tooLong] = problemsOf({ name_prefix: 'a-very-long-prefix-for-a-data-platform' });
  assert.equal(tooLong?.file, 'config/environments/dev.json');
  assert.equal(tooLong?.at, 'name_prefix');
  assert.match(tooLong?.message ?? '', /S3 allows 63/);
});
