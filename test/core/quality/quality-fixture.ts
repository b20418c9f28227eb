import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadProject } from '../../../lib/config/loader.ts';
import { type ResourceNames, resourceNames } from '../../../lib/core/model/names.ts';
import { environment, type Project } from '../../../lib/core/model/project.ts';
import type { QualityCheck } from '../../../lib/core/model/quality-schema.ts';
import type { QueryEngine, QueryResult } from '../../../lib/core/ports.ts';
import { DuckDbEngine } from '../../../lib/engines/local/duckdb-engine.ts';
import { type ProjectFixture, projectFixture } from '../../helpers/project-fixture.ts';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The window every test runs: delivery day 2024-01-15 only. */
export const WINDOW = { column: 'processed_date', from: '2024-01-14', to: '2024-01-15' } as const;

/**
 * The minimal project with a `sales` stage table carrying `checks`, a `customers` stage table for relationships, and
 * raw tables partitioned by year/month/day as TxMA's are.
 */
export function qualityProjectFiles(checks: readonly unknown[]): Record<string, string> {
  return {
    'athena-scripts/process_scripts/product_family_config.json': json([
      { product_family: 'sales', enabled: true },
      { product_family: 'returns', enabled: false },
      { product_family: 'customers', enabled: false },
    ]),
    'athena-scripts/process_scripts/customers_config.json': json([]),
    'athena-scripts/raw_tables/shop.json': json({
      source: 'shop',
      format: 'json',
      location: 'shop/{table}',
      columns: [
        { name: 'event_id', type: 'string' },
        { name: 'timestamp', type: 'bigint' },
        { name: 'user', type: 'struct<user_id:string,email:string>' },
      ],
      partition_columns: [
        { name: 'year', type: 'string' },
        { name: 'month', type: 'string' },
        { name: 'day', type: 'string' },
      ],
      tables: {
        order_placed: { columns: [{ name: 'extensions', type: 'struct<amount:decimal(10,2)>' }] },
        order_paid: {},
        order_returned: {},
      },
    }),
    'athena-scripts/stage_tables/sales.json': json({
      product_family: 'sales',
      columns: [
        { name: 'event_id', type: 'string' },
        { name: 'user_id', type: 'string' },
        { name: 'amount', type: 'decimal(10,2)' },
        { name: 'status', type: 'string' },
        { name: 'event_at', type: 'timestamp' },
      ],
      partition_columns: [
        { name: 'processed_date', type: 'date' },
        { name: 'event_name', type: 'string' },
      ],
      checks,
    }),
    'athena-scripts/stage_tables/customers.json': json({
      product_family: 'customers',
      columns: [
        { name: 'user_id', type: 'string' },
        { name: 'signed_up_at', type: 'timestamp' },
      ],
    }),
  };
}

export interface QualityFixture {
  readonly files: ProjectFixture;
  readonly project: Project;
  readonly names: ResourceNames;
  readonly engine: RecordingEngine;
  /** Replaces the stage tables' rows. */
  stage(rows: { sales?: readonly SaleRow[]; customers?: readonly string[] }): Promise<void>;
  /** Writes raw order_placed records for a delivery day and refreshes the raw view. */
  raw(day: string, eventIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface SaleRow {
  readonly event_id: string | null;
  readonly user_id?: string | null;
  readonly amount?: number;
  readonly status?: string | null;
  readonly event_at?: string;
  readonly processed_date?: string;
  readonly event_name?: string;
}

/** A good row in the window; override what a test makes bad. */
export function sale(eventId: string | null, changes: Partial<SaleRow> = {}): SaleRow {
  return {
    event_id: eventId,
    user_id: 'u1',
    amount: 10,
    status: 'placed',
    event_at: '2024-01-15 10:00:00',
    processed_date: '2024-01-15',
    event_name: 'order_placed',
    ...changes,
  };
}

/** A QueryEngine that remembers what it was asked, around the real DuckDB engine. */
export class RecordingEngine implements QueryEngine {
  readonly calls: { sql: string; parameters: readonly string[] }[] = [];
  constructor(readonly inner: DuckDbEngine) {}
  execute(sql: string, options: { readonly parameters?: readonly string[] } = {}): Promise<QueryResult> {
    this.calls.push({ sql, parameters: options.parameters ?? [] });
    return this.inner.execute(sql, options);
  }
  queryStatistics(queryId: string) {
    return this.inner.queryStatistics(queryId);
  }
  close() {
    return this.inner.close();
  }
}

const literal = (value: string | number | null | undefined): string =>
  value === null || value === undefined
    ? 'null'
    : typeof value === 'number'
      ? String(value)
      : `'${value.replaceAll("'", "''")}'`;

export async function qualityFixture(checks: readonly unknown[]): Promise<QualityFixture> {
  const files = projectFixture(qualityProjectFiles(checks));
  const project = loadProject(files.root);
  const env = environment(project, 'dev');
  const names = resourceNames(env);
  const dataDir = join(files.root, '.dap');
  const duckdb = await DuckDbEngine.open({ project, environment: env, dataDir, databasePath: ':memory:' });
  const engine = new RecordingEngine(duckdb);
  const stageTable = (table: string) => `${names.stageDatabase}.${table}`;
  return {
    files,
    project,
    names,
    engine,
    async stage(rows) {
      await duckdb.execute(`delete from ${stageTable('sales')}`);
      await duckdb.execute(`delete from ${stageTable('customers')}`);
      for (const row of rows.sales ?? []) {
        const values = [
          row.event_id,
          row.user_id,
          row.amount,
          row.status,
          row.event_at,
          row.processed_date,
          row.event_name,
        ].map(literal);
        await duckdb.execute(
          `insert into ${stageTable('sales')} (event_id, user_id, amount, status, event_at, processed_date, event_name) values (${values.join(', ')})`,
        );
      }
      for (const userId of rows.customers ?? []) {
        await duckdb.execute(`insert into ${stageTable('customers')} (user_id) values (${literal(userId)})`);
      }
    },
    async raw(day, eventIds) {
      const [year, month, date] = day.split('-');
      const path = join(
        dataDir,
        names.buckets.raw,
        `shop/order_placed/year=${year}/month=${month}/day=${date}/part.json`,
      );
      mkdirSync(dirname(path), { recursive: true });
      const lines = eventIds.map((event_id) => JSON.stringify({ event_id, timestamp: 1705312800 }));
      writeFileSync(path, `${lines.join('\n')}\n`);
      await duckdb.syncCatalog();
    },
    async close() {
      await engine.close();
      files.cleanup();
    },
  };
}

export type { QualityCheck };
