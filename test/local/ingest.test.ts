import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { IngestSummary } from '../../lib/core/ingest/report.ts';
import { IngestCommandError } from '../../lib/local/actions/ingest.ts';
import { registerIngest } from '../../lib/local/commands/ingest.ts';
import { type LocalContext, openLocal } from '../../lib/local/context.ts';
import { formatIngestSummary, ingestShippedSamples } from '../../lib/local/ingest-samples.ts';
import { watchLanding } from '../../lib/local/watch.ts';
import { CORPUS_DIR, ingestProjectFiles, writeProject } from '../core/ingest/harness.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const cleanups: (() => void | Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function open(root: string): Promise<LocalContext> {
  const context = await openLocal({ root, dataDir: tempDir('dap-ingest-local-') });
  cleanups.push(() => context.close());
  return context;
}

function dropInto(context: LocalContext, file: string, key: string): void {
  const target = context.store.pathOf(context.names.buckets.landing, key);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
}

describe('shipped samples (npm start)', () => {
  test('every sample file is ingested with the outcome its content calls for, and raw answers in SQL', async () => {
    // Prepare
    const context = await open(REPO);

    // Act
    const summaries = await ingestShippedSamples(context);
    await context.engine.syncCatalog();

    // Assess
    assert.deepEqual(
      summaries.map((s) => [s.key.split('/').pop(), s.outcome, s.rows.read, s.rows.loaded]),
      [
        ['crm_contacts_2026-11-09.csv', 'loaded', 10, 10],
        ['crm_contacts_2026-11-16.csv', 'loaded', 11, 11],
        ['registrations_autumn_2026.xlsx', 'partially_loaded', 25, 24],
        ['prospects_north_2026-11.csv', 'partially_loaded', 4, 3],
        ['prospects_south_2026-11.csv', 'loaded', 3, 3],
        ['prospects_wales_2026-11.csv', 'partially_loaded', 4, 3],
        ['customers_2026-11-16.csv', 'partially_loaded', 22, 20],
        ['sales_2026-11-16.csv', 'loaded', 30, 30],
        ['sales_2026-11-17.csv', 'quarantined', 5, 0],
      ],
    );
    const raw = context.names.rawDatabase;
    for (const [dataset, loaded] of [
      ['crm_contacts', 21],
      ['event_registrations', 24],
      ['prospect_organisations', 9],
      ['shop_customers', 20],
      ['shop_sales', 30],
    ] as const) {
      const result = await context.engine.execute(`select count(*) as n from ${raw}.${dataset}`);
      assert.equal(Number(result.rows[0]?.n), loaded, dataset);
    }
    const senders = await context.engine.execute(
      `select sender, count(*) as n from ${raw}.prospect_organisations group by sender order by sender`,
    );
    assert.deepEqual(
      senders.rows.map((r) => [r.sender, Number(r.n)]),
      [
        ['north_office', 3],
        ['south_office', 3],
        ['wales_office', 3],
      ],
    );
    assert.match(formatIngestSummary(summaries[8] as IngestSummary), /closest is "v2"/);
  });

  test('two CRM snapshots in raw are enough to derive inserts, updates and deletes between them', async () => {
    // Prepare
    const context = await open(REPO);
    await ingestShippedSamples(context);
    await context.engine.syncCatalog();
    const raw = context.names.rawDatabase;

    // Act: what the reporting model will do, keyed on the snapshot key and compared by row_hash.
    const changes = await context.engine.execute(`
      with snapshots as (select distinct snapshot_date from ${raw}.crm_contacts),
      ranked as (select snapshot_date, rank() over (order by snapshot_date desc) as age from snapshots),
      previous as (select c.* from ${raw}.crm_contacts c join ranked r using (snapshot_date) where r.age = 2),
      latest as (select c.* from ${raw}.crm_contacts c join ranked r using (snapshot_date) where r.age = 1)
      select coalesce(l.contact_id, p.contact_id) as contact_id,
             case when p.contact_id is null then 'insert' when l.contact_id is null then 'delete' else 'update' end as change
      from latest l full outer join previous p on l.contact_id = p.contact_id
      where p.contact_id is null or l.contact_id is null or l.row_hash <> p.row_hash
      order by 1`);

    // Assess
    assert.deepEqual(
      changes.rows.map((r) => [r.contact_id, r.change]),
      [
        ['C003', 'delete'],
        ['C005', 'update'],
        ['C007', 'update'],
        ['C011', 'insert'],
        ['C012', 'insert'],
      ],
    );
  });
});

describe('dap watch', () => {
  test('--once ingests every file waiting in the landing folder, then returns', async () => {
    // Prepare
    const context = await open(writeProject(ingestProjectFiles()));
    dropInto(context, join(CORPUS_DIR, 'valid.csv'), 'landing/people/a.csv');
    dropInto(context, join(CORPUS_DIR, 'header-only.csv'), 'landing/people/b.csv');
    const summaries: IngestSummary[] = [];

    // Act
    await watchLanding(context, {
      once: true,
      intervalMs: 10,
      signal: new AbortController().signal,
      onSummary: (summary) => summaries.push(summary),
      onError: (key, error) => assert.fail(`${key}: ${error.message}`),
    });

    // Assess
    assert.deepEqual(
      summaries.map((s) => [s.key, s.outcome]),
      [
        ['landing/people/a.csv', 'loaded'],
        ['landing/people/b.csv', 'quarantined'],
      ],
    );
    assert.deepEqual(await context.store.list(context.names.buckets.landing, ''), []);
  });

  test('polling: a file is taken once it stops changing, and aborting stops the watch', async () => {
    // Prepare
    const context = await open(writeProject(ingestProjectFiles()));
    dropInto(context, join(CORPUS_DIR, 'valid.csv'), 'landing/people/a.csv');
    const controller = new AbortController();
    const summaries: IngestSummary[] = [];

    // Act
    await watchLanding(context, {
      once: false,
      intervalMs: 5,
      signal: controller.signal,
      onSummary: (summary) => {
        summaries.push(summary);
        controller.abort();
      },
      onError: (key, error) => assert.fail(`${key}: ${error.message}`),
    });

    // Assess
    assert.deepEqual(
      summaries.map((s) => s.outcome),
      ['loaded'],
    );
  });

  test('the dap watch process stops cleanly on SIGINT', async () => {
    // Prepare
    const root = writeProject(ingestProjectFiles());
    const dataDir = tempDir('dap-watch-');
    const script = [
      "import { Command } from 'commander';",
      `import { registerIngest } from ${JSON.stringify(join(REPO, 'lib/local/commands/ingest.ts'))};`,
      "const program = new Command('dap').option('--root <dir>');",
      'registerIngest(program);',
      'await program.parseAsync();',
    ].join('\n');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
        '--',
        '--root',
        root,
        'watch',
        '--data-dir',
        dataDir,
        '--interval',
        '20',
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';

    // Act
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('watching')) resolve();
      });
    });
    child.kill('SIGINT');

    // Assess
    assert.equal(await exit, 0);
    assert.match(stderr, /watching .*landing\/<source>\//);
    assert.match(stderr, /stopped/);
  });
});

describe('dap ingest', () => {
  test('copies the file into landing, ingests it and prints the summary; a quarantine sets exit code 1', async () => {
    // Prepare
    const root = writeProject(ingestProjectFiles());
    const dataDir = tempDir('dap-cli-');
    const program = new Command('dap').option('--root <dir>').exitOverride();
    registerIngest(program);
    const printed: string[] = [];
    const log = console.log;
    console.log = (line: string) => printed.push(line);
    const exitCode = process.exitCode;

    // Act
    try {
      await program.parseAsync(
        ['--root', root, 'ingest', join(CORPUS_DIR, 'valid.csv'), '-s', 'people', '--data-dir', dataDir],
        {
          from: 'user',
        },
      );
      await program.parseAsync(
        [
          '--root',
          root,
          'ingest',
          join(CORPUS_DIR, 'header-only.csv'),
          '-s',
          'people',
          '--data-dir',
          dataDir,
          '--json',
        ],
        { from: 'user' },
      );
    } finally {
      console.log = log;
    }
    const quarantineExit = process.exitCode;
    process.exitCode = exitCode;

    // Assess
    assert.match(printed[0] ?? '', /^loaded {11}landing\/people\/valid.csv → people: 3 read, 3 loaded, 0 rejected/);
    assert.equal(JSON.parse(printed.at(-1) ?? '{}').reason, 'the file has a header (row 1) but no data rows');
    assert.equal(quarantineExit, 1);
    await assert.rejects(
      program.parseAsync(
        ['--root', root, 'ingest', join(CORPUS_DIR, 'valid.csv'), '-s', 'nobody', '--data-dir', dataDir],
        {
          from: 'user',
        },
      ),
      (error: unknown) =>
        error instanceof IngestCommandError && /no file source "nobody" \(known: people/.test(error.message),
    );
  });
});
