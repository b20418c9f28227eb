import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DapFunction } from '../../lib/infra/dap-function.ts';
import { nagReport, testApp } from './fixtures.ts';

/** One DapFunction in a stack of its own, with the key its log group is encrypted with. */
function functionStack(app: App = testApp()) {
  const stack = new Stack(app, 'FunctionTest', { env: { account: '111111111111', region: 'eu-west-2' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const fn = new DapFunction(stack, 'Plan', {
    handlerName: 'plan',
    description: 'A function under test',
    logRetention: logs.RetentionDays.TWO_WEEKS,
    encryptionKey: key,
  });
  return { stack, key, fn };
}

const { stack, key, fn } = functionStack();
const template = Template.fromStack(stack);
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

describe('DapFunction', () => {
  test('is traced by X-Ray, with the X-Ray permissions in a policy of their own', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    const roleRef = { Ref: logicalId(fn.role) };
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([roleRef]) } }),
    ) as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } }[];
    const withStar = policies.filter((policy) =>
      policy.Properties.PolicyDocument.Statement.some((s) => JSON.stringify(s.Resource) === '"*"'),
    );
    assert.equal(withStar.length, 1, 'one policy holds the "*" resource');
    assert.deepEqual(withStar[0]?.Properties.PolicyDocument.Statement, [
      {
        Effect: 'Allow',
        Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        Resource: '*',
      },
    ]);
  });

  test('logs to its own log group, with the given retention, encrypted with the given key', () => {
    // Assess
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/lambda/FunctionTest/Plan',
      RetentionInDays: 14,
      KmsKeyId: { 'Fn::GetAtt': [logicalId(key), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: logicalId(fn.logGroup) } },
    });
  });

  test("the key lets CloudWatch Logs use it for this function's log group only", () => {
    // Assess
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'logs.eu-west-2.amazonaws.com' },
            Resource: '*',
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': [
                  {
                    'Fn::Join': [
                      '',
                      [
                        'arn:',
                        { Ref: 'AWS::Partition' },
                        ':logs:eu-west-2:111111111111:log-group:/aws/lambda/FunctionTest/Plan',
                      ],
                    ],
                  },
                ],
              },
            },
          }),
        ]),
      },
    });
  });

  test('cdk-nag: no unacknowledged findings, the X-Ray "*" acknowledged with its reason', () => {
    // Act
    const report = nagReport((app) => functionStack(app));

    // Assess
    assert.deepEqual(report.findings, []);
    const xray = report.acknowledged.filter((a) => a.rule === 'AwsSolutions-IAM5[Resource::*]');
    assert.ok(xray.length > 0 && xray.every((a) => a.reason.includes('X-Ray')));
  });

  test('cdk-nag: another "*" resource on the role is a finding, not covered by the X-Ray acknowledgement', () => {
    // Prepare / Act
    const report = nagReport((app) => {
      const { fn } = functionStack(app);
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    });

    // Assess
    assert.ok(
      report.findings.includes('AwsSolutions-IAM5[Resource::*] at FunctionTest/Plan/Role/DefaultPolicy/Resource'),
      `expected an IAM5[Resource::*] finding on the function's role, got ${JSON.stringify(report.findings)}`,
    );
  });
});
