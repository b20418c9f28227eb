import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

const folder = mkdtempSync(join(tmpdir(), 'dap-imports-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** The packages a `dap` command resolved, as it runs for a user (the built CLI, in its own process). */
function packagesLoadedBy(name: string, args: readonly string[]): Set<string> {
  const log = join(folder, `${name}.log`);
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      join(REPO_ROOT, 'test/helpers/record-imports.mjs'),
      join(REPO_ROOT, 'bin/dap.js'),
      '--root',
      REPO_ROOT,
      ...args,
    ],
    { encoding: 'utf8', env: { ...process.env, DAP_IMPORT_LOG: log, DAP_DATA_DIR: join(folder, `${name}-data`) } },
  );
  assert.equal(result.status, 0, result.stderr);
  const packages = new Set<string>();
  for (const url of readFileSync(log, 'utf8').split('\n')) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match?.[1]) packages.add(match[1]);
  }
  return packages;
}

describe('each command loads only what it needs', () => {
  // A source changed since the last build makes the first command build again (loading esbuild): build first.
  before(() => {
    assert.equal(spawnSync(process.execPath, [join(REPO_ROOT, 'bin/dap.js'), '--help']).status, 0);
  });

  test('--help loads the command line parser and nothing else', () => {
    assert.deepEqual([...packagesLoadedBy('help', ['--help'])], ['commander']);
  });

  test('check, query and ingest never load the CDK or the Step Functions interpreter', () => {
    for (const [name, args] of [
      ['check', ['check']],
      ['query', ['query', 'select 1']],
      [
        'ingest',
        [
          'ingest',
          join(REPO_ROOT, 'samples/files/crm_contacts/crm_contacts_2026-11-09.csv'),
          '--source',
          'crm_contacts',
        ],
      ],
    ] as const) {
      const loaded = packagesLoadedBy(name, args);
      for (const heavy of ['aws-cdk-lib', 'cdk-nag', 'aws-local-stepfunctions', '@electric-sql/pglite'])
        assert.ok(!loaded.has(heavy), `dap ${name} loaded ${heavy}`);
    }
  });

  test('the record sees what a command does load: query loads the local engine, run the CDK', () => {
    assert.ok(packagesLoadedBy('query-engine', ['query', 'select 1']).has('@duckdb/node-api'));
    assert.ok(packagesLoadedBy('run-help', ['run', '--help']).has('commander'));
  });
});
