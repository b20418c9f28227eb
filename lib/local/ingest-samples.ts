import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { type IngestDeps, ingestObject } from '../core/ingest/ingest-file.ts';
import { LANDING_PREFIX } from '../core/ingest/keys.ts';
import type { IngestSummary } from '../core/ingest/report.ts';
import { PACKAGE_ROOT } from '../core/package-root.ts';
import { FileControlStore, takeoverMessage } from '../engines/local/file-control-store.ts';
import type { LocalContext } from './context.ts';

/**
 * File ingestion on the local twin: the same step as the ingest Lambda, bound to the data folder (buckets as
 * folders, the control table as JSON files). `npm start` drops the shipped samples through it.
 */

/** Where the shipped sample files live: `samples/files/<source>/<file>`. */
export const SAMPLES_DIR = join(PACKAGE_ROOT, 'samples', 'files');

export type LocalIngestContext = Pick<LocalContext, 'project' | 'names' | 'dataDir' | 'store'>;

export function localIngestDeps(
  context: LocalIngestContext,
  options: Partial<Pick<IngestDeps, 'signal' | 'now' | 'newRunId' | 'partBytes'>> = {},
): IngestDeps {
  const { buckets } = context.names;
  return {
    project: context.project,
    buckets: { landing: buckets.landing, raw: buckets.raw, archive: buckets.archive, quarantine: buckets.quarantine },
    store: context.store,
    // One control table per environment, as in AWS: the ledger of dev never answers for test.
    control: new FileControlStore(context.dataDir, {
      table: context.names.controlTable,
      onTakeover: (lease, pid) => console.error(`dap: ${takeoverMessage(lease, pid)}`),
    }),
    ...options,
  };
}

/** Copies a file from disk into the local landing folder as `landing/<source>/<file name>`; returns the key. */
export async function dropIntoLanding(context: LocalIngestContext, file: string, source: string): Promise<string> {
  const key = `${LANDING_PREFIX}${source}/${basename(file)}`;
  const target = context.store.pathOf(context.names.buckets.landing, key);
  await mkdir(dirname(target), { recursive: true });
  await copyFile(file, target);
  return key;
}

/** Drops one file and ingests it, as an upload to the landing bucket would. */
export async function ingestLocalFile(
  context: LocalIngestContext,
  file: string,
  source: string,
  options: Partial<Pick<IngestDeps, 'signal' | 'now' | 'newRunId' | 'partBytes'>> = {},
): Promise<IngestSummary> {
  const key = await dropIntoLanding(context, file, source);
  return ingestObject(localIngestDeps(context, options), key);
}

/**
 * `npm start`: drops every shipped sample (`samples/files/<source>/*`, in name order, so the two CRM snapshots
 * arrive in date order) into the local landing folder and ingests it. One summary per file. The ledger remembers
 * content already loaded, so on a data folder whose buckets were reset, reset `_control/<control table>` too, or the
 * samples come back as duplicates.
 */
export async function ingestShippedSamples(
  context: LocalIngestContext,
  samplesDir: string = SAMPLES_DIR,
): Promise<IngestSummary[]> {
  const files: { source: string; path: string }[] = [];
  for (const source of (await readdir(samplesDir)).sort()) {
    const folder = join(samplesDir, source);
    if (!(await stat(folder)).isDirectory()) continue;
    for (const name of (await readdir(folder)).sort()) files.push({ source, path: join(folder, name) });
  }
  const summaries: IngestSummary[] = [];
  for (const { source, path } of files) summaries.push(await ingestLocalFile(context, path, source));
  return summaries;
}

/** One line per file for the terminal: outcome, key, counts and the reason or the top rejection reasons. */
export function formatIngestSummary(summary: IngestSummary): string {
  const { rows } = summary;
  const counts = `${rows.read} read, ${rows.loaded} loaded, ${rows.rejected} rejected`;
  const head = `${summary.outcome.padEnd(16)} ${summary.key}`;
  if (summary.outcome === 'missing') return `${head}: ${summary.reason}`;
  const target = summary.dataset ? ` → ${summary.dataset}` : '';
  const lines = [`${head}${target}: ${counts}`];
  if (summary.reason) lines.push(`    why: ${summary.reason}`);
  for (const [reason, count] of Object.entries(summary.rejected_reasons)) lines.push(`    ${count} × ${reason}`);
  if (summary.locations.original) lines.push(`    original: ${summary.locations.original}`);
  if (summary.locations.rejects.length > 0) lines.push(`    rejects: ${summary.locations.rejects.join(', ')}`);
  return lines.join('\n');
}

/** Paths in the landing folder as keys (`landing/<source>/<file>`), skipping files still being written. */
export async function landingKeys(context: LocalIngestContext): Promise<string[]> {
  const bucket = context.names.buckets.landing;
  const keys = await context.store.list(bucket, LANDING_PREFIX);
  const bucketDir = join(context.dataDir, bucket);
  return keys.filter(
    (key) =>
      !relative(bucketDir, join(bucketDir, key))
        .split(sep)
        .some((s) => s.startsWith('.')),
  );
}
