import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../../lib/core/model/problems.ts';
import { addDapStacks } from '../../lib/infra/dap-app.ts';
import { devEnvironment, NO_BUNDLING, prodEnvironment, projectFolder, projectWith, tempDir } from './fixtures.ts';

const APP = fileURLToPath(new URL('../../bin/app.ts', import.meta.url));

/** Runs bin/app.ts the way the CDK CLI does: from the project root, with the output folder and context in env. */
function runApp(root: string, context: Record<string, unknown> = {}) {
  const outdir = tempDir('dap-cdk-out-');
  const result = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), APP], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...NO_BUNDLING, ...context }) },
  });
  return { ...result, outdir };
}

test('the app synthesizes one stack per environment file, checked by cdk-nag', () => {
  // Prepare
  const root = projectFolder({ dev: devEnvironment(), prod: prodEnvironment() });

  // Act
  const { status, stderr, outdir } = runApp(root);

  // Assess
  assert.equal(status, 0, stderr);
  assert.ok(existsSync(join(outdir, 'dev-dap.template.json')));
  assert.ok(existsSync(join(outdir, 'prod-dap.template.json')));
  assert.ok(existsSync(join(outdir, 'validation-report.json')));
});

test('a broken environment file stops the app with a message naming the file and the field', () => {
  // Prepare
  const root = projectFolder({ dev: { ...devEnvironment(), account: '12345' }, prod: prodEnvironment() });

  // Act
  const { status, stderr, outdir } = runApp(root);

  // Assess
  assert.equal(status, 1);
  assert.match(stderr, /config\/environments\/dev\.json: account: expected a 12-digit AWS account id/);
  assert.ok(!existsSync(join(outdir, 'prod-dap.template.json')), 'nothing is synthesized from a broken project');
});

test('-c env=<name> limits the app to that environment', () => {
  // Prepare
  const root = projectFolder({ dev: devEnvironment(), prod: prodEnvironment() });

  // Act
  const { status, stderr, outdir } = runApp(root, { env: 'prod' });

  // Assess
  assert.equal(status, 0, stderr);
  assert.ok(existsSync(join(outdir, 'prod-dap.template.json')));
  assert.ok(!existsSync(join(outdir, 'dev-dap.template.json')));
});

test('-c env=<name> with an unknown environment names the file that is missing', () => {
  const project = projectWith(devEnvironment());

  assert.throws(
    () => addDapStacks(new App(), project, { only: 'staging' }),
    (error: unknown) => error instanceof ConfigError && error.problems[0]?.file === 'config/environments/staging.json',
  );
});
