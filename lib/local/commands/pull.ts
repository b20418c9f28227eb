import { type Command, InvalidArgumentError } from 'commander';
import type { PullOptions } from '../actions/pull.ts';
import { dataDirOption, envOption, type GlobalOptions } from './common.ts';

/**
 * `dap pull <source>`: one pull run of an API source into the local raw bucket, with its checkpoint in the data
 * folder, exactly as the source's Lambda does in AWS. Against the real API with credentials from the environment
 * variables the config names, or `--replay` against the shipped samples on a loopback replay server.
 */
export function registerPull(program: Command): void {
  program
    .command('pull')
    .description(
      'pull an API source (config/sources/apis/<source>.json) into the local raw bucket, resuming where the last pull stopped',
    )
    .argument('<source>', 'API source name')
    .addOption(envOption())
    .addOption(dataDirOption())
    .option(
      '--replay',
      `serve the shipped sample responses (samples/apis/<source>/) from 127.0.0.1 instead of calling the API`,
    )
    .option(
      '--max-requests <n>',
      'request budget of this run (default: max_requests_per_run of the config)',
      parsePositive,
    )
    .option(
      '--restart',
      'abandon the pull in progress (its checkpoint) and start a new one; pages it wrote stay in raw',
    )
    .option(
      '--base-url <url>',
      "call this host instead of the source's base_url (a staging API over https, or a local one: http://127.0.0.1:<port> or http://localhost:<port>)",
      parseBaseUrl,
    )
    .option('--verbose', 'print every page, retry and wait')
    .action(async (sourceName: string, options: PullOptions) => {
      const { pull } = await import('../actions/pull.ts');
      process.exitCode = await pull(program.opts<GlobalOptions>().root, sourceName, options);
    });
}

/** https anywhere; plain http only to this machine (a local stub or replay server), never over a network. */
export function parseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(
      `expected a URL such as https://api.example.com or http://127.0.0.1:8080, got "${value}"`,
    );
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return value;
  throw new InvalidArgumentError(
    `expected https://, or http:// to 127.0.0.1, localhost or [::1] only (credentials never travel unencrypted), got "${value}"`,
  );
}

function parsePositive(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0)
    throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`);
  return parsed;
}
