import type { ResourceNames } from '../core/model/names.ts';
import type { ControlStore, ObjectStore } from '../core/ports.ts';
import type { RunReport } from '../core/run-report.ts';
import { type Watermark, watermarkKey } from '../core/window.ts';

/** Every run report in the local process-results bucket, as the write-report step wrote them. */
export async function localRunReports(store: ObjectStore, names: ResourceNames): Promise<RunReport[]> {
  const bucket = names.buckets.processResults;
  const keys = (await store.list(bucket, 'run_reports/')).filter((key) => key.endsWith('.json'));
  const reports: RunReport[] = [];
  for (const key of keys) {
    const body = await store.get(bucket, key);
    if (body !== undefined) reports.push(JSON.parse(new TextDecoder().decode(body)) as RunReport);
  }
  return reports;
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
