import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadProject } from '../../lib/config/loader.ts';
import { filledRecord } from '../../lib/core/fill.ts';
import { PROJECT_FOLDERS } from '../../lib/core/model/project.ts';
import { formatFills, localFill } from '../../lib/local/fill.ts';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

/** `dap check --fill`: each enabled transform over a raw record with every declared field filled. */
describe('dap check --fill', () => {
  const roots: string[] = [];
  after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });
  const copyOfRepo = (edit: (root: string) => void) => {
    const root = mkdtempSync(join(tmpdir(), 'dap-fill-'));
    roots.push(root);
    for (const folder of PROJECT_FOLDERS) cpSync(join(REPO_ROOT, folder), join(root, folder), { recursive: true });
    edit(root);
    return root;
  };

  test('a filled record holds every declared field, nested ones with their declared case', () => {
    // Act
    const record = filledRecord([
      { name: 'timestamp', type: 'bigint' },
      {
        name: 'extensions',
        type: 'struct<hasMitigations:boolean,account-recovery:string,evidence:array<struct<score:int>>>',
      },
      { name: 'labels', type: 'map<string,string>' },
    ]);

    // Assess
    assert.deepEqual(record, {
      timestamp: 1705314030,
      extensions: { hasMitigations: true, 'account-recovery': 'account-recovery-fill', evidence: [{ score: 1 }] },
      labels: { 'labels-key': 'labels-fill' },
    });
  });

  test('every measured shipped transform fills each stage column it writes', async () => {
    // Act
    const fills = await localFill(loadProject(REPO_ROOT), 'dev');

    // Assess
    const measured = fills.filter((fill) => fill.error === undefined);
    assert.ok(measured.length >= 9, `only ${measured.length} of ${fills.length} measured`);
    assert.deepEqual(
      measured.filter((fill) => fill.nullColumns.length > 0 || fill.rowsWritten === 0).map((fill) => fill.event),
      [],
    );
  });

  test('a transform that drops a value it reads is named with the column, and dap check --fill exits 1', () => {
    // Arrange: the e-mail address is read from a path the declaration does not have
    const root = copyOfRepo((dir) => {
      const file = join(dir, 'athena-scripts/dml/insert_into/auth_create_account.sql');
      const sql = readFileSync(file, 'utf8');
      assert.ok(sql.includes('"user".email as email_address'));
      writeFileSync(file, sql.replace('"user".email as email_address', 'cast(null as varchar) as email_address'));
    });

    // Act
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/dap.js'), '--root', root, 'check', '--fill'], {
      encoding: 'utf8',
    });

    // Assess
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /^athena-scripts\/dml\/insert_into\/auth_create_account\.sql: stage column\(s\) email_address of auth_account_creation NULL from a raw record with every declared field filled$/m,
    );
    assert.match(result.stdout, /dap fill: 1 of \d+ measured enabled event\(s\) leave stage columns they write NULL/);
  });

  test('an event the filled values cannot run is a note that fails nothing', () => {
    // Act
    const { lines, failing } = formatFills([
      { event: 'e', file: 'e.sql', table: 't', nullColumns: [], rowsWritten: 0, error: 'Malformed JSON' },
    ]);

    // Assess
    assert.equal(failing, false);
    assert.deepEqual(lines, [
      'note: e.sql: not measured: the transform refused the filled values: Malformed JSON',
      'dap fill: 0 of 1 enabled event(s) measured, each fills every stage column it writes',
    ]);
  });
});
