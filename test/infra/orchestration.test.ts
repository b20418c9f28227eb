import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { ATHENA_THROTTLING_ERRORS } from '../../lib/infra/raw-to-stage-definition.ts';
import {
  type AslMachine,
  type AslState,
  stateMachineDefinition,
  TemplateResolver,
} from '../../lib/local/twin/definition.ts';
import type { CfnTemplate } from '../../lib/local/twin/synthesize.ts';
import { environmentConfig, templateOf } from './fixtures.ts';

const env = environmentConfig({
  orchestration: { family_concurrency: 7, event_concurrency: 3, lease_seconds: 1200 },
  schedules: { raw_to_stage: 'cron(15 4 * * ? *)' },
  athena: { bytes_scanned_cutoff: 50_000_000_000 },
});
const { template } = templateOf(env);
const json = template.toJSON() as CfnTemplate;
const resolver = new TemplateResolver(json, env);
const definition = stateMachineDefinition(json, resolver, 'dev-dap-raw-to-stage');

/** A state by name, however deeply nested in Maps. */
function state(name: string, machine: AslMachine = definition): AslState & Record<string, unknown> {
  for (const [stateName, s] of Object.entries(machine.States)) {
    if (stateName === name) return s as AslState & Record<string, unknown>;
    for (const nested of [s.ItemProcessor, s.Iterator, ...(s.Branches ?? [])]) {
      if (!nested) continue;
      try {
        return state(name, nested);
      } catch {}
    }
  }
  throw new Error(`no state ${name}`);
}

interface PolicyStatement {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

function statements(): PolicyStatement[] {
  return Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r) => (r.Properties?.PolicyDocument as { Statement: PolicyStatement[] } | undefined)?.Statement ?? []);
}

describe('the raw-to-stage state machine', () => {
  test('is named after the environment, in JSONPath, traced and logged', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'dev-dap-raw-to-stage',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
    assert.equal((definition as { QueryLanguage?: string }).QueryLanguage ?? 'JSONPath', 'JSONPath');
  });

  test('fans out over families and events with the configured concurrency', () => {
    const families = state('ProcessFamilies');
    assert.equal(families.Type, 'Map');
    assert.equal(families.ItemsPath, '$.plan.families');
    assert.equal(families.MaxConcurrency, 7);
    const events = state('ProcessEvents');
    assert.equal(events.ItemsPath, '$.events');
    assert.equal(events.MaxConcurrency, 3);
  });

  test("loads each event's window into its incoming table with parameters, then MERGEs it without (Athena .sync, throttling retried with jitter)", () => {
    const expectedRetry = [
      {
        ErrorEquals: ATHENA_THROTTLING_ERRORS,
        IntervalSeconds: 2,
        BackoffRate: 2,
        MaxAttempts: 6,
        MaxDelaySeconds: 60,
        JitterStrategy: 'FULL',
      },
    ];
    const context = { Catalog: 'AwsDataCatalog', Database: 'dev_dap_stage' };
    const steps = { ClearIncoming: 'clear', LoadIncoming: 'load', MergeIntoStage: 'merge' } as const;
    for (const [name, step] of Object.entries(steps)) {
      const task = state(name);
      assert.equal(task.Resource, 'arn:aws:states:::athena:startQueryExecution.sync');
      assert.deepEqual(task.Parameters, {
        'QueryString.$': `$.prepared.${step}_query`,
        // Athena accepts ExecutionParameters in SELECT / INSERT INTO / CTAS / UNLOAD only: the load, never the MERGE.
        ...(step === 'load' ? { 'ExecutionParameters.$': '$.prepared.load_parameters' } : {}),
        WorkGroup: 'dev-dap-workgroup',
        QueryExecutionContext: context,
        'ClientRequestToken.$': `States.Format('{}-{}-${step}', $.run_id, $.event_name)`,
      });
      assert.equal(task.ResultPath, `$.athena.${step}`);
      assert.deepEqual(task.Retry, expectedRetry);
      assert.equal(task.TimeoutSeconds, 1200 - 60, 'a transform ends before the run lease could lapse');
    }
    assert.equal(state('ClearIncoming').Next, 'LoadIncoming');
    assert.equal(state('LoadIncoming').Next, 'MergeIntoStage');
    assert.equal(state('MergeIntoStage').Next, 'RenewRunLease');
  });

  test('catches failures per event and per family, so no failure escapes a family', () => {
    // Each caught error is kept (a long one stored) before the failure is recorded; see the test below.
    for (const name of ['PrepareTransform', 'ClearIncoming', 'LoadIncoming', 'MergeIntoStage', 'RenewRunLease']) {
      assert.deepEqual(state(name).Catch, [
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'KeepEventError' },
      ]);
    }
    for (const name of ['ProcessEvents', 'CheckFamily', 'CommitFamily']) {
      assert.deepEqual(state(name).Catch, [
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'FamilyFailed' },
      ]);
    }
    assert.deepEqual(state('CallProcedure').Catch, [
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'KeepProcedureError' },
    ]);
  });

  test('carries no state that grows with events × error length: outcomes and long errors are kept in the bucket', () => {
    const recordOutcome = /:function:Orchestrationrecordoutcome/;
    // A caught error goes through the record step (which stores a long one and answers its start and key), then
    // on to the failure record; when the record step fails, the failure record gets the error as caught.
    const kept = {
      KeepEventError: {
        next: 'EventFailed',
        runId: '$.run_id',
        subject: { of: 'event', 'product_family.$': '$.product_family', 'event_name.$': '$.event_name' },
        error: '$.error',
      },
      KeepProcedureError: {
        next: 'ProcedureFailed',
        runId: '$.run_id',
        subject: { of: 'procedure', 'product_family.$': '$.product_family' },
        error: '$.error',
      },
      KeepMigrationError: {
        next: 'ReportingModelNotBuilt',
        runId: '$.run.run_id',
        subject: { of: 'migration' },
        error: '$.migration_error',
      },
    };
    for (const [name, expected] of Object.entries(kept)) {
      const keep = state(name);
      assert.match(String(keep.Resource), recordOutcome, name);
      assert.deepEqual(keep.Parameters, {
        action: 'error',
        'run_id.$': expected.runId,
        subject: expected.subject,
        'error.$': expected.error,
      });
      assert.equal(keep.ResultPath, expected.error, 'the kept error replaces the caught one');
      assert.equal(keep.Next, expected.next);
      assert.deepEqual(keep.Catch, [{ ErrorEquals: ['States.ALL'], ResultPath: '$.keep_error', Next: expected.next }]);
    }

    // Every way out of a family leaves its outcome at $.outcome, which is stored; the iteration's result (what
    // the families Map gathers) is the record step's answer, the family's status and key.
    assert.equal(state('CommitFamily').ResultPath, '$.outcome');
    assert.equal(state('FamilyFailed').ResultPath, '$.outcome');
    assert.equal(state('FamilyNotCommitted').InputPath, undefined);
    for (const name of ['CommitFamily', 'FamilyNotCommitted', 'FamilyFailed']) {
      assert.equal(state(name).Next, 'KeepFamilyOutcome', name);
    }
    const keepFamily = state('KeepFamilyOutcome');
    assert.match(String(keepFamily.Resource), recordOutcome);
    assert.deepEqual(keepFamily.Parameters, { action: 'family', 'run_id.$': '$.run_id', 'outcome.$': '$.outcome' });
    assert.equal(keepFamily.ResultPath, undefined);
    assert.equal(keepFamily.End, true);
    assert.deepEqual(keepFamily.Catch, [
      { ErrorEquals: ['States.ALL'], ResultPath: '$.keep_error', Next: 'FamilyOutcomeNotKept' },
    ]);
    assert.equal(state('FamilyOutcomeNotKept').InputPath, '$.outcome', 'storing failed: the outcome is carried whole');
    assert.equal(state('FamilyOutcomeNotKept').End, true);
  });

  test('guards the run with the lease and ends PARTIAL or FAILED with errors an alarm can match', () => {
    assert.equal(definition.StartAt, 'InitialiseRun');
    const choice = state('RunLeaseAcquired') as unknown as { Choices: { Variable: string; BooleanEquals: boolean }[] };
    assert.deepEqual(
      choice.Choices.map((c) => [c.Variable, c.BooleanEquals]),
      [['$.lease.acquired', true]],
    );
    assert.equal(state('RunAlreadyInProgress').Type, 'Succeed');
    assert.equal(state('RunPartial').Error, 'dap.RunPartial');
    assert.equal(state('RunFailed').Error, 'dap.RunFailed');
    assert.equal(state('NotifyRunProblem').Resource, 'arn:aws:states:::sns:publish');
  });

  test('is started by the schedule from the environment file with a schedule trigger', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'dev-dap-raw-to-stage-schedule',
      ScheduleExpression: 'cron(15 4 * * ? *)',
      Targets: [Match.objectLike({ Input: '{"trigger":"schedule"}', DeadLetterConfig: Match.anyValue() })],
    });
    // Its failed starts go to the encrypted dead-letter queue: the key serves EventBridge for this rule only.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnEquals: {
                'aws:SourceArn': [
                  {
                    'Fn::Join': [
                      '',
                      [
                        'arn:',
                        { Ref: 'AWS::Partition' },
                        ':events:eu-west-2:111111111111:rule/dev-dap-raw-to-stage-schedule',
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

  test('the workgroup enforces its settings, encrypts results and cuts off big scans', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'dev-dap-workgroup',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 50_000_000_000,
        ResultConfiguration: Match.objectLike({
          EncryptionConfiguration: Match.objectLike({ EncryptionOption: 'SSE_KMS' }),
        }),
      }),
    });
  });

  test('the control table has point-in-time recovery and a customer-managed key', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'dev-dap-control',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
    });
  });
});

describe('IAM', () => {
  test('no statement in the stack grants a "*" action or a whole-service action', () => {
    for (const statement of statements()) {
      for (const action of [statement.Action].flat()) {
        assert.notEqual(action, '*');
        assert.doesNotMatch(action, /^[a-z0-9-]+:\*$/, `whole-service action ${action}`);
      }
    }
  });

  test('Athena, Glue and S3 permissions of the state machine are scoped to this environment', () => {
    const role = Object.entries(json.Resources).find(
      ([, r]) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles ?? '').includes('RawToStageRole'),
    );
    assert.ok(role, 'the state machine has a policy');
    const policy = resolver.resolve(role[1].Properties?.PolicyDocument) as { Statement: PolicyStatement[] };
    const resourcesFor = (prefix: string) =>
      policy.Statement.filter((s) => [s.Action].flat().some((a) => a.startsWith(prefix))).flatMap((s) =>
        [s.Resource].flat(),
      );

    assert.deepEqual([...new Set(resourcesFor('athena:'))].sort(), [
      'arn:aws:athena:eu-west-2:111111111111:datacatalog/AwsDataCatalog',
      'arn:aws:athena:eu-west-2:111111111111:workgroup/dev-dap-workgroup',
    ]);
    for (const resource of resourcesFor('glue:')) {
      assert.match(
        String(resource),
        /^arn:aws:glue:eu-west-2:111111111111:(catalog|(database|table)\/dev_dap_(raw|stage|incoming)(\/\*)?)$/,
      );
    }
    const s3 = [...new Set(resourcesFor('s3:'))].map(String).sort();
    assert.deepEqual(s3, [
      'arn:aws:s3:::dev-dap-athena-results-111111111111',
      'arn:aws:s3:::dev-dap-athena-results-111111111111/*',
      'arn:aws:s3:::dev-dap-raw-111111111111',
      'arn:aws:s3:::dev-dap-raw-111111111111/*',
      'arn:aws:s3:::dev-dap-stage-111111111111',
      'arn:aws:s3:::dev-dap-stage-111111111111/*',
    ]);
  });

  test('what a run keeps beside its state: the record step writes under run_outcomes/ only, the report step reads it', () => {
    const s3Of = (role: RegExp) => {
      const policy = Object.entries(json.Resources).find(
        ([id, r]) => r.Type === 'AWS::IAM::Policy' && role.test(id) && id.includes('RoleDefaultPolicy'),
      );
      assert.ok(policy, String(role));
      const document = resolver.resolve(policy[1].Properties?.PolicyDocument) as { Statement: PolicyStatement[] };
      return document.Statement.filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:'))).map((s) => [
        s.Action,
        s.Resource,
        ...(s.Condition ? [s.Condition] : []),
      ]);
    };
    const results = 'arn:aws:s3:::dev-dap-step-function-process-results-111111111111';
    assert.deepEqual(s3Of(/^Orchestrationrecordoutcome/), [['s3:PutObject', `${results}/run_outcomes/*`]]);
    assert.deepEqual(s3Of(/^Orchestrationwritereport/), [
      ['s3:PutObject', `${results}/run_reports/*`],
      ['s3:GetObject', `${results}/run_outcomes/*`],
      // Listing only there, so a missing object is NoSuchKey (as on the twin), not AccessDenied.
      ['s3:ListBucket', results, { StringLike: { 's3:prefix': ['run_outcomes/*'] } }],
    ]);
  });
});

describe('the reporting model steps', () => {
  test('migrate the warehouse before BuildReportingModel, only when the plan has reporting families', () => {
    const runLeaseAcquired = state('RunLeaseAcquired') as unknown as { Choices: { Next: string }[] };
    assert.equal(runLeaseAcquired.Choices[0]?.Next, 'PlanRun');
    assert.equal(state('ProcessFamilies').Next, 'HasReportingFamilies');
    const choice = state('HasReportingFamilies') as unknown as {
      Choices: { Variable: string; IsPresent: boolean; Next: string }[];
      Default: string;
    };
    assert.deepEqual(choice.Choices, [
      { Variable: '$.plan.reporting_families[0]', IsPresent: true, Next: 'MigrateWarehouse' },
    ]);
    assert.equal(choice.Default, 'BuildReportingModel', 'no reporting family: no migration, an empty Map');
    const migrate = state('MigrateWarehouse');
    assert.equal(migrate.Next, 'BuildReportingModel');
    assert.deepEqual(migrate.Parameters, { 'run_id.$': '$.run.run_id' });
    assert.equal(migrate.ResultPath, '$.migration');
    assert.equal(state('BuildReportingModel').Next, 'WriteRunReport');
  });

  test('a failed migration fails every reporting family with its error and goes on to the report', () => {
    assert.deepEqual(state('MigrateWarehouse').Catch, [
      { ErrorEquals: ['States.ALL'], ResultPath: '$.migration_error', Next: 'KeepMigrationError' },
    ]);
    assert.equal(state('KeepMigrationError').Next, 'ReportingModelNotBuilt');
    const notBuilt = state('ReportingModelNotBuilt');
    assert.equal(notBuilt.ItemsPath, '$.plan.reporting_families');
    assert.equal(notBuilt.ResultPath, '$.reporting', 'where WriteRunReport reads reporting outcomes');
    assert.deepEqual(notBuilt.ItemSelector, {
      'product_family.$': '$$.Map.Item.Value.product_family',
      'error.$': '$.migration_error',
    });
    assert.equal(notBuilt.Next, 'WriteRunReport');
    assert.deepEqual(state('ReportingFamilyNotBuilt').Parameters, {
      'product_family.$': '$.product_family',
      status: 'FAILED',
      'error.$': '$.error',
    });
  });
});
