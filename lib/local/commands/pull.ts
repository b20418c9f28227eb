import { type Command, InvalidArgumentError } from 'commander';
import { connectorConfig } from '../../core/connectors/connector-config.ts';
import { pullSource } from '../../core/connectors/pull.ts';
import { EnvSecretSource, StaticSecretSource, secretNames } from '../../core/connectors/secrets.ts';
import { FileControlStore } from '../../engines/local/file-control-store.ts';
import { openLocal } from '../context.ts';
import { describePull, SAMPLES_DIR } from '../pull-samples.ts';
import { loadReplaySamples, startReplayServer } from '../replay-server.ts';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

/**
 * `dap pull <source>`: one pull run of an API source into the local raw bucket, with its checkpoint in the data
 * folder, exactly as the source's Lambda does in AWS. Against the real API with credentials from the environment
 * variables the config names, or `--replay` against the shipped samples on a loopback replay server.
 */
export function registerPull(program: Command): void {
  program
    .command('pull')
    .description(
      'pull an API source (config/sources/apis/<source>.json) into the local raw bucket, resuming where the last pull stopped',
    )
    .argument('<source>', 'API source name')
    .addOption(envOption())
    .addOption(dataDirOption())
    .option(
      '--replay',
      `serve the shipped sample responses (${SAMPLES_DIR}/<source>/) from 127.0.0.1 instead of calling the API`,
    )
    .option(
      '--max-requests <n>',
      'request budget of this run (default: max_requests_per_run of the config)',
      parsePositive,
    )
    .option('--verbose', 'print every page, retry and wait')
    .action(
      async (
        sourceName: string,
        options: { env: string; dataDir?: string; replay?: boolean; maxRequests?: number; verbose?: boolean },
      ) => {
        const context = await openLocal({ root: program.opts<GlobalOptions>().root, ...options });
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
              control: new FileControlStore(context.dataDir),
              secrets,
              ...(options.verbose
                ? {
                    log: (message: string, details: Record<string, unknown>) =>
                      console.log(`  ${message} ${JSON.stringify(details)}`),
                  }
                : {}),
            },
            server ? { baseUrl: server.baseUrlOf(sourceName) } : {},
          );
          console.log(describePull(result));
          if (result.status === 'failed') process.exitCode = 1;
        } finally {
          await server?.close();
          await context.close();
        }
      },
    );
}

function parsePositive(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0)
    throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`);
  return parsed;
}
