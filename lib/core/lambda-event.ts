import type { z } from 'zod';
import { jsonPath } from './model/problems.ts';

/** A Lambda event that does not match its handler's contract; the message names each offending field. */
export class InvalidEventError extends Error {
  constructor(handler: string, error: z.ZodError) {
    const fields = error.issues.map((issue) => `${jsonPath(issue.path)}: ${issue.message}`).join('; ');
    super(`${handler} event is invalid: ${fields}`, { cause: error });
    this.name = 'InvalidEventError';
  }
}

/** The event as the handler's schema reads it, or an `InvalidEventError` naming the handler and each offending field. */
export function parseEvent<T extends z.ZodType>(handler: string, schema: T, event: unknown): z.infer<T> {
  const parsed = schema.safeParse(event);
  if (!parsed.success) throw new InvalidEventError(handler, parsed.error);
  return parsed.data;
}
