import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { IngestBusyError, IngestFailedError, ingestObject } from '../../core/ingest/ingest-file.ts';
import type { IngestSummary } from '../../core/ingest/report.ts';
import { type LocalContext, openLocal } from '../context.ts';
import { formatIngestSummary, ingestLocalFile, landingKeys, localIngestDeps } from '../ingest-samples.ts';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

interface IngestOptions {
  readonly env: string;
  readonly dataDir?: string;
  readonly source: string;
  readonly json?: boolean;
}

interface WatchOptions {
  readonly env: string;
  readonly dataDir?: string;
  readonly once?: boolean;
  readonly interval: string;
  readonly json?: boolean;
}

/** `dap ingest <file> --source <source>` and `dap watch`: what the S3 event and the ingest Lambda do in AWS. */
export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('drop a CSV or XLSX file into the local landing folder of a file source and ingest it')
    .argument('<file>', 'the file to ingest (it is copied; the original stays where it is)')
    .requiredOption('-s, --source <source>', 'file source (config/sources/files/<source>.json)')
    .addOption(envOption())
    .addOption(dataDirOption())
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, options: IngestOptions) => {
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) throw new IngestCommandError(`${file}: no such file`);
      const context = await openLocal({ root: program.opts<GlobalOptions>().root, ...options });
      try {
        if (!context.project.fileSources.has(options.source)) {
          const known = [...context.project.fileSources.keys()].join(', ') || 'none';
          throw new IngestCommandError(`no file source "${options.source}" (known: ${known})`);
        }
        const summary = await ingestLocalFile(context, file, options.source);
        print(summary, options.json);
        if (summary.outcome === 'quarantined') process.exitCode = 1;
      } finally {
        await context.close();
      }
    });

  program
    .command('watch')
    .description(
      'ingest every file dropped into the local landing folder (<data-dir>/<landing bucket>/landing/<source>/)',
    )
    .addOption(envOption())
    .addOption(dataDirOption())
    .option('--once', 'ingest what is there now, then stop')
    .option('--interval <ms>', 'how often to look for new files', '1000')
    .option('--json', 'print summaries as JSON lines')
    .action(async (options: WatchOptions) => {
      const context = await openLocal({ root: program.opts<GlobalOptions>().root, ...options });
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const folder = `${context.dataDir}/${context.names.buckets.landing}/landing/<source>/`;
        if (!options.once) console.error(`watching ${folder} (Ctrl-C to stop)`);
        await watchLanding(context, {
          once: options.once ?? false,
          intervalMs: Number(options.interval),
          signal: controller.signal,
          onSummary: (summary) => print(summary, options.json),
          onError: (key, error) => console.error(`dap watch: ${key}: ${error.message}`),
        });
        if (!options.once) console.error('stopped');
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await context.close();
      }
    });
}

export class IngestCommandError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IngestCommandError';
  }
}

function print(summary: IngestSummary, json: boolean | undefined): void {
  console.log(json ? JSON.stringify(summary) : formatIngestSummary(summary));
}

export interface WatchOptionsResolved {
  /** Ingest everything present now, then return; otherwise poll until `signal` aborts. */
  readonly once: boolean;
  readonly intervalMs: number;
  readonly signal: AbortSignal;
  readonly onSummary: (summary: IngestSummary) => void;
  readonly onError: (key: string, error: Error) => void;
}

/**
 * Polls the landing folder. A file is ingested once its size and modification time stay the same across two polls
 * (it is no longer being written), or at once with `once`. A file that failed is not retried until it changes;
 * a busy one (the same content being ingested elsewhere) is retried at the next poll. Aborting stops between
 * files, or inside a file at the next chunk (that attempt is rolled back and the file stays in landing).
 */
export async function watchLanding(
  context: Pick<LocalContext, 'project' | 'names' | 'dataDir' | 'store'>,
  options: WatchOptionsResolved,
): Promise<void> {
  const deps = localIngestDeps(context, { signal: options.signal });
  const seen = new Map<string, string>();
  const failed = new Map<string, string>();
  while (!options.signal.aborted) {
    for (const key of await landingKeys(context)) {
      if (options.signal.aborted) break;
      const path = context.store.pathOf(context.names.buckets.landing, key);
      const info = await stat(path).catch(() => undefined);
      if (info === undefined) continue;
      const version = `${info.size}-${info.mtimeMs}`;
      const stable = options.once || seen.get(key) === version;
      seen.set(key, version);
      if (!stable || failed.get(key) === version) continue;
      try {
        options.onSummary(await ingestObject(deps, key));
        seen.delete(key);
      } catch (error) {
        if (options.signal.aborted) break;
        if (!(error instanceof IngestBusyError || error instanceof IngestFailedError)) throw error;
        if (error instanceof IngestFailedError) failed.set(key, version);
        options.onError(key, error);
      }
    }
    if (options.once) return;
    try {
      await sleep(options.intervalMs, undefined, { signal: options.signal });
    } catch {
      return;
    }
  }
}
