import type { Command } from 'commander';
import type { IngestOptions, WatchOptions } from '../actions/ingest.ts';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

/** `dap ingest <file> --source <source>` and `dap watch`: what the S3 event and the ingest Lambda do in AWS. */
export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('drop a CSV or XLSX file into the local landing folder of a file source and ingest it')
    .argument('<file>', 'the file to ingest (it is copied; the original stays where it is)')
    .requiredOption('-s, --source <source>', 'file source (config/sources/files/<source>.json)')
    .addOption(envOption())
    .addOption(dataDirOption())
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, options: IngestOptions) => {
      const { ingest } = await import('../actions/ingest.ts');
      process.exitCode = await ingest(program.opts<GlobalOptions>().root, file, options);
    });

  program
    .command('watch')
    .description(
      'ingest every file dropped into the local landing folder (<data-dir>/<landing bucket>/landing/<source>/)',
    )
    .addOption(envOption())
    .addOption(dataDirOption())
    .option('--once', 'ingest what is there now, then stop')
    .option('--interval <ms>', 'how often to look for new files', '1000')
    .option('--json', 'print summaries as JSON lines')
    .action(async (options: WatchOptions) => {
      const { watch } = await import('../actions/ingest.ts');
      await watch(program.opts<GlobalOptions>().root, options);
    });
}
