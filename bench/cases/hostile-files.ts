import { createWriteStream, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourceNames } from '../../lib/core/model/names.ts';
import { environment } from '../../lib/core/model/project.ts';
import { FolderObjectStore } from '../../lib/engines/local/folder-object-store.ts';
import { REGISTRATIONS_HEADER } from '../lib/files.ts';
import { fact, failures, formatNumber, rss, show, table } from '../lib/report.ts';
import type { BenchCase, Measurement, Step } from '../lib/types.ts';
import { copyProject } from '../lib/workspace.ts';
import { zipOf } from '../lib/zip.ts';

/**
 * Hostile files through `dap ingest` with the shipped sources' default limits: each must be quarantined with its
 * limit named while the process stays far under the ingest Lambda's 2,048 MB. The files are the attacks of the
 * hardening issue, generated here: a workbook whose one shared string inflates to 256 MB, a workbook of 1,000,001
 * rows, a CSV whose unclosed quote swallows 200 MB, and a CSV of 1,000,001 rows.
 */

type Attack = 'shared-string-bomb' | 'million-row-sheet' | 'unclosed-quote' | 'million-row-csv';
interface AttackParams {
  readonly workDir: string;
  readonly attack: Attack;
}

const MB = 1024 ** 2;
const LAMBDA_MB = 2048;

const ATTACKS: Readonly<Record<Attack, { label: string; file: string; source: string }>> = {
  'shared-string-bomb': {
    label: 'XLSX: one shared string of 256 MB',
    file: 'bomb-strings.xlsx',
    source: 'event_registrations',
  },
  'million-row-sheet': { label: 'XLSX: 1,000,001 rows', file: 'million.xlsx', source: 'event_registrations' },
  'unclosed-quote': { label: 'CSV: an unclosed quote before 200 MB', file: 'sales_unclosed.csv', source: 'shop_sales' },
  'million-row-csv': { label: 'CSV: 1,000,001 rows', file: 'sales_million.csv', source: 'shop_sales' },
};

function filePath(p: AttackParams): string {
  return join(p.workDir, 'hostile', ATTACKS[p.attack].file);
}

async function writeLines(file: string, count: number, line: (i: number) => string, head: string): Promise<void> {
  const out = createWriteStream(file);
  out.write(head);
  for (let i = 0; i < count; i++) {
    if (!out.write(line(i))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

async function prepareAttack(p: AttackParams): Promise<void> {
  const file = filePath(p);
  mkdirSync(join(p.workDir, 'hostile'), { recursive: true });
  switch (p.attack) {
    case 'shared-string-bomb': {
      const text = Buffer.alloc(256 * MB, 'a');
      const strings = Buffer.concat([
        Buffer.from('<sst count="1" uniqueCount="1"><si><t>'),
        text,
        Buffer.from('</t></si></sst>'),
      ]);
      writeFileSync(
        file,
        zipOf({
          '[Content_Types].xml': Buffer.from('<Types/>'),
          'xl/sharedStrings.xml': strings,
          'xl/worksheets/sheet1.xml': Buffer.from(
            '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
          ),
        }),
      );
      return;
    }
    case 'million-row-sheet': {
      const ExcelJS = (await import('exceljs')).default;
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file });
      const sheet = workbook.addWorksheet('Registrations');
      // As the source expects: two title rows, its header, then one row more than max_rows allows.
      sheet.addRow(['Event registrations']).commit();
      sheet.addRow([]).commit();
      sheet.addRow([...REGISTRATIONS_HEADER]).commit();
      for (let i = 0; i <= 1_000_000; i++) {
        sheet.addRow([`R${i}`, 'Gala', null, 'Ann', 'Lee', 'a@example.org', null, 'Standard', 1, 10, null]).commit();
      }
      await workbook.commit();
      return;
    }
    case 'unclosed-quote':
      await writeLines(
        file,
        2_000_000,
        (i) => `x${i},long text that never ends because its opening quote is never closed ${'z'.repeat(40)}\n`,
        'Order ID,Customer ID,Order Date,SKU,Qty,Unit Price,Line Total\nO1,"an opening quote\n',
      );
      return;
    case 'million-row-csv':
      await writeLines(
        file,
        1_000_001,
        (i) => `O${i},C${i},2024-01-01,SKU-${i % 50},1,9.99,9.99\n`,
        'Order ID,Customer ID,Order Date,SKU,Qty,Unit Price,Line Total\n',
      );
      return;
  }
}

async function ingestAttack(p: AttackParams): Promise<Measurement> {
  const { loadCheckedProject } = await import('../../lib/check/check.ts');
  const project = loadCheckedProject(copyProject(join(p.workDir, 'project')));
  const names = resourceNames(environment(project, 'dev'));
  const dataDir = join(p.workDir, `hostile-${p.attack}`);
  rmSync(dataDir, { recursive: true, force: true });
  const { ingestLocalFile } = await import('../../lib/local/ingest-samples.ts');
  try {
    const started = performance.now();
    const context = { project, names, dataDir, store: new FolderObjectStore(dataDir) };
    const summary = await ingestLocalFile(context, filePath(p), ATTACKS[p.attack].source);
    const ms = performance.now() - started;
    if (summary.outcome !== 'quarantined') throw new Error(`the file was not quarantined: ${summary.outcome}`);
    return { metrics: { wall_ms: ms }, facts: { reason: summary.reason ?? '' } };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const hostileFiles: BenchCase = {
  name: 'hostile-files',
  title: 'Hostile files: quarantined by their limits, memory far under the ingest Lambda',
  plan(): Step[] {
    return (Object.keys(ATTACKS) as Attack[]).map((attack) => ({
      label: ATTACKS[attack].label,
      params: { attack },
      repetitions: 1,
      prepare: true,
    }));
  },
  async prepare(raw) {
    const p = raw as unknown as AttackParams;
    await prepareAttack(p);
    return { file_bytes: statSync(filePath(p)).size };
  },
  measure(raw) {
    return ingestAttack(raw as unknown as AttackParams);
  },
  render(results) {
    const rows = results.map((r) => [
      r.step.label,
      `${formatNumber(Number(fact(r, 'file_bytes')) / MB)} MB`,
      String(r.measurements[0]?.facts?.reason ?? r.error ?? '–'),
      show(rss(r), 'MB'),
      `≤ ${formatNumber(LAMBDA_MB)} MB`,
    ]);
    return (
      [
        "Each attack of the hardening issue through `dap ingest` (the ingest Lambda's code) with the shipped sources' default limits (`max_uncompressed_bytes`, `max_compression_ratio`, `max_shared_strings_bytes`, `max_rows`, `max_record_bytes`). Each must end quarantined with its limit named; peak RSS is the whole process's, against the ingest Lambda's 2,048 MB.",
        '',
        table(['file', 'size on disk', 'reason it was quarantined', 'peak RSS', 'target'], rows),
      ].join('\n') + failures(results)
    );
  },
};
