import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { StaticSecretSource } from '../../../lib/core/connectors/secrets.ts';
import { extractSource } from '../../../lib/core/extract/extract.ts';
import { type DatabaseSource, databaseSourceSchema } from '../../../lib/core/model/database-source-schema.ts';
import type { SourceDatabases } from '../../../lib/core/ports.ts';
import { FileControlStore } from '../../../lib/engines/local/file-control-store.ts';
import { FolderObjectStore } from '../../../lib/engines/local/folder-object-store.ts';
import { PgSourceDatabases } from '../../../lib/engines/postgres/pg-source-databases.ts';
import { sampleDatabaseSql } from '../../../lib/local/source-database-server.ts';
import { debianPostgresBin, startDebianPostgres } from '../../helpers/debian-postgres.ts';

const REPO = join(import.meta.dirname, '../../..');
const shipped = databaseSourceSchema.parse(
  JSON.parse(readFileSync(join(REPO, 'config/sources/databases/timetable.json'), 'utf8')),
);
/** The north campus alone, its departments read last: after the rooms and staff that refer to them. */
const source: DatabaseSource = {
  ...shipped,
  instances: [{ source_id: 'north', secret: 'TIMETABLE_NORTH_DB' }],
  tables: [...shipped.tables].sort((a, b) => Number(a.name === 'departments') - Number(b.name === 'departments')),
};

const bin = debianPostgresBin();

test('a department closed between the reads of rooms and departments (one transaction): the extract reads one snapshot, so no reference breaks', {
  skip: bin === undefined ? "Debian's postgresql is not installed (.ci/run installs it)" : false,
}, async () => {
  const server = await startDebianPostgres(bin ?? '', sampleDatabaseSql(REPO, 'timetable', 'north'));
  const dir = await mkdtemp(join(tmpdir(), 'dap-snapshot-'));
  try {
    // Prepare: a writer that removes History (its rooms, its staff, then the department) in one committed
    // transaction on its own connection, just before the extract's first read of departments
    const writer = new pg.Client({ connectionString: server.url });
    await writer.connect();
    let closed = false;
    const real = new PgSourceDatabases();
    const interleaved: SourceDatabases = {
      connect: async (connection) => {
        const session = await real.connect(connection);
        return {
          query: async (sql, parameters) => {
            if (!closed && sql.includes('FROM "public"."departments"')) {
              closed = true;
              await writer.query(
                'BEGIN; DELETE FROM rooms WHERE department_id = 3; DELETE FROM staff WHERE department_id = 3; ' +
                  'DELETE FROM departments WHERE department_id = 3; COMMIT',
              );
            }
            return session.query(sql, parameters);
          },
          close: () => session.close(),
        };
      },
    };
    const deps = {
      store: new FolderObjectStore(join(dir, 'buckets')),
      rawBucket: 'raw',
      control: new FileControlStore(join(dir, 'control')),
      secrets: new StaticSecretSource({ TIMETABLE_NORTH_DB: server.url }),
    };

    // Act
    const first = await extractSource(source, { ...deps, databases: interleaved });
    const departmentsNow = await writer.query('SELECT count(*)::int AS n FROM departments');
    const second = await extractSource(source, { ...deps, databases: real });
    await writer.end();

    // Assess: committed while the first extract ran, the change is wholly outside it and wholly inside the next.
    // Read committed would have read rooms and staff before it and departments after: H010 and 104 referring to a
    // department the extract does not hold.
    assert.equal(closed, true);
    assert.equal(departmentsNow.rows[0]?.n, 2);
    assert.equal(first.status, 'promoted', JSON.stringify(first.problems));
    assert.equal(first.rows, 3 + 4 + 5);
    assert.equal(second.status, 'promoted', JSON.stringify(second.problems));
    assert.equal(second.rows, 2 + 3 + 4);
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
