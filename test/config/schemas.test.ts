import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { configReference, endMarker, startMarker, withConfigReference } from '../../lib/config/config-reference.ts';
import {
  CONFIG_KINDS,
  type ConfigKind,
  configKindOf,
  generatedSchemas,
  SCHEMAS_DIR,
  schemaReference,
} from '../../lib/config/json-schemas.ts';
import { parseProject, readProjectFiles } from '../../lib/config/loader.ts';
import { formatProblem } from '../../lib/core/model/problems.ts';
import { minimalProjectFiles } from '../helpers/project-fixture.ts';

/** JSON Schemas of the config files (schemas/), the README reference made from them, and `$schema` in config files. */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STALE = 'stale: run npm run schemas';

const shipped = readProjectFiles(ROOT);
const shippedJson = [...shipped].filter(([file]) => file.endsWith('.json'));

function kind(name: string): ConfigKind {
  const found = CONFIG_KINDS.find((k) => k.kind === name);
  assert.ok(found, `no config kind ${name}`);
  return found;
}

function validator(kindName: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats.default(ajv);
  const generated = generatedSchemas().find((s) => s.path === `${SCHEMAS_DIR}/${kindName}.schema.json`);
  assert.ok(generated, `no schema for ${kindName}`);
  return ajv.compile(generated.schema);
}

/** What the JSON Schema says about `data`, one line per error: where, and which keyword failed. */
function schemaErrors(kindName: string, data: unknown): string[] {
  const validate = validator(kindName);
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.keyword} ${JSON.stringify(e.params)}`);
}

/** The problems dap's loader finds in the shipped project with `file` replaced by `data`. */
function loaderProblems(file: string, data: unknown): string[] {
  const files = new Map(shipped);
  files.set(file, `${JSON.stringify(data, null, 2)}\n`);
  return parseProject(files).problems.map(formatProblem);
}

function shippedData(file: string): Record<string, unknown> {
  return JSON.parse(shipped.get(file) ?? '{}') as Record<string, unknown>;
}

describe('generated JSON Schemas and config reference', () => {
  test('schemas/ holds exactly what scripts/generate-schemas.ts writes now', () => {
    // Arrange
    const generated = generatedSchemas();
    const written = readdirSync(join(ROOT, SCHEMAS_DIR)).map((name) => `${SCHEMAS_DIR}/${name}`);

    // Act and assess
    assert.deepEqual(written.sort(), generated.map((s) => s.path).sort(), `schemas/ lists other files: ${STALE}`);
    for (const { path, schema } of generated) {
      // Compared as JSON: the layout is the formatter's (`npm run lint`).
      assert.deepEqual(JSON.parse(readFileSync(join(ROOT, path), 'utf8')), schema, `${path} is ${STALE}`);
    }
  });

  test('the README config reference is what scripts/generate-schemas.ts writes now', () => {
    // Arrange
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

    // Act and assess
    for (const k of CONFIG_KINDS) {
      const start = readme.indexOf(startMarker(k));
      const end = readme.indexOf(endMarker(k));
      assert.ok(start >= 0 && end > start, `README.md has no ${startMarker(k)} ... ${endMarker(k)} block`);
      const block = readme.slice(start + startMarker(k).length, end).trim();
      assert.equal(block, configReference(k), `README.md's ${k.kind} reference is ${STALE}`);
    }
    assert.equal(withConfigReference(readme), readme, `README.md's config reference is ${STALE}`);
  });

  test('each reference names every key of its schema, dotted, with lists and maps marked', () => {
    // Act
    const fileSource = configReference(kind('file-source'));
    const stageTable = configReference(kind('stage-table'));

    // Assess
    for (const key of ['format.header_row', 'mappings[].columns.*.from', 'snapshot.date_from_key.pattern']) {
      assert.match(fileSource, new RegExp(`^\\| \`${key.replace(/[.*[\]]/g, '\\$&')}\` \\|`, 'm'), key);
    }
    assert.match(stageTable, /\| `checks` \| .*see \[Quality check keys\]\(#quality-check-keys\)/);
  });
});

describe('shipped config files and their JSON Schemas', () => {
  test('every JSON file of the project folders is a config file of a known kind', () => {
    const unknown = shippedJson.map(([file]) => file).filter((file) => configKindOf(file) === undefined);
    assert.deepEqual(unknown, []);
  });

  test('every shipped config file validates against its JSON Schema', () => {
    for (const [file, text] of shippedJson) {
      const k = configKindOf(file);
      assert.ok(k, file);
      assert.deepEqual(schemaErrors(k.kind, JSON.parse(text)), [], `${file} against ${k.kind}.schema.json`);
    }
  });

  test('every shipped config file whose top level is an object names its schema first, relative to itself', () => {
    for (const [file, text] of shippedJson) {
      const data = JSON.parse(text) as unknown;
      if (Array.isArray(data)) continue;
      const k = configKindOf(file);
      assert.ok(k, file);
      assert.equal(Object.keys(data as object)[0], '$schema', `${file}: "$schema" first`);
      assert.equal((data as { $schema?: unknown }).$schema, schemaReference(k, posix.dirname(file)), file);
    }
  });

  test('a misspelt key fails the JSON Schema, as an editor would flag it, and dap check', () => {
    // Arrange
    const file = 'config/sources/files/shop_customers.json';
    const { max_reject_ratio: ratio, ...rest } = shippedData(file);
    const misspelt = { ...rest, max_reject_ration: ratio };

    // Act
    const errors = schemaErrors('file-source', misspelt);
    const problems = loaderProblems(file, misspelt);

    // Assess
    assert.deepEqual(errors, ['/ additionalProperties {"additionalProperty":"max_reject_ration"}']);
    assert.equal(problems.length, 1);
    assert.match(
      problems[0] ?? '',
      /^config\/sources\/files\/shop_customers.json: \(root\): unexpected key\(s\) "max_reject_ration" \(.*did you mean "max_reject_ratio"\?/,
    );
  });

  test('a wrong type fails the JSON Schema and dap check, in a nested key of another kind too', () => {
    // Arrange
    const file = 'config/environments/dev.json';
    const env = shippedData(file);
    const wrong = { ...env, orchestration: { family_concurrency: '5' } };

    // Act
    const errors = schemaErrors('environment', wrong);
    const problems = loaderProblems(file, wrong);

    // Assess
    assert.deepEqual(errors, ['/orchestration/family_concurrency type {"type":"integer"}']);
    assert.deepEqual(problems, [
      'config/environments/dev.json: orchestration.family_concurrency: expected a number, found the text "5"',
    ]);
  });

  test('an array file (family list) fails both on a wrong value', () => {
    // Arrange
    const file = 'athena-scripts/process_scripts/product_family_config.json';
    const families = JSON.parse(shipped.get(file) ?? '[]') as Record<string, unknown>[];
    const wrong = families.map((f, i) => (i === 0 ? { ...f, enabled: 'yes' } : f));

    // Act and assess
    assert.deepEqual(schemaErrors('product-families', wrong), ['/0/enabled type {"type":"boolean"}']);
    assert.deepEqual(loaderProblems(file, wrong), [`${file}: [0].enabled: expected true or false`]);
  });
});

describe('$schema in config files', () => {
  test('the loader accepts a top-level $schema in every kind of object file and leaves it out of the project', () => {
    // Arrange
    const files = new Map(Object.entries(minimalProjectFiles()));
    for (const [file, text] of files) {
      const k = file.endsWith('.json') ? configKindOf(file) : undefined;
      const data = k ? (JSON.parse(text) as unknown) : undefined;
      if (!k || Array.isArray(data)) continue;
      files.set(file, JSON.stringify({ $schema: schemaReference(k, posix.dirname(file)), ...(data as object) }));
    }

    // Act
    const { project, problems } = parseProject(files);

    // Assess
    assert.deepEqual(problems, []);
    assert.ok(!('$schema' in (project.environments.get('dev') ?? {})));
    assert.ok(!('$schema' in (project.stageTables.get('sales') ?? {})));
    assert.equal(project.rawTables.get('order_placed')?.source, 'shop');
  });

  test('a $schema that is not text is reported, and the file is left out', () => {
    // Arrange
    const files = new Map(Object.entries(minimalProjectFiles()));
    files.set(
      'config/environments/dev.json',
      JSON.stringify({ $schema: 1, name: 'dev', account: '111111111111', region: 'eu-west-2' }),
    );

    // Act
    const { project, problems } = parseProject(files);

    // Assess
    assert.deepEqual(problems.map(formatProblem), [
      "config/environments/dev.json: $schema: expected the path or URL of the file's JSON Schema, as text",
    ]);
    assert.equal(project.environments.size, 0);
  });

  test('a $schema key inside a file is only taken at the top level', () => {
    // Arrange
    const files = new Map(Object.entries(minimalProjectFiles()));
    files.set(
      'config/environments/dev.json',
      JSON.stringify({ name: 'dev', account: '111111111111', region: 'eu-west-2', athena: { $schema: 'x' } }),
    );

    // Act
    const { problems } = parseProject(files);

    // Assess
    assert.equal(problems.length, 1);
    assert.match(formatProblem(problems[0] ?? { file: '', message: '' }), /athena: unexpected key\(s\) "\$schema"/);
  });
});
