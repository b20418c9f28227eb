#!/usr/bin/env node
// Builds the CLI once into JavaScript (dist/), so no command transpiles TypeScript at run time. Runs on `npm ci`
// (the package's `prepare` script) and again from bin/dap.js whenever a source file changed since the last build.
// One bundle split at each command's dynamic import: `dap --help` loads the command definitions only, and each
// command loads its own code. Dependencies stay in node_modules (loaded by Node as they are), except dt-sql-parser,
// whose ESM build imports directories that Node's own loader refuses.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
/** What bin/dap.js reads: the current build's folder and the source files it was built from. */
export const MANIFEST = join(DIST, 'current.json');
const BUNDLED_DEPENDENCIES = new Set(['dt-sql-parser']);

export async function buildCli() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
    .filter((name) => !BUNDLED_DEPENDENCIES.has(name))
    .flatMap((name) => [name, `${name}/*`]);
  // Each build gets its own folder and the manifest is swapped by rename, so a command started during a build
  // runs the previous build whole.
  const folder = `build-${Date.now().toString(36)}-${process.pid}`;
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { dap: 'bin/dap.ts' },
    outdir: join(DIST, folder),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    // CommonJS code bundled into ESM (dt-sql-parser's antlr runtime) calls `require`.
    banner: {
      js: "import { createRequire as __dapRequire } from 'node:module'; const require = __dapRequire(import.meta.url);",
    },
  });
  const inputs = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    if (input.includes('node_modules/')) continue;
    const info = statSync(join(ROOT, input));
    inputs[input] = { mtimeMs: info.mtimeMs, size: info.size };
  }
  const temporary = `${MANIFEST}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ folder, inputs }));
  renameSync(temporary, MANIFEST);
  removeOldBuilds(folder);
  return join(DIST, folder, 'dap.js');
}

/** Builds other than the current one, once they are a minute old (a command may still be running one). */
function removeOldBuilds(current) {
  for (const entry of readdirSync(DIST)) {
    if (!entry.startsWith('build-') || entry === current) continue;
    const path = join(DIST, entry);
    if (Date.now() - statSync(path).mtimeMs > 60_000) rmSync(path, { recursive: true, force: true });
  }
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  mkdirSync(DIST, { recursive: true });
  const entry = await buildCli();
  console.log(`built ${relative(ROOT, entry)}`);
}
