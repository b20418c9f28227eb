import { openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateWarehouse, type WarehouseMigrationOutcome, warehouseScriptsWithRunner } from '../core/migrations.ts';
import { parseColumnType, toRedshiftType } from '../core/model/column-types.ts';
import { reportingRunnerRole } from '../core/model/names.ts';
import type { Column } from '../core/model/schemas.ts';
import type { AppliedScript, ExternalSchema, MigratableWarehouse, PendingScript, Warehouse } from '../core/ports.ts';
import { quoteIdentifier } from '../core/sql/identifiers.ts';
import { externalColumnReader, referencedExternalTables } from '../core/sql/template.ts';
import { PgliteWarehouse } from '../engines/local/pglite-warehouse.ts';
import { type LocalContext, localLockWait } from './context.ts';

/**
 * The twin's Redshift: a PGlite database in `<dataDir>/_warehouse/<env>`, migrated from `redshift-scripts/`, with the
 * stage and raw tables the scripts read copied in from the local query engine once per run, standing for the
 * Spectrum external schemas over the Glue databases.
 */
export class LocalWarehouse implements Warehouse, MigratableWarehouse {
  /** The run whose copy the external schemas hold, and which of them it has filled. */
  private copied: { runId: string; schemas: Set<string> } | undefined;

  private constructor(
    private readonly context: LocalContext,
    readonly database: PgliteWarehouse,
  ) {}

  static folder(context: Pick<LocalContext, 'dataDir' | 'environment'>): string {
    return join(context.dataDir, '_warehouse', context.environment.name);
  }

  static async open(context: LocalContext, options: { readonly inMemory?: boolean } = {}): Promise<LocalWarehouse> {
    const database = await PgliteWarehouse.open({
      ...(options.inMemory ? {} : { dataDir: LocalWarehouse.folder(context), ...localLockWait() }),
      schema: context.environment.redshift.schema,
      database: context.environment.redshift.database,
    });
    return new LocalWarehouse(context, database);
  }

  /** The run-start step (`migrateWarehouse`): external schemas filled, then pending migrations applied. */
  migrate(runId: string): Promise<WarehouseMigrationOutcome> {
    return migrateWarehouse(this, this.context.project, this.context.environment, runId);
  }

  appliedScripts(): Promise<readonly AppliedScript[]> {
    return this.database.appliedScripts();
  }

  applyScript(script: PendingScript, runId: string): Promise<void> {
    return this.database.applyScript(script, runId);
  }

  /** Locally an external schema is a plain schema holding copies of the tables the scripts read from it. */
  async ensureExternalSchema(external: ExternalSchema, runId: string): Promise<void> {
    await this.database.ensureExternalSchema(external);
    await this.refreshExternalTables(external.schema);
    if (this.copied?.runId !== runId) this.copied = { runId, schemas: new Set() };
    this.copied.schemas.add(external.schema);
  }

  /**
   * Brings every stage and raw table the reporting scripts read (or those of one schema) up to date in the local
   * external schemas: `tables`, each standing there now; `loads`, what was copied for each that changed (every
   * partition the first time or when its columns changed, else the partitions that changed since the last copy).
   */
  async refreshExternalTables(onlySchema?: string): Promise<{
    readonly tables: readonly string[];
    readonly loads: readonly { readonly table: string; readonly partitions: number | 'all' }[];
  }> {
    const { project, environment, names, engine } = this.context;
    const { stage_schema, raw_schema } = environment.redshift;
    // The generated ones too: a database source's history reads its raw tables.
    const scripts = warehouseScriptsWithRunner(project).map((s) => s.text);
    const wanted = referencedExternalTables(scripts);
    const columnsRead = externalColumnReader(scripts);
    const folder = await mkdtemp(join(tmpdir(), 'dap-external-'));
    const tables: string[] = [];
    const loads: { table: string; partitions: number | 'all' }[] = [];
    try {
      for (const { placeholder, table } of wanted) {
        const stage = placeholder === 'stage_schema';
        const def = stage ? project.stageTables.get(table) : project.rawTables.get(table);
        const source = {
          database: stage ? names.stageDatabase : names.rawDatabase,
          schema: stage ? stage_schema : raw_schema,
        };
        if (!def || (onlySchema !== undefined && source.schema !== onlySchema)) continue;
        // Partition columns (processed_date, event_name) are ordinary columns of the Glue table Spectrum reads. Only
        // the columns the scripts can read are copied (the partition columns always, to know what to replace), and
        // only the partitions whose rows changed since the last copy, in parts of bounded size read one at a time.
        const all: readonly Column[] = [...def.columns, ...def.partition_columns];
        const partitionColumns = def.partition_columns.map((c) => c.name);
        const named = columnsRead(
          { placeholder, table },
          all.map((c) => c.name),
        );
        if (named.length === 0) continue;
        const read = new Set([...named, ...partitionColumns]);
        const columns = all.filter((c) => read.has(c.name));
        const external = columns.map(externalColumn);
        const now = await engine.partitionFingerprints(
          source.database,
          table,
          partitionColumns,
          columns.map((c) => c.name),
        );
        const before = await this.database.externalPartitions(source.schema, table, external);
        const changed = before ? [...now].filter(([key, print]) => before.get(key) !== print).map(([key]) => key) : [];
        const removed = before ? [...before.keys()].filter((key) => !now.has(key)) : [];
        tables.push(`${source.schema}.${table}`);
        if (before && changed.length === 0 && removed.length === 0) continue;
        const parts = join(folder, table);
        const files =
          before && changed.length === 0
            ? []
            : await engine.exportCsvParts(source.database, table, columns.map(exportExpression), parts, {
                ...(before ? { partitions: { columns: partitionColumns, keys: changed } } : {}),
              });
        await this.database.loadExternalTable({
          schema: source.schema,
          table,
          columns: external,
          replace: before
            ? {
                columns: partitionColumns,
                partitions: [...changed, ...removed].map((key) => JSON.parse(key) as (string | null)[]),
              }
            : 'all',
          parts: await Promise.all(files.map((file) => openAsBlob(file))),
          fingerprints: now,
        });
        loads.push({
          table: `${source.schema}.${table}`,
          partitions: before ? changed.length + removed.length : 'all',
        });
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    return { tables, loads };
  }

  /**
   * Reads the external tables as they are for this run (the first argument of a reporting procedure is its run id):
   * copied by the run's migration step, or here on a run's first call when that step did not run. The reporting step
   * runs after every family, so stage does not change between a run's procedures.
   */
  async callProcedure(schema: string, procedure: string, args: readonly string[]) {
    const runId = args[0];
    const { stage_schema, raw_schema } = this.context.environment.redshift;
    const copied = this.copied;
    const current =
      runId !== undefined &&
      copied?.runId === runId &&
      copied.schemas.has(stage_schema) &&
      copied.schemas.has(raw_schema);
    if (!current) {
      await this.refreshExternalTables();
      if (runId !== undefined) this.copied = { runId, schemas: new Set([stage_schema, raw_schema]) };
    }
    // As the reporting Lambda in AWS: under the platform's runner role, not as the superuser.
    return this.database.callProcedure(schema, procedure, args, { asRole: reportingRunnerRole(schema) });
  }

  close(): Promise<void> {
    return this.database.close();
  }
}

function exportExpression(column: Column): string {
  const name = quoteIdentifier(column.name);
  const type = parseColumnType(column.type);
  return type.kind === 'array' || type.kind === 'map' || type.kind === 'struct'
    ? `to_json(${name})::varchar as ${name}`
    : name;
}

/** How a Glue column reads through Spectrum, as a Postgres type. */
export function externalColumn(column: Column): { name: string; type: string } {
  return { name: column.name, type: toRedshiftType(parseColumnType(column.type)) ?? 'varchar' };
}
