import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT_FOLDERS } from '../../lib/core/model/project.ts';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

/** `dap query` as a user runs it: the built CLI in its own process, over a project copy and a fresh data folder. */
describe('dap query', () => {
  let root: string;
  let dataDir: string;
  const dap = (args: readonly string[], input?: string) =>
    spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'bin/dap.js'), '--root', root, 'query', ...args, '--data-dir', dataDir],
      {
        encoding: 'utf8',
        ...(input === undefined ? {} : { input }),
      },
    );

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'dap-query-project-'));
    for (const folder of PROJECT_FOLDERS) cpSync(join(REPO_ROOT, folder), join(root, folder), { recursive: true });
    dataDir = join(root, '.dap');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('SQL that starts with a comment is SQL, not an option', () => {
    // Act
    const result = dap(['-- how many?\nselect 40 + 2 as answer', '--json']);

    // Assess
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { answer: 42 });
  });

  test('an option typed wrong is refused as an unknown option, not run as SQL', () => {
    // Act
    const result = dap(['select 1', '--jsn']);

    // Assess
    assert.equal(result.status, 1);
    assert.match(result.stderr, /unknown option '--jsn'/);
  });

  test('--file runs each statement in order; JSON lines carry the statement number', () => {
    // Prepare
    const file = join(root, 'statements.sql');
    writeFileSync(
      file,
      'create table main.t (n integer);\ninsert into main.t values (1), (2);\n-- the rows\nselect n from main.t order by n;\n',
    );

    // Act
    const result = dap(['--file', file, '--json']);

    // Assess
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
      // The create returns no rows, so it prints none.
      [
        { statement: 2, rows_affected: 2 },
        { statement: 3, row: { n: 1 } },
        { statement: 3, row: { n: 2 } },
      ],
    );
  });

  test('--csv writes one result set for a spreadsheet: quoted as RFC 4180, NULL empty, formulas neutralised', () => {
    // Act
    const sql = `select * from (values (1, '=HYPERLINK("http://x.example")', 'a,b'), (2, '-12.5', null)) t(n, note, tag)`;
    const result = dap([sql, '--csv']);
    const warehouse = dap(["select '@SUM(1)' as note, 'plain' as tag", '--csv', '--warehouse']);

    // Assess
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'n,note,tag\r\n1,"\'=HYPERLINK(""http://x.example"")","a,b"\r\n2,-12.5,\r\n');
    assert.equal(warehouse.status, 0, warehouse.stderr);
    assert.equal(warehouse.stdout, "note,tag\r\n'@SUM(1),plain\r\n");
  });

  test('--csv takes one statement, and not with --json', () => {
    // Act
    const two = dap(['select 1; select 2', '--csv']);
    const both = dap(['select 1', '--csv', '--json']);

    // Assess
    assert.equal(two.status, 1);
    assert.match(two.stderr, /^dap: --csv writes one result set: give one statement \(.* has 2\)\n$/);
    assert.equal(both.status, 1);
    assert.match(both.stderr, /--csv and --json are two output formats: give one/);
  });

  test('a failing statement stops the script, or with --continue-on-error is reported and the rest go on', () => {
    // Prepare
    const script = 'select 1 as a;\nselect * from no_such_table;\nselect 3 as c;\n';

    // Act
    const stopped = dap(['--json'], script);
    const continued = dap(['--json', '--continue-on-error'], script);

    // Assess
    assert.equal(stopped.status, 1);
    assert.deepEqual(
      stopped.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).statement),
      [1, 2],
    );
    assert.match(
      stopped.stderr,
      /^dap: statement 2 \(stdin, line 2\): the local engine rejected the statement: .*no_such_table/m,
    );
    assert.equal(continued.status, 1, 'an error anywhere still exits 1');
    assert.deepEqual(
      continued.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
      [
        { statement: 1, row: { a: 1 } },
        { statement: 2, error: JSON.parse(continued.stdout.trim().split('\n')[1] ?? '{}').error },
        { statement: 3, row: { c: 3 } },
      ],
    );
    assert.doesNotMatch(stopped.stderr + continued.stderr, /\n\s+at /, 'no stack trace');
  });

  test('a config problem in some event does not stop a query: it is said once on stderr', () => {
    // Prepare
    const [sql] = ['athena-scripts/dml/insert_into/auth_code_verified.sql'];
    const copy = mkdtempSync(join(tmpdir(), 'dap-query-broken-'));
    after(() => rmSync(copy, { recursive: true, force: true }));
    for (const folder of PROJECT_FOLDERS) cpSync(join(root, folder), join(copy, folder), { recursive: true });
    writeFileSync(join(copy, sql ?? ''), 'insert into nowhere select');

    // Act
    const result = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'bin/dap.js'),
        '--root',
        copy,
        'query',
        'select 7 as n',
        '--json',
        '--data-dir',
        join(copy, '.dap'),
      ],
      { encoding: 'utf8' },
    );

    // Assess
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { n: 7 });
    assert.equal(result.stderr.trim().split('\n').length, 1);
    assert.match(result.stderr, /^dap: note: the project has config problems; going on with what is there: /);
  });

  test('a data folder with a "?" is refused in one line (DuckDB would take it for a URL)', () => {
    const result = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'bin/dap.js'), '--root', root, 'query', 'select 1', '--data-dir', join(root, 'what?')],
      { encoding: 'utf8' },
    );

    assert.equal(result.status, 1);
    assert.match(result.stderr, /^dap: the data folder .*what\? holds a "\?"/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});
