import type { DatabaseConnection } from '../ports.ts';

/** A secret that does not say where a database is; names the secret, never its value. */
export class ConnectionSecretError extends Error {
  constructor(
    readonly secret: string,
    what: string,
  ) {
    super(
      `secret ${secret}: ${what} (expected a postgres://user:password@host:port/database URL or the JSON {host, port, username, password, dbname})`,
    );
    this.name = 'ConnectionSecretError';
  }
}

/**
 * The connection a secret value describes: a `postgres://` URL (`?sslmode=disable` for plain TCP) or the JSON that RDS
 * writes for a database secret (`{engine, host, port, username, password, dbname}`, plus dap's optional `"tls":
 * false`). TLS is asked for unless the secret turns it off.
 */
export function parseConnection(secret: string, value: string): DatabaseConnection {
  const text = value.trim();
  if (text.startsWith('{')) {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new ConnectionSecretError(secret, 'its value is not JSON');
    }
    const host = json.host;
    const user = json.username;
    const port = json.port === undefined ? 5432 : Number(json.port);
    const database = json.dbname ?? 'postgres';
    if (typeof host !== 'string' || host === '') throw new ConnectionSecretError(secret, '"host" is missing');
    if (typeof user !== 'string' || user === '') throw new ConnectionSecretError(secret, '"username" is missing');
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConnectionSecretError(secret, '"port" is not a port number');
    }
    if (typeof database !== 'string') throw new ConnectionSecretError(secret, '"dbname" is not a string');
    const password = typeof json.password === 'string' ? json.password : undefined;
    return { host, port, user, database, tls: json.tls !== false, ...(password === undefined ? {} : { password }) };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConnectionSecretError(secret, 'its value is neither a URL nor JSON');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConnectionSecretError(secret, `the URL's scheme is ${url.protocol.replace(':', '')}`);
  }
  if (url.hostname === '' || url.username === '')
    throw new ConnectionSecretError(secret, 'the URL has no host or user');
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  return {
    host: url.hostname,
    port: url.port === '' ? 5432 : Number(url.port),
    user: decodeURIComponent(url.username),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
    tls: url.searchParams.get('sslmode') !== 'disable',
    ...(password === undefined ? {} : { password }),
  };
}
