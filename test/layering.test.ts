import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers/twin-fixture.ts';

/**
 * DESIGN.md's rule, checked on every import: `bin` → `local`, `infra`, `lambdas` → `engines`, `check` → `config` →
 * `core`; `core` imports none of them, and no module imports a lint to get a tokenizer.
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  'lib/core': ['lib/core'],
  'lib/config': ['lib/config', 'lib/core'],
  'lib/check': ['lib/check', 'lib/config', 'lib/core'],
  'lib/engines': ['lib/engines', 'lib/core'],
  'lib/infra': ['lib/infra', 'lib/check', 'lib/config', 'lib/core', 'lib/engines'],
  lambdas: ['lambdas', 'lib/engines', 'lib/check', 'lib/config', 'lib/core'],
};

/** The lints: only the checks that run them may import them. */
const LINTS = ['lib/check/trino-portability.ts', 'lib/check/redshift-portability.ts'];
const LINT_USERS = ['lib/check/check.ts', 'lib/check/quality-checks.ts'];

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'|import\('(\.{1,2}\/[^']+)'\)/g;

function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(REPO_ROOT, folder), { withFileTypes: true })) {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => normalize(join(dirname(file), m[1] ?? m[2] ?? '')));
}

function layerOf(file: string): string | undefined {
  return Object.keys(MAY_IMPORT).find((layer) => file.startsWith(`${layer}/`));
}

test('every import of lib/ and lambdas/ points down the layers DESIGN.md names', () => {
  const wrong: string[] = [];
  for (const file of [...sourceFiles('lib'), ...sourceFiles('lambdas')]) {
    const layer = layerOf(file);
    if (!layer) continue;
    for (const target of importsOf(file)) {
      const allowed = MAY_IMPORT[layer] ?? [];
      if (!allowed.some((to) => target.startsWith(`${to}/`))) wrong.push(`${file} imports ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the lints are imported only by the checks that run them', () => {
  const wrong: string[] = [];
  for (const file of [...sourceFiles('lib'), ...sourceFiles('lambdas'), ...sourceFiles('bin')]) {
    for (const target of importsOf(file)) {
      if (LINTS.includes(target) && !LINT_USERS.includes(file)) wrong.push(`${file} imports ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});
