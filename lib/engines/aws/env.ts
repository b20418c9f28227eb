/**
 * Lambda configuration arrives in environment variables set by CDK (`grantX` wires them). Reading them through
 * these helpers turns a missing or malformed variable into one clear error at the first use, naming the variable,
 * instead of an `undefined` travelling into an SDK call.
 */

export class MissingEnvironmentVariableError extends Error {
  constructor(readonly variable: string) {
    super(`environment variable ${variable} is not set (it is wired by the stack; is this Lambda deployed by dap?)`);
    this.name = 'MissingEnvironmentVariableError';
  }
}

export class InvalidEnvironmentVariableError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`environment variable ${variable} is "${value}", expected ${expected}`);
    this.name = 'InvalidEnvironmentVariableError';
  }
}

/** The variable's value; throws `MissingEnvironmentVariableError` when it is unset or empty. */
export function requireEnv(variable: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[variable];
  if (value === undefined || value === '') throw new MissingEnvironmentVariableError(variable);
  return value;
}

/** The variable's value, or undefined when unset or empty (CDK writes '' for an absent optional value more easily than it omits it). */
export function optionalEnv(variable: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[variable];
  return value === undefined || value === '' ? undefined : value;
}

/** The variable as a positive whole number (seconds, counts); throws naming the variable otherwise. */
export function requirePositiveIntegerEnv(variable: string, env: NodeJS.ProcessEnv = process.env): number {
  const value = requireEnv(variable, env);
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new InvalidEnvironmentVariableError(variable, value, 'a positive whole number');
  }
  return parsed;
}
