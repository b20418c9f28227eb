import { resolve } from 'node:path';
import { loadCheckedProject } from '../config/check.ts';
import { environment, type Project } from '../config/loader.ts';
import { type ResourceNames, resourceNames } from '../config/names.ts';
import type { EnvironmentConfig } from '../config/schemas.ts';
import { DuckDbEngine } from '../engines/local/duckdb-engine.ts';
import { FolderObjectStore } from '../engines/local/folder-object-store.ts';
import { LocalWarehouse } from './local-warehouse.ts';

export interface LocalOptions {
  /** Project root holding config/, athena-scripts/ and redshift-scripts/. @default the current directory */
  readonly root?: string;
  /** @default 'dev' */
  readonly env?: string;
  /** Folder standing for S3. @default `$DAP_DATA_DIR` or `<root>/.dap` */
  readonly dataDir?: string;
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

export async function openLocal(options: LocalOptions = {}): Promise<LocalContext> {
  const root = resolve(options.root ?? process.cwd());
  const project = loadCheckedProject(root);
  const env = environment(project, options.env ?? 'dev');
  const dataDir = resolve(root, options.dataDir ?? process.env.DAP_DATA_DIR ?? '.dap');
  const engine = await DuckDbEngine.open({ project, environment: env, dataDir });
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
      opened ??= LocalWarehouse.open(context);
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
