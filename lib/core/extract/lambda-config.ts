import { PATHS } from '../model/project.ts';

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
