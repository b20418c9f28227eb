import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';

/**
 * A Lambda entry point: Powertools structured logging with the invocation context, one line per outcome, and the
 * handler bound to its AWS adapters on first use (so importing a handler module, as tests and the twin do, needs
 * no AWS environment).
 */
export function lambdaEntry<T>(
  service: string,
  bind: (logger: Logger) => (event: unknown) => Promise<T>,
  summarize: (result: T) => Record<string, unknown> = () => ({}),
) {
  const logger = new Logger({ serviceName: service });
  let bound: ((event: unknown) => Promise<T>) | undefined;
  return middy()
    .use(injectLambdaContext(logger))
    .handler(async (event: unknown) => {
      bound ??= bind(logger);
      try {
        const result = await bound(event);
        logger.info(`${service} done`, summarize(result));
        return result;
      } catch (error) {
        logger.error(`${service} failed`, error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
    });
}
