import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { writeFixtureReports } from './fixture-reports.ts';

/**
 * The catalog in a real browser: `dap docs` builds the site from the shipped project and a fixture data folder, and
 * headless Chromium (Debian's `chromium`; `.ci/run` installs it) opens the pages from file:// and dumps the DOM after
 * the page's script ran. One screenshot per main page is kept in test-output/docs/ for people to look at; pixels are
 * never compared.
 */

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = process.env.DAP_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = join(REPO_ROOT, 'test-output', 'docs');
const run = promisify(execFile);

describe('dap docs in headless Chromium', () => {
  let work: string;
  let site: string;

  before(() => {
    assert.ok(
      existsSync(CHROMIUM),
      `no Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install -y chromium; .ci/run does) or set DAP_CHROMIUM`,
    );
    // Prepare
    work = mkdtempSync(join(tmpdir(), 'dap-docs-browser-'));
    site = join(work, 'site');
    writeFixtureReports(join(work, 'data'));
    // Act
    const built = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'bin/dap.js'), '--root', REPO_ROOT, 'docs', '--data-dir', join(work, 'data'), '--out', site],
      { encoding: 'utf8' },
    );
    assert.equal(built.status, 0, built.stderr);
    assert.match(built.stdout, /2 run report\(s\)/);
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  const chromium = async (page: string, ...args: string[]): Promise<string> => {
    const profile = mkdtempSync(join(work, 'profile-'));
    const { stdout } = await run(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--hide-scrollbars',
        `--user-data-dir=${profile}`,
        ...args,
        `${pathToFileURL(join(site, page.split('#')[0] ?? page)).href}${page.includes('#') ? `#${page.split('#')[1]}` : ''}`,
      ],
      { timeout: 30_000, maxBuffer: 32 * 1024 * 1024 },
    );
    return stdout;
  };
  const dom = (page: string) => chromium(page, '--dump-dom');

  test('the search, driven by the URL hash, finds an event', async () => {
    // Act
    const html = await dom('index.html#q=auth_create');
    // Assess
    assert.match(html, /<li class="result" data-kind="event" data-name="auth_create_account">/);
    assert.match(html, /<ul id="search-results" data-query="auth_create" data-count="\d+">/);
    assert.doesNotMatch(html, /data-name="ipv_journey_start"/);
  });

  test("a stage table's page lists its columns, a lineage edge of a known column and its failed check", async () => {
    // Act
    const html = await dom('stage-auth_account_creation.html');
    // Assess
    for (const column of ['event_id', 'user_id', 'email_address', 'processed_date']) {
      assert.match(html, new RegExp(`<span id="col-${column}" class="column-name">${column}</span>`));
    }
    assert.match(
      html,
      /<path class="edge" d="[^"]+" data-from="raw\.auth_create_account\.user\.user_id" data-to="stage\.auth_account_creation\.user_id">/,
    );
    assert.match(
      html,
      /<span class="check-result" data-check="unique_event_id"><span class="status failed">FAILED<\/span><\/span>/,
    );
    assert.match(html, /<span class="check-result" data-check="not_null[a-z_]*"><span class="status passed">PASSED/);
  });

  test("a reporting table's page traces its column to the stage tables", async () => {
    const html = await dom('reporting-fact_user_journey_event.html');
    assert.match(
      html,
      /data-from="stage\.auth_account_creation\.event_id" data-to="reporting\.fact_user_journey_event\.event_id"/,
    );
    assert.match(html, /Grain: one row per TxMA event_id/);
  });

  test('one screenshot per main page, kept in test-output/docs', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const pages = {
      index: 'index.html#q=auth',
      family: 'family-auth_account_creation.html',
      event: 'event-auth_create_account.html',
      stage: 'stage-auth_account_creation.html',
      reporting: 'reporting-fact_user_journey_event.html',
    };
    await Promise.all(
      Object.entries(pages).map(async ([name, page]) => {
        const path = join(SCREENSHOTS, `${name}.png`);
        rmSync(path, { force: true });
        await chromium(page, `--screenshot=${path}`, '--window-size=1280,900');
        assert.ok(statSync(path).size > 1000, `${path} was written`);
      }),
    );
  });
});
