import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_FOLDERS } from '../../lib/core/model/project.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A frozen copy of the project's config and scripts: the benchmark reads the same files from start to end even if
 * the working tree changes meanwhile.
 */
export function copyProject(target: string, options: { readonly reporting?: boolean } = {}): string {
  if (!existsSync(join(target, 'config'))) {
    mkdirSync(target, { recursive: true });
    for (const folder of PROJECT_FOLDERS) cpSync(join(REPO_ROOT, folder), join(target, folder), { recursive: true });
    if (options.reporting === false) {
      // Raw → stage only: every reporting family disabled in the copy.
      const file = join(target, 'redshift-scripts', 'reporting_model_product_family_config.json');
      const families = JSON.parse(readFileSync(file, 'utf8')) as { enabled: boolean }[];
      writeFileSync(file, `${JSON.stringify(families.map((f) => ({ ...f, enabled: false })))}\n`);
    }
  }
  return target;
}

/** Removes everything in a data folder except the entries named: a fresh engine, control table and buckets. */
export function resetDataDir(dataDir: string, keep: readonly string[]): void {
  if (!existsSync(dataDir)) return;
  for (const entry of readdirSync(dataDir)) {
    if (!keep.includes(entry)) rmSync(join(dataDir, entry), { recursive: true, force: true });
  }
}

/** Total bytes and files under a folder. */
export function folderSize(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  if (!existsSync(dir)) return { bytes, files };
  for (const entry of readdirSync(dir, { recursive: true })) {
    const info = statSync(join(dir, String(entry)));
    if (info.isFile()) {
      bytes += info.size;
      files++;
    }
  }
  return { bytes, files };
}

/** Copies a folder (the state after a full load) so each repetition starts from the same place. */
export function snapshotFolder(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
}
