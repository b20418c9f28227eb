import type { Command } from 'commander';
import type { ExtractOptions } from '../actions/extract.ts';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

/**
 * `dap extract <source>`: one extract run of a database source into the local raw bucket, with its checkpoint in
 * the data folder, exactly as the source's Lambda does in AWS. Against the databases the config's secrets name
 * (environment variables), or `--samples` against the shipped sample databases on local PostgreSQL servers.
 */
export function registerExtract(program: Command): void {
  program
    .command('extract')
    .description(
      'extract a database source (config/sources/databases/<source>.json) into the local raw bucket: check integrity, then promote',
    )
    .argument('<source>', 'database source name')
    .addOption(envOption())
    .addOption(dataDirOption())
    .option(
      '--samples',
      'serve the shipped sample databases (samples/databases/<source>/<source_id>.sql) on 127.0.0.1 instead of connecting to the real ones',
    )
    .option('--verbose', 'print every table as it is extracted')
    .action(async (sourceName: string, options: ExtractOptions) => {
      const { extract } = await import('../actions/extract.ts');
      process.exitCode = await extract(program.opts<GlobalOptions>().root, sourceName, options);
    });
}
