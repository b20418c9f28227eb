import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkProjectFiles } from '../../lib/check/check.ts';
import { parseProject } from '../../lib/config/loader.ts';
import { formatProblem } from '../../lib/core/model/problems.ts';
import { procedureSignature } from '../../lib/core/procedure-call.ts';
import { planRun } from '../../lib/core/run-plan.ts';
import { minimalProjectFiles } from '../helpers/project-fixture.ts';

const header = (parameters: string) =>
  `-- the family's model\ncreate or replace procedure {{reporting_schema}}.sp_sales_model(${parameters})\nas $$ begin null; end; $$ language plpgsql;\n`;

test('a family procedure is called with the run id (one varchar parameter) or with nothing', () => {
  assert.deepEqual(procedureSignature(header('run_id varchar(128)'), 'sp_sales_model'), { ok: true, takesRunId: true });
  assert.deepEqual(procedureSignature(header('p_run character varying(max)'), 'sp_sales_model'), {
    ok: true,
    takesRunId: true,
  });
  assert.deepEqual(procedureSignature(header(''), 'sp_sales_model'), { ok: true, takesRunId: false });
  assert.deepEqual(procedureSignature(header('day date'), 'sp_sales_model'), {
    ok: false,
    reason:
      'sp_sales_model(day date) cannot be called by the pipeline: expected no parameter, or one varchar (the run id)',
  });
});

test('the plan says how each reporting family is called; check refuses a signature no call fits', () => {
  // Prepare
  const path = 'redshift-scripts/procedures/sp_sales_model.sql';
  const files = (parameters: string) =>
    new Map(Object.entries({ ...minimalProjectFiles(), [path]: header(parameters) }));

  // Act
  const withoutRunId = parseProject(files('')).project;
  const plan = planRun(withoutRunId, 'dev', { trigger: 'manual' });

  const { problems } = checkProjectFiles(files('day date'), '.');

  // Assess
  assert.deepEqual(
    plan.reporting_families.map((f) => [f.product_family, f.takes_run_id]),
    [['sales_model', false]],
  );
  assert.deepEqual(problems.map(formatProblem), [
    `${path}: sp_sales_model(day date) cannot be called by the pipeline: expected no parameter, or one varchar (the run id)`,
  ]);
});
