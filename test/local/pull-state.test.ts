import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadProject } from '../../lib/config/loader.ts';
import { stateKey } from '../../lib/core/connectors/pull-state.ts';
import { resourceNames } from '../../lib/core/model/names.ts';
import { environment } from '../../lib/core/model/project.ts';
import { FileControlStore } from '../../lib/engines/local/file-control-store.ts';
import { FolderObjectStore } from '../../lib/engines/local/folder-object-store.ts';
import { runDemo } from '../../lib/local/demo.ts';
import { pullShippedSamples } from '../../lib/local/pull-samples.ts';

/** Pull state (cursors, checkpoints, watermarks) belongs to one environment, as the rest of its control data does. */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const project = loadProject(repoRoot);
const dev = resourceNames(environment(project, 'dev'));
const test_ = resourceNames(environment(project, 'test'));

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dap-pull-state-'));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The pull ids in the names of the raw pages under `<raw bucket>/<source>/` (`<pull id>_<endpoint>_..._p000001.json.gz`). */
async function pullIdsInRaw(dir: string, rawBucket: string, source: string): Promise<string[]> {
  const files = (await readdir(join(dir, rawBucket, source), { recursive: true })) as string[];
  const page = /([^/]+?)_[a-z_]+_.+_p\d{6}\.json(?:\.gz)?$/;
  const ids = files.filter((f) => page.test(f)).map((f) => page.exec(f)?.[1]);
  return [...new Set(ids)].sort() as string[];
}

describe('pull state per environment', () => {
  test('a pull in dev leaves the pull state of test untouched', async () => {
    // Prepare
    const dir = await dataDir();
    const store = new FolderObjectStore(dir);
    await pullShippedSamples({ project, names: dev, dataDir: dir, store });

    // Act
    const inTest = await pullShippedSamples({ project, names: test_, dataDir: dir, store });

    // Assess: test starts its first pull, and dev's state still records dev's own single pull
    assert.deepEqual(
      inTest.results.map((r) => [r.source, r.status, r.pullId.endsWith('-000001')]),
      [
        ['eventbrite', 'complete', true],
        ['smartsurvey', 'complete', true],
      ],
    );
    for (const names of [dev, test_]) {
      const control = new FileControlStore(dir, { table: names.controlTable });
      const state = await control.get<{ pulls_started: number }>(stateKey('eventbrite'));
      assert.equal(state?.value.pulls_started, 1, `pulls started in ${names.controlTable}`);
    }
  });

  test('the demo starts pulls from nothing, whatever an earlier pull in its environment left', async () => {
    // Prepare: dev has pulled before
    const dir = await dataDir();
    await pullShippedSamples({ project, names: dev, dataDir: dir, store: new FolderObjectStore(dir) });
    const lines: string[] = [];

    // Act
    const code = await runDemo({ root: repoRoot, env: 'dev', dataDir: dir }, (line) => lines.push(line));

    // Assess: the demo's pages were written by a first pull
    assert.equal(code, 0, lines.join('\n'));
    for (const source of ['eventbrite', 'smartsurvey']) {
      const ids = await pullIdsInRaw(dir, dev.buckets.raw, source);
      assert.equal(ids.length, 1, `${source}: ${ids.join(', ')}`);
      assert.match(ids[0] ?? '', /-000001$/, source);
    }
  });
});
