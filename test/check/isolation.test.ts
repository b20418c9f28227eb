import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCheckedProject } from '../../lib/check/check.ts';
import { isolateProblems, scopeOf } from '../../lib/check/isolation.ts';
import { planRun } from '../../lib/core/run-plan.ts';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

const project = loadCheckedProject(REPO_ROOT);
const problem = (file: string, at?: string) => ({ file, ...(at ? { at } : {}), message: 'expected something else' });

test('a problem belongs to what its file and path name', () => {
  const cases: [ReturnType<typeof problem>, ReturnType<typeof scopeOf>][] = [
    [
      problem('athena-scripts/dml/insert_into/ipv_journey_start.sql', 'line 3, column 1'),
      { kind: 'event', event: 'ipv_journey_start' },
    ],
    [problem('athena-scripts/dml/insert_into/not_listed_anywhere.sql'), { kind: 'nothing' }],
    [
      problem('athena-scripts/process_scripts/ipv_identity_journey_config.json', '[1].enabled'),
      { kind: 'event', event: 'ipv_passport_cri_vc_issued' },
    ],
    [
      problem('athena-scripts/process_scripts/ipv_identity_journey_config.json'),
      { kind: 'family', family: 'ipv_identity_journey' },
    ],
    [
      problem('athena-scripts/process_scripts/product_family_config.json', '[1].enabled'),
      { kind: 'family', family: 'ipv_identity_journey' },
    ],
    [
      problem('athena-scripts/stage_tables/dcmaw_app_journey.json', 'checks[0]'),
      { kind: 'family', family: 'dcmaw_app_journey' },
    ],
    [
      problem('athena-scripts/raw_tables/txma.json', 'tables.dcmaw_cri_start.columns[2].type'),
      { kind: 'event', event: 'dcmaw_cri_start' },
    ],
    [problem('athena-scripts/raw_tables/files.json', 'tables.shop_customers'), { kind: 'project' }],
    [
      problem('redshift-scripts/procedures/sp_user_journey.sql', 'line 9, column 3'),
      { kind: 'reporting-family', family: 'user_journey' },
    ],
    [problem('redshift-scripts/procedures/sp_scd2_apply.sql'), { kind: 'reporting' }],
    [problem('redshift-scripts/migrations/V001__reporting_schema.sql'), { kind: 'reporting' }],
    [
      problem('redshift-scripts/reporting_model_product_family_config.json', '[1].depends_on'),
      { kind: 'reporting-family', family: 'single_customer_view' },
    ],
    [problem('config/environments/dev.json', 'schedules'), { kind: 'project' }],
  ];
  for (const [input, expected] of cases) assert.deepEqual(scopeOf(input, project), expected, input.file);
});

test('problems of disabled events and families stop nothing; the others stop their part, or everything', () => {
  // Prepare: auth_update_profile_phone_number and the orch_spot family are disabled in the shipped config.
  const problems = [
    problem('athena-scripts/dml/insert_into/auth_update_profile_phone_number.sql'),
    problem('athena-scripts/stage_tables/orch_spot.json', 'columns[0]'),
    problem('athena-scripts/stage_tables/dcmaw_app_journey.json', 'checks[0]'),
    problem('redshift-scripts/migrations/V001__reporting_schema.sql'),
    problem('config/environments/dev.json'),
  ];

  // Act
  const isolated = isolateProblems(project, problems);

  // Assess
  assert.deepEqual(isolated.disabled, problems.slice(0, 2));
  assert.deepEqual([...isolated.events.keys()], ['dcmaw_cri_start', 'dcmaw_cri_vc_issued', 'dcmaw_abort_app']);
  assert.deepEqual([...isolated.reporting.keys()], ['user_journey', 'single_customer_view']);
  assert.deepEqual(isolated.blocking, problems.slice(4));
});

test('the plan leaves blocked events and reporting families out and lists each with its problem', () => {
  // Prepare
  const blocked = {
    events: new Map([['ipv_journey_start', [problem('athena-scripts/dml/insert_into/ipv_journey_start.sql')]]]),
    reporting: new Map([['user_journey', [problem('redshift-scripts/procedures/sp_user_journey.sql')]]]),
  };

  // Act
  const plan = planRun({ ...project, blocked }, 'dev', { trigger: 'manual' });

  // Assess
  const ipv = plan.families.find((f) => f.product_family === 'ipv_identity_journey');
  assert.deepEqual(ipv?.events, ['ipv_passport_cri_vc_issued', 'ipv_address_cri_vc_issued', 'ipv_identity_issued']);
  assert.deepEqual(plan.blocked, [
    {
      product_family: 'ipv_identity_journey',
      event_name: 'ipv_journey_start',
      problem: 'athena-scripts/dml/insert_into/ipv_journey_start.sql: expected something else',
    },
  ]);
  assert.deepEqual(
    plan.reporting_families.map((f) => f.product_family),
    ['single_customer_view'],
  );
  assert.deepEqual(plan.reporting_blocked, [
    {
      product_family: 'user_journey',
      problem: 'redshift-scripts/procedures/sp_user_journey.sql: expected something else',
    },
  ]);
});
