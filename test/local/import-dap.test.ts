import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/dap-shaped');
const CATALOG = join(FIXTURE, 'exported/get-tables-dev-txma-raw.json');

/** A DAP-shaped checkout imported as a user does it, then checked and run on the twin there. */
describe('dap import dap, then dap check and dap run on what it wrote', () => {
  let work: string;
  let project: string;
  let dataDir: string;
  const dap = (args: readonly string[]) =>
    spawnSync(process.execPath, [join(REPO_ROOT, 'bin/dap.js'), ...args], { encoding: 'utf8' });
  const importInto = (out: string, extra: readonly string[] = []) =>
    dap(['import', 'dap', FIXTURE, '--out', out, '--glue-catalog', CATALOG, ...extra]);
  const snapshot = (dir: string) => {
    const files = new Map<string, string>();
    for (const entry of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
      const full = join(dir, entry);
      if (statSync(full).isFile()) files.set(relative(dir, full), readFileSync(full, 'utf8'));
    }
    return files;
  };

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'dap-import-'));
    project = join(work, 'project');
    dataDir = join(work, '.dap');
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('imports the checkout, and importing it again gives the same bytes', () => {
    // Act
    const first = importInto(project);
    const written = snapshot(project);
    const again = importInto(project);

    // Assess
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /23 files written, 0 with something not converted, 4 things left out/);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /no file changed/);
    assert.deepEqual(snapshot(project), written);
    assert.equal(written.size, 24);
  });

  test('dap check passes on the imported project', () => {
    // Act
    const check = dap(['--root', project, 'check']);

    // Assess
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /dap check: no problems found/);
  });

  test("a run on the twin loads raw rows at DAP's upper-case prefixes into stage, then builds the model", () => {
    // Prepare: raw rows where DAP's delivery stream writes them, a duplicate event_id among them
    const raw = (event: string, day: string, rows: readonly object[]) => {
      const dir = join(dataDir, 'dev-dap-raw', 'txma', event, 'year=2024', 'month=05', `day=${day}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'part-0.json'), rows.map((r) => JSON.stringify(r)).join('\n'));
    };
    const envelope = (id: string, name: string, timestamp: number) => ({
      event_id: id,
      event_name: name,
      client_id: 'shop',
      user: { user_id: `u-${id}`, govuk_signin_journey_id: 'j1' },
      timestamp,
      timestamp_formatted: new Date(timestamp * 1000).toISOString(),
    });
    raw('PARCEL_LABEL_CREATED', '01', [envelope('e1', 'PARCEL_LABEL_CREATED', 1714546800)]);
    raw('PARCEL_SCANNED', '02', [
      {
        ...envelope('e2', 'PARCEL_SCANNED', 1714633200),
        extensions: { depotName: 'Leeds Central', 'signed-by': 'A. Clerk' },
      },
      {
        ...envelope('e2', 'PARCEL_SCANNED', 1714633300),
        extensions: { depotName: 'Leeds Central', 'signed-by': 'B. Clerk' },
      },
      { ...envelope('e3', 'PARCEL_SCANNED', 1714633400), extensions: { depotName: 'Bristol Docks' } },
    ]);
    raw('PARCEL_DELIVERED', '03', [
      {
        ...envelope('e4', 'PARCEL_DELIVERED', 1714719600),
        extensions: { proofOfDelivery: { photoTaken: true, 'signature-kind': 'pen' } },
      },
    ]);

    // Act
    const run = dap(['--root', project, 'run', '--data-dir', dataDir]);
    const stage = dap([
      '--root',
      project,
      'query',
      '--json',
      '--data-dir',
      dataDir,
      'select event_id, event_name, user_user_id, "timestamp", extensions_depotname, extensions_signed_by, extensions_proofofdelivery, year, month, day from dev_dap_stage.parcel_journey order by event_id',
    ]);
    const model = dap([
      '--root',
      project,
      'query',
      '--warehouse',
      '--json',
      '--data-dir',
      dataDir,
      'select event_id, depot_region from conformed.fact_parcel_event order by event_id',
    ]);

    // Assess
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /SUCCEEDED: 1\/1 families, 3\/3 events, 4 rows written, 1\/1 reporting procedures/);
    assert.equal(stage.status, 0, stage.stderr);
    assert.deepEqual(
      stage.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
      [
        {
          event_id: 'e1',
          event_name: 'PARCEL_LABEL_CREATED',
          user_user_id: 'u-e1',
          timestamp: 1714546800,
          extensions_depotname: null,
          extensions_signed_by: null,
          extensions_proofofdelivery: null,
          year: 2024,
          month: 5,
          day: 1,
        },
        {
          event_id: 'e2',
          event_name: 'PARCEL_SCANNED',
          user_user_id: 'u-e2',
          timestamp: 1714633200,
          extensions_depotname: 'Leeds Central',
          extensions_signed_by: 'A. Clerk',
          extensions_proofofdelivery: null,
          year: 2024,
          month: 5,
          day: 2,
        },
        {
          event_id: 'e3',
          event_name: 'PARCEL_SCANNED',
          user_user_id: 'u-e3',
          timestamp: 1714633400,
          extensions_depotname: 'Bristol Docks',
          extensions_signed_by: null,
          extensions_proofofdelivery: null,
          year: 2024,
          month: 5,
          day: 2,
        },
        {
          event_id: 'e4',
          event_name: 'PARCEL_DELIVERED',
          user_user_id: 'u-e4',
          timestamp: 1714719600,
          extensions_depotname: null,
          extensions_signed_by: null,
          extensions_proofofdelivery: '{"photoTaken":true,"signature-kind":"pen"}',
          year: 2024,
          month: 5,
          day: 3,
        },
      ],
    );
    assert.equal(model.status, 0, model.stderr);
    assert.deepEqual(
      model.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
      [
        { event_id: 'e1', depot_region: null },
        { event_id: 'e2', depot_region: 'North' },
        { event_id: 'e3', depot_region: 'South West' },
        { event_id: 'e4', depot_region: null },
      ],
    );
  });

  test('--glue-from reads the Glue YAML at an earlier revision of a git work tree', () => {
    // Prepare: a checkout whose latest commit removed the Glue YAML, as DAP's e45e303f did
    const checkout = join(work, 'checkout');
    cpSync(FIXTURE, checkout, { recursive: true });
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', checkout, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
        stdio: 'pipe',
      });
    git('init', '--quiet');
    git('add', '.');
    git('commit', '--quiet', '-m', 'with Glue YAML');
    rmSync(join(checkout, 'iac'), { recursive: true });
    git('add', '--all');
    git('commit', '--quiet', '-m', 'Glue tables moved to a crawler');
    const out = join(work, 'from-rev');

    // Act
    const without = dap(['import', 'dap', checkout, '--out', join(work, 'no-rev'), '--glue-catalog', CATALOG]);
    const withRev = dap(['import', 'dap', checkout, '--out', out, '--glue-from', 'HEAD~1', '--glue-catalog', CATALOG]);

    // Assess
    assert.equal(withRev.status, 0, withRev.stderr);
    // The same tables as from the work tree's own YAML; only where they were read from differs.
    const fromRev = new Map(
      [...snapshot(join(out, 'athena-scripts'))].map(([p, t]) => [p, t.replaceAll(' at HEAD~1', '')]),
    );
    assert.deepEqual(fromRev, snapshot(join(project, 'athena-scripts')));
    assert.match(
      readFileSync(join(out, 'athena-scripts/raw_tables/parcel_scanned.json'), 'utf8'),
      /iac\/main\/resources\/raw\.yml at HEAD~1 \(ParcelScannedGlueTable\)/,
    );
    assert.equal(without.status, 0, without.stderr);
    assert.match(
      readFileSync(join(work, 'no-rev', 'dap-import-report.md'), 'utf8'),
      /import with --glue-from e45e303f\^ to read it from before/,
    );
  });

  test('what cannot be used is one line naming it, exit 1, no stack trace', () => {
    // Act
    const cases = [
      dap(['import', 'dap', join(work, 'nowhere'), '--out', join(work, 'x')]),
      dap(['import', 'dap', join(REPO_ROOT, 'lib'), '--out', join(work, 'x')]),
      dap(['import', 'dap', FIXTURE, '--out', join(work, 'x'), '--glue-from', 'e45e303f^']),
      dap([
        'import',
        'dap',
        FIXTURE,
        '--out',
        join(work, 'x'),
        '--glue-catalog',
        join(FIXTURE, 'iac/main/resources/raw.yml'),
      ]),
    ];

    // Assess
    const lines = cases.map((result) => {
      assert.equal(result.status, 1, result.stdout + result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      return result.stderr.trim();
    });
    assert.match(lines[0] ?? '', /^dap: .*nowhere: no such folder \(expected a checkout of DAP\)$/);
    assert.match(
      lines[1] ?? '',
      /^dap: .*lib: no athena-scripts\/process_scripts\/product_family_config\.json: expected a checkout of DAP/,
    );
    assert.match(
      lines[2] ?? '',
      /^dap: .*dap-shaped: --glue-from e45e303f\^: git cannot find that revision.*expected a git work tree of DAP and a commit of it/,
    );
    assert.match(lines[3] ?? '', /^dap: .*raw\.yml: not valid JSON: /);
  });
});
