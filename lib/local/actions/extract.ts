import { EnvSecretSource, StaticSecretSource } from '../../core/connectors/secrets.ts';
import { type ExtractResult, extractSource } from '../../core/extract/extract.ts';
import { FileControlStore } from '../../engines/local/file-control-store.ts';
import { PgSourceDatabases } from '../../engines/postgres/pg-source-databases.ts';
import { openLocal } from '../context.ts';
import { type SourceDatabaseServer, sampleDatabaseSql, startSourceDatabase } from '../source-database-server.ts';

export interface ExtractOptions {
  readonly env: string;
  readonly dataDir?: string;
  readonly samples?: boolean;
  readonly verbose?: boolean;
}

/** A source that is not there or cannot be extracted as asked; one line, no stack. */
export class ExtractCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtractCommandError';
  }
}

/** `dap extract <source> [--samples]`: one extract run into the local raw bucket; returns the exit code. */
export async function extract(root: string, sourceName: string, options: ExtractOptions): Promise<number> {
  const context = await openLocal({ root, ...options });
  const servers: SourceDatabaseServer[] = [];
  try {
    const source = context.project.databaseSources.get(sourceName);
    if (!source) {
      const known = [...context.project.databaseSources.keys()].join(', ') || 'none';
      throw new ExtractCommandError(
        `no database source "${sourceName}" in config/sources/databases/ (known: ${known})`,
      );
    }
    let secrets: EnvSecretSource | StaticSecretSource = new EnvSecretSource();
    if (options.samples) {
      const urls: Record<string, string> = {};
      for (const instance of source.instances) {
        const server = await startSourceDatabase(
          sampleDatabaseSql(context.project.root, source.source, instance.source_id),
        );
        servers.push(server);
        urls[instance.secret] = server.url;
      }
      secrets = new StaticSecretSource(urls);
    }
    const result = await extractSource(source, {
      store: context.store,
      rawBucket: context.names.buckets.raw,
      control: new FileControlStore(context.dataDir, { table: context.names.controlTable }),
      secrets,
      databases: new PgSourceDatabases(),
      ...(options.verbose
        ? {
            log: (message: string, details?: Record<string, unknown>) =>
              console.log(`  ${message} ${JSON.stringify(details ?? {})}`),
          }
        : {}),
    }).catch((error: unknown) => {
      if (
        error instanceof Error &&
        ['ExtractConnectionError', 'ConnectionSecretError', 'MissingSecretError'].includes(error.name)
      ) {
        throw new ExtractCommandError(error.message);
      }
      throw error;
    });
    console.log(describeExtract(result));
    return result.status === 'failed' ? 1 : 0;
  } finally {
    for (const server of servers) await server.stop();
    await context.close();
  }
}

export function describeExtract(result: ExtractResult): string {
  const head = `${result.source}: extract ${result.extract_id} (snapshot ${result.snapshot_date}${result.resumed ? ', resumed' : ''})`;
  const size = `${result.rows} row(s) in ${result.pages} page(s)`;
  if (result.status === 'promoted') return `${head} promoted; ${size}`;
  if (result.status === 'partial') return `${head} partial; ${size} so far, the next run resumes`;
  const lines = result.problems.map(
    (p) =>
      `  ${p.source_id} ${p.table} ${p.check}: ${p.message}${p.keys.length > 0 ? ` [${p.keys.join('; ')}${p.failing_rows > p.keys.length ? '; …' : ''}]` : ''}`,
  );
  return [`${head} FAILED integrity checks, nothing promoted (the next run starts over); ${size}`, ...lines].join('\n');
}
