/**
 * Writes the JSON Schema of every kind of config file to schemas/ and the config reference tables into README.md
 * (run: `npm run schemas`), both from the zod schemas the loader parses config with. `test/config/schemas.test.ts`
 * fails when either is stale.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withConfigReference } from '../lib/config/config-reference.ts';
import { generatedSchemas, SCHEMAS_DIR } from '../lib/config/json-schemas.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const schemas = generatedSchemas();
mkdirSync(join(ROOT, SCHEMAS_DIR), { recursive: true });
const keep = new Set(schemas.map(({ path }) => path));
for (const name of readdirSync(join(ROOT, SCHEMAS_DIR))) {
  if (!keep.has(`${SCHEMAS_DIR}/${name}`)) rmSync(join(ROOT, SCHEMAS_DIR, name));
}
for (const { path, schema } of schemas) writeFileSync(join(ROOT, path), `${JSON.stringify(schema, null, 2)}\n`);
// Written as the project's formatter lays out JSON, so `npm run lint` passes on what this script writes.
execFileSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', ...keep], {
  cwd: ROOT,
  stdio: 'pipe',
});

const readme = join(ROOT, 'README.md');
writeFileSync(readme, withConfigReference(readFileSync(readme, 'utf8')));
console.log(`wrote ${schemas.length} schemas to ${SCHEMAS_DIR}/ and the config reference in README.md`);
