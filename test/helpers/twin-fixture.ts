import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_FOLDERS } from '../../lib/core/model/project.ts';
import { writeTxmaSamples } from '../../lib/core/samples/txma.ts';
import { type LocalContext, openLocal } from '../../lib/local/context.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface TwinFixture {
  readonly root: string;
  readonly dataDir: string;
  readonly context: LocalContext;
  cleanup(): Promise<void>;
}

/**
 * A copy of the repo's config and scripts in a temp folder (so a test may break one file), a fresh data folder
 * holding a small seeded sample of TxMA events in raw, and the local context over both.
 */
export async function twinFixture(edit: (root: string) => void = () => {}): Promise<TwinFixture> {
  const root = mkdtempSync(join(tmpdir(), 'dap-twin-project-'));
  for (const folder of PROJECT_FOLDERS) cpSync(join(REPO_ROOT, folder), join(root, folder), { recursive: true });
  edit(root);
  const dataDir = join(root, '.dap');
  const context = await openLocal({ root, env: 'dev', dataDir });
  await writeTxmaSamples(context.store, context.names.buckets.raw, { days: 2, eventsPerDay: 150 });
  return {
    root,
    dataDir,
    context,
    cleanup: async () => {
      await context.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** In a fixture's copy of the reporting config, only `family` stays enabled (the repo's file is left as it is). */
export function enableOnlyReportingFamily(root: string, family: string): void {
  const file = join(root, 'redshift-scripts/reporting_model_product_family_config.json');
  const families = JSON.parse(readFileSync(file, 'utf8')) as { product_family: string; enabled: boolean }[];
  writeFileSync(file, JSON.stringify(families.map((f) => ({ ...f, enabled: f.product_family === family }))));
}

/** Distinct event_ids in an event's raw files, by the same view the transforms read. */
export async function distinctRawEventIds(context: LocalContext, event: string): Promise<number> {
  const result = await context.engine.execute(
    `select count(distinct event_id) as n from ${context.names.rawDatabase}.${event}`,
  );
  return Number(result.rows[0]?.n);
}

export async function stageRows(context: LocalContext, table: string, event?: string): Promise<number> {
  const where = event ? ` where event_name = '${event}'` : '';
  const result = await context.engine.execute(
    `select count(*) as n from ${context.names.stageDatabase}.${table}${where}`,
  );
  return Number(result.rows[0]?.n);
}
