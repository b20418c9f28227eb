import { SFNClient } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { type BackfillRequest, backfillInput, startBackfillInAws } from '../backfill.ts';
import { openLocal } from '../context.ts';
import { runOnTwin } from '../run.ts';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description('re-process delivery days of a family idempotently (watermarks stay where they are)')
    .requiredOption('-f, --family <name>', 'the product family')
    .option('--event <name...>', 'only these events of the family')
    .requiredOption('--from <day>', 'first delivery day, YYYY-MM-DD')
    .requiredOption('--to <day>', 'last delivery day, YYYY-MM-DD (included)')
    .option('--aws', "start the deployed state machine (AWS credentials for the environment's account)")
    .addOption(envOption())
    .addOption(dataDirOption())
    .action(
      async (options: {
        family: string;
        event?: string[];
        from: string;
        to: string;
        aws?: boolean;
        env: string;
        dataDir?: string;
      }) => {
        const request: BackfillRequest = {
          family: options.family,
          from: options.from,
          to: options.to,
          ...(options.event ? { events: options.event } : {}),
        };
        const context = await openLocal({
          root: program.opts<GlobalOptions>().root,
          env: options.env,
          ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        });
        try {
          if (options.aws) {
            const arn = await startBackfillInAws(
              new SFNClient({ region: context.environment.region }),
              context.environment,
              context.names,
              request,
            );
            console.log(`started ${arn}`);
            return;
          }
          const input = backfillInput(request);
          process.exitCode = await runOnTwin(context, {
            trigger: input.trigger,
            families: input.families ?? [],
            ...(input.events ? { events: input.events } : {}),
            ...(input.replay ? { replay: input.replay } : {}),
          });
        } finally {
          await context.close();
        }
      },
    );
}
