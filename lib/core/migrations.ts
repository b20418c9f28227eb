import { createHash } from 'node:crypto';
import { databaseHistoryScripts } from './extract/history-sql.ts';
import { reportingRunnerRole, resourceNames } from './model/names.ts';
import type { Project, WarehouseScriptFile } from './model/project.ts';
import type { EnvironmentConfig } from './model/schemas.ts';
import type { AppliedScript, ExternalSchema, MigratableWarehouse, MigrationTarget, PendingScript } from './ports.ts';
import { renderWarehouseSql, type WarehouseBindings } from './sql/template.ts';

/**
 * Versioned, checksummed migrations of the reporting model, as Flyway runs them: versioned scripts apply once each,
 * in version order, and may never change after they ran; repeatable scripts (procedures) re-apply whenever their
 * text changes. Every applied script is recorded in the history table with its checksum and the run that applied
 * it. Pure planning plus one loop over a `MigrationTarget`, so Redshift (Data API) and PGlite apply the same way.
 */

/** The history table, in the reporting schema. */
export const MIGRATION_HISTORY_TABLE = 'dap_schema_history';

export interface WarehouseMigrationOutcome {
  readonly external_schemas: readonly string[];
  /** Scripts applied, in order; empty when the model was up to date. */
  readonly applied: readonly string[];
}

/**
 * The run-start step: the external schemas over the Glue stage and raw databases first (a migration may create a
 * view over an external table), then pending migrations and changed procedures, in order.
 */
export async function migrateWarehouse(
  warehouse: MigratableWarehouse,
  project: Project,
  environment: EnvironmentConfig,
  runId: string,
): Promise<WarehouseMigrationOutcome> {
  const names = resourceNames(environment);
  const external: ExternalSchema[] = [
    { schema: environment.redshift.stage_schema, glueDatabase: names.stageDatabase },
    { schema: environment.redshift.raw_schema, glueDatabase: names.rawDatabase },
  ];
  for (const schema of external) await warehouse.ensureExternalSchema(schema, runId);
  const scripts = warehouseScriptsWithRunner(project);
  const outcome = await migrate(warehouse, scripts, warehouseBindings(environment.redshift), runId);
  return { external_schemas: external.map((e) => e.schema), applied: outcome.applied.map((s) => s.script) };
}

/** The generated scripts' names in the history table; no file of the project has them. */
const RUNNER_ROLE_SCRIPT = '(generated) runner_role';
const RUNNER_GRANTS_SCRIPT = '(generated) runner_grants';

/**
 * The database role the procedure runner works under instead of sys:dba, owned by the platform rather than by any
 * project's migrations: created once (its text never changes, so as a repeatable script it applies once per
 * reporting schema).
 */
export function runnerRoleScript(): WarehouseScriptFile {
  const text = [
    '-- generated: the role the reporting Lambda works under (see runner_grants for what it may do)',
    'create role {{runner_role}};',
    '',
  ].join('\n');
  return { file: RUNNER_ROLE_SCRIPT, kind: 'repeatable', description: 'runner_role', text };
}

/**
 * What the procedures need of their caller, and nothing more: USAGE on the reporting schema and on the Spectrum
 * schemas over the stage and raw databases (Spectrum grants no more per table), rows of the reporting tables to read
 * and write (those created later too), and EXECUTE on the reporting procedures. No CREATE on any schema, so the
 * role creates, alters and drops no object, and it reaches no other schema. Procedures run as their caller
 * (SECURITY INVOKER, Redshift's default), so a procedure may COMMIT and record its failure before it raises.
 */
export function runnerGrantsScript(): WarehouseScriptFile {
  const text = [
    '-- generated: the runner role may use the reporting and Spectrum schemas, read and write reporting rows, run procedures',
    'grant usage on schema {{reporting_schema}} to role {{runner_role}};',
    'grant usage on schema {{stage_schema}} to role {{runner_role}};',
    'grant usage on schema {{raw_schema}} to role {{runner_role}};',
    'grant select, insert, update, delete on all tables in schema {{reporting_schema}} to role {{runner_role}};',
    'alter default privileges in schema {{reporting_schema}} grant select, insert, update, delete on tables to role {{runner_role}};',
    'grant execute on all procedures in schema {{reporting_schema}} to role {{runner_role}};',
    'alter default privileges in schema {{reporting_schema}} grant execute on procedures to role {{runner_role}};',
    '',
  ].join('\n');
  return { file: RUNNER_GRANTS_SCRIPT, kind: 'repeatable', description: 'runner_grants', text };
}

/**
 * The project's reporting scripts, then the history registration generated from each database source's config,
 * then the runner role and its grants (when there is a family to run).
 */
export function warehouseScriptsWithRunner(project: Project): WarehouseScriptFile[] {
  const runner = project.reportingFamilies.length > 0 ? [runnerRoleScript(), runnerGrantsScript()] : [];
  return [...project.warehouseScripts, ...databaseHistoryScripts(project), ...runner];
}

/** An applied migration whose file changed, or that is gone: the model no longer matches its scripts. */
export class MigrationMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationMismatchError';
  }
}

/** Flyway's file names: `V<version>__<description>.sql` (versions `2`, `2.1`, `0_1_23`) and `R__<description>.sql`. */
export const FLYWAY_VERSIONED = /^V(\d+(?:[._]\d+)*)__(.+)\.sql$/;
export const FLYWAY_REPEATABLE = /^R__(.+)\.sql$/;

/**
 * Flyway's version order: the parts between `.` (or `_`) compare as numbers, left to right, a missing part counting
 * as 0 (`1.10` after `1.9`, `2` equal to `2.0`).
 */
export function compareMigrationVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[._]/).map((p) => BigInt(p));
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0n) - (y[i] ?? 0n);
    if (d !== 0n) return d < 0n ? -1 : 1;
  }
  return 0;
}

/** sha256 of the script as written (line endings normalised), before placeholders are filled. */
export function scriptChecksum(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}

/**
 * What must run, in order. Throws `MigrationMismatchError` when an applied versioned script changed or was removed,
 * or when a new versioned script is older than one already applied (it would run out of order).
 */
export function planMigrations(
  scripts: readonly WarehouseScriptFile[],
  applied: readonly AppliedScript[],
  bindings: WarehouseBindings,
): PendingScript[] {
  const problems: string[] = [];
  const latest = new Map<string, AppliedScript>();
  for (const record of applied) latest.set(record.script, record);
  const highestApplied = applied
    .map((a) => a.version)
    .filter((v): v is string => v !== null)
    .reduce<string | undefined>((a, b) => (a === undefined || compareMigrationVersions(b, a) > 0 ? b : a), undefined);
  const pending: PendingScript[] = [];
  for (const script of scripts) {
    const checksum = scriptChecksum(script.text);
    const record = latest.get(script.file);
    const version = script.kind === 'versioned' ? script.version : null;
    if (script.kind === 'versioned' && record) {
      if (record.checksum !== checksum) {
        problems.push(
          `${script.file} was changed after it was applied (checksum ${record.checksum.slice(0, 12)}… applied, ` +
            `${checksum.slice(0, 12)}… now): add a new migration instead of editing an applied one`,
        );
      }
      continue;
    }
    if (
      script.kind === 'versioned' &&
      highestApplied !== undefined &&
      compareMigrationVersions(script.version, highestApplied) < 0
    ) {
      problems.push(
        `${script.file} (version ${script.version}) is older than version ${highestApplied}, which is already applied: give it a higher version`,
      );
      continue;
    }
    if (script.kind === 'repeatable' && record?.checksum === checksum) continue;
    pending.push({
      script: script.file,
      version,
      description: script.description,
      checksum,
      sql: renderWarehouseSql(script.text, bindings),
    });
  }
  const present = new Set(scripts.map((s) => s.file));
  for (const record of applied) {
    if (record.version !== null && !present.has(record.script)) {
      problems.push(`${record.script} (version ${record.version}) was applied but is no longer in the project`);
    }
  }
  if (problems.length > 0) throw new MigrationMismatchError(`reporting model migrations: ${problems.join('; ')}`);
  return pending;
}

export interface MigrationOutcome {
  readonly applied: readonly PendingScript[];
}

/** Applies what `planMigrations` says is pending, one script per transaction, stopping at the first failure. */
export async function migrate(
  target: MigrationTarget,
  scripts: readonly WarehouseScriptFile[],
  bindings: WarehouseBindings,
  runId: string,
): Promise<MigrationOutcome> {
  const pending = planMigrations(scripts, await target.appliedScripts(), bindings);
  for (const script of pending) {
    try {
      await target.applyScript(script, runId);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new MigrationFailedError(`${script.script} failed to apply: ${reason}`, { cause: error });
    }
  }
  return { applied: pending };
}

export class MigrationFailedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationFailedError';
  }
}

/**
 * A version as the history table takes it: a whole number unquoted, so a table made when the column was an integer
 * still takes it (and a varchar column converts it on assignment); a dotted one as text.
 */
function versionLiteral(version: string | null): string {
  if (version === null) return 'null';
  return /^\d+$/.test(version) ? String(BigInt(version)) : `'${version}'`;
}

/** The history table's DDL, valid in Redshift and Postgres. */
export function historyTableDdl(schema: string): string {
  return (
    `create table if not exists ${schema}.${MIGRATION_HISTORY_TABLE} (` +
    'installed_rank integer not null, script varchar(512) not null, version varchar(64), description varchar(512), ' +
    'checksum char(64) not null, run_id varchar(128) not null, applied_at timestamp not null)'
  );
}

/** The history row for `script`, as an INSERT; values are from validated files and run ids, quoted here. */
export function historyInsert(schema: string, script: PendingScript, runId: string): string {
  const q = (value: string) => `'${value.replaceAll("'", "''")}'`;
  return (
    `insert into ${schema}.${MIGRATION_HISTORY_TABLE} ` +
    '(installed_rank, script, version, description, checksum, run_id, applied_at) ' +
    `select coalesce(max(installed_rank), 0) + 1, ${q(script.script)}, ${versionLiteral(script.version)}, ` +
    `${q(script.description)}, ${q(script.checksum)}, ${q(runId)}, getdate() from ${schema}.${MIGRATION_HISTORY_TABLE}`
  );
}

export function historySelect(schema: string): string {
  return `select script, version, checksum from ${schema}.${MIGRATION_HISTORY_TABLE} order by installed_rank`;
}

/** Placeholder values for an environment's reporting scripts. */
export function warehouseBindings(redshift: {
  readonly schema: string;
  readonly stage_schema: string;
  readonly raw_schema: string;
}): WarehouseBindings {
  return {
    reporting_schema: redshift.schema,
    stage_schema: redshift.stage_schema,
    raw_schema: redshift.raw_schema,
    runner_role: reportingRunnerRole(redshift.schema),
  };
}
