import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * A real PostgreSQL server on localhost for database sources, without installing one: PGlite (Postgres compiled to
 * WebAssembly) behind `@electric-sql/pglite-socket`, which speaks the wire protocol, so the extract connects with
 * the same `pg` driver it uses against RDS. PGlite has one session: connections are served one at a time (a second
 * waits until the first ends), which is how a consistent snapshot per instance is kept here.
 */
export interface SourceDatabaseServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres?sslmode=disable` */
  readonly url: string;
  /** Runs SQL on the database directly (seeding, and tests changing the source between extracts). */
  exec(sql: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startSourceDatabase(seedSql?: string): Promise<SourceDatabaseServer> {
  const db = await PGlite.create();
  if (seedSql) await db.exec(seedSql);
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgres://postgres@${address}/postgres?sslmode=disable`,
    exec: async (sql) => {
      await db.exec(sql);
    },
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/**
 * A project's sample database of one instance of a source: `samples/databases/<source>/schema.sql` (the shape the
 * instances share, when there is one) then `<source_id>.sql` (its rows).
 */
export function sampleDatabaseSql(projectRoot: string, source: string, sourceId: string): string {
  const dir = join(projectRoot, SAMPLE_DATABASES_DIR, source);
  const shared = join(dir, 'schema.sql');
  return [
    ...(existsSync(shared) ? [readFileSync(shared, 'utf8')] : []),
    readFileSync(join(dir, `${sourceId}.sql`), 'utf8'),
  ].join('\n');
}

export const SAMPLE_DATABASES_DIR = 'samples/databases';
