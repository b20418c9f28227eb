import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProjectFiles, readProjectFiles } from '../config/loader.ts';
import { PACKAGE_ROOT } from '../core/package-root.ts';

/**
 * What the local commands may reuse between processes, kept in `node_modules/.cache/dap/` under a content hash of
 * everything that decides it (the project's config and scripts, the code of `lib/` and `lambdas/`, the locked
 * dependency versions), so an entry is never stale: any change is another key.
 */
export const CACHE_DIR = join(PACKAGE_ROOT, 'node_modules', '.cache', 'dap');

/** A hash of the project's config and scripts (every file the loader reads) and of the code that reads them. */
export function projectVersion(root: string | ProjectFiles): string {
  const hash = createHash('sha256');
  const files = typeof root === 'string' ? readProjectFiles(root) : root;
  for (const [path, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) hash.update(`${path}\0${text}\0`);
  hash.update(codeVersion());
  return hash.digest('hex').slice(0, 32);
}

let code: string | undefined;

/** A hash of every source file under lib/ and lambdas/, and of the lockfile: once per process. */
export function codeVersion(): string {
  if (code !== undefined) return code;
  const hash = createHash('sha256');
  for (const folder of ['lib', 'lambdas']) {
    for (const entry of (readdirSync(join(PACKAGE_ROOT, folder), { recursive: true }) as string[]).sort()) {
      if (!entry.endsWith('.ts')) continue;
      hash.update(`${folder}/${entry}\0`);
      hash.update(readFileSync(join(PACKAGE_ROOT, folder, entry)));
    }
  }
  hash.update(readFileSync(join(PACKAGE_ROOT, 'package-lock.json')));
  code = hash.digest('hex');
  return code;
}

/** The cached text under `name`, or undefined. */
export function readCached(name: string, dir = CACHE_DIR): string | undefined {
  try {
    return readFileSync(join(dir, name), 'utf8');
  } catch {
    return undefined;
  }
}

/** Entries kept; past it the least recently written go (each code edit makes new keys, so old ones pile up). */
const KEEP_ENTRIES = 64;

/** Stores `text` under `name`, whole or not at all (written aside, then renamed), and prunes old entries. */
export function writeCached(name: string, text: string, dir = CACHE_DIR): void {
  mkdirSync(dir, { recursive: true });
  const partial = join(dir, `${name}.${process.pid}.tmp`);
  writeFileSync(partial, text);
  renameSync(partial, join(dir, name));
  const entries = readdirSync(dir).filter((entry) => !entry.endsWith('.tmp'));
  if (entries.length <= KEEP_ENTRIES) return;
  // Another process may prune at the same time: an entry gone meanwhile is simply skipped.
  const byAge = entries
    .map((entry) => ({ entry, mtimeMs: statSync(join(dir, entry), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const { entry } of byAge.slice(0, entries.length - KEEP_ENTRIES)) rmSync(join(dir, entry), { force: true });
}
