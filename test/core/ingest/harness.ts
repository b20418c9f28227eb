import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { loadCheckedProject } from '../../../lib/check/check.ts';
import { type IngestDeps, ingestObject } from '../../../lib/core/ingest/ingest-file.ts';
import type { IngestSummary } from '../../../lib/core/ingest/report.ts';
import type { Project } from '../../../lib/core/model/project.ts';
import { FileControlStore } from '../../../lib/engines/local/file-control-store.ts';
import { FolderObjectStore } from '../../../lib/engines/local/folder-object-store.ts';
import { minimalProjectFiles, writeFiles } from '../../helpers/project-fixture.ts';

/**
 * A project of its own for ingestion tests (independent of the repo's shipped sources, which change), and a data
 * folder standing for the buckets, on a real temp folder.
 */

export const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'files', 'corpus');
export const BUCKETS = { landing: 'landing', raw: 'raw', archive: 'archive', quarantine: 'quarantine' } as const;
export const T0 = new Date('2026-11-16T10:00:00.000Z');

const LINEAGE = [
  ['source', 'string'],
  ['source_key', 'string'],
  ['source_row', 'bigint'],
  ['file_hash', 'string'],
  ['mapping_version', 'string'],
  ['ingest_run_id', 'string'],
  ['ingested_at', 'timestamp'],
  ['row_hash', 'string'],
  ['snapshot_date', 'date'],
] as const;

const peopleMapping = (extra: Record<string, unknown> = {}) => ({
  version: 'v1',
  header: ['ID', 'Name', 'Email', 'Born', 'Score'],
  columns: {
    person_id: { from: 'ID', transforms: ['trim'], required: true },
    name: { from: 'Name', transforms: ['trim', 'collapse_spaces'] },
    email: { from: 'Email', transforms: ['trim', 'lower'], required: true, pattern: '^[^@\\s]+@[^@\\s]+$' },
    born: { from: 'Born', format: 'DD/MM/YYYY' },
    score: { from: 'Score' },
  },
  ...extra,
});

const personV2 = {
  version: 'v2',
  header: ['Person ID', 'Full Name', 'E-mail'],
  columns: {
    person_id: { from: 'Person ID', required: true },
    name: { from: 'Full Name' },
    email: { from: 'E-mail', required: true },
  },
};

function source(name: string, fields: Record<string, unknown>) {
  return {
    source: name,
    format: { type: 'csv' },
    dataset: 'people',
    max_reject_ratio: 0.5,
    max_record_bytes: 65536,
    key_pattern: '*.csv',
    mappings: [peopleMapping(), personV2],
    ...fields,
  };
}

export function ingestProjectFiles(): Record<string, string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    ...minimalProjectFiles(),
    'athena-scripts/raw_tables/files_corpus.json': json({
      source: 'files_corpus',
      format: 'json',
      location: 'files/{table}',
      columns: LINEAGE.map(([name, type]) => ({ name, type })),
      partition_columns: [{ name: 'ingest_date', type: 'string' }],
      tables: {
        people: {
          columns: [
            { name: 'person_id', type: 'string' },
            { name: 'name', type: 'string' },
            { name: 'email', type: 'string' },
            { name: 'born', type: 'date' },
            { name: 'score', type: 'decimal(5,2)' },
          ],
        },
      },
    }),
    'config/sources/files/people.json': json(source('people', {})),
    'config/sources/files/people_strict.json': json(source('people_strict', { max_reject_ratio: 0 })),
    'config/sources/files/people_titled.json': json(
      source('people_titled', { format: { type: 'csv', header_row: 3 } }),
    ),
    'config/sources/files/people_snapshot.json': json(
      source('people_snapshot', {
        snapshot: { key: ['person_id'], date_from_key: { pattern: '(\\d{4}-\\d{2}-\\d{2})', format: 'YYYY-MM-DD' } },
        key_pattern: 'people_*.csv',
        mappings: [peopleMapping()],
      }),
    ),
    'config/sources/files/people_xlsx.json': json(
      source('people_xlsx', {
        format: { type: 'xlsx', sheet: { name: 'People' } },
        key_pattern: '*.xlsx',
      }),
    ),
  };
}

export function writeProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'dap-ingest-project-'));
  writeFiles(root, files);
  return root;
}

export interface Harness {
  readonly project: Project;
  readonly dataDir: string;
  readonly folders: FolderObjectStore;
  readonly store: FolderObjectStore;
  readonly control: FileControlStore;
  deps(overrides?: Partial<IngestDeps>): IngestDeps;
  /** Copies a file into `landing/<source>/<name>`; returns the key. */
  drop(file: string, source: string, name?: string): string;
  ingest(key: string, overrides?: Partial<IngestDeps>): Promise<IngestSummary>;
  /** Keys of a bucket, sorted. */
  keys(bucket: keyof typeof BUCKETS): Promise<string[]>;
  text(bucket: keyof typeof BUCKETS, key: string): string;
  cleanup(): void;
}

const projects = new Map<string, { root: string; project: Project }>();

/** Loads (once per distinct set of files; `dap check` parses SQL, which takes a moment) and checks the project. */
function checkedProject(files: Record<string, string>): { root: string; project: Project } {
  const id = JSON.stringify(files);
  let loaded = projects.get(id);
  if (loaded === undefined) {
    const root = writeProject(files);
    loaded = { root, project: loadCheckedProject(root) };
    projects.set(id, loaded);
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  }
  return loaded;
}

export function harness(files: Record<string, string> = ingestProjectFiles()): Harness {
  const { project } = checkedProject(files);
  const dataDir = mkdtempSync(join(tmpdir(), 'dap-ingest-data-'));
  const folders = new FolderObjectStore(dataDir);
  const store = folders;
  const control = new FileControlStore(dataDir);
  let runs = 0;
  const deps = (overrides: Partial<IngestDeps> = {}): IngestDeps => ({
    project,
    buckets: BUCKETS,
    store,
    control,
    now: () => T0,
    newRunId: () => `run-${++runs}`,
    ...overrides,
  });
  return {
    project,
    dataDir,
    folders,
    store,
    control,
    deps,
    drop(file, source, name) {
      const key = `landing/${source}/${name ?? file.split('/').pop()}`;
      const target = folders.pathOf(BUCKETS.landing, key);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(file, target);
      return key;
    },
    ingest: (key, overrides) => ingestObject(deps(overrides), key),
    keys: (bucket) => folders.list(BUCKETS[bucket], ''),
    // A gzip raw part reads as its text, as Athena and the twin read it.
    text: (bucket, key) => {
      const bytes = readFileSync(folders.pathOf(BUCKETS[bucket], key));
      return (key.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    },
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every raw NDJSON line of a dataset, parsed, in key then line order. */
export async function rawRows(h: Harness, dataset: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const key of await h.folders.list(BUCKETS.raw, `files/${dataset}/`)) {
    for (const line of h.text('raw', key).split('\n')) if (line !== '') rows.push(JSON.parse(line));
  }
  return rows;
}
