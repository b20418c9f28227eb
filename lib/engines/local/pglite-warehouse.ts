import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { committedBeforeNote, migrationBatches, refuseOversized } from '../../core/migration-batches.ts';
import { historyInsert, historySelect, historyTableDdl } from '../../core/migrations.ts';
import type { AppliedScript, ExternalSchema, MigratableWarehouse, PendingScript, Warehouse } from '../../core/ports.ts';
import { assertIdentifier, buildProcedureCall, ProcedureFailedError } from '../../core/procedure-call.ts';
import { quoteIdentifier } from '../../core/sql/identifiers.ts';
import { type LockWait, lockFolder } from './local-lock.ts';
import { REDSHIFT_COMPAT_SQL, REDSHIFT_SESSION_SQL } from './redshift-compat.ts';
import { type LocalRewriteOptions, rewriteRedshiftForLocal } from './redshift-rewrite.ts';

/** `lockWaitMs`: how long to wait while another process has the folder open (PGlite admits one process). */
export interface PgliteWarehouseOptions extends LockWait {
  /** Folder holding the database; absent = in memory. */
  readonly dataDir?: string;
  /** The reporting schema (where the migration history lives). @default 'conformed' */
  readonly schema?: string;
  /** The Redshift database the scripts name in three-part names (`redshift.database`). */
  readonly database?: string;
}

/** A result with every value as Redshift shows it (its own text, or null). */
export interface WarehouseTextResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** One array per row (column names may repeat, as in `select nvl(a, b), nvl(c, d)`). */
  readonly rows: readonly (readonly (string | null)[])[];
  readonly rowsAffected: number;
}

export interface WarehouseResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly Record<string, unknown>[];
  readonly rowsAffected: number;
}

/**
 * What the twin loaded into each table standing for a Spectrum external table: its columns and each partition's
 * fingerprint, so the next copy loads only the partitions that changed. Not part of the Redshift model (a name no
 * migration can take: it starts with `_`).
 */
const EXTERNAL_STATE = '_dap_twin.external_tables';
const EXTERNAL_STATE_DDL = `create schema if not exists _dap_twin; create table if not exists ${EXTERNAL_STATE} (schema_name text, table_name text, columns text not null, partitions jsonb not null, primary key (schema_name, table_name))`;

function columnsSignature(columns: readonly ExternalColumn[]): string {
  return columns.map((c) => `${c.name} ${c.type}`).join(', ');
}

/** A column of a table copied in to stand for a Spectrum external table. */
export interface ExternalColumn {
  readonly name: string;
  /** Postgres type, e.g. `varchar`, `timestamp`, `numeric(10,2)`. */
  readonly type: string;
}

/**
 * The local stand-in for Redshift: PGlite (embedded Postgres) with the Redshift compatibility functions installed
 * and every statement passed through the Redshift rewriter, so scripts written for Redshift run unchanged.
 */
export class PgliteWarehouse implements Warehouse, MigratableWarehouse {
  /** The last piece of work queued: each method's statements run together, never between another's. */
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: PGlite,
    private readonly schema: string,
    private readonly unlock: () => Promise<void>,
    private readonly rewrite: LocalRewriteOptions,
  ) {}

  static async open(options: PgliteWarehouseOptions = {}): Promise<PgliteWarehouse> {
    // PGlite has no lock of its own and two processes on one folder would corrupt it: one at a time.
    const unlock = options.dataDir ? await lockFolder(options.dataDir, options) : async () => {};
    const db = await openDatabase(options.dataDir).catch(async (error: unknown) => {
      await unlock();
      throw error;
    });
    await installCompatOnce(db);
    await db.exec(REDSHIFT_SESSION_SQL);
    // Tables filled inside a procedure have no statistics yet, so Postgres plans their joins as nested loops (95 s
    // for a 1% change on 5,000 keys); Redshift hash- or merge-joins them. Plan the way Redshift does.
    await db.exec('set enable_nestloop = off');
    const rewrite = options.database === undefined ? {} : { database: options.database };
    return new PgliteWarehouse(db, options.schema ?? 'conformed', unlock, rewrite);
  }

  /**
   * One piece of work at a time on the session: a CALL made under a role (`SET ROLE`, the call, `RESET ROLE`) must
   * not let another caller's statements run as that role in between.
   */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Runs one or more statements written in Redshift SQL (rewritten for PGlite). */
  async execute(script: string): Promise<void> {
    await this.serial(() => this.db.exec(rewriteRedshiftForLocal(script, this.rewrite)));
  }

  /** One statement written in Redshift SQL, with its rows. */
  async query(sql: string, params: readonly unknown[] = []): Promise<WarehouseResult> {
    const result = await this.serial(() =>
      this.db.query<Record<string, unknown>>(rewriteRedshiftForLocal(sql, this.rewrite), [...params]),
    );
    return {
      columns: result.fields.map((field) => ({ name: field.name, type: pgTypeName(field.dataTypeID) })),
      rows: result.rows,
      rowsAffected: result.affectedRows ?? 0,
    };
  }

  /**
   * One statement with every value kept as the warehouse's text, which is how Redshift shows them: dates
   * `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MI:SS[.ffffff]`, exact decimals, booleans `true`/`false`. Parsing into JS
   * values would lose microseconds and decimal digits.
   */
  async queryText(sql: string): Promise<WarehouseTextResult> {
    const asText = (text: string) => text;
    const result = await this.serial(() =>
      this.db.query<unknown[]>(rewriteRedshiftForLocal(sql, this.rewrite), [], {
        rowMode: 'array',
        // Every type as text: the known OIDs listed (PGlite copies the map), any other OID through the proxy.
        parsers: new Proxy(Object.fromEntries(Object.keys(PG_TYPES).map((oid) => [Number(oid), asText])), {
          get: () => asText,
        }),
      }),
    );
    return {
      columns: result.fields.map((field) => ({ name: field.name, type: pgTypeName(field.dataTypeID) })),
      rows: result.rows.map((row) =>
        row.map((value, index) => {
          if (value === null || value === undefined) return null;
          const text = String(value);
          const type = result.fields[index]?.dataTypeID;
          if (type === 16) return text === 't' ? 'true' : 'false';
          // VARBYTE shows as hexadecimal digits; SUPER as compact JSON.
          if (type === 17) return text.startsWith('\\x') ? text.slice(2) : text;
          return type === 3802 ? compactJson(text) : text;
        }),
      ),
      rowsAffected: result.affectedRows ?? 0,
    };
  }

  /**
   * `CALL schema.procedure(args)`, as the superuser or, with `asRole`, under that database role (as the reporting
   * Lambda works under the platform's runner role in AWS), so a procedure needing more than the role holds fails here
   * as it would there.
   */
  async callProcedure(
    schema: string,
    procedure: string,
    args: readonly string[],
    options: { readonly asRole?: string } = {},
  ): Promise<{ statementId: string; durationMs: number }> {
    const { sql, parameters } = buildProcedureCall(schema, procedure, args);
    // The reporting Lambda sends the CALL through the Data API, which takes no statement this large.
    refuseOversized([sql], `CALL ${schema}.${procedure}`);
    // Data API named parameters (:arg_1) become positional ones.
    const positional = parameters.reduce(
      (text, parameter, index) => text.replace(`:${parameter.name}`, `$${index + 1}`),
      sql,
    );
    const statementId = randomUUID();
    const started = Date.now();
    const role = options.asRole;
    if (role !== undefined) assertIdentifier('role', role);
    try {
      await this.serial(async () => {
        if (role === undefined)
          return this.db.query(
            positional,
            parameters.map((p) => p.value),
          );
        await this.db.exec(`set role ${quoteIdentifier(role)}`);
        try {
          return await this.db.query(
            positional,
            parameters.map((p) => p.value),
          );
        } finally {
          await this.db.exec('reset role');
        }
      });
    } catch (error) {
      const warehouseError = error instanceof Error ? error.message : String(error);
      throw new ProcedureFailedError({ schema, procedure, statementId, warehouseError }, error);
    }
    return { statementId, durationMs: Date.now() - started };
  }

  /**
   * The partition fingerprints recorded when `schema.table` was last loaded with these columns (see
   * `loadExternalTable`), or undefined when it was never loaded, or loaded with other columns.
   */
  async externalPartitions(
    schema: string,
    table: string,
    columns: readonly ExternalColumn[],
  ): Promise<ReadonlyMap<string, string> | undefined> {
    return this.serial(async () => {
      await this.db.exec(EXTERNAL_STATE_DDL);
      const loaded = await this.db.query<{ columns: string; partitions: Record<string, string> }>(
        `select columns, partitions from ${EXTERNAL_STATE} where schema_name = $1 and table_name = $2`,
        [schema, table],
      );
      const row = loaded.rows[0];
      if (!row || row.columns !== columnsSignature(columns)) return undefined;
      const present = await this.db.query<{ column_name: string }>(
        'select column_name from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position',
        [schema, table],
      );
      if (present.rows.map((r) => r.column_name).join(',') !== columns.map((c) => c.name).join(',')) return undefined;
      return new Map(Object.entries(row.partitions));
    });
  }

  /**
   * Loads CSV parts (header in each) into `schema.table`, standing for a Spectrum external table, in one
   * transaction: `replace: 'all'` makes the table anew (or empties it) first; `replace: { columns, partitions }` deletes
   * only the rows of those partitions (each a list of values as text, matched as text) before the parts are appended.
   * `fingerprints` is recorded as what the table now holds. One part is read at a time.
   */
  async loadExternalTable(load: {
    readonly schema: string;
    readonly table: string;
    readonly columns: readonly ExternalColumn[];
    readonly replace:
      | 'all'
      | { readonly columns: readonly string[]; readonly partitions: readonly (string | null)[][] };
    readonly parts: readonly Blob[];
    readonly fingerprints: ReadonlyMap<string, string>;
  }): Promise<void> {
    const { schema, table, columns, replace } = load;
    const name = `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
    const definition = columns.map((c) => `${quoteIdentifier(c.name)} ${c.type}`).join(', ');
    await this.serial(async () => {
      await this.db.exec(EXTERNAL_STATE_DDL);
      const existing = await this.db.query<{ column_name: string }>(
        'select column_name from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position',
        [schema, table],
      );
      const same = existing.rows.map((r) => r.column_name).join(',') === columns.map((c) => c.name).join(',');
      await this.db.transaction(async (tx) => {
        if (!same && replace !== 'all')
          throw new Error(`${schema}.${table}: a partial load needs the table as it was loaded`);
        // Spectrum grants by schema only: whoever may use the external schema reads each of its tables.
        if (!same)
          await tx.exec(
            `create schema if not exists ${quoteIdentifier(schema)}; drop table if exists ${name} cascade; create table ${name} (${definition}); grant select on ${name} to public;`,
          );
        else if (replace === 'all') await tx.exec(`truncate ${name}`);
        else if (replace.partitions.length > 0) {
          const keys = replace.columns.map((_, i) => `k${i} text`).join(', ');
          await tx.exec(`create temp table _dap_partitions (${keys}) on commit drop`);
          const placeholders = replace.columns.map((_, i) => `$${i + 1}`).join(', ');
          for (const partition of replace.partitions)
            await tx.query(`insert into _dap_partitions values (${placeholders})`, partition);
          const match = replace.columns
            .map((c, i) => `${name}.${quoteIdentifier(c)}::text is not distinct from p.k${i}`)
            .join(' and ');
          await tx.exec(`delete from ${name} using _dap_partitions p where ${match}`);
        }
        for (const part of load.parts) {
          await tx.query(`copy ${name} from '/dev/blob' with (format csv, header true)`, [], { blob: part });
        }
        await tx.query(
          `insert into ${EXTERNAL_STATE} values ($1, $2, $3, $4) on conflict (schema_name, table_name) do update set columns = excluded.columns, partitions = excluded.partitions`,
          [schema, table, columnsSignature(columns), JSON.stringify(Object.fromEntries(load.fingerprints))],
        );
      });
    });
  }

  /** An external schema is a plain schema here; whoever stands for Spectrum fills it (see `LocalWarehouse`). */
  async ensureExternalSchema(external: ExternalSchema): Promise<void> {
    await this.serial(() => this.db.exec(`create schema if not exists ${quoteIdentifier(external.schema)}`));
  }

  async appliedScripts(): Promise<readonly AppliedScript[]> {
    const result = await this.serial(async () => {
      await this.db.exec(
        `create schema if not exists ${quoteIdentifier(this.schema)}; ${rewriteRedshiftForLocal(historyTableDdl(this.schema))}`,
      );
      return this.db.query<{ script: string; version: string | number | null; checksum: string }>(
        historySelect(this.schema),
      );
    });
    // A history table made before dotted versions holds them as integers.
    return result.rows.map((row) => ({
      script: row.script,
      version: row.version === null ? null : String(row.version),
      checksum: row.checksum.trim(),
    }));
  }

  /**
   * The script and its history row in one transaction, as the Data API sends them in one BatchExecuteStatement;
   * refused, as there, when a statement is over 100,000 bytes. A script of more than 39 statements goes in batches
   * of at most 40, each its own transaction, as in AWS (`migrationBatches`): one failing leaves the earlier ones.
   */
  async applyScript(script: PendingScript, runId: string): Promise<void> {
    const { batches } = migrationBatches(script, this.schema, runId);
    if (batches.length === 1) {
      await this.serial(() =>
        this.db.transaction(async (tx) => {
          await tx.exec(rewriteRedshiftForLocal(script.sql, this.rewrite));
          await tx.exec(rewriteRedshiftForLocal(historyInsert(this.schema, script, runId)));
        }),
      );
      return;
    }
    for (const batch of batches) {
      const text = batch.sqls.map((sql) => rewriteRedshiftForLocal(sql, this.rewrite)).join(';\n');
      try {
        await this.serial(() => this.db.transaction((tx) => tx.exec(text)));
      } catch (error) {
        if (batch.before === 0 || !(error instanceof Error)) throw error;
        throw new Error(`${error.message}${committedBeforeNote(script, batch)}`, { cause: error });
      }
    }
  }

  async close(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      await this.unlock();
    }
  }
}

/** jsonb's text (`{"a": [1, 2]}`) as Redshift shows SUPER (`{"a":[1,2]}`): no blank after `,` and `:` outside strings. */
function compactJson(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    out += c;
    if (inString) {
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if ((c === ',' || c === ':') && text[i + 1] === ' ') i++;
  }
  return out;
}

/** Postgres type OIDs by the names Redshift gives them. */
const PG_TYPES: Record<number, string> = {
  16: 'boolean',
  17: 'bytea',
  18: 'char',
  20: 'bigint',
  21: 'smallint',
  23: 'integer',
  25: 'text',
  114: 'json',
  700: 'real',
  701: 'double precision',
  1042: 'char',
  1043: 'varchar',
  1082: 'date',
  1083: 'time',
  1114: 'timestamp',
  1184: 'timestamptz',
  1186: 'interval',
  1266: 'timetz',
  1700: 'numeric',
  3802: 'super',
};

function pgTypeName(oid: number): string {
  return PG_TYPES[oid] ?? `oid ${oid}`;
}

/**
 * A fresh PGlite database costs seconds (initdb); a copy of a template costs a fraction of that. The template is a
 * dump of an empty database, cached in the OS temp folder per PGlite version and in memory per process.
 */
let template: Promise<Blob> | undefined;

const COMPAT_VERSION = createHash('sha256').update(REDSHIFT_COMPAT_SQL).digest('hex');

/**
 * Installs the Redshift compatibility functions unless this database already holds this very version of them
 * (recorded in `dap_local.state`): a warehouse folder opened again skips the ~400 statements.
 */
async function installCompatOnce(db: PGlite): Promise<void> {
  const installed = await db
    .query<{ value: string }>("select value from dap_local.state where key = 'redshift_compat'")
    .catch(() => undefined);
  if (installed?.rows[0]?.value === COMPAT_VERSION) return;
  await db.exec(REDSHIFT_COMPAT_SQL);
  await db.exec(
    'create schema if not exists dap_local; create table if not exists dap_local.state (key text primary key, value text not null)',
  );
  await db.query(
    "insert into dap_local.state values ('redshift_compat', $1) on conflict (key) do update set value = excluded.value",
    [COMPAT_VERSION],
  );
}

async function openDatabase(dataDir: string | undefined): Promise<PGlite> {
  if (dataDir && existsSync(dataDir) && readdirSync(dataDir).length > 0) return PGlite.create(dataDir);
  template ??= loadTemplate();
  const loadDataDir = await template;
  if (dataDir) await mkdir(dataDir, { recursive: true });
  return dataDir ? PGlite.create(dataDir, { loadDataDir }) : PGlite.create({ loadDataDir });
}

async function loadTemplate(): Promise<Blob> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const { version } = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  // The template holds the compatibility layer already, so every database made from it starts with it installed.
  const file = join(tmpdir(), `dap-pglite-template-${version}-${COMPAT_VERSION.slice(0, 16)}.tar`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    const fresh = await PGlite.create();
    await installCompatOnce(fresh);
    const dump = await fresh.dumpDataDir('none');
    await fresh.close();
    const partial = `${file}.${process.pid}.tmp`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file);
    return dump;
  }
}
