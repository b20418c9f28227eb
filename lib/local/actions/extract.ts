import { EnvSecretSource } from '../../core/connectors/secrets.ts';
import { openLocal } from '../context.ts';
import { describeExtract, extractFromSamples, extractLocally } from '../extract-samples.ts';

export interface ExtractOptions {
  readonly env: string;
  readonly dataDir?: string;
  readonly samples?: boolean;
  readonly verbose?: boolean;
}

/** A source that is not there or cannot be extracted as asked; one line, no stack. */
export class ExtractCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtractCommandError';
  }
}

/** `dap extract <source> [--samples]`: one extract run into the local raw bucket; returns the exit code. */
export async function extract(root: string, sourceName: string, options: ExtractOptions): Promise<number> {
  const context = await openLocal({ root, ...options });
  try {
    const source = context.project.databaseSources.get(sourceName);
    if (!source) {
      const known = [...context.project.databaseSources.keys()].join(', ') || 'none';
      throw new ExtractCommandError(
        `no database source "${sourceName}" in config/sources/databases/ (known: ${known})`,
      );
    }
    const log = options.verbose
      ? (message: string, details?: Record<string, unknown>) =>
          console.log(`  ${message} ${JSON.stringify(details ?? {})}`)
      : undefined;
    const result = options.samples
      ? await extractFromSamples(context, source, log)
      : await extractLocally(context, source, new EnvSecretSource(), log);
    console.log(describeExtract(result));
    return result.status === 'failed' ? 1 : 0;
  } finally {
    await context.close();
  }
}
