import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveSite } from '../../lib/docs/serve.ts';

test('dap docs --serve serves the folder on localhost, and nothing outside it', async () => {
  // Prepare
  const root = mkdtempSync(join(tmpdir(), 'dap-docs-serve-'));
  writeFileSync(join(root, 'index.html'), '<p>catalog</p>');
  // Act
  const { server, url } = await serveSite(root, 0);
  try {
    const index = await fetch(url);
    const missing = await fetch(new URL('nope.html', url));
    const outside = await fetch(`${url}..%2f..%2fetc%2fpasswd`);
    // Assess
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(await index.text(), '<p>catalog</p>');
    assert.equal(missing.status, 404);
    assert.equal(outside.status, 403);
  } finally {
    server.close();
    rmSync(root, { recursive: true, force: true });
  }
});
