import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadProject, readProjectFiles } from '../../lib/config/loader.ts';
import { environment, PROJECT_FOLDERS } from '../../lib/core/model/project.ts';
import { runnableProject } from '../../lib/local/checked-project.ts';
import { cachedTemplate } from '../../lib/local/twin/template-cache.ts';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

function projectCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'dap-cache-project-'));
  for (const folder of PROJECT_FOLDERS) cpSync(join(REPO_ROOT, folder), join(root, folder), { recursive: true });
  after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

function cacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dap-cache-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('the twin opens from a template cached by content', () => {
  test('an unchanged project reuses the template; a config change synthesizes again, with the change in it', async () => {
    // Prepare
    const root = projectCopy();
    const dir = cacheDir();
    const open = async () => {
      const project = loadProject(root);
      return cachedTemplate(project, environment(project, 'dev'), { cacheDir: dir });
    };
    const first = await open();

    // Act
    const second = await open();
    const envFile = join(root, 'config/environments/dev.json');
    const env = JSON.parse(readFileSync(envFile, 'utf8')) as { orchestration?: Record<string, unknown> };
    writeFileSync(envFile, JSON.stringify({ ...env, orchestration: { ...env.orchestration, event_concurrency: 7 } }));
    const third = await open();

    // Assess
    assert.equal(first.cached, false);
    assert.equal(second.cached, true);
    assert.deepEqual(second.template, first.template);
    assert.equal(third.cached, false, 'a changed environment file must not reuse the old template');
    assert.notDeepEqual(third.template, first.template);
    assert.match(JSON.stringify(third.template), /MaxConcurrency\\?"?:7/);
    assert.equal(readdirSync(dir).filter((f) => f.startsWith('template-dev-')).length, 2);
  });

  test('a changed SQL script is another key too', async () => {
    // Prepare
    const root = projectCopy();
    const dir = cacheDir();
    const project = loadProject(root);
    await cachedTemplate(project, environment(project, 'dev'), { cacheDir: dir });
    const [script] = readdirSync(join(root, 'athena-scripts/dml/insert_into'));
    assert.ok(script);
    const path = join(root, 'athena-scripts/dml/insert_into', script);

    // Act
    writeFileSync(path, `-- edited\n${readFileSync(path, 'utf8')}`);
    const again = await cachedTemplate(loadProject(root), environment(project, 'dev'), { cacheDir: dir });

    // Assess
    assert.equal(again.cached, false);
  });
});

describe('the check verdict is cached by content', () => {
  test('a project with problems is refused every time, never cached as clean', () => {
    // Prepare
    const root = projectCopy();
    const file = join(root, 'athena-scripts/process_scripts/product_family_config.json');
    writeFileSync(file, '[{"product_family": "Not An Identifier", "enabled": true}]');

    // Act / Assess
    for (let attempt = 0; attempt < 2; attempt++) {
      assert.throws(() => runnableProject(readProjectFiles(root), root), { name: 'ConfigError' });
    }
  });

  test('a clean project checked once gives the same project the next time', () => {
    // Prepare
    const root = projectCopy();

    // Act
    const first = runnableProject(readProjectFiles(root), root);
    const second = runnableProject(readProjectFiles(root), root);

    // Assess
    assert.equal(second.root, root);
    assert.deepEqual([...second.familyEvents.keys()], [...first.familyEvents.keys()]);
    assert.deepEqual([...second.stageTables.keys()], [...first.stageTables.keys()]);
  });
});
