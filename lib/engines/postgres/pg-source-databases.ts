import pg from 'pg';
import { SNAPSHOT_TRANSACTION } from '../../core/extract/extract-sql.ts';
import type { DatabaseConnection, SourceDatabaseSession, SourceDatabases, SqlValue } from '../../core/ports.ts';

/**
 * Source databases over the PostgreSQL wire protocol with `pg` (PostgreSQL, RDS/Aurora PostgreSQL, Redshift as a
 * source). Each session is one connection in one read-only repeatable-read transaction. Values stay exact: only
 * int2, int4, float4/8 and bool become JavaScript numbers and booleans; int8, numeric, dates, timestamps and the
 * rest arrive as the server's text.
 */

const NATIVE_TYPES = new Map<number, (text: string) => SqlValue>([
  [16, (text) => text === 't'], // bool
  [21, Number], // int2
  [23, Number], // int4
  [700, Number], // float4
  [701, Number], // float8
]);

const types = {
  getTypeParser: (oid: number) => NATIVE_TYPES.get(oid) ?? ((text: string) => text),
};

export class PgSourceDatabases implements SourceDatabases {
  constructor(private readonly options: { readonly connectTimeoutMs?: number } = {}) {}

  async connect(connection: DatabaseConnection): Promise<SourceDatabaseSession> {
    const client = new pg.Client({
      host: connection.host,
      port: connection.port,
      user: connection.user,
      database: connection.database,
      ...(connection.password === undefined ? {} : { password: connection.password }),
      ssl: connection.tls ? { rejectUnauthorized: true } : false,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 10_000,
      types,
      application_name: 'dap-extract',
    });
    await client.connect();
    try {
      await client.query(SNAPSHOT_TRANSACTION);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return new PgSession(client);
  }
}

class PgSession implements SourceDatabaseSession {
  constructor(private readonly client: pg.Client) {}

  async query(sql: string, parameters: readonly SqlValue[]): Promise<Record<string, SqlValue>[]> {
    const result = await this.client.query<Record<string, SqlValue>>(sql, [...parameters]);
    return result.rows;
  }

  async close(): Promise<void> {
    try {
      await this.client.query('COMMIT');
    } finally {
      await this.client.end();
    }
  }
}
