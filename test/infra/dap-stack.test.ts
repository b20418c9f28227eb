import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { CfnKey } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { CHECK_FAMILY_ENV } from '../../lambdas/check-family/env.ts';
import { COMMIT_FAMILY_ENV } from '../../lambdas/commit-family/env.ts';
import { INGEST_FILE_ENV } from '../../lambdas/ingest-file/env.ts';
import { MIGRATE_WAREHOUSE_ENV } from '../../lambdas/migrate-warehouse/env.ts';
import { PLAN_ENV } from '../../lambdas/plan/env.ts';
import { PREPARE_TRANSFORM_ENV } from '../../lambdas/prepare-transform/env.ts';
import { PROCEDURE_RUNNER_ENV } from '../../lambdas/procedure-runner/env.ts';
import { RECORD_OUTCOME_ENV } from '../../lambdas/record-outcome/env.ts';
import { RUN_GUARD_ENV } from '../../lambdas/run-guard/env.ts';
import { REDSHIFT_DATA_API_ENV, RUNTIME_ENV } from '../../lambdas/shared/env.ts';
import { WRITE_REPORT_ENV } from '../../lambdas/write-report/env.ts';
import { ConfigError } from '../../lib/core/model/problems.ts';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';
import {
  dapStack,
  devEnvironment,
  environmentConfig,
  nagReport,
  PROD_ACCOUNT,
  prodEnvironment,
  templateOf,
} from './fixtures.ts';

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

test('each function is set exactly the variables its handler reads, by the names in its env.ts', () => {
  // Prepare: the fixture project has no API source (api-ingestion.test.ts holds the pull Lambdas' variables)
  const { template } = templateOf(devEnvironment());
  const runtime = Object.values(RUNTIME_ENV);
  // Set on every pipeline function whether or not its handler reads them.
  const unread: Readonly<Record<string, readonly string[]>> = {
    'run-guard': runtime,
    'commit-family': runtime,
    'procedure-runner': runtime,
    // It builds its own S3 store: no awsRuntime(), so no metadata bucket.
    'record-outcome': [RUNTIME_ENV.environment],
  };
  // Read when set: a Serverless workgroup is reached without a secret or a database user.
  const optional = [REDSHIFT_DATA_API_ENV.cluster, REDSHIFT_DATA_API_ENV.secretArn, REDSHIFT_DATA_API_ENV.dbUser];
  const reads: Readonly<Record<string, readonly string[]>> = {
    'run-guard': Object.values(RUN_GUARD_ENV),
    plan: Object.values(PLAN_ENV),
    'prepare-transform': Object.values(PREPARE_TRANSFORM_ENV),
    'check-family': Object.values(CHECK_FAMILY_ENV),
    'commit-family': Object.values(COMMIT_FAMILY_ENV),
    'procedure-runner': Object.values(PROCEDURE_RUNNER_ENV),
    'migrate-warehouse': Object.values(MIGRATE_WAREHOUSE_ENV),
    'record-outcome': Object.values(RECORD_OUTCOME_ENV),
    'write-report': Object.values(WRITE_REPORT_ENV),
    'ingest-file': Object.values(INGEST_FILE_ENV),
  };
  const own = ['DAP_HANDLER', 'NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME'];

  // Act
  const functions = Object.values(template.findResources('AWS::Lambda::Function'))
    .map((fn) => (fn.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>)
    .filter((variables) => typeof variables.DAP_HANDLER === 'string');

  // Assess
  assert.deepEqual([...new Set(functions.map((v) => v.DAP_HANDLER))].sort(), Object.keys(reads).sort());
  for (const variables of functions) {
    const name = String(variables.DAP_HANDLER);
    const expected = [...(reads[name] ?? []), ...(unread[name] ?? [])].filter((v) => !optional.includes(v as never));
    const set = Object.keys(variables).filter((v) => !own.includes(v));
    assert.deepEqual([...new Set(set)].sort(), [...new Set(expected)].sort(), name);
  }
});

/** Each pipeline function's role: its logical id, tags and the statements of every policy attached to it. */
interface CfnResource {
  readonly Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties, read by shape in this test only
  readonly Properties: Record<string, any>;
}
interface PolicyStatement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

function pipelineRoles(template: ReturnType<typeof templateOf>['template']) {
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const roles = new Map<string, { tags: Record<string, string>; statements: PolicyStatement[] }>();
  for (const fn of Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function')) {
    const handler = fn.Properties.Environment?.Variables?.DAP_HANDLER;
    const roleId = fn.Properties.Role?.['Fn::GetAtt']?.[0];
    if (typeof handler !== 'string' || typeof roleId !== 'string') continue;
    const role = resources[roleId];
    const tags = Object.fromEntries(
      ((role?.Properties.Tags ?? []) as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]),
    );
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((p) => (p.Properties.Roles as { Ref?: string }[]).some((r) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);
    roles.set(handler, { tags, statements });
  }
  return roles;
}

test('every handler that loads the deployed project may read its files in the metadata bucket', () => {
  // Prepare: the handlers that call projectForRun, read from their source so a new one cannot be missed
  const { template } = templateOf(devEnvironment());
  const readers = readdirSync(join(REPO_ROOT, 'lambdas'))
    .filter((name) => existsSync(join(REPO_ROOT, 'lambdas', name, 'handler.ts')))
    .filter((name) => readFileSync(join(REPO_ROOT, 'lambdas', name, 'handler.ts'), 'utf8').includes('projectForRun'));
  const metadata = Object.entries(template.findResources('AWS::S3::Bucket')).find(([id]) => id.includes('Metadata'));
  assert.ok(metadata, 'the metadata bucket');

  // Act
  const roles = pipelineRoles(template);
  const canRead = (handler: string) =>
    (roles.get(handler)?.statements ?? []).some(
      (s) => [s.Action].flat().includes('s3:GetObject') && JSON.stringify(s.Resource).includes(`"${metadata[0]}"`),
    );

  // Assess
  assert.ok(readers.length >= 4, readers.join(', '));
  assert.deepEqual(
    readers.filter((handler) => !canRead(handler)),
    [],
  );
});

test('on Serverless the procedure runner works as the runner database role, only the migration as sys:dba', () => {
  // Act
  const roles = pipelineRoles(templateOf(devEnvironment()).template);

  // Assess
  const schema = devEnvironment().redshift.schema;
  assert.equal(roles.get('procedure-runner')?.tags.RedshiftDbRoles, `${schema}_runner`);
  assert.equal(roles.get('migrate-warehouse')?.tags.RedshiftDbRoles, 'sys:dba');
  const others = [...roles].filter(
    ([name, role]) => !['procedure-runner', 'migrate-warehouse'].includes(name) && role.tags.RedshiftDbRoles,
  );
  assert.deepEqual(others, []);
});
