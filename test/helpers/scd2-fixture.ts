import { loadProject } from '../../lib/config/loader.ts';
import { databaseHistoryScripts } from '../../lib/core/extract/history-sql.ts';
import { migrate, warehouseBindings } from '../../lib/core/migrations.ts';
import type { Project, WarehouseScriptFile } from '../../lib/core/model/project.ts';
import { referencedExternalTables } from '../../lib/core/sql/template.ts';
import { PgliteWarehouse } from '../../lib/engines/local/pglite-warehouse.ts';
import { externalColumn } from '../../lib/local/local-warehouse.ts';
import { REPO_ROOT } from './twin-fixture.ts';

/**
 * The single customer view family's scripts on a bare local warehouse (PGlite), with empty stand-ins for every
 * Spectrum table they read, so a test or a benchmark can load crafted rows and CALL the real procedures, much faster
 * than a twin run. Only this family's scripts are migrated (V001 and V020..V049, scd2_ and scv_ scripts, and the
 * generated history of database sources), so work in progress on other families cannot break these tests.
 */
export interface ScvWarehouse {
  readonly warehouse: PgliteWarehouse;
  readonly schema: string;
  readonly rawSchema: string;
  readonly stageSchema: string;
  close(): Promise<void>;
}

export const CRM_ENTITY = 'crm_contact';

export function isScvScript(script: WarehouseScriptFile): boolean {
  if (script.kind === 'versioned') {
    const version = Number(script.version);
    return version === 1 || (version >= 20 && version <= 49);
  }
  return /\/(scd2_|scv_|sp_scd2_|sp_scv_|sp_single_customer_view)[a-z0-9_]*\.sql$/.test(script.file);
}

export async function openScvWarehouse(): Promise<ScvWarehouse> {
  const project = loadProject(REPO_ROOT);
  // With the history dap registers from database sources' config: the view of timetable staff is one of its sources.
  return openProjectWarehouse(project, [
    ...project.warehouseScripts.filter(isScvScript),
    ...databaseHistoryScripts(project),
  ]);
}

/** The given reporting scripts of the shipped project on a bare local warehouse, with empty Spectrum stand-ins. */
export async function openProjectWarehouse(
  project: Project,
  scripts: readonly WarehouseScriptFile[],
): Promise<ScvWarehouse> {
  const redshift = { schema: 'conformed', stage_schema: 'spectrum_stage', raw_schema: 'spectrum_raw' };
  const warehouse = await PgliteWarehouse.open({ schema: redshift.schema });
  for (const { placeholder, table } of referencedExternalTables(scripts.map((s) => s.text))) {
    const stage = placeholder === 'stage_schema';
    const def = stage ? project.stageTables.get(table) : project.rawTables.get(table);
    if (!def) throw new Error(`${placeholder}.${table} is named by the reporting scripts but not declared`);
    const columns = [...def.columns, ...def.partition_columns].map(externalColumn);
    const header = columns.map((c) => c.name).join(',');
    const schema = stage ? redshift.stage_schema : redshift.raw_schema;
    await warehouse.loadExternalTable({
      schema,
      table,
      columns,
      replace: 'all',
      parts: [new Blob([`${header}\n`])],
      fingerprints: new Map(),
    });
  }
  await migrate(warehouse, scripts, warehouseBindings(redshift), 'fixture');
  return {
    warehouse,
    schema: redshift.schema,
    rawSchema: redshift.raw_schema,
    stageSchema: redshift.stage_schema,
    close: () => warehouse.close(),
  };
}

export interface CrmContact {
  readonly contact_id: string | null;
  readonly first_name?: string | null;
  readonly last_name?: string | null;
  readonly email?: string | null;
  readonly phone?: string | null;
  readonly organisation?: string | null;
  readonly status?: string | null;
  readonly updated_on?: string | null;
}

const CRM_ATTRIBUTES = ['first_name', 'last_name', 'email', 'phone', 'organisation', 'status', 'updated_on'] as const;

export function sqlLiteral(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Appends one CRM snapshot file to `spectrum_raw.crm_contacts` as file ingestion writes it (lineage columns included):
 * every row carries `snapshotDate` and the file's hash (default: derived from the date), rows numbered from 2.
 */
export async function loadCrmSnapshot(
  scv: ScvWarehouse,
  snapshotDate: string,
  rows: readonly CrmContact[],
  options: { readonly fileHash?: string; readonly ingestedAt?: string } = {},
): Promise<void> {
  if (rows.length === 0) {
    // An empty full snapshot still exists as a file: a row with a blank key carries its date and hash.
    rows = [{ contact_id: null }];
  }
  const fileHash = options.fileHash ?? `file-${snapshotDate}`;
  const ingestedAt = options.ingestedAt ?? `${snapshotDate} 06:00:00`;
  const values = rows.map((row, index) => {
    const cells = [
      sqlLiteral('crm_contacts'),
      sqlLiteral(`crm_contacts/crm_contacts_${snapshotDate}.csv`),
      String(index + 2),
      sqlLiteral(fileHash),
      sqlLiteral('v1'),
      sqlLiteral(`ingest-${fileHash}`),
      `cast(${sqlLiteral(ingestedAt)} as timestamp)`,
      sqlLiteral(`row-${index}`),
      `cast(${sqlLiteral(snapshotDate)} as date)`,
      sqlLiteral(ingestedAt.slice(0, 10)),
      sqlLiteral(row.contact_id),
      ...CRM_ATTRIBUTES.map((name) =>
        name === 'updated_on' ? `cast(${sqlLiteral(row[name])} as date)` : sqlLiteral(row[name]),
      ),
    ];
    return `(${cells.join(', ')})`;
  });
  await scv.warehouse.execute(
    `insert into ${scv.rawSchema}.crm_contacts (source, source_key, source_row, file_hash, mapping_version, ingest_run_id, ` +
      `ingested_at, row_hash, snapshot_date, ingest_date, contact_id, ${CRM_ATTRIBUTES.join(', ')}) values ${values.join(',\n')}`,
  );
}

/** CALL conformed.sp_scd2_refresh(run_id, 'crm_contact'). */
export async function refreshCrm(scv: ScvWarehouse, runId: string): Promise<void> {
  await scv.warehouse.callProcedure(scv.schema, 'sp_scd2_refresh', [runId, CRM_ENTITY]);
}

/**
 * Benchmark helper: appends a generated CRM snapshot of `keys` contacts (ids K0000001...) dated `snapshotDate`, in which
 * `changedPercent`% of the keys (every key whose number modulo 100 is below it) carry the values of `generation`
 * and the rest the values of generation 0. Generated inside the warehouse (generate_series), so 1M keys load in
 * seconds. Apply it with `refreshCrm`; load generation 0 first, then e.g. generation 1 with 1 or 10 %.
 */
export async function loadGeneratedCrmSnapshot(
  scv: ScvWarehouse,
  options: {
    readonly keys: number;
    readonly snapshotDate: string;
    readonly changedPercent?: number;
    readonly generation?: number;
  },
): Promise<void> {
  const changed = Math.max(0, Math.min(100, Math.trunc(options.changedPercent ?? 0)));
  const generation = Math.trunc(options.generation ?? 0);
  const date = sqlLiteral(options.snapshotDate);
  const version = `case when i % 100 < ${changed} then ${generation} else 0 end`;
  await scv.warehouse.execute(
    `insert into ${scv.rawSchema}.crm_contacts (source, source_key, source_row, file_hash, mapping_version, ` +
      `ingest_run_id, ingested_at, row_hash, snapshot_date, ingest_date, contact_id, first_name, last_name, email, ` +
      `phone, organisation, status, updated_on) ` +
      `select 'crm_contacts', 'generated', i + 1, 'generated-' || ${date}, 'v1', 'generated', ` +
      `cast(${date} as timestamp), 'row-' || i, cast(${date} as date), ${date}, 'K' || lpad(i::text, 7, '0'), ` +
      `'First' || i, 'Last' || (${version}), 'person' || i || '.v' || (${version}) || '@example.com', ` +
      `'0113' || lpad(i::text, 7, '0'), 'Org ' || (i % 1000), 'active', date '2025-12-01' + (${version}) ` +
      `from generate_series(1, ${Math.trunc(options.keys)}) as i`,
  );
}

/**
 * Every base table of the reporting schema, each as its rows sorted by all columns, for "nothing changed" checks.
 * `procedure_audit` (one row per call by design) and the migration history are left out.
 */
export async function dumpReportingTables(scv: ScvWarehouse): Promise<Record<string, string>> {
  const tables = await scv.warehouse.query(
    `select table_name from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE' ` +
      `and table_name not in ('procedure_audit', 'dap_schema_history') order by table_name`,
    [scv.schema],
  );
  const dump: Record<string, string> = {};
  for (const { table_name } of tables.rows as { table_name: string }[]) {
    const columns = await scv.warehouse.query(
      'select count(*)::int as n from information_schema.columns where table_schema = $1 and table_name = $2',
      [scv.schema, table_name],
    );
    const n = Number(columns.rows[0]?.n);
    const order = Array.from({ length: n }, (_, i) => i + 1).join(', ');
    const rows = await scv.warehouse.query(`select * from ${scv.schema}.${table_name} order by ${order}`);
    dump[table_name] = JSON.stringify(rows.rows, (_key, value) =>
      typeof value === 'bigint' ? value.toString() : value,
    );
  }
  return dump;
}

/** Inserts rows into a Spectrum stand-in table, naming only the columns given (the others stay NULL). */
export async function insertExternalRows(
  scv: ScvWarehouse,
  table: string,
  rows: readonly Record<string, string | number | boolean | null>[],
): Promise<void> {
  for (const row of rows) {
    const names = Object.keys(row);
    await scv.warehouse.execute(
      `insert into ${table} (${names.join(', ')}) values (${names.map((name) => sqlLiteral(row[name])).join(', ')})`,
    );
  }
}

/** The reporting schema's history of CRM contacts, oldest version first per key. */
export async function crmHistory(scv: ScvWarehouse): Promise<CrmVersion[]> {
  const result = await scv.warehouse.query(
    `select contact_id, to_char(valid_from, 'YYYY-MM-DD') as valid_from, to_char(valid_to, 'YYYY-MM-DD') as valid_to, ` +
      `is_current, is_deleted, first_name, last_name, email, phone, organisation, status, ` +
      `to_char(updated_on, 'YYYY-MM-DD') as updated_on from ${scv.schema}.dim_crm_contact_history ` +
      'order by contact_id, valid_from',
  );
  return result.rows as unknown as CrmVersion[];
}

export interface CrmVersion {
  readonly contact_id: string;
  readonly valid_from: string;
  readonly valid_to: string;
  readonly is_current: boolean;
  readonly is_deleted: boolean;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly organisation: string | null;
  readonly status: string | null;
  readonly updated_on: string | null;
}

/** Active change history rows (not superseded): `<date> <type> <key>`, sorted. */
export async function crmChanges(scv: ScvWarehouse): Promise<string[]> {
  const result = await scv.warehouse.query(
    `select to_char(snapshot_date, 'YYYY-MM-DD') || ' ' || change_type || ' ' || native_key as change ` +
      `from ${scv.schema}.scd2_change_history_current where entity = '${CRM_ENTITY}' order by 1`,
  );
  return result.rows.map((row) => String(row.change));
}

/** Empties the CRM source and every CRM row of the history tables, for the next property-test sequence. */
export async function resetCrm(scv: ScvWarehouse): Promise<void> {
  const s = scv.schema;
  await scv.warehouse.execute(
    `delete from ${scv.rawSchema}.crm_contacts; ` +
      ['scd2_history', 'scd2_change_history', 'scd2_applied_snapshot', 'scd2_reject']
        .map((table) => `delete from ${s}.${table} where entity = '${CRM_ENTITY}';`)
        .join(' '),
  );
}
