import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseBaseUrl } from '../../lib/local/commands/pull.ts';
import { REPO_ROOT } from '../helpers/twin-fixture.ts';

/** What a user types wrong, or asks first: answered at once, in one line, before anything is opened. */
describe('dap command arguments', () => {
  const work = mkdtempSync(join(tmpdir(), 'dap-cli-arguments-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const dap = (args: readonly string[]) =>
    spawnSync(process.execPath, [join(REPO_ROOT, 'bin/dap.js'), '--root', REPO_ROOT, ...args], { encoding: 'utf8' });

  test('dap --version prints the package version', () => {
    // Arrange
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

    // Act
    const result = dap(['--version']);

    // Assess
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), version);
  });

  test('dap run --family with a typo is refused with the close name, before any engine opens', () => {
    // Arrange
    const dataDir = join(work, 'run-typo');

    // Act
    const result = dap(['run', '--family', 'eventbrit', '--data-dir', dataDir]);

    // Assess
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^dap: family "eventbrit" is not in product_family_config\.json: did you mean "eventbrite"\?/,
    );
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.equal(existsSync(dataDir), false, 'nothing may be opened or written for a refused selection');
  });

  test('dap backfill with an event its family does not have is refused before any engine opens', () => {
    // Arrange
    const dataDir = join(work, 'backfill-typo');
    const args = ['backfill', '--family', 'eventbrite', '--event', 'no_such_event', '--from', '2026-01-01'];

    // Act
    const result = dap([...args, '--to', '2026-01-02', '--data-dir', dataDir]);

    // Assess
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^dap: event "no_such_event" is not an enabled event of the families this run covers/);
    assert.equal(existsSync(dataDir), false);
  });

  test('dap watch --once on an empty landing folder says there is nothing to ingest', () => {
    // Act
    const result = dap(['watch', '--once', '--data-dir', join(work, 'watch-empty')]);

    // Assess
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /dap watch: nothing to ingest in .*landing\/<source>\//);
  });

  test('dap pull --base-url takes https, and plain http only to this machine', () => {
    // Act
    const remote = dap(['pull', 'eventbrite', '--base-url', 'http://api.example.com', '--data-dir', join(work, 'p')]);

    // Assess
    assert.equal(remote.status, 1);
    assert.match(remote.stderr, /expected https:\/\/, or http:\/\/ to 127\.0\.0\.1, localhost or \[::1\] only/);
    assert.equal(parseBaseUrl('http://127.0.0.1:8080/v3'), 'http://127.0.0.1:8080/v3');
    assert.equal(parseBaseUrl('https://staging.example.com'), 'https://staging.example.com');
    assert.throws(() => parseBaseUrl('ftp://127.0.0.1'), /expected https:\/\//);
  });
});
