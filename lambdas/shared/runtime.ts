import { deployedProjectPerRun } from '../../lib/check/deployed.ts';
import type { Project } from '../../lib/core/model/project.ts';
import { requireEnv } from '../../lib/engines/aws/env.ts';
import { S3ObjectStore } from '../../lib/engines/aws/s3-object-store.ts';

/**
 * What every pipeline Lambda reads from its environment, built once per container. The project is loaded from the
 * metadata bucket once per run id: a container reused by a later run sees config deployed since.
 */
export interface AwsRuntime {
  readonly environment: string;
  readonly store: S3ObjectStore;
  readonly metadataBucket: string;
  projectForRun(runId: string): Promise<Project>;
}

let runtime: AwsRuntime | undefined;

export function awsRuntime(): AwsRuntime {
  if (runtime) return runtime;
  const store = new S3ObjectStore();
  const metadataBucket = requireEnv('METADATA_BUCKET');
  runtime = {
    environment: requireEnv('DAP_ENV'),
    store,
    metadataBucket,
    projectForRun: deployedProjectPerRun(store, metadataBucket),
  };
  return runtime;
}
