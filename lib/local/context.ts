import { resolve } from 'node:path';
import { readProjectFiles } from '../config/loader.ts';
import { type ResourceNames, resourceNames } from '../core/model/names.ts';
import { formatProblem } from '../core/model/problems.ts';
import { environment, type Project } from '../core/model/project.ts';
import type { EnvironmentConfig } from '../core/model/schemas.ts';
import type { DuckDbEngine } from '../engines/local/duckdb-engine.ts';
import { FolderObjectStore } from '../engines/local/folder-object-store.ts';
import type { LockWait } from '../engines/local/local-lock.ts';
import { projectWithProblems, runnableProject } from './checked-project.ts';
import type { LocalWarehouse } from './local-warehouse.ts';

export interface LocalOptions {
  /** Project root holding config/, athena-scripts/ and redshift-scripts/. @default the current directory */
  readonly root?: string;
  /** @default 'dev' */
  readonly env?: string;
  /** Folder standing for S3. @default `$DAP_DATA_DIR` or `<root>/.dap` */
  readonly dataDir?: string;
  /**
   * `'check'`: the project must pass every check (`dap check`), as before a run. `'read'`: the project as far as
   * its files parse, problems said once on stderr: enough to query what the engines already hold.
   * @default 'check'
   */
  readonly project?: 'check' | 'read';
  /** `'read'`: the command only reads the local Athena, which is then opened read-only if it is up to date. @default 'write' */
  readonly engineAccess?: 'read' | 'write';
}

/** The local stand-ins for one environment, wired from validated config. */
export interface LocalContext {
  readonly project: Project;
  readonly environment: EnvironmentConfig;
  readonly names: ResourceNames;
  readonly dataDir: string;
  readonly store: FolderObjectStore;
  readonly engine: DuckDbEngine;
  /** The local Redshift (PGlite in `<dataDir>/_warehouse/<env>`), opened on first use, and migrated as at deploy. */
  warehouse(): Promise<LocalWarehouse>;
  /** The same warehouse, opened but not migrated: for the twin, whose run migrates it in its own step. */
  openWarehouse(): Promise<LocalWarehouse>;
  close(): Promise<void>;
}

/** A data folder the local engine cannot live in: one line, exit 1. */
export class UnsupportedDataDirError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `the data folder ${dataDir} holds a "?", which the local engine (DuckDB) reads as part of a URL: choose another --data-dir`,
    );
    this.name = 'UnsupportedDataDirError';
  }
}

/** The project, environment and data folder the options name, with no engine opened. */
export function resolveLocal(
  options: LocalOptions = {},
): Pick<LocalContext, 'project' | 'environment' | 'names' | 'dataDir' | 'store'> {
  const root = resolve(options.root ?? process.cwd());
  const project =
    options.project === 'read' ? readProjectTolerantly(root) : runnableProject(readProjectFiles(root), root);
  if (options.project !== 'read') sayBlocked(project);
  const env = environment(project, options.env ?? 'dev');
  const dataDir = resolve(root, options.dataDir ?? process.env.DAP_DATA_DIR ?? '.dap');
  // DuckDB names its write-ahead log by inserting ".wal" before the first "?" of the database path.
  if (dataDir.includes('?')) throw new UnsupportedDataDirError(dataDir);
  return { project, environment: env, names: resourceNames(env), dataDir, store: new FolderObjectStore(dataDir) };
}

export async function openLocal(options: LocalOptions = {}): Promise<LocalContext> {
  return openResolved(resolveLocal(options), options.engineAccess);
}

/** `openLocal` for what `resolveLocal` gave. */
export async function openResolved(
  resolved: Pick<LocalContext, 'project' | 'environment' | 'names' | 'dataDir'>,
  access: 'read' | 'write' = 'write',
): Promise<LocalContext> {
  const { project, environment: env, dataDir } = resolved;
  // Loaded here, not with this module: commands that never open the engine (`dap ingest`, `dap watch`) do not pay
  // for DuckDB's native library (about 40 MB of memory).
  const { DuckDbEngine } = await import('../engines/local/duckdb-engine.ts');
  const engine = await DuckDbEngine.open({ project, environment: env, dataDir, access, ...localLockWait() });
  let opened: Promise<LocalWarehouse> | undefined;
  let migrated: Promise<LocalWarehouse> | undefined;
  const context: LocalContext = {
    project,
    environment: env,
    names: resourceNames(env),
    dataDir,
    store: new FolderObjectStore(dataDir),
    engine,
    openWarehouse: () => {
      // Loaded on first use: commands that never touch the warehouse do not load PGlite.
      opened ??= import('./local-warehouse.ts').then(({ LocalWarehouse }) => LocalWarehouse.open(context));
      return opened;
    },
    warehouse: () => {
      migrated ??= context.openWarehouse().then(async (warehouse) => {
        await warehouse.migrate(`local-${new Date().toISOString()}`);
        return warehouse;
      });
      return migrated;
    },
    close: async () => {
      if (opened) await (await opened.catch(() => undefined))?.close();
      await engine.close();
    },
  };
  return context;
}

/**
 * How a command waits for a local engine another command holds (the DuckDB file, the warehouse folder): up to
 * `DAP_LOCK_WAIT_SECONDS` (default 120), saying once on stderr whom it waits for.
 */
export function localLockWait(): LockWait {
  const value = Number(process.env.DAP_LOCK_WAIT_SECONDS ?? 120);
  const seconds = Number.isFinite(value) && value >= 0 ? value : 120;
  return {
    lockWaitMs: seconds * 1000,
    onWait: ({ path, pid, command }) =>
      console.error(
        `dap: waiting for the local engine ${path}, in use by process ${pid ?? '?'}${command ? ` (${command})` : ''} (up to ${seconds} s)`,
      ),
  };
}

/** What a run will leave out and report FAILED for its config problems: said once, on stderr. */
function sayBlocked(project: Project): void {
  const events = [...(project.blocked?.events ?? new Map())];
  const reporting = [...(project.blocked?.reporting ?? new Map())];
  if (events.length === 0 && reporting.length === 0) return;
  const parts = [
    ...(events.length > 0 ? [`${events.length} event(s)`] : []),
    ...(reporting.length > 0 ? [`${reporting.length} reporting famil${reporting.length === 1 ? 'y' : 'ies'}`] : []),
  ].join(' and ');
  const [name, problems] = events[0] ?? reporting[0] ?? ['', []];
  const first = problems[0];
  console.error(
    `dap: note: ${parts} cannot run for config problems and are reported FAILED; the rest runs (${name}: ${first ? formatProblem(first) : ''}; run dap check for all)`,
  );
}

/** The project as far as it parses; its problems are said once, on stderr, and do not stop the command. */
function readProjectTolerantly(root: string): Project {
  const { project, problems } = projectWithProblems(readProjectFiles(root), root);
  const [first] = problems;
  if (first) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more: run dap check)` : '';
    console.error(
      `dap: note: the project has config problems; going on with what is there: ${formatProblem(first)}${more}`,
    );
  }
  return project;
}
