import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { liveProgress, progressLines, type RunProgressEvent } from '../../lib/local/live-progress.ts';
import { progressView } from '../../lib/local/run.ts';

/** A run's steps: one family loads, one fails a check, one event fails, the reporting model builds. */
const RUN: RunProgressEvent[] = [
  {
    kind: 'planned',
    families: [
      { product_family: 'shop', events: ['shop_sales', 'shop_refunds'] },
      { product_family: 'crm', events: ['crm_contacts'] },
    ],
    reporting: ['single_customer_view'],
  },
  { kind: 'event-started', family: 'shop', event: 'shop_sales' },
  { kind: 'event-started', family: 'shop', event: 'shop_refunds' },
  { kind: 'event-started', family: 'crm', event: 'crm_contacts' },
  { kind: 'event-done', family: 'shop', event: 'shop_sales', outcome: 'loaded', files: 2, bytes: 2048, seconds: 1.25 },
  { kind: 'event-done', family: 'shop', event: 'shop_refunds', outcome: 'nothing-new', seconds: 0.04 },
  { kind: 'event-done', family: 'crm', event: 'crm_contacts', outcome: 'failed', error: 'HIVE_BAD_DATA', seconds: 0.5 },
  { kind: 'family-done', family: 'shop' },
  { kind: 'family-done', family: 'crm', error: 'checks failed: contacts_have_email' },
  { kind: 'note', text: 'notification: dap dev run PARTIAL' },
  { kind: 'procedure-started', family: 'single_customer_view' },
  { kind: 'procedure-done', family: 'single_customer_view', seconds: 0.3 },
];

function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  Object.assign(stream, { isTTY: true, columns: 100, rows: 40 });
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what is stripped
  return { stream, text: () => chunks.join('').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '') };
}

describe('run progress', () => {
  test('plain lines: each step once, with what it read and how long it took', () => {
    const lines: string[] = [];
    const progress = progressLines((line) => lines.push(line));
    for (const event of RUN) progress(event);
    assert.deepEqual(lines, [
      '  … shop / shop_sales',
      '  … shop / shop_refunds',
      '  … crm / crm_contacts',
      '  ✓ shop / shop_sales: 2 files, 2.0 KiB (1.3 s)',
      '  ✓ shop / shop_refunds: nothing new (0.0 s)',
      '  ✗ crm / crm_contacts: HIVE_BAD_DATA (0.5 s)',
      '  ✗ crm: checks failed: contacts_have_email',
      '  ! notification: dap dev run PARTIAL',
      '  … reporting single_customer_view',
      '  ✓ reporting single_customer_view (0.3 s)',
    ]);
  });

  test('in a terminal, a live tree: families with their events, each ticked or crossed as it ends', async () => {
    const { stream, text } = terminal();
    const live = liveProgress({ stream });
    for (const event of RUN) live.progress(event);
    await live.close();
    const output = text();
    for (const line of [
      '✔ shop_sales: 2 files, 2.0 KiB (1.3 s)',
      '✔ shop_refunds: nothing new (0.0 s)',
      '✖ crm_contacts\n    › HIVE_BAD_DATA (0.5 s)',
      '✔ checks passed, watermarks committed',
      '✖ not committed\n    › checks failed: contacts_have_email',
      '✔ single_customer_view (0.3 s)',
      '! notification: dap dev run PARTIAL',
    ]) {
      assert.ok(output.includes(line), `"${line}" in:\n${output}`);
    }
    assert.match(output, /⚠ crm\n/, 'a family with a failed step is marked');
    assert.match(output, /✔ shop\n/);
  });

  test('a run that stops early shows the steps it never reached as not run', async () => {
    const { stream, text } = terminal();
    const live = liveProgress({ stream });
    live.progress(RUN[0] as RunProgressEvent);
    await live.close();
    assert.match(text(), /shop_sales: not run/);
    assert.match(text(), /single_customer_view: not run/);
  });

  test('the live tree is for terminals; CI, pipes and DAP_PROGRESS=plain get lines', () => {
    assert.equal(progressView({}, true), 'live');
    assert.equal(progressView({ CI: 'true' }, true), 'lines');
    assert.equal(progressView({}, false), 'lines');
    assert.equal(progressView({ DAP_PROGRESS: 'plain' }, true), 'lines');
    assert.equal(progressView({ DAP_PROGRESS: 'live' }, false), 'live');
    assert.equal(progressView({ TERM: 'dumb' }, true), 'lines');
  });
});
