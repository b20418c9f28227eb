import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { IngestBusyError, IngestFailedError, ingestObject } from '../core/ingest/ingest-file.ts';
import type { IngestSummary } from '../core/ingest/report.ts';
import type { LocalContext } from './context.ts';
import { landingKeys, localIngestDeps } from './ingest-samples.ts';

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
