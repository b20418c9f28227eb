import { StaticSecretSource } from '../core/connectors/secrets.ts';
import { type ExtractDeps, type ExtractResult, extractSource } from '../core/extract/extract.ts';
import type { DatabaseSource } from '../core/model/database-source-schema.ts';
import type { SourceDef } from '../core/model/project.ts';
import type { SecretSource } from '../core/ports.ts';
import { FileControlStore } from '../engines/local/file-control-store.ts';
import { PgSourceDatabases } from '../engines/postgres/pg-source-databases.ts';
import type { LocalContext } from './context.ts';
import { type SourceDatabaseServer, sampleDatabaseSql, startSourceDatabase } from './source-database-server.ts';

type ExtractContext = Pick<LocalContext, 'project' | 'names' | 'dataDir' | 'store'>;

/** One extract run of a source into the local raw bucket, its checkpoint in the environment's control table. */
export function extractLocally(
  context: ExtractContext,
  source: DatabaseSource,
  secrets: SecretSource,
  log?: ExtractDeps['log'],
): Promise<ExtractResult> {
  return extractSource(source, {
    store: context.store,
    rawBucket: context.names.buckets.raw,
    control: new FileControlStore(context.dataDir, { table: context.names.controlTable }),
    secrets,
    databases: new PgSourceDatabases(),
    ...(log ? { log } : {}),
  });
}

/**
 * One extract run against the project's sample databases (`samples/databases/<source>/<source_id>.sql`), each
 * served on 127.0.0.1 by a local PostgreSQL server for the length of the run.
 */
export async function extractFromSamples(
  context: ExtractContext,
  source: SourceDef<DatabaseSource>,
  log?: ExtractDeps['log'],
): Promise<ExtractResult> {
  const servers: SourceDatabaseServer[] = [];
  try {
    const urls: Record<string, string> = {};
    for (const instance of source.instances) {
      const server = await startSourceDatabase(
        sampleDatabaseSql(context.project.root, source.source, instance.source_id),
      );
      servers.push(server);
      urls[instance.secret] = server.url;
    }
    return await extractLocally(context, source, new StaticSecretSource(urls), log);
  } finally {
    for (const server of servers) await server.stop();
  }
}

/** `npm start`: every enabled database source, from its samples. */
export async function extractShippedSamples(context: ExtractContext): Promise<ExtractResult[]> {
  const results: ExtractResult[] = [];
  const sources = [...context.project.databaseSources.values()].filter((s) => s.enabled);
  for (const source of sources.sort((a, b) => a.source.localeCompare(b.source))) {
    results.push(await extractFromSamples(context, source));
  }
  return results;
}

export function describeExtract(result: ExtractResult): string {
  const head = `${result.source}: extract ${result.extract_id} (snapshot ${result.snapshot_date}${result.resumed ? ', resumed' : ''})`;
  const size = `${result.rows} row(s) in ${result.pages} page(s)`;
  const report = result.report ? `\n  report: ${result.report}` : '';
  if (result.status === 'promoted') return `${head} promoted; ${size}${report}`;
  if (result.status === 'partial') return `${head} partial; ${size} so far, the next run resumes`;
  const lines = result.problems.map(
    (p) =>
      `  ${p.source_id} ${p.table} ${p.check}: ${p.message}${p.keys.length > 0 ? ` [${p.keys.join('; ')}${p.failing_rows > p.keys.length ? '; …' : ''}]` : ''}`,
  );
  return (
    [`${head} FAILED integrity checks, nothing promoted (the next run starts over); ${size}`, ...lines].join('\n') +
    report
  );
}
