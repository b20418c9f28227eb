import type { Command } from 'commander';
import type { ImportDapOptions } from '../actions/import.ts';
import type { GlobalOptions } from './common.ts';

/** `dap import dap <path>`: a dap project from a checkout of GOV.UK One Login's Data Analytics Platform. */
export function registerImport(program: Command): void {
  const command = program.command('import').description("write a dap project from another platform's files");
  command
    .command('dap')
    .description(
      'write a dap project from a checkout of DAP (govuk-one-login/data-analytics-platform), with a report of every file',
    )
    .argument('<path>', 'the DAP checkout (a git work tree for --glue-from)')
    .option('--glue-from <rev>', 'read iac/main/resources/stage.yml and raw.yml at this git revision (e.g. e45e303f^)')
    .option(
      '--glue-catalog <file>',
      'an exported Glue catalog (aws glue get-tables --database-name <db> output), for tables crawlers made; repeatable',
      (file: string, files: string[]) => [...files, file],
      [] as string[],
    )
    .option('--out <dir>', 'where to write the project (default: --root)')
    .action(async (path: string, options: ImportDapOptions) => {
      const { importDapCheckout } = await import('../actions/import.ts');
      process.exitCode = await importDapCheckout(program.opts<GlobalOptions>().root, path, options);
    });
}
