import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes the pages into `outDir`, replacing the HTML a previous build left there (a page for a table that is gone
 * must not stay behind); other files in the folder are kept.
 */
export async function writeSite(outDir: string, pages: ReadonlyMap<string, string>): Promise<void> {
  await mkdir(outDir, { recursive: true });
  for (const name of await readdir(outDir)) {
    if (name.endsWith('.html') && !pages.has(name)) await rm(join(outDir, name));
  }
  for (const [name, html] of pages) await writeFile(join(outDir, name), html);
}
