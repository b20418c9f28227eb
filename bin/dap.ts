import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { PACKAGE_ROOT } from '../lib/core/package-root.ts';
import { registerBackfill } from '../lib/local/commands/backfill.ts';
import { registerCheck } from '../lib/local/commands/check.ts';
import { registerDocs } from '../lib/local/commands/docs.ts';
import { registerExtract } from '../lib/local/commands/extract.ts';
import { registerImport } from '../lib/local/commands/import.ts';
import { registerIngest } from '../lib/local/commands/ingest.ts';
import { registerPull } from '../lib/local/commands/pull.ts';
import { registerQuery } from '../lib/local/commands/query.ts';
import { registerRun } from '../lib/local/commands/run.ts';
import { registerRuns } from '../lib/local/commands/runs.ts';
import { registerUnlock } from '../lib/local/commands/unlock.ts';

// Each command loads what it needs when it runs, so `dap --help` and `dap query` never load what `dap run` needs.
const program = new Command('dap')
  .description('dap: config-driven ELT on AWS, and its local twin')
  .version(packageVersion(), '-V, --version', 'the version of dap')
  .option('--root <dir>', 'project root (config/, athena-scripts/, redshift-scripts/)', process.cwd())
  .showHelpAfterError();

for (const register of [
  registerCheck,
  registerQuery,
  registerRun,
  registerRuns,
  registerBackfill,
  registerIngest,
  registerPull,
  registerExtract,
  registerUnlock,
  registerImport,
  registerDocs,
])
  register(program);

/**
 * Failures that are the user's input, not a defect: bad config, a query the engine rejects, a file or source that
 * is not there. Matched by name so that recognising them loads none of the modules that throw them.
 */
const EXPECTED_ERRORS = new Set([
  'ConfigError',
  'QueryFailedError',
  'QueryInputError',
  'IngestCommandError',
  'LocalEngineBusyError',
  'IngestBusyError',
  'UnlockRefusedError',
  'UnsupportedDataDirError',
  'ImportCommandError',
  'ExtractCommandError',
  'ExtractConnectionError',
  'ExtractConflictError',
  'ConnectionSecretError',
  'MissingSecretError',
  'MigrationFailedError',
  'MigrationMismatchError',
  'UnknownFamilyError',
]);

function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return version;
}

try {
  await program.parseAsync();
} catch (error) {
  // Expected failures print their one-line message, not a stack trace.
  if (error instanceof Error && EXPECTED_ERRORS.has(error.name)) {
    console.error(`dap: ${error.message}`);
    process.exitCode = 1;
  } else throw error;
}
