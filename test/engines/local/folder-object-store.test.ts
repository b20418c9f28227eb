import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FolderObjectStore } from '../../../lib/engines/local/folder-object-store.ts';

test('listing a prefix finds exactly its objects, for a folder, a partial name or nothing', async () => {
  // Prepare: two objects under the prefix, one beside it, and elsewhere an entry stat cannot read (a dangling link).
  // The listing walks only the folder the prefix names (not asserted here: the results are).
  const root = mkdtempSync(join(tmpdir(), 'dap-folder-store-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const store = new FolderObjectStore(root);
  await store.put('raw', 'txma/auth_create/day=1/a.json', '{}\n');
  await store.put('raw', 'txma/auth_create/day=2/b.json', '{}\n');
  await store.put('raw', 'txma/auth_code/day=1/c.json', '{}\n');
  mkdirSync(join(root, 'raw', 'files'), { recursive: true });
  symlinkSync(join(root, 'nowhere'), join(root, 'raw', 'files', 'broken'));

  // Act
  const folder = await store.list('raw', 'txma/auth_create/');
  const partial = await store.list('raw', 'txma/auth_c');
  const missing = await store.list('raw', 'nothing/here/');

  // Assess
  assert.deepEqual(folder, ['txma/auth_create/day=1/a.json', 'txma/auth_create/day=2/b.json']);
  assert.deepEqual(partial, [
    'txma/auth_code/day=1/c.json',
    'txma/auth_create/day=1/a.json',
    'txma/auth_create/day=2/b.json',
  ]);
  assert.deepEqual(missing, []);
});

test('a ranged open streams only the bytes asked for, and the size stays the whole object’s', async () => {
  // Prepare
  const root = mkdtempSync(join(tmpdir(), 'dap-folder-store-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const store = new FolderObjectStore(root);
  await store.put('landing', 'a.bin', 'abcdefghij');

  // Act
  const handle = await store.open('landing', 'a.bin', { range: { start: 2, end: 5 } });
  const chunks: Uint8Array[] = [];
  for await (const chunk of handle?.body ?? []) chunks.push(chunk);

  // Assess
  assert.equal(Buffer.concat(chunks).toString(), 'cde');
  assert.equal(handle?.size, 10);
});
