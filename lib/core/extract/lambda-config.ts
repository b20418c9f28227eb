import { type DatabaseSource, databaseSourceSchema } from '../model/database-source-schema.ts';
import { PATHS } from '../model/project.ts';
import type { ObjectStore } from '../ports.ts';

/** The environment variables the stack sets on each database source's extract Lambda, read by `lambdas/extract-database`. */
export const EXTRACT_DATABASE_ENV = {
  source: 'DAP_DATABASE_SOURCE',
  /** Holds the deployed project; the Lambda reads its source's config file from it. */
  metadataBucket: 'METADATA_BUCKET',
  rawBucket: 'RAW_BUCKET',
  /** The Glue database of the raw tables, whose partitions promotion registers. */
  rawDatabase: 'RAW_DATABASE',
  controlTable: 'CONTROL_TABLE',
  secretArn: 'DATABASE_SECRET_ARN',
} as const;

/** Where the deployed copy of a source's config is in the metadata bucket (the stack uploads the project there). */
export function databaseSourceKey(source: string): string {
  return `${PATHS.databaseSources}/${source}.json`;
}

/** The deployed config file is not a database source config. */
export class DeployedConfigError extends Error {
  constructor(key: string, problem: string) {
    super(`deployed config ${key} is not a database source config (${problem}); deploy the stack again`);
    this.name = 'DeployedConfigError';
  }
}

/**
 * One database source's config from the deployed project, read alone: its extract Lambda may read that one file of
 * the metadata bucket, not the project.
 */
export async function deployedDatabaseSource(
  store: ObjectStore,
  bucket: string,
  source: string,
): Promise<DatabaseSource> {
  const key = databaseSourceKey(source);
  const bytes = await store.get(bucket, key);
  if (!bytes) throw new DeployedConfigError(key, 'not found');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new DeployedConfigError(key, 'not JSON');
  }
  const parsed = databaseSourceSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DeployedConfigError(key, `${issue?.path.join('.')}: ${issue?.message}`);
  }
  if (parsed.data.source !== source) throw new DeployedConfigError(key, `it names source "${parsed.data.source}"`);
  return parsed.data;
}
