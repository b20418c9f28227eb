import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A small valid project: two families (one disabled), three events, a raw source and stage tables. */
export function minimalProjectFiles(): Record<string, string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    'config/environments/dev.json': json({ name: 'dev', account: '111111111111', region: 'eu-west-2' }),
    'athena-scripts/process_scripts/product_family_config.json': json([
      { product_family: 'sales', enabled: true },
      { product_family: 'returns', enabled: false },
    ]),
    'athena-scripts/process_scripts/sales_config.json': json([
      { event_name: 'order_placed', product_family: 'sales', enabled: true },
      { event_name: 'order_paid', product_family: 'sales', enabled: false },
    ]),
    'athena-scripts/process_scripts/returns_config.json': json([
      { event_name: 'order_returned', product_family: 'returns', enabled: true },
    ]),
    'athena-scripts/raw_tables/shop.json': json({
      source: 'shop',
      format: 'json',
      location: 'shop/{table}',
      columns: [
        { name: 'event_id', type: 'string' },
        { name: 'timestamp', type: 'bigint' },
        { name: 'user', type: 'struct<user_id:string,email:string>' },
      ],
      partition_columns: [{ name: 'day', type: 'string' }],
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
        { name: 'event_at', type: 'timestamp' },
      ],
      partition_columns: [{ name: 'event_name', type: 'string' }],
      deduplication: { key: ['event_id'], order_by: ['event_at'] },
    }),
    'athena-scripts/stage_tables/returns.json': json({
      product_family: 'returns',
      columns: [{ name: 'event_id', type: 'string' }],
      partition_columns: [],
      deduplication: { key: ['event_id'], order_by: ['event_id'] },
    }),
    'athena-scripts/dml/insert_into/order_placed.sql': [
      '-- one row per raw order_placed record',
      'insert into {{stage_database}}.sales (event_id, user_id, amount, event_at, event_name)',
      'select event_id, "user".user_id, extensions.amount, from_unixtime("timestamp"), \'order_placed\'',
      'from {{raw_database}}.order_placed',
      'where "day" > :window_from and "day" <= :window_to',
      '',
    ].join('\n'),
    'athena-scripts/dml/insert_into/order_paid.sql':
      "insert into {{stage_database}}.sales (event_id, event_name) select event_id, 'order_paid' from {{raw_database}}.order_paid where day > :window_from and day <= :window_to\n",
    'athena-scripts/dml/insert_into/order_returned.sql':
      'insert into {{stage_database}}.returns (event_id) select event_id from {{raw_database}}.order_returned where day > :window_from and day <= :window_to\n',
    'redshift-scripts/reporting_model_product_family_config.json': json([
      { product_family: 'sales_model', enabled: true },
    ]),
    'redshift-scripts/procedures/sp_sales_model.sql': [
      'create or replace procedure {{reporting_schema}}.sp_sales_model(run_id varchar(128))',
      'as $$',
      'begin',
      "  raise info 'sales model built for run %', run_id;",
      'end;',
      '$$ language plpgsql;',
      '',
    ].join('\n'),
  };
}

/** Writes each file (path relative to `root` → content) under `root`, making the folders it needs. */
export function writeFiles(root: string, files: Readonly<Record<string, string>>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

export interface ProjectFixture {
  readonly root: string;
  write(path: string, content: string): void;
  remove(path: string): void;
  cleanup(): void;
}

/** Writes the minimal project, with `changes` applied (a file's new content, or null to delete it), to a temp folder. */
export function projectFixture(changes: Record<string, string | null> = {}): ProjectFixture {
  const root = mkdtempSync(join(tmpdir(), 'dap-project-'));
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  const files = { ...minimalProjectFiles(), ...changes };
  for (const [path, content] of Object.entries(files)) if (content !== null) write(path, content);
  return {
    root,
    write,
    remove: (path) => rmSync(join(root, path), { force: true }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
