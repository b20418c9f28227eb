import type { ApiAuth } from '../model/api-source-schema.ts';
import type { SecretSource } from '../ports.ts';
import { MissingSecretError } from './errors.ts';

export class EnvSecretSource implements SecretSource {
  readonly description = 'environment variables';

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async get(name: string): Promise<string | undefined> {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }
}

/** Fixed values, for the replay server and tests. */
export class StaticSecretSource implements SecretSource {
  readonly description = 'fixed test values';

  constructor(private readonly values: Readonly<Record<string, string>>) {}

  async get(name: string): Promise<string | undefined> {
    return this.values[name];
  }
}

/** The credential names the auth config needs, in order. */
export function secretNames(auth: ApiAuth): string[] {
  switch (auth.type) {
    case 'none':
      return [];
    case 'bearer':
      return [auth.token];
    case 'basic':
      return [auth.username, auth.password];
  }
}

/** The `Authorization` header value, or undefined for `none`; throws `MissingSecretError` naming what is unset. */
export async function authorizationHeader(auth: ApiAuth, secrets: SecretSource): Promise<string | undefined> {
  const values: string[] = [];
  for (const name of secretNames(auth)) {
    const value = await secrets.get(name);
    if (value === undefined) throw new MissingSecretError(name, secrets.description);
    values.push(value);
  }
  switch (auth.type) {
    case 'none':
      return undefined;
    case 'bearer':
      return `Bearer ${values[0]}`;
    case 'basic':
      return `Basic ${Buffer.from(`${values[0]}:${values[1]}`).toString('base64')}`;
  }
}
