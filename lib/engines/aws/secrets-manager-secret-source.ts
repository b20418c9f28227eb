import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConnectorError } from '../../core/connectors/errors.ts';
import type { SecretSource } from '../../core/ports.ts';

/** The secret's value is not a JSON object of strings. */
export class InvalidSecretError extends ConnectorError {
  constructor(
    readonly secretId: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      `secret ${secretId} is not a JSON object of strings (expected e.g. {"EVENTBRITE_TOKEN": "..."} or {"TIMETABLE_NORTH_DB": "postgres://..."}; set it with aws secretsmanager put-secret-value)`,
      undefined,
      options,
    );
    this.name = 'InvalidSecretError';
  }
}

/**
 * A source's Secrets Manager secret: one JSON object whose keys are the credential names of the config (an API's
 * tokens, a database instance's connection; the same names are environment variables locally). Read once per
 * container.
 */
export class SecretsManagerSecretSource implements SecretSource {
  readonly description: string;
  private values: Promise<Record<string, string>> | undefined;

  constructor(
    private readonly secretId: string,
    private readonly client: SecretsManagerClient = new SecretsManagerClient({}),
  ) {
    this.description = `the keys of secret ${secretId}`;
  }

  async get(name: string): Promise<string | undefined> {
    this.values ??= this.load().catch((error: unknown) => {
      this.values = undefined;
      throw error;
    });
    const value = (await this.values)[name];
    return value === undefined || value === '' ? undefined : value;
  }

  private async load(): Promise<Record<string, string>> {
    const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    let parsed: unknown;
    try {
      parsed = JSON.parse(SecretString ?? '');
    } catch (error) {
      throw new InvalidSecretError(this.secretId, { cause: error });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new InvalidSecretError(this.secretId);
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value !== 'string') throw new InvalidSecretError(this.secretId, { cause: { key } });
      values[key] = value;
    }
    return values;
  }
}
