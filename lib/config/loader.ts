import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { z } from 'zod';
import { databaseRawTables } from '../core/extract/extract-state.ts';
import { compareMigrationVersions } from '../core/migrations.ts';
import { apiSourceSchema } from '../core/model/api-source-schema.ts';
import { ColumnTypeError, parseColumnType } from '../core/model/column-types.ts';
import { databaseSourceSchema } from '../core/model/database-source-schema.ts';
import { fileSourceSchema } from '../core/model/file-source-schema.ts';
import { ConfigError, configIssueMessage, type Problem, zodProblems } from '../core/model/problems.ts';
import {
  type FamilyEventsFile,
  PATHS,
  PROJECT_FOLDERS,
  type Project,
  type RawTableDef,
  type SourceDef,
  type SqlFile,
  type StageTableDef,
  type WarehouseScriptFile,
} from '../core/model/project.ts';
import {
  type Column,
  type EnvironmentConfig,
  environmentSchema,
  familyEventListSchema,
  type ProductFamilyEntry,
  productFamilyListSchema,
  type ReportingFamilyEntry,
  rawSourceSchema,
  reportingFamilyListSchema,
  stageTableSchema,
} from '../core/model/schemas.ts';
import { jsonSyntaxError } from './json-syntax.ts';

/** Flyway's names: `V<version>__<description>.sql` (version parts split by `.` or `_`), `R__<description>.sql`. */
const MIGRATION_NAME = /^V(\d+(?:[._]\d+)*)__([A-Za-z0-9_.-]+)\.sql$/;
const REPEATABLE_MIGRATION_NAME = /^R__([A-Za-z0-9_.-]+)\.sql$/;
const PROCEDURE_NAME = /^([a-z][a-z0-9_]*)\.sql$/;

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
  /** JSON files that are not JSON: what other files name in them is unknown, not wrong. */
  readonly unparsed: readonly string[];
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
  // Each reader reports as it goes, so the order of these fields is the order problems are listed in.
  const project: Project = {
    root,
    environments: readEnvironments(reader),
    families: readFamilies(reader),
    familyEvents: readFamilyEvents(reader),
    stageTables: readStageTables(reader),
    rawTables: readRawTables(reader),
    insertSql: readInsertSql(reader),
    reportingFamilies: readReportingFamilies(reader),
    warehouseScripts: readWarehouseScripts(reader),
    fileSources: readSources(reader, PATHS.fileSources, fileSourceSchema),
    apiSources: readSources(reader, PATHS.apiSources, apiSourceSchema),
    databaseSources: readSources(reader, PATHS.databaseSources, databaseSourceSchema),
  };
  addDatabaseRawTables(reader, project);
  return { project, problems, unparsed: reader.unparsed };
}

/** Every `config/environments/<name>.json`, by its `name`. */
function readEnvironments(reader: FileReader): Map<string, EnvironmentConfig> {
  const environments = new Map<string, EnvironmentConfig>();
  for (const entry of reader.entries(PATHS.environments, '.json')) {
    const env = reader.json(entry.file, environmentSchema);
    if (env && reader.matchesFileName(entry, 'name', env.name)) environments.set(env.name, env);
  }
  return environments;
}

/** The product family list, each family listed once. */
function readFamilies(reader: FileReader): ProductFamilyEntry[] {
  const families = reader.json(PATHS.productFamilies, productFamilyListSchema, { required: true }) ?? [];
  reportDuplicates(
    families.map((f) => f.product_family),
    (name, index) =>
      reader.report({
        file: PATHS.productFamilies,
        at: `[${index}].product_family`,
        message: `family "${name}" is listed twice`,
      }),
  );
  return families;
}

/** Every `<family>_config.json` beside the family list, by the family it is named after. */
function readFamilyEvents(reader: FileReader): Map<string, FamilyEventsFile> {
  const familyEvents = new Map<string, FamilyEventsFile>();
  for (const { file, key: family } of reader.entries(PATHS.processScripts, '_config.json')) {
    // The family list lives in the same folder and ends the same way, but lists families, not events.
    if (file === PATHS.productFamilies) continue;
    const events = reader.json(file, familyEventListSchema);
    if (!events) continue;
    events.forEach((event, index) => {
      if (event.product_family !== family) {
        reader.report({
          file,
          at: `[${index}].product_family`,
          message: `expected "${family}" (the family this file is named after) but found "${event.product_family}"`,
        });
      }
    });
    familyEvents.set(family, { file, events });
  }
  return familyEvents;
}

/** Every `stage_tables/<family>.json`, by its `product_family`. */
function readStageTables(reader: FileReader): Map<string, StageTableDef> {
  const stageTables = new Map<string, StageTableDef>();
  for (const entry of reader.entries(PATHS.stageTables, '.json')) {
    const { file } = entry;
    const table = reader.json(file, stageTableSchema);
    if (!table || !reader.matchesFileName(entry, 'product_family', table.product_family)) continue;
    reader.report(
      ...columnProblems(file, 'columns', table.columns),
      ...columnProblems(file, 'partition_columns', table.partition_columns),
    );
    reportDuplicates(
      [...table.columns, ...table.partition_columns].map((c) => c.name),
      (column) => reader.report({ file, message: `column "${column}" is declared twice` }),
    );
    stageTables.set(table.product_family, { ...table, file, table: table.table ?? table.product_family });
  }
  return stageTables;
}

/** The tables of every `raw_tables/*.json`, by table name; a file may declare several, so its name is free. */
function readRawTables(reader: FileReader): Map<string, RawTableDef> {
  const rawTables = new Map<string, RawTableDef>();
  for (const { file } of reader.entries(PATHS.rawTables, '.json')) {
    const source = reader.json(file, rawSourceSchema);
    if (!source) continue;
    reader.report(
      ...columnProblems(file, 'columns', source.columns),
      ...columnProblems(file, 'partition_columns', source.partition_columns),
    );
    for (const [table, def] of Object.entries(source.tables)) {
      reader.report(...columnProblems(file, `tables.${table}.columns`, def.columns));
      const columns = [...source.columns, ...def.columns];
      reportDuplicates(
        [...columns, ...source.partition_columns].map((c) => c.name),
        (column) => reader.report({ file, at: `tables.${table}`, message: `column "${column}" is declared twice` }),
      );
      const existing = rawTables.get(table);
      if (existing) {
        reader.report({
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
        compression: source.compression,
        location: source.location.replaceAll('{table}', table).replace(/\/+$/, ''),
        columns,
        partition_columns: source.partition_columns,
      });
    }
  }
  return rawTables;
}

/** Each database source's tables as raw tables (`<source>_<table>`), unless a raw table file has the name. */
function addDatabaseRawTables(reader: FileReader, project: Project): void {
  const rawTables = project.rawTables as Map<string, RawTableDef>;
  for (const source of project.databaseSources.values()) {
    source.tables.forEach((table, index) => {
      reader.report(...columnProblems(source.file, `tables[${index}].columns`, table.columns));
    });
    for (const def of databaseRawTables(source, source.file)) {
      const existing = rawTables.get(def.table);
      if (existing) {
        reader.report({
          file: source.file,
          at: 'tables',
          message: `raw table "${def.table}" (where this source's table lands) is also declared in ${existing.file}`,
        });
        continue;
      }
      rawTables.set(def.table, def);
    }
  }
}

/** Every `dml/insert_into/<event>.sql`, by the event it is named after. */
function readInsertSql(reader: FileReader): Map<string, SqlFile> {
  const insertSql = new Map<string, SqlFile>();
  for (const { file, key: event } of reader.entries(PATHS.insertInto, '.sql')) {
    const text = reader.text(file);
    if (text !== undefined) insertSql.set(event, { file, text });
  }
  return insertSql;
}

function readReportingFamilies(reader: FileReader): ReportingFamilyEntry[] {
  return reader.json(PATHS.reportingFamilies, reportingFamilyListSchema, { required: true }) ?? [];
}

/** Every `<dir>/<source>.json`, validated, keyed by its `source`, which must match the file name. */
function readSources<T extends { source: string }>(
  reader: FileReader,
  dir: string,
  schema: z.ZodType<T>,
): Map<string, SourceDef<T>> {
  const sources = new Map<string, SourceDef<T>>();
  for (const entry of reader.entries(dir, '.json')) {
    const source = reader.json(entry.file, schema);
    if (source && reader.matchesFileName(entry, 'source', source.source))
      sources.set(source.source, { ...source, file: entry.file });
  }
  return sources;
}

function readWarehouseScripts(reader: FileReader): WarehouseScriptFile[] {
  return [...readMigrations(reader), ...readProcedures(reader)];
}

/**
 * Every `migrations/V<version>__<description>.sql`, in Flyway's version order (a version used twice keeps its first
 * file), then Flyway's repeatable `migrations/R__<description>.sql` in description order.
 */
function readMigrations(reader: FileReader): WarehouseScriptFile[] {
  const versioned: Extract<WarehouseScriptFile, { kind: 'versioned' }>[] = [];
  const repeatable: WarehouseScriptFile[] = [];
  for (const { file, name } of reader.entries(PATHS.warehouseMigrations, '.sql')) {
    const again = REPEATABLE_MIGRATION_NAME.exec(name);
    if (again) {
      const text = reader.text(file);
      if (text !== undefined) repeatable.push({ kind: 'repeatable', file, text, description: again[1] ?? name });
      continue;
    }
    const match = MIGRATION_NAME.exec(name);
    if (!match) {
      reader.report({
        file,
        message:
          'expected a migration named V<version>__<description>.sql (V003__add_dim_venue.sql, V2.1__CreateTables.sql) or R__<description>.sql',
      });
      continue;
    }
    const version = (match[1] ?? '').replaceAll('_', '.');
    const other = versioned.find((v) => compareMigrationVersions(v.version, version) === 0)?.file;
    if (other) {
      reader.report({ file, message: `version ${version} is also used by ${other}` });
      continue;
    }
    const text = reader.text(file);
    if (text !== undefined)
      versioned.push({ kind: 'versioned', file, text, version, description: (match[2] ?? '').replaceAll('_', ' ') });
  }
  versioned.sort((a, b) => compareMigrationVersions(a.version, b.version));
  repeatable.sort((a, b) => (a.description < b.description ? -1 : a.description > b.description ? 1 : 0));
  return [...versioned, ...repeatable];
}

/** Every `procedures/<name>.sql`, in name order. */
function readProcedures(reader: FileReader): WarehouseScriptFile[] {
  const repeatable: WarehouseScriptFile[] = [];
  for (const { file, name } of reader.entries(PATHS.warehouseProcedures, '.sql')) {
    const match = PROCEDURE_NAME.exec(name);
    if (!match) {
      reader.report({ file, message: 'expected a procedure script named <procedure>.sql, e.g. sp_user_journey.sql' });
      continue;
    }
    const text = reader.text(file);
    if (text !== undefined) repeatable.push({ kind: 'repeatable', file, text, description: match[1] ?? name });
  }
  return repeatable;
}

/** Like `readProject`, but throws a `ConfigError` listing every problem. */
export function loadProject(root: string): Project {
  const { project, problems } = readProject(root);
  if (problems.length > 0) throw new ConfigError(problems);
  return project;
}

/**
 * A file of a project folder, named `<key><suffix>`. The key is what the file declares (an environment, family, event
 * or source): the project is keyed by file names, so where a file also names its subject inside, the two must agree.
 */
interface DirEntry {
  /** Path relative to the project root. */
  readonly file: string;
  /** The file's name inside its folder. */
  readonly name: string;
  /** The name without the suffix it was listed by. */
  readonly key: string;
}

class FileReader {
  readonly unparsed: string[] = [];

  constructor(
    private readonly files: ProjectFiles,
    private readonly problems: Problem[],
  ) {}

  /** The files directly inside `dir` whose names end with `suffix`, sorted by name. */
  entries(dir: string, suffix: string): DirEntry[] {
    const names: string[] = [];
    for (const path of this.files.keys()) {
      if (!path.startsWith(`${dir}/`)) continue;
      const name = path.slice(dir.length + 1);
      if (!name.includes('/') && name.endsWith(suffix)) names.push(name);
    }
    return names.sort().map((name) => ({ file: `${dir}/${name}`, name, key: name.slice(0, -suffix.length) }));
  }

  /** Whether `declared`, the value at `at` in the entry's file, is the key its file name gives; reports it if not. */
  matchesFileName(entry: DirEntry, at: string, declared: string): boolean {
    if (declared === entry.key) return true;
    this.problems.push({ file: entry.file, at, message: `expected "${entry.key}" to match the file name` });
    return false;
  }

  report(...problems: Problem[]): void {
    this.problems.push(...problems);
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
      const where = jsonSyntaxError(text);
      const detail = where?.message ?? (error instanceof Error ? error.message : String(error));
      this.problems.push({
        file,
        ...(where ? { at: `line ${where.line}, column ${where.column}` } : {}),
        message: `not valid JSON: ${detail}`,
      });
      this.unparsed.push(file);
      return undefined;
    }
    const { rest, problem } = withoutSchemaReference(file, data);
    if (problem) this.problems.push(problem);
    const parsed = schema.safeParse(rest, { error: configIssueMessage });
    if (!parsed.success) {
      this.problems.push(...zodProblems(file, parsed.error));
      return undefined;
    }
    return problem ? undefined : parsed.data;
  }
}

/**
 * A config file may name its JSON Schema (`schemas/<kind>.schema.json`, for editors) in a top-level `"$schema"`,
 * whatever its kind: the file's data is the rest. Not being text is the one way it can be wrong.
 */
function withoutSchemaReference(file: string, data: unknown): { rest: unknown; problem?: Problem } {
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !Object.hasOwn(data, '$schema')) {
    return { rest: data };
  }
  const { $schema: reference, ...rest } = data as Record<string, unknown>;
  if (typeof reference === 'string') return { rest };
  return {
    rest,
    problem: { file, at: '$schema', message: "expected the path or URL of the file's JSON Schema, as text" },
  };
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
