import type { ObjectStore } from '../../lib/core/ports.ts';
import { generateTxmaSamples } from '../../lib/core/samples/txma.ts';
import { addDays } from '../../lib/core/window.ts';

/** The TxMA workload of one scale: `events` distinct events spread evenly over `days` days from `startDate`. */
export interface TxmaScale {
  readonly events: number;
  readonly days: number;
  readonly startDate: string;
  readonly seed: number;
}

export const BENCH_START_DATE = '2024-03-01';
export const BENCH_SEED = 9_000_001;

/**
 * Writes the scale's raw files with the shipped sample generator, one day at a time (so memory stays at one day's
 * records), each day under its own delivery-stream name so a day's late records landing in the next day's partition
 * never collide with that day's own files. Returns records (lines) and bytes written.
 */
export async function writeTxmaScale(
  store: ObjectStore,
  bucket: string,
  scale: TxmaScale,
  firstDay = 0,
): Promise<{ records: number; bytes: number; files: number }> {
  const perDay = Math.ceil(scale.events / scale.days);
  let records = 0;
  let bytes = 0;
  let files = 0;
  for (let day = firstDay; day < firstDay + scale.days; day++) {
    const written = generateTxmaSamples({
      seed: scale.seed + day,
      startDate: addDays(scale.startDate, day),
      days: 1,
      eventsPerDay: perDay,
      deliveryStream: `bench-d${String(day).padStart(3, '0')}`,
    });
    for (const file of written) {
      await store.put(bucket, file.key, file.body);
      records += countLines(file.body);
      bytes += Buffer.byteLength(file.body);
      files++;
    }
  }
  return { records, bytes, files };
}

function countLines(body: string): number {
  let lines = 0;
  for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) lines++;
  return lines;
}
