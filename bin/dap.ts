#!/usr/bin/env -S npx tsx
import { Command } from 'commander';
import { ConfigError } from '../lib/config/problems.ts';
import { QueryFailedError } from '../lib/engines/local/duckdb-engine.ts';
import { registerBackfill } from '../lib/local/commands/backfill.ts';
import { registerCheck } from '../lib/local/commands/check.ts';
import { IngestCommandError, registerIngest } from '../lib/local/commands/ingest.ts';
import { registerPull } from '../lib/local/commands/pull.ts';
import { registerQuery } from '../lib/local/commands/query.ts';
import { registerRun } from '../lib/local/commands/run.ts';

const program = new Command('dap')
  .description('dap: config-driven ELT on AWS, and its local twin')
  .option('--root <dir>', 'project root (config/, athena-scripts/, redshift-scripts/)', process.cwd())
  .showHelpAfterError();

for (const register of [registerCheck, registerQuery, registerRun, registerBackfill, registerIngest, registerPull])
  register(program);

try {
  await program.parseAsync();
} catch (error) {
  // Expected failures (bad config, a query the engine rejects) print their message, not a stack trace.
  if (error instanceof ConfigError || error instanceof QueryFailedError || error instanceof IngestCommandError) {
    console.error(`dap: ${error.message}`);
    process.exitCode = 1;
  } else throw error;
}
