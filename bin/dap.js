#!/usr/bin/env node
// `npx dap`: runs the CLI built into dist/ by scripts/build.mjs (on `npm ci`). When a source file changed since that
// build (a developer editing lib/), it builds again first (well under a second), so the JavaScript run is always
// the source's. Nothing is transpiled at run time.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function currentBuild() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(root, 'dist', 'current.json'), 'utf8'));
  } catch {
    return undefined;
  }
  for (const [input, built] of Object.entries(manifest.inputs)) {
    try {
      const info = statSync(join(root, input));
      if (info.mtimeMs !== built.mtimeMs || info.size !== built.size) return undefined;
    } catch {
      return undefined;
    }
  }
  return join(root, 'dist', manifest.folder, 'dap.js');
}

const entry = currentBuild() ?? (await (await import('../scripts/build.mjs')).buildCli());
await import(pathToFileURL(entry).href);
