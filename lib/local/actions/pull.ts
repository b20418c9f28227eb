import { connectorConfig } from '../../core/connectors/connector-config.ts';
import { pullSource } from '../../core/connectors/pull.ts';
import { EnvSecretSource, StaticSecretSource, secretNames } from '../../core/connectors/secrets.ts';
import { FileControlStore } from '../../engines/local/file-control-store.ts';
import { openLocal } from '../context.ts';
import { describePull, SAMPLES_DIR } from '../pull-samples.ts';
import { loadReplaySamples, startReplayServer } from '../replay-server.ts';

export interface PullOptions {
  readonly env: string;
  readonly dataDir?: string;
  readonly replay?: boolean;
  readonly maxRequests?: number;
  readonly verbose?: boolean;
  readonly restart?: boolean;
  readonly baseUrl?: string;
}

/** `dap pull <source> [--replay]`: one pull run into the local raw bucket; returns the exit code. */
export async function pull(root: string, sourceName: string, options: PullOptions): Promise<number> {
  const context = await openLocal({ root, ...options });
  const server = options.replay
    ? await startReplayServer(
        new Map([[sourceName, await loadReplaySamples(`${context.project.root}/${SAMPLES_DIR}`, sourceName)]]),
      )
    : undefined;
  try {
    const connector = connectorConfig(context.project, sourceName);
    const source =
      options.maxRequests === undefined
        ? connector.source
        : { ...connector.source, max_requests_per_run: options.maxRequests };
    const secrets = server
      ? new StaticSecretSource(Object.fromEntries(secretNames(source.auth).map((name) => [name, 'replay'])))
      : new EnvSecretSource();
    const result = await pullSource(
      { ...connector, source },
      {
        store: context.store,
        rawBucket: context.names.buckets.raw,
        // Cursors and checkpoints are the environment's, in its control table, as in AWS.
        control: new FileControlStore(context.dataDir, { table: context.names.controlTable }),
        secrets,
        ...(options.verbose
          ? {
              log: (message: string, details: Record<string, unknown>) =>
                console.log(`  ${message} ${JSON.stringify(details)}`),
            }
          : {}),
      },
      {
        ...(server ? { baseUrl: server.baseUrlOf(sourceName) } : options.baseUrl ? { baseUrl: options.baseUrl } : {}),
        ...(options.restart ? { restart: true } : {}),
      },
    );
    console.log(describePull(result));
    return result.status === 'failed' ? 1 : 0;
  } finally {
    await server?.close();
    await context.close();
  }
}
