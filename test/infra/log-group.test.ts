import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TemplateResolver } from '../../lib/local/twin/definition.ts';
import type { CfnTemplate } from '../../lib/local/twin/synthesize.ts';
import { environmentConfig, prodEnvironment, templateOf } from './fixtures.ts';

type Resource = CfnTemplate['Resources'][string];

const env = environmentConfig({ retention_days: { logs: 14 } });
const { stack, template } = templateOf(env);
const json = template.toJSON() as CfnTemplate;
const resolver = new TemplateResolver(json, env);
const keyId = stack.getLogicalId(stack.storage.key.node.defaultChild as never);
const ofType = (type: string, from: CfnTemplate = json): [string, Resource][] =>
  Object.entries(from.Resources).filter(([, r]) => r.Type === type);

describe('log groups', () => {
  test('every log group of the stack keeps events for retention_days.logs and is encrypted with the stack key', () => {
    // Prepare
    const logGroups = ofType('AWS::Logs::LogGroup');

    // Assess
    assert.ok(logGroups.length >= 10, `the Lambdas, the state machine and the flow logs (found ${logGroups.length})`);
    for (const [id, group] of logGroups) {
      assert.equal(group.Properties?.RetentionInDays, 14, `${id} retention`);
      assert.deepEqual(group.Properties?.KmsKeyId, { 'Fn::GetAtt': [keyId, 'Arn'] }, `${id} key`);
    }
  });

  test('the state machine, every Lambda and the CDK config deployment log to a log group of the stack', () => {
    // Prepare: without DESTROY there is no auto-delete custom resource, whose provider CDK builds without one.
    const prod = templateOf(prodEnvironment()).template.toJSON() as CfnTemplate;
    const groups = new Set(ofType('AWS::Logs::LogGroup', prod).map(([id]) => id));

    // Assess
    for (const [id, fn] of ofType('AWS::Lambda::Function', prod)) {
      const target = (fn.Properties?.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup?.Ref;
      assert.ok(target && groups.has(target), `${id} logs to a log group of the stack`);
    }
    const [[, machine] = []] = ofType('AWS::StepFunctions::StateMachine', prod);
    const destination = JSON.stringify(machine?.Properties?.LoggingConfiguration);
    assert.ok(
      [...groups].some((id) => destination.includes(id)),
      'the state machine logs to a log group of the stack',
    );
  });

  test('the key lets CloudWatch Logs use it for exactly the log groups of the stack', () => {
    // Prepare
    const names = ofType('AWS::Logs::LogGroup').map(([, group]) => String(group.Properties?.LogGroupName));
    const [[, key] = []] = ofType('AWS::KMS::Key');
    const statements = (resolver.resolve(key?.Properties?.KeyPolicy) as { Statement: Record<string, unknown>[] })
      .Statement;

    // Act
    const forLogs = statements.filter(
      (s) =>
        JSON.stringify(s.Principal) === JSON.stringify({ Service: 'logs.eu-west-2.amazonaws.com' }) &&
        JSON.stringify(s.Condition).includes('log-group:/aws/lambda/'),
    );

    // Assess
    assert.equal(forLogs.length, 1);
    const condition = forLogs[0]?.Condition as { ArnLike: Record<string, string[]> };
    assert.deepEqual(
      [...(condition.ArnLike['kms:EncryptionContext:aws:logs:arn'] ?? [])].sort(),
      names.map((name) => `arn:aws:logs:eu-west-2:111111111111:log-group:${name}`).sort(),
    );
    assert.ok(names.includes('/aws/vendedlogs/states/dev-dap-raw-to-stage'));
    assert.ok(names.includes('/aws/lambda/dev-dap/Orchestration/plan'));
  });
});

describe('retention_days.logs', () => {
  test('defaults to 90 days', () => {
    assert.equal(environmentConfig().retention_days.logs, 90);
  });

  test('accepts only a period CloudWatch Logs accepts, and says which', () => {
    assert.equal(environmentConfig({ retention_days: { logs: 731 } }).retention_days.logs, 731);
    for (const logs of [10, 0, -1, 30.5]) {
      assert.throws(
        () => environmentConfig({ retention_days: { logs } }),
        /expected a retention CloudWatch Logs accepts: one of 1, 3, 5, 7, 14, 30/,
        String(logs),
      );
    }
  });
});
