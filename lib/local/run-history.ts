import type { ResourceNames } from '../core/model/names.ts';
import type { ControlStore, ObjectStore } from '../core/ports.ts';
import type { RunReport } from '../core/run-report.ts';
import { type Watermark, watermarkKey } from '../core/window.ts';

/** Every run report in the local process-results bucket, as the write-report step wrote them. */
export async function localRunReports(store: ObjectStore, names: ResourceNames): Promise<RunReport[]> {
  const keys = (await store.list(names.buckets.processResults, 'run_reports/')).filter((key) => key.endsWith('.json'));
  const reports: RunReport[] = [];
  for (const key of keys) {
    const report = await readRunReport(store, names, key);
    if (report !== undefined) reports.push(report);
  }
  return reports;
}

/** One run report by its key in the process-results bucket, or undefined when there is none. */
export async function readRunReport(
  store: ObjectStore,
  names: ResourceNames,
  key: string,
): Promise<RunReport | undefined> {
  const body = await store.get(names.buckets.processResults, key);
  return body === undefined ? undefined : (JSON.parse(new TextDecoder().decode(body)) as RunReport);
}

/** Each event's committed watermark, for those that have one. */
export async function watermarksOf(control: ControlStore, events: readonly string[]): Promise<Map<string, Watermark>> {
  const found = new Map<string, Watermark>();
  for (const event of events) {
    const value = await control.get<Watermark>(watermarkKey(event));
    if (value !== undefined) found.set(event, value.value);
  }
  return found;
}
