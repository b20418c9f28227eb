import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { printRunResult } from '../../lib/local/progress.ts';
import { LocalTwin } from '../../lib/local/twin/local-twin.ts';
import { REPO_ROOT, stageRows, twinFixture } from '../helpers/twin-fixture.ts';

/** One enabled event whose transform names a column its stage table lacks; one disabled event whose SQL is broken. */
function breakTwoEvents(root: string): void {
  const sql = join(root, 'athena-scripts/dml/insert_into/ipv_journey_start.sql');
  writeFileSync(sql, readFileSync(sql, 'utf8').replace('  requested_vtr_count,\n', '  no_such_column,\n'));
  // auth_update_profile_phone_number is disabled in the shipped config.
  writeFileSync(
    join(root, 'athena-scripts/dml/insert_into/auth_update_profile_phone_number.sql'),
    'insert into nowhere select',
  );
}

test('a run runs every event that passes and reports the one with a config problem FAILED with it (exit 2); a disabled event blocks nothing', async () => {
  // Prepare
  const fixture = await twinFixture(breakTwoEvents);
  try {
    // Act
    const twin = await LocalTwin.open(fixture.context);
    const result = await twin.run({ now: () => new Date(Date.now() + 3 * 86_400_000) });
    const printed: string[] = [];
    const exitCode = printRunResult(result, (line) => printed.push(line));

    // Assess
    assert.equal(result.outcome, 'PARTIAL');
    assert.equal(exitCode, 2);
    const ipv = result.report?.families.find((f) => f.product_family === 'ipv_identity_journey');
    assert.equal(ipv?.status, 'FAILED');
    const broken = ipv?.events.find((e) => e.event_name === 'ipv_journey_start');
    assert.equal(broken?.status, 'FAILED');
    assert.match(
      String(broken?.error),
      /^ConfigProblem: athena-scripts\/dml\/insert_into\/ipv_journey_start\.sql: .*no_such_column/,
    );
    assert.deepEqual(
      ipv?.events.filter((e) => e.status === 'SUCCEEDED').map((e) => e.event_name),
      ['ipv_passport_cri_vc_issued', 'ipv_address_cri_vc_issued', 'ipv_identity_issued'],
    );
    assert.ok((await stageRows(fixture.context, 'ipv_identity_journey', 'ipv_passport_cri_vc_issued')) > 0);
    assert.equal(await stageRows(fixture.context, 'ipv_identity_journey', 'ipv_journey_start'), 0);
    const auth = result.report?.families.find((f) => f.product_family === 'auth_account_creation');
    assert.equal(auth?.status, 'SUCCEEDED');
    assert.deepEqual(
      auth?.events.map((e) => e.event_name),
      ['auth_email_code_sent', 'auth_code_verified', 'auth_create_account'],
    );
    assert.match(printed.join('\n'), /^ {2}ipv_identity_journey \/ ipv_journey_start: ConfigProblem: athena-scripts/m);
  } finally {
    await fixture.cleanup();
  }
});

test('dap check fails on the enabled event and only notes the disabled one', async () => {
  // Prepare
  const fixture = await twinFixture(breakTwoEvents);
  try {
    // Act
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/dap.js'), '--root', fixture.root, 'check'], {
      encoding: 'utf8',
    });

    // Assess
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^athena-scripts\/dml\/insert_into\/ipv_journey_start\.sql: .*no_such_column/m);
    assert.match(
      result.stderr,
      /^note \(stops nothing: disabled or unused\): athena-scripts\/dml\/insert_into\/auth_update_profile_phone_number\.sql: /m,
    );
    assert.match(result.stderr, /dap check: 1 problem$/m);
  } finally {
    await fixture.cleanup();
  }
});
