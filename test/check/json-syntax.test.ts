import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkProject } from '../../lib/check/check.ts';
import { jsonSyntaxError } from '../../lib/config/json-syntax.ts';
import { PROJECT_FOLDERS } from '../../lib/core/model/project.ts';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

test('the first syntax error of a JSON text, at its line and column, saying what was expected', () => {
  assert.deepEqual(jsonSyntaxError('[\n  {"a": 1},\n]'), {
    line: 3,
    column: 1,
    message: 'expected a value after the comma (JSON allows no trailing comma), found "]"',
  });
  assert.deepEqual(jsonSyntaxError('{"a": 1,}'), {
    line: 1,
    column: 9,
    message: 'expected a key after the comma (JSON allows no trailing comma), found "}"',
  });
  assert.deepEqual(jsonSyntaxError('{"a" 1}'), {
    line: 1,
    column: 6,
    message: 'expected ":" after the key, found "1"',
  });
  assert.deepEqual(jsonSyntaxError("{'a': 1}"), {
    line: 1,
    column: 2,
    message: 'expected a key in double quotes, found "\'"',
  });
  assert.deepEqual(jsonSyntaxError('{"a": "b'), {
    line: 1,
    column: 9,
    message: 'expected a closing quote, found the end of the file',
  });
});

test('it agrees with JSON.parse on which texts are JSON', () => {
  const texts = [
    '{}',
    '[]',
    '0',
    '-0.5e+3',
    '"\\u00e9\\n"',
    'true',
    'null',
    ' [1, {"a": [null, false]}] ',
    '\ufeff{"a": 1}',
    '',
    '[',
    '{"a":}',
    '01',
    '1.',
    '.5',
    '+1',
    '"\\x"',
    '"a\tb"',
    '[1 2]',
    'nul',
    '{"a":1}}',
    '[1,,2]',
    'NaN',
  ];
  for (const text of texts) {
    let parses = true;
    try {
      JSON.parse(text.replace(/^\ufeff/, ''));
    } catch {
      parses = false;
    }
    assert.equal(jsonSyntaxError(text) === undefined, parses, JSON.stringify(text));
  }
});

test('a trailing comma in product_family_config.json is one problem at its line and column, with nothing that follows from it', () => {
  // Prepare
  const root = mkdtempSync(join(tmpdir(), 'dap-json-syntax-'));
  try {
    for (const folder of PROJECT_FOLDERS) cpSync(join(REPO_ROOT, folder), join(root, folder), { recursive: true });
    const file = join(root, 'athena-scripts/process_scripts/product_family_config.json');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/\}\s*\]\s*$/, '},\n]\n'));
    const lines = text.trimEnd().split('\n').length;

    // Act
    const { problems } = checkProject(root);

    // Assess
    assert.deepEqual(problems, [
      {
        file: 'athena-scripts/process_scripts/product_family_config.json',
        at: `line ${lines}, column 1`,
        message: 'not valid JSON: expected a value after the comma (JSON allows no trailing comma), found "]"',
      },
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
