import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { z } from 'zod';
import { type ApiSource, apiSourceSchema } from './api-source-schema.ts';
import { type FileSource, fileSourceSchema } from './file-source-schema.ts';
import { ConfigError, type Problem, zodProblems } from './problems.ts';
import {
  type Column,
  type EnvironmentConfig,
  environmentSchema,
  type FamilyEventEntry,
  familyEventListSchema,
  type ProductFamilyEntry,
  productFamilyListSchema,
  type RawSource,
  type ReportingFamilyEntry,
  rawSourceSchema,
  reportingFamilyListSchema,
  type StageTable,
  stageTableSchema,
} from './schemas.ts';
import { ColumnTypeError, parseColumnType } from './types.ts';

/** Where each kind of file lives, relative to the project root. */
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
  /** Key prefix inside the raw bucket, without a trailing slash. */
  readonly location: string;
  readonly columns: readonly Column[];
  readonly partition_columns: readonly Column[];
}

export interface SqlFile {
  readonly file: string;
  readonly text: string;
}

/**
 * A script of the reporting model: a versioned migration (`migrations/V<n>__<description>.sql`, applied once, in
 * version order, never edited after it ran) or a repeatable one (`procedures/<name>.sql`, re-applied whenever its
 * text changes), as Flyway names them.
 */
export type WarehouseScriptFile =
  | (SqlFile & { readonly kind: 'versioned'; readonly version: number; readonly description: string })
  | (SqlFile & { readonly kind: 'repeatable'; readonly description: string });

const MIGRATION_NAME = /^V(\d+)__([a-z0-9_]+)\.sql$/;
const PROCEDURE_NAME = /^([a-z][a-z0-9_]*)\.sql$/;

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
}

/** A project's files by path relative to its root (`/` separators), from disk or from the metadata bucket. */
export type ProjectFiles = ReadonlyMap<string, string>;

/** Reads every file of the project folders under `root`. */
export function readProjectFiles(root: string): ProjectFiles {
  const files = new Map<string, string>();
  for (const folder of PROJECT_FOLDERS) {
    let entries: string[];
    try {
      entries = readdirSync(join(root, folder), { recursive: true }) as string[];
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') continue;
      throw error;
    }
    for (const entry of entries.sort()) {
      const full = join(root, folder, entry);
      if (!statSync(full).isFile()) continue;
      files.set(relative(root, full).split(sep).join('/'), readFileSync(full, 'utf8'));
    }
  }
  return files;
}

export interface LoadResult {
  readonly project: Project;
  readonly problems: readonly Problem[];
}

/**
 * Reads and validates every config and script file. Never stops at the first problem: a file that fails is left
 * out of the project and each of its problems is returned, so `dap check` can list them all.
 */
export function readProject(root: string): LoadResult {
  return parseProject(readProjectFiles(root), root);
}

/** `readProject` over files already in memory; `root` only labels the project. */
export function parseProject(files: ProjectFiles, root = '.'): LoadResult {
  const problems: Problem[] = [];
  const reader = new FileReader(files, problems);

  const environments = new Map<string, EnvironmentConfig>();
  for (const name of reader.list(PATHS.environments, '.json')) {
    const file = `${PATHS.environments}/${name}`;
    const env = reader.json(file, environmentSchema);
    if (!env) continue;
    if (`${env.name}.json` !== name) {
      problems.push({ file, at: 'name', message: `expected "${name.replace(/\.json$/, '')}" to match the file name` });
      continue;
    }
    environments.set(env.name, env);
  }

  const families = reader.json(PATHS.productFamilies, productFamilyListSchema, { required: true }) ?? [];
  reportDuplicates(
    families.map((f) => f.product_family),
    (name, index) =>
      problems.push({
        file: PATHS.productFamilies,
        at: `[${index}].product_family`,
        message: `family "${name}" is listed twice`,
      }),
  );

  const familyEvents = new Map<string, FamilyEventsFile>();
  for (const name of reader.list(PATHS.processScripts, '_config.json')) {
    const file = `${PATHS.processScripts}/${name}`;
    if (file === PATHS.productFamilies) continue;
    const family = name.slice(0, -'_config.json'.length);
    const events = reader.json(file, familyEventListSchema);
    if (!events) continue;
    events.forEach((event, index) => {
      if (event.product_family !== family) {
        problems.push({
          file,
          at: `[${index}].product_family`,
          message: `expected "${family}" (the family this file is named after) but found "${event.product_family}"`,
        });
      }
    });
    familyEvents.set(family, { file, events });
  }

  const stageTables = new Map<string, StageTableDef>();
  for (const name of reader.list(PATHS.stageTables, '.json')) {
    const file = `${PATHS.stageTables}/${name}`;
    const table = reader.json(file, stageTableSchema);
    if (!table) continue;
    if (`${table.product_family}.json` !== name) {
      problems.push({
        file,
        at: 'product_family',
        message: `expected "${name.replace(/\.json$/, '')}" to match the file name`,
      });
      continue;
    }
    problems.push(
      ...columnProblems(file, 'columns', table.columns),
      ...columnProblems(file, 'partition_columns', table.partition_columns),
    );
    reportDuplicates(
      [...table.columns, ...table.partition_columns].map((c) => c.name),
      (column) => problems.push({ file, message: `column "${column}" is declared twice` }),
    );
    stageTables.set(table.product_family, { ...table, file, table: table.table ?? table.product_family });
  }

  const rawTables = new Map<string, RawTableDef>();
  for (const name of reader.list(PATHS.rawTables, '.json')) {
    const file = `${PATHS.rawTables}/${name}`;
    const source = reader.json(file, rawSourceSchema);
    if (!source) continue;
    problems.push(
      ...columnProblems(file, 'columns', source.columns),
      ...columnProblems(file, 'partition_columns', source.partition_columns),
    );
    for (const [table, def] of Object.entries(source.tables)) {
      problems.push(...columnProblems(file, `tables.${table}.columns`, def.columns));
      const columns = [...source.columns, ...def.columns];
      reportDuplicates(
        [...columns, ...source.partition_columns].map((c) => c.name),
        (column) => problems.push({ file, at: `tables.${table}`, message: `column "${column}" is declared twice` }),
      );
      const existing = rawTables.get(table);
      if (existing) {
        problems.push({
          file,
          at: `tables.${table}`,
          message: `raw table "${table}" is also declared in ${existing.file}`,
        });
        continue;
      }
      rawTables.set(table, {
        file,
        source: source.source,
        table,
        format: source.format,
        location: source.location.replaceAll('{table}', table).replace(/\/+$/, ''),
        columns,
        partition_columns: source.partition_columns,
      });
    }
  }

  const insertSql = new Map<string, SqlFile>();
  for (const name of reader.list(PATHS.insertInto, '.sql')) {
    const file = `${PATHS.insertInto}/${name}`;
    const text = reader.text(file);
    if (text !== undefined) insertSql.set(name.slice(0, -'.sql'.length), { file, text });
  }

  const reportingFamilies = reader.json(PATHS.reportingFamilies, reportingFamilyListSchema, { required: true }) ?? [];
  const warehouseScripts = readWarehouseScripts(reader, problems);
  const fileSources = reader.sources(PATHS.fileSources, fileSourceSchema);
  const apiSources = reader.sources(PATHS.apiSources, apiSourceSchema);

  return {
    project: {
      root,
      environments,
      families,
      familyEvents,
      stageTables,
      rawTables,
      insertSql,
      reportingFamilies,
      warehouseScripts,
      fileSources,
      apiSources,
    },
    problems,
  };
}

function readWarehouseScripts(reader: FileReader, problems: Problem[]): WarehouseScriptFile[] {
  const versioned: Extract<WarehouseScriptFile, { kind: 'versioned' }>[] = [];
  const seen = new Map<number, string>();
  for (const name of reader.list(PATHS.warehouseMigrations, '.sql')) {
    const file = `${PATHS.warehouseMigrations}/${name}`;
    const match = MIGRATION_NAME.exec(name);
    if (!match) {
      problems.push({
        file,
        message: 'expected a migration named V<version>__<description>.sql (e.g. V003__add_dim_venue.sql), lower case',
      });
      continue;
    }
    const version = Number(match[1]);
    const other = seen.get(version);
    if (other) {
      problems.push({ file, message: `version ${version} is also used by ${other}` });
      continue;
    }
    seen.set(version, file);
    const text = reader.text(file);
    if (text !== undefined)
      versioned.push({ kind: 'versioned', file, text, version, description: (match[2] ?? '').replaceAll('_', ' ') });
  }
  versioned.sort((a, b) => a.version - b.version);
  const repeatable: WarehouseScriptFile[] = [];
  for (const name of reader.list(PATHS.warehouseProcedures, '.sql')) {
    const file = `${PATHS.warehouseProcedures}/${name}`;
    const match = PROCEDURE_NAME.exec(name);
    if (!match) {
      problems.push({ file, message: 'expected a procedure script named <procedure>.sql, e.g. sp_user_journey.sql' });
      continue;
    }
    const text = reader.text(file);
    if (text !== undefined) repeatable.push({ kind: 'repeatable', file, text, description: match[1] ?? name });
  }
  return [...versioned, ...repeatable];
}

/** Like `readProject`, but throws a `ConfigError` listing every problem. */
export function loadProject(root: string): Project {
  const { project, problems } = readProject(root);
  if (problems.length > 0) throw new ConfigError(problems);
  return project;
}

/** The environment's config, or a `ConfigError` naming the file that is missing or wrong. */
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

class FileReader {
  constructor(
    private readonly files: ProjectFiles,
    private readonly problems: Problem[],
  ) {}

  /** Names of the files directly inside `dir` that end with `suffix`, sorted. */
  list(dir: string, suffix: string): string[] {
    const names: string[] = [];
    for (const path of this.files.keys()) {
      if (!path.startsWith(`${dir}/`)) continue;
      const name = path.slice(dir.length + 1);
      if (!name.includes('/') && name.endsWith(suffix)) names.push(name);
    }
    return names.sort();
  }

  /** Every `<dir>/<source>.json`, validated, keyed by its `source`, which must match the file name. */
  sources<T extends { source: string }>(dir: string, schema: z.ZodType<T>): Map<string, SourceDef<T>> {
    const sources = new Map<string, SourceDef<T>>();
    for (const name of this.list(dir, '.json')) {
      const file = `${dir}/${name}`;
      const source = this.json(file, schema);
      if (!source) continue;
      if (`${source.source}.json` !== name) {
        this.problems.push({
          file,
          at: 'source',
          message: `expected "${name.replace(/\.json$/, '')}" to match the file name`,
        });
        continue;
      }
      sources.set(source.source, { ...source, file });
    }
    return sources;
  }

  text(file: string): string | undefined {
    const text = this.files.get(file);
    if (text === undefined) this.problems.push({ file, message: 'file is missing' });
    return text;
  }

  json<T extends z.ZodType>(file: string, schema: T, options: { required?: boolean } = {}): z.infer<T> | undefined {
    if (!options.required && !this.files.has(file)) return undefined;
    const text = this.text(file);
    if (text === undefined) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.problems.push({ file, message: `not valid JSON: ${detail}` });
      return undefined;
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      this.problems.push(...zodProblems(file, parsed.error));
      return undefined;
    }
    return parsed.data;
  }
}

function columnProblems(file: string, at: string, columns: readonly Column[]): Problem[] {
  const problems: Problem[] = [];
  columns.forEach((column, index) => {
    try {
      parseColumnType(column.type);
    } catch (error) {
      if (!(error instanceof ColumnTypeError)) throw error;
      problems.push({ file, at: `${at}[${index}].type`, message: error.message });
    }
  });
  return problems;
}

function reportDuplicates(names: readonly string[], report: (name: string, index: number) => void): void {
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (seen.has(name)) report(name, index);
    seen.add(name);
  });
}
