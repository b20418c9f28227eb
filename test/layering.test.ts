import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers/twin-fixture.ts';

/** `lambdas/<name>/env.ts`: a handler's environment variable names, and all that synthesis may load of `lambdas/`. */
const ENV_TABLE = /^lambdas\/[^/]+\/env\.ts$/;

/**
 * DESIGN.md's rule, checked on every import: `bin` → `local`, `infra`, `lambdas` → `engines`, `check` → `config` →
 * `core`; `core` imports none of them, and no module imports a lint to get a tokenizer. A folder allows every file
 * under it; a pattern allows the files it matches.
 */
const MAY_IMPORT: Readonly<Record<string, readonly (string | RegExp)[]>> = {
  'lib/core': ['lib/core'],
  'lib/config': ['lib/config', 'lib/core'],
  'lib/check': ['lib/check', 'lib/config', 'lib/core'],
  'lib/engines': ['lib/engines', 'lib/core'],
  // The catalog reads the project model and the run reports; the CLI (lib/local) calls it.
  'lib/docs': ['lib/docs', 'lib/core'],
  // The stack sets each variable by the name the handler reads, from the handler's own names table (`env.ts`).
  'lib/infra': ['lib/infra', 'lib/check', 'lib/config', 'lib/core', 'lib/engines', ENV_TABLE],
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

function mayImport(file: string, target: string): boolean {
  const layer = layerOf(file);
  if (!layer) return true;
  return (MAY_IMPORT[layer] ?? []).some((to) =>
    typeof to === 'string' ? target.startsWith(`${to}/`) : to.test(target),
  );
}

test('every import of lib/ and lambdas/ points down the layers DESIGN.md names', () => {
  const wrong: string[] = [];
  for (const file of [...sourceFiles('lib'), ...sourceFiles('lambdas')]) {
    for (const target of importsOf(file)) {
      if (!mayImport(file, target)) wrong.push(`${file} imports ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("infra may import a handler's names table, never the handler or anything else under lambdas/", () => {
  // Assess
  assert.ok(mayImport('lib/infra/orchestration.ts', 'lambdas/run-guard/env.ts'));
  assert.ok(mayImport('lib/infra/orchestration.ts', 'lambdas/shared/env.ts'));
  for (const target of ['lambdas/run-guard/handler.ts', 'lambdas/shared/runtime.ts', 'lambdas/env.ts']) {
    assert.equal(mayImport('lib/infra/orchestration.ts', target), false, target);
  }
});

test('the names tables (lambdas/*/env.ts) import only one another, so synthesis loads no handler code', () => {
  const wrong: string[] = [];
  for (const file of sourceFiles('lambdas').filter((f) => ENV_TABLE.test(f))) {
    for (const target of importsOf(file)) if (!ENV_TABLE.test(target)) wrong.push(`${file} imports ${target}`);
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

test("dt-sql-parser is imported by dialect, never by its index, which loads every dialect's grammar", () => {
  // The index re-exports all eight dialects, so a bundle that imports it carries them all: importing PostgreSQL for
  // dap docs that way put its 3.7 MB grammar in the chunk dap check loads (2.3-2.5 CPU s and 200 MB instead of 1.6-1.9 s
  // and 157 MB).
  const bare = /from\s+'dt-sql-parser'/;
  const wrong = [...sourceFiles('lib'), ...sourceFiles('lambdas'), ...sourceFiles('bin')].filter((file) =>
    bare.test(readFileSync(join(REPO_ROOT, file), 'utf8')),
  );
  assert.deepEqual(wrong, []);
});
