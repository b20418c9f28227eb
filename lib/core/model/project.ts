/**
 * The project model: what the loader (`lib/config/loader.ts`) makes of the files under config/, athena-scripts/
 * and redshift-scripts/, and what every other layer reads. The schemas beside this file are its single source.
 */
import type { ApiSource } from './api-source-schema.ts';
import type { DatabaseSource } from './database-source-schema.ts';
import type { FileSource } from './file-source-schema.ts';
import { ConfigError, type Problem } from './problems.ts';
import type {
  Column,
  EnvironmentConfig,
  FamilyEventEntry,
  ProductFamilyEntry,
  RawSource,
  ReportingFamilyEntry,
  StageTable,
} from './schemas.ts';

/** The folders the loader reads; the stack uploads the same folders to the metadata bucket. */
export const PROJECT_FOLDERS = ['config', 'athena-scripts', 'redshift-scripts'] as const;

export const PATHS = {
  environments: 'config/environments',
  processScripts: 'athena-scripts/process_scripts',
  productFamilies: 'athena-scripts/process_scripts/product_family_config.json',
  stageTables: 'athena-scripts/stage_tables',
  rawTables: 'athena-scripts/raw_tables',
  insertInto: 'athena-scripts/dml/insert_into',
  reportingFamilies: 'redshift-scripts/reporting_model_product_family_config.json',
  warehouseMigrations: 'redshift-scripts/migrations',
  warehouseProcedures: 'redshift-scripts/procedures',
  fileSources: 'config/sources/files',
  apiSources: 'config/sources/apis',
  databaseSources: 'config/sources/databases',
} as const;

export interface StageTableDef extends StageTable {
  readonly file: string;
  /** Table name in the stage database. */
  readonly table: string;
}

export interface RawTableDef {
  readonly file: string;
  readonly source: string;
  readonly table: string;
  readonly format: RawSource['format'];
  /** How dap writes the table's files: gzip NDJSON (`.json.gz`) or plain (`.json`). */
  readonly compression: RawSource['compression'];
  /** Key prefix inside the raw bucket, without a trailing slash. */
  readonly location: string;
  readonly columns: readonly Column[];
  readonly partition_columns: readonly Column[];
  /**
   * A database source's table (`config/sources/databases/`): readers see only promoted extracts, the snapshot
   * folders its promotion record names (Glue partitions registered at promotion in AWS; no projection), never an
   * extract still running or one whose checks failed.
   */
  readonly promotedExtracts?: true;
}

export interface SqlFile {
  readonly file: string;
  readonly text: string;
}

/**
 * A script of the reporting model: a versioned migration (`migrations/V<version>__<description>.sql`, Flyway's
 * names: `V3__x`, `V2.1__X`; applied once, in Flyway's version order, never edited after it ran) or a repeatable
 * one (`procedures/<name>.sql`, or Flyway's `migrations/R__<name>.sql`, re-applied whenever its
 * text changes), as Flyway names them.
 */
export type WarehouseScriptFile =
  | (SqlFile & { readonly kind: 'versioned'; readonly version: string; readonly description: string })
  | (SqlFile & { readonly kind: 'repeatable'; readonly description: string });

/** A source config file, by the source it names (which must match the file name). */
export type SourceDef<T> = T & { readonly file: string };

export interface FamilyEventsFile {
  readonly file: string;
  readonly events: readonly FamilyEventEntry[];
}

/** Everything under config/, athena-scripts/ and redshift-scripts/, parsed and schema-checked. */
export interface Project {
  readonly root: string;
  readonly environments: ReadonlyMap<string, EnvironmentConfig>;
  readonly families: readonly ProductFamilyEntry[];
  /** By the family named in the file name (`<family>_config.json`). */
  readonly familyEvents: ReadonlyMap<string, FamilyEventsFile>;
  /** By product family. */
  readonly stageTables: ReadonlyMap<string, StageTableDef>;
  /** By raw table name (the event name for event sources). */
  readonly rawTables: ReadonlyMap<string, RawTableDef>;
  /** By event name. */
  readonly insertSql: ReadonlyMap<string, SqlFile>;
  readonly reportingFamilies: readonly ReportingFamilyEntry[];
  /** Versioned migrations in version order, then repeatable scripts in name order: the order they are applied. */
  readonly warehouseScripts: readonly WarehouseScriptFile[];
  /** By source name. */
  readonly fileSources: ReadonlyMap<string, SourceDef<FileSource>>;
  /** By source name. */
  readonly apiSources: ReadonlyMap<string, SourceDef<ApiSource>>;
  /** By source name. */
  readonly databaseSources: ReadonlyMap<string, SourceDef<DatabaseSource>>;
  /**
   * What a run leaves out, for a project loaded to run (`runnableProject`): each enabled event and reporting family
   * its problems stop, with them. A run reports each FAILED with its problem. Absent: nothing is left out.
   */
  readonly blocked?: BlockedParts;
}

export interface BlockedParts {
  readonly events: ReadonlyMap<string, readonly Problem[]>;
  readonly reporting: ReadonlyMap<string, readonly Problem[]>;
}

/** The named environment of the project, or a ConfigError naming the file that should define it. */
export function environment(project: Project, name: string): EnvironmentConfig {
  const env = project.environments.get(name);
  if (!env) {
    const known = [...project.environments.keys()].join(', ') || 'none';
    throw new ConfigError([
      { file: `${PATHS.environments}/${name}.json`, message: `no valid environment "${name}" (known: ${known})` },
    ]);
  }
  return env;
}
