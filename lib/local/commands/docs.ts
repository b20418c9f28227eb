import type { Command } from 'commander';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

export function registerDocs(program: Command): void {
  program
    .command('docs')
    .description(
      'build the catalog: a static site of families, events, tables, columns, checks, lineage and runs (works from file://)',
    )
    .option('-o, --out <dir>', 'folder to write the site to', 'site')
    .option('--serve', 'then serve the folder on localhost and print its URL')
    .option('--port <port>', 'port for --serve (0: any free one)', '8080')
    .addOption(envOption())
    .addOption(dataDirOption())
    .action(async (options) => {
      const { docs } = await import('../actions/docs.ts');
      process.exitCode = await docs(program.opts<GlobalOptions>().root, options);
    });
}
