import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deployedProjectNoOlderThan } from '../../lambdas/shared/runtime.ts';
import type { Project } from '../../lib/core/model/project.ts';
import type { ObjectStore } from '../../lib/core/ports.ts';

const store = {} as ObjectStore;

/** A loader that answers each call with the next of `outcomes` (a project, or an error to reject with). */
function loader(...outcomes: (Project | Error)[]) {
  const calls: string[] = [];
  const load = async (_store: ObjectStore, bucket: string): Promise<Project> => {
    calls.push(bucket);
    const outcome = outcomes[calls.length - 1];
    if (outcome === undefined) throw new Error('no more outcomes');
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  return { load, calls };
}

const projectA = { name: 'a' } as unknown as Project;
const projectB = { name: 'b' } as unknown as Project;

describe('the deployed project for a Lambda outside a run (deployedProjectNoOlderThan)', () => {
  test('is loaded once while younger than the age, and again on the first call after it', async () => {
    // Prepare
    let now = 0;
    const { load, calls } = loader(projectA, projectB);
    const project = deployedProjectNoOlderThan(store, 'dev-dap-elt-metadata', 60_000, () => now, load);

    // Act
    const first = await project();
    now = 60_000;
    const stillFresh = await project();
    now = 60_001;
    const reloaded = await project();

    // Assess
    assert.equal(first, projectA);
    assert.equal(stillFresh, projectA);
    assert.equal(reloaded, projectB);
    assert.deepEqual(calls, ['dev-dap-elt-metadata', 'dev-dap-elt-metadata']);
  });

  test('a failed load is forgotten: the next call loads again, well within the age', async () => {
    // Prepare
    const { load, calls } = loader(new Error('S3 throttled'), projectA);
    const project = deployedProjectNoOlderThan(store, 'dev-dap-elt-metadata', 60_000, () => 0, load);

    // Act
    const failed = project();
    await assert.rejects(failed, /S3 throttled/);
    const retried = await project();

    // Assess
    assert.equal(retried, projectA);
    assert.equal(calls.length, 2);
  });
});
