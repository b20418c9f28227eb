import type { ProjectFiles } from '../config/loader.ts';
import { PROJECT_FOLDERS, type Project } from '../core/model/project.ts';
import type { ObjectStore } from '../core/ports.ts';
import { loadRunnableProject } from './check.ts';

/**
 * The project as deployed: the stack uploads config/, athena-scripts/ and redshift-scripts/ to the metadata bucket
 * under the same relative paths, and Lambdas load it through the same loader and checks as `dap check`, each problem
 * isolated to the events or reporting families it stops (`load`; the twin passes one that reuses the verdict of
 * files it checked already).
 */
export async function loadDeployedProject(
  store: ObjectStore,
  bucket: string,
  load: (files: ProjectFiles) => Project = loadRunnableProject,
): Promise<Project> {
  const files = new Map<string, string>();
  const decoder = new TextDecoder();
  for (const folder of PROJECT_FOLDERS) {
    for (const key of await store.list(bucket, `${folder}/`)) {
      const body = await store.get(bucket, key);
      if (body !== undefined) files.set(key, decoder.decode(body));
    }
  }
  return load(files);
}

/**
 * The deployed project, loaded once per run id: steps of one run share one load, and a later run (in a reused
 * Lambda container, or the next twin run) sees config deployed since.
 */
export function deployedProjectPerRun(
  store: ObjectStore,
  bucket: string,
  load?: (files: ProjectFiles) => Project,
): (runId: string) => Promise<Project> {
  let cached: { runId: string; project: Promise<Project> } | undefined;
  return (runId) => {
    if (cached?.runId !== runId) cached = { runId, project: loadDeployedProject(store, bucket, load) };
    return cached.project;
  };
}

/** Copies the project's files into the metadata bucket, as the stack's deployment does; used by the local twin. */
export async function deployProjectFiles(
  store: ObjectStore,
  bucket: string,
  files: ReadonlyMap<string, string>,
): Promise<void> {
  for (const [path, text] of files) await store.put(bucket, path, text);
}
