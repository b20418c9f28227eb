import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding dap's own package.json (where `lambdas/` and the shipped samples live), found by walking up
 * from this module, so it is the same whether the code runs from its TypeScript source or from the built `dist/`.
 */
export const PACKAGE_ROOT = nearestPackageRoot(dirname(fileURLToPath(import.meta.url)));

function nearestPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
