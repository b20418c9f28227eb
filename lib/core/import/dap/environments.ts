import { PATHS } from '../../model/project.ts';
import type { WarehouseFacts } from './warehouse.ts';

/**
 * The environments of an imported project: dev, test and prod in the shape of dap's own, with the warehouse as DAP's
 * scripts name it (the database of their three-part names, the reporting schema of their procedures, the Spectrum
 * schema over the stage database). Accounts are placeholders to set before deploying. They are new environments, so
 * their Glue tables go in nested stacks (`catalog_stacks`): a project of DAP's size does not fit one stack.
 */
export function environmentFiles(facts: WarehouseFacts): { path: string; text: string }[] {
  const redshift = (max: number) => ({
    database: facts.database,
    schema: facts.reportingSchema,
    stage_schema: facts.stageSchema,
    base_capacity_rpu: 8,
    max_capacity_rpu: max,
  });
  const environments = [
    {
      name: 'dev',
      account: '111111111111',
      region: 'eu-west-2',
      schedules: { raw_to_stage: null },
      retention_days: {
        landing: 7,
        raw: 30,
        archive: 30,
        quarantine: 14,
        process_results: 30,
        athena_results: 7,
        access_logs: 30,
      },
      athena: { bytes_scanned_cutoff: 1_000_000_000 },
      redshift: redshift(32),
      removal_policy: 'destroy',
      catalog_stacks: 'nested',
    },
    {
      name: 'test',
      account: '222222222222',
      region: 'eu-west-2',
      schedules: { raw_to_stage: 'cron(0 5 * * ? *)' },
      retention_days: {
        landing: 14,
        raw: 90,
        archive: 90,
        quarantine: 30,
        process_results: 90,
        athena_results: 7,
        access_logs: 90,
      },
      athena: { bytes_scanned_cutoff: 10_000_000_000 },
      redshift: redshift(32),
      removal_policy: 'destroy',
      catalog_stacks: 'nested',
    },
    {
      name: 'prod',
      account: '333333333333',
      region: 'eu-west-2',
      schedules: { raw_to_stage: 'cron(0 3 * * ? *)' },
      retention_days: {
        landing: 30,
        raw: null,
        archive: 365,
        quarantine: 90,
        process_results: 365,
        athena_results: 30,
        access_logs: 365,
      },
      athena: { bytes_scanned_cutoff: 100_000_000_000 },
      orchestration: { family_concurrency: 10, event_concurrency: 5, lease_seconds: 1800 },
      redshift: redshift(128),
      removal_policy: 'retain',
      catalog_stacks: 'nested',
    },
  ];
  return environments.map((env) => ({
    path: `${PATHS.environments}/${env.name}.json`,
    text: `${JSON.stringify(env, null, 2)}\n`,
  }));
}
