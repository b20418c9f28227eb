import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { debianPostgresBin, startDebianPostgres } from '../../test/helpers/debian-postgres.ts';
import { DAP, timed } from '../lib/process.ts';
import { fact, failures, formatNumber, metric, rss, seconds, show, table } from '../lib/report.ts';
import type { BenchCase, Step } from '../lib/types.ts';
import { copyProject } from '../lib/workspace.ts';

/**
 * `dap extract` as a user runs it, one whole process under /usr/bin/time, from a real PostgreSQL server (Debian's,
 * in its own processes, so only the extract is measured): one instance, a staff table of `rows` rows and its
 * departments, pages of 5000, then the reference and not_blank checks over what was written, and the promotion.
 */

interface ExtractParams {
  readonly workDir: string;
  readonly rows: number;
}

const SECRET = 'BENCH_STAFF_DB';

const SOURCE = {
  source: 'bench_staff',
  engine: 'postgres',
  page_size: 5000,
  instances: [{ source_id: 'a', secret: SECRET }],
  tables: [
    {
      name: 'departments',
      primary_key: ['department_id'],
      columns: [
        { name: 'department_id', type: 'int' },
        { name: 'name', type: 'string' },
      ],
    },
    {
      name: 'staff',
      primary_key: ['staff_id'],
      history: false,
      columns: [
        { name: 'staff_id', type: 'int' },
        { name: 'email', type: 'string' },
        { name: 'full_name', type: 'string' },
        { name: 'department_id', type: 'int' },
        { name: 'salary', type: 'decimal(10,2)' },
        { name: 'updated_at', type: 'string' },
      ],
    },
  ],
  checks: [
    {
      type: 'reference',
      table: 'staff',
      columns: ['department_id'],
      references: { table: 'departments', columns: ['department_id'] },
    },
    { type: 'not_blank', table: 'staff', columns: ['email'] },
  ],
};

function seed(rows: number): string {
  return [
    'create table departments (department_id integer primary key, name text);',
    "insert into departments select i, 'Department ' || i from generate_series(0, 49) i;",
    'create table staff (staff_id integer primary key, email text, full_name text, department_id integer, salary numeric(10, 2), updated_at timestamptz);',
    `insert into staff select i, 'person' || i || '@example.org', 'Person ' || i, i % 50, i * 1.5, now() from generate_series(1, ${rows}) i;`,
  ].join('\n');
}

/** The shipped project with the bench source, deployed nowhere (its network is null in every environment). */
function project(p: ExtractParams): string {
  const root = copyProject(join(p.workDir, 'database-extract-project'));
  writeFileSync(join(root, 'config/sources/databases/bench_staff.json'), `${JSON.stringify(SOURCE, null, 2)}\n`);
  for (const env of ['dev', 'test', 'prod']) {
    const file = join(root, 'config/environments', `${env}.json`);
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    config.database_networks = { ...(config.database_networks as object), bench_staff: null };
    writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  }
  return root;
}

export const databaseExtract: BenchCase = {
  name: 'database-extract',
  title: 'Database extraction (`dap extract`)',
  plan({ quick }): Step[] {
    return (quick ? [100_000] : [200_000, 1_000_000]).map((rows) => ({
      label: `${formatNumber(rows / 1000)}k rows`,
      params: { rows },
      repetitions: quick ? 1 : 3,
    }));
  },
  async measure(raw) {
    const p = raw as unknown as ExtractParams;
    const bin = debianPostgresBin();
    if (!bin) throw new Error("needs Debian's postgresql (apt-get install -y postgresql)");
    const root = project(p);
    const dataDir = join(p.workDir, 'database-extract-data');
    rmSync(dataDir, { recursive: true, force: true });
    const server = await startDebianPostgres(bin, seed(p.rows));
    try {
      process.env[SECRET] = server.url;
      const { stdout, metrics, peakRssMb } = timed(process.execPath, [
        DAP,
        '--root',
        root,
        'extract',
        'bench_staff',
        '--data-dir',
        dataDir,
      ]);
      const extracted = Number(/promoted; (\d+) row\(s\)/.exec(stdout)?.[1] ?? Number.NaN);
      if (!(extracted === p.rows + 50)) throw new Error(`expected ${p.rows + 50} rows promoted: ${stdout}`);
      return {
        metrics: { ...metrics, rows_per_s: extracted / ((metrics.wall_ms ?? Number.NaN) / 1000) },
        facts: { rows: extracted },
        ...(peakRssMb === undefined ? {} : { peakRssMb }),
      };
    } finally {
      delete process.env[SECRET];
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
  render(results) {
    const rows = results.map((r) => [
      r.step.label,
      formatNumber(Number(fact(r, 'rows') ?? 0)),
      show(metric(r, 'cpu_s'), 's'),
      seconds(metric(r, 'wall_ms')),
      show(metric(r, 'rows_per_s'), 'rows/s'),
      show(rss(r), 'MB'),
    ]);
    return [
      "`dap extract` as one whole process under `/usr/bin/time`, reading one instance of a local PostgreSQL server (Debian's, in processes of its own, so only the extract is measured): 50 departments and a staff table of generated rows, in pages of 5000, written as gzip NDJSON, then read back for the reference and not_blank checks, then promoted. The CPU column is the extract process alone; the server's work is outside it.",
      '',
      table(['step', 'rows promoted', 'CPU', 'wall', 'throughput (wall)', 'peak RSS'], rows),
      failures(results),
    ].join('\n');
  },
};
