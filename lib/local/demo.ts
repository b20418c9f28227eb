import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_SAMPLE_OPTIONS, writeTxmaSamples } from '../core/samples/txma.ts';
import { FileControlStore } from '../engines/local/file-control-store.ts';
import { type LocalOptions, openLocal } from './context.ts';
import { describeExtract, extractShippedSamples } from './extract-samples.ts';
import { formatIngestSummary, ingestShippedSamples } from './ingest-samples.ts';
import { LocalWarehouse } from './local-warehouse.ts';
import { describePull, pullShippedSamples } from './pull-samples.ts';
import { runOnTwin } from './run.ts';

/**
 * `npm start`: a clean local environment, the shipped sample data in raw, and a full run. Returns the exit code.
 * Only this environment's buckets, control table, engine file and local warehouse are reset; other environments in
 * the data folder are left alone.
 */
export async function runDemo(options: LocalOptions, write: (text: string) => void = console.log): Promise<number> {
  let context = await openLocal(options);
  const { names, dataDir } = context;
  await context.close();
  await Promise.all([
    ...Object.values(names.buckets).map((bucket) => rm(join(dataDir, bucket), { recursive: true, force: true })),
    // Watermarks, leases, the file ledger and the API pulls' checkpoints: a fresh demo starts from nothing.
    rm(new FileControlStore(dataDir, { table: names.controlTable }).root, { recursive: true, force: true }),
    rm(join(dataDir, `${context.environment.name}.duckdb`), { force: true }),
    rm(join(dataDir, `${context.environment.name}.duckdb.wal`), { force: true }),
    // The local Redshift: migrated and built again from the fresh stage.
    rm(LocalWarehouse.folder(context), { recursive: true, force: true }),
  ]);
  context = await openLocal(options);
  try {
    const files = await writeTxmaSamples(context.store, names.buckets.raw, DEFAULT_SAMPLE_OPTIONS);
    const records = files.reduce((sum, f) => sum + f.body.split('\n').filter((line) => line !== '').length, 0);
    write(`wrote ${files.length} sample file(s), ${records} TxMA record(s) to ${join(dataDir, names.buckets.raw)}`);
    for (const summary of await ingestShippedSamples(context)) write(formatIngestSummary(summary));
    const pulled = await pullShippedSamples(context);
    for (const result of pulled.results) write(describePull(result));
    for (const result of await extractShippedSamples(context)) write(describeExtract(result));
    // The demo processes everything delivered so far, today's partitions too, which a scheduled run leaves until
    // the day is complete: the run counts today as complete (complete_through), on the real clock, so watermarks say
    // what was done and files added later to those days are reported late.
    const today = new Date().toISOString().slice(0, 10);
    write(`processing every delivery day through today (${today}) as complete; dap run waits for a day to end`);
    const code = await runOnTwin(context, { trigger: 'demo', completeThrough: today }, write);
    write(`\nlook at the results: npx dap query "select * from ${names.stageDatabase}.<family> limit 10"`);
    write(
      `             and the reporting model: npx dap query --warehouse "select * from conformed.scv_customer limit 10"`,
    );
    return code;
  } finally {
    await context.close();
  }
}
