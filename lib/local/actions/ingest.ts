import { stat } from 'node:fs/promises';
import type { IngestSummary } from '../../core/ingest/report.ts';
import { resolveLocal } from '../context.ts';
import { boundHeapGrowth } from '../heap.ts';
import { formatIngestSummary, ingestLocalFile } from '../ingest-samples.ts';
import { watchLanding } from '../watch.ts';

export interface IngestOptions {
  readonly env: string;
  readonly dataDir?: string;
  readonly source: string;
  readonly json?: boolean;
}

export interface WatchOptions {
  readonly env: string;
  readonly dataDir?: string;
  readonly once?: boolean;
  readonly interval: string;
  readonly json?: boolean;
}

/** A file or source the user named that is not there: one line, exit 1. */
export class IngestCommandError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IngestCommandError';
  }
}

/** `dap ingest <file> --source <source>`; returns the exit code (1 when the file was quarantined). */
export async function ingest(root: string, file: string, options: IngestOptions): Promise<number> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new IngestCommandError(`${file}: no such file`);
  // Ingestion writes files only: it never opens the local engine, so it runs beside a run or a query.
  const context = resolveLocal({ root, ...options });
  boundHeapGrowth();
  if (!context.project.fileSources.has(options.source)) {
    const known = [...context.project.fileSources.keys()].join(', ') || 'none';
    throw new IngestCommandError(`no file source "${options.source}" (known: ${known})`);
  }
  const summary = await ingestLocalFile(context, file, options.source);
  print(summary, options.json);
  return summary.outcome === 'quarantined' ? 1 : 0;
}

/** `dap watch [--once]`: ingests what lands until SIGINT/SIGTERM (or once). */
export async function watch(root: string, options: WatchOptions): Promise<void> {
  const context = resolveLocal({ root, ...options });
  boundHeapGrowth();
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const folder = `${context.dataDir}/${context.names.buckets.landing}/landing/<source>/`;
    if (!options.once) console.error(`watching ${folder} (Ctrl-C to stop)`);
    let seen = 0;
    await watchLanding(context, {
      once: options.once ?? false,
      intervalMs: Number(options.interval),
      signal: controller.signal,
      onSummary: (summary) => {
        seen++;
        print(summary, options.json);
      },
      onError: (key, error) => {
        seen++;
        console.error(`dap watch: ${key}: ${error.message}`);
      },
    });
    if (options.once && seen === 0) console.error(`dap watch: nothing to ingest in ${folder}`);
    if (!options.once) console.error('stopped');
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function print(summary: IngestSummary, json: boolean | undefined): void {
  console.log(json ? JSON.stringify(summary) : formatIngestSummary(summary));
}
