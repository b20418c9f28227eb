import { z } from 'zod';
import { type ApiSource, apiSourceSchema } from '../model/api-source-schema.ts';
import type { Project } from '../model/project.ts';
import { identifier } from '../model/schemas.ts';
import type { RawCompression } from '../raw-files.ts';

/**
 * Everything one pull needs from the project: the source's config and where each of its raw tables lives. Small
 * and JSON-safe, so CDK can hand it to the source's Lambda in an environment variable and the Lambda needs no read
 * access to the rest of the project.
 */
export interface ConnectorConfig {
  readonly source: ApiSource;
  /** Raw table name → key prefix in the raw bucket, without a trailing slash. */
  readonly locations: Readonly<Record<string, string>>;
  /** Raw table name → how its pages are written (gzip NDJSON or plain); a table not named is written plain. */
  readonly compression: Readonly<Record<string, RawCompression>>;
}

/** The environment variables the stack sets on each source's pull Lambda, read by `lambdas/pull-api`. */
export const PULL_API_ENV = {
  connector: 'DAP_API_CONNECTOR',
  rawBucket: 'RAW_BUCKET',
  controlTable: 'CONTROL_TABLE',
  secretArn: 'API_SECRET_ARN',
} as const;

export const connectorConfigSchema = z.object({
  source: apiSourceSchema,
  locations: z.record(identifier, z.string().min(1)),
  compression: z.record(identifier, z.enum(['gzip', 'none'])).default({}),
});

export class UnknownApiSourceError extends Error {
  constructor(
    readonly source: string,
    readonly known: readonly string[],
  ) {
    super(
      `no API source "${source}" (expected config/sources/apis/${source}.json; known: ${known.join(', ') || 'none'})`,
    );
    this.name = 'UnknownApiSourceError';
  }
}

export function connectorConfig(project: Project, sourceName: string): ConnectorConfig {
  const source = project.apiSources.get(sourceName);
  if (!source) throw new UnknownApiSourceError(sourceName, [...project.apiSources.keys()]);
  // Descriptions are for people reading the file; the Lambda's environment has no room to spare.
  const { file: _file, description: _description, ...rest } = source;
  const config: ApiSource = {
    ...rest,
    endpoints: rest.endpoints.map(({ description: _endpointDescription, ...endpoint }) => endpoint),
  };
  const locations: Record<string, string> = {};
  const compression: Record<string, RawCompression> = {};
  for (const endpoint of config.endpoints) {
    const table = project.rawTables.get(endpoint.raw_table);
    // `dap check` reports a missing raw table; synthesis and the CLI only run on a checked project.
    if (table) {
      locations[endpoint.raw_table] = table.location;
      compression[endpoint.raw_table] = table.compression;
    }
  }
  return { source: config, locations, compression };
}
