import assert from 'node:assert/strict';
import { test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { ConfigError } from '../../lib/config/problems.ts';
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

test('the cdk-nag harness does report findings (a bare bucket breaks AwsSolutions-S1 and S10)', () => {
  const report = nagReport((app) => new Bucket(new Stack(app, 'Bare'), 'Bucket'));

  assert.ok(report.findings.some((finding) => finding.startsWith('AwsSolutions-S1 at Bare/Bucket')));
  assert.ok(report.findings.some((finding) => finding.startsWith('AwsSolutions-S10 at Bare/Bucket')));
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
