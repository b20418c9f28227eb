import { join } from 'node:path';
import { connectorConfig } from '../core/connectors/connector-config.ts';
import { type PullResult, pullSource } from '../core/connectors/pull.ts';
import { StaticSecretSource, secretNames } from '../core/connectors/secrets.ts';
import { FileControlStore } from '../engines/local/file-control-store.ts';
import type { LocalContext } from './context.ts';
import { loadReplaySamples, type ReplaySample, startReplayServer } from './replay-server.ts';

/** Where the shipped sample responses live, relative to the project root. */
export const SAMPLES_DIR = 'samples/apis';

export interface PullSamplesSummary {
  readonly results: readonly PullResult[];
  /** Requests the samples had no answer for (each one fails its pull with a 404). */
  readonly unmatched: readonly string[];
}

/**
 * `npm start`: serves the shipped sample responses from a replay server on 127.0.0.1, pulls every configured API
 * source through the real connector engine into the local raw bucket (checkpoints in the environment's control
 * table), and stops the server. Credentials are placeholders: the replay server does not check them.
 */
export async function pullShippedSamples(
  context: Pick<LocalContext, 'project' | 'names' | 'dataDir' | 'store'>,
  options: { readonly log?: (message: string, details: Record<string, unknown>) => void } = {},
): Promise<PullSamplesSummary> {
  const sources = [...context.project.apiSources.keys()].sort();
  const samples = new Map<string, ReplaySample[]>();
  for (const source of sources) {
    samples.set(source, await loadReplaySamples(join(context.project.root, SAMPLES_DIR), source));
  }
  const server = await startReplayServer(samples);
  try {
    const results: PullResult[] = [];
    for (const source of sources) {
      const connector = connectorConfig(context.project, source);
      const placeholders = Object.fromEntries(secretNames(connector.source.auth).map((name) => [name, 'replay']));
      results.push(
        await pullSource(
          connector,
          {
            store: context.store,
            rawBucket: context.names.buckets.raw,
            control: new FileControlStore(context.dataDir, { table: context.names.controlTable }),
            secrets: new StaticSecretSource(placeholders),
            ...(options.log ? { log: options.log } : {}),
          },
          { baseUrl: server.baseUrlOf(source) },
        ),
      );
    }
    return { results, unmatched: [...server.unmatched] };
  } finally {
    await server.close();
  }
}

/** One line per source, for the terminal. */
export function describePull(result: PullResult): string {
  const pages = Object.entries(result.pagesByEndpoint)
    .map(([endpoint, count]) => `${endpoint} ${count}`)
    .join(', ');
  const outcome =
    result.status === 'partial'
      ? `partial (${result.stopReason}${result.resumeAfter ? `, resume after ${result.resumeAfter}` : ''}; the next pull resumes)`
      : result.status === 'failed'
        ? `FAILED: ${result.error?.message}`
        : 'complete';
  return `${result.source}: ${outcome}; ${result.pages} page(s) [${pages || 'none'}], ${result.records} record(s), ${result.requests} request(s), ${result.retries} retr${result.retries === 1 ? 'y' : 'ies'}, ${result.rateLimitWaits} rate-limit wait(s)`;
}
