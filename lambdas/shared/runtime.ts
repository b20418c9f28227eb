import { deployedProjectPerRun, loadDeployedProject } from '../../lib/check/deployed.ts';
import type { Project } from '../../lib/core/model/project.ts';
import type { ObjectStore } from '../../lib/core/ports.ts';
import { requireEnv } from '../../lib/engines/aws/env.ts';
import { S3ObjectStore } from '../../lib/engines/aws/s3-object-store.ts';
import { RUNTIME_ENV } from './env.ts';

/**
 * What every pipeline Lambda reads from its environment, built once per container. The project is loaded from the
 * metadata bucket once per run id: a container reused by a later run sees config deployed since.
 */
export interface AwsRuntime {
  readonly environment: string;
  readonly store: S3ObjectStore;
  readonly metadataBucket: string;
  projectForRun(runId: string): Promise<Project>;
  /**
   * The deployed project for a Lambda that is no step of a run (file ingestion), so has no run id to key a load by:
   * a reused container loads it again once it is `maxAgeMs` old.
   */
  projectNoOlderThan(maxAgeMs: number): () => Promise<Project>;
}

let runtime: AwsRuntime | undefined;

export function awsRuntime(): AwsRuntime {
  if (runtime) return runtime;
  const store = new S3ObjectStore();
  const metadataBucket = requireEnv(RUNTIME_ENV.metadataBucket);
  runtime = {
    environment: requireEnv(RUNTIME_ENV.environment),
    store,
    metadataBucket,
    projectForRun: deployedProjectPerRun(store, metadataBucket),
    projectNoOlderThan: (maxAgeMs) => deployedProjectNoOlderThan(store, metadataBucket, maxAgeMs),
  };
  return runtime;
}

/**
 * The deployed project, loaded again on the first call after it is `maxAgeMs` old. A failed load is forgotten, so
 * the next call tries again rather than failing until the age runs out.
 */
export function deployedProjectNoOlderThan(
  store: ObjectStore,
  bucket: string,
  maxAgeMs: number,
  now: () => number = Date.now,
  load: (store: ObjectStore, bucket: string) => Promise<Project> = loadDeployedProject,
): () => Promise<Project> {
  let cached: { readonly at: number; readonly project: Promise<Project> } | undefined;
  return () => {
    if (cached === undefined || now() - cached.at > maxAgeMs) {
      const entry = { at: now(), project: load(store, bucket) };
      cached = entry;
      entry.project.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.project;
  };
}
