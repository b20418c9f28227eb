/**
 * A synthetic project of a size no shipped or imported one has yet (by default 500 events over 50 product families,
 * DAP-shaped: TxMA-like raw tables with nested structs, one stage table per family, one transform per event), used
 * to prove that what dap synthesizes and runs fits AWS's limits at scale (tests and `npm run bench`). Deterministic:
 * the same options give the same files.
 */

export interface LargeProjectOptions {
  /** @default 50 */
  readonly families?: number;
  /** @default 10 */
  readonly eventsPerFamily?: number;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The raw fields every event carries, TxMA-like; each event adds its own `extensions`. */
const RAW_COLUMNS = [
  { name: 'event_id', type: 'string' },
  { name: 'event_name', type: 'string' },
  { name: 'timestamp', type: 'bigint' },
  { name: 'timestamp_formatted', type: 'string' },
  { name: 'component_id', type: 'string' },
  { name: 'client_id', type: 'string' },
  { name: 'user', type: 'struct<user_id:string,govuk_signin_journey_id:string,session_id:string,ip_address:string>' },
  { name: 'platform', type: 'struct<xray_trace_id:string>' },
];

const STAGE_COLUMNS = [
  { name: 'event_id', type: 'string' },
  { name: 'client_id', type: 'string' },
  { name: 'component_id', type: 'string' },
  { name: 'user_govuk_signin_journey_id', type: 'string' },
  { name: 'user_user_id', type: 'string' },
  { name: 'timestamp', type: 'bigint' },
  { name: 'timestamp_formatted', type: 'string' },
  { name: 'extension_field_1', type: 'string' },
  { name: 'processed_date', type: 'string' },
];

export function largeProjectFiles(options: LargeProjectOptions = {}): Record<string, string> {
  const familyCount = options.families ?? 50;
  const perFamily = options.eventsPerFamily ?? 10;
  const families = Array.from({ length: familyCount }, (_, f) => `family_${String(f + 1).padStart(3, '0')}`);
  const files: Record<string, string> = {
    'config/environments/dev.json': json({
      name: 'dev',
      account: '111111111111',
      region: 'eu-west-2',
      catalog_stacks: 'nested',
    }),
    'config/environments/prod.json': json({
      name: 'prod',
      account: '222222222222',
      region: 'eu-west-2',
      removal_policy: 'retain',
      catalog_stacks: 'nested',
    }),
    'athena-scripts/process_scripts/product_family_config.json': json(
      families.map((product_family) => ({ product_family, enabled: true })),
    ),
    'redshift-scripts/reporting_model_product_family_config.json': json([]),
  };
  const rawTables: Record<string, unknown> = {};
  for (const [f, family] of families.entries()) {
    const events = Array.from({ length: perFamily }, (_, e) => `${family}_event_${String(e + 1).padStart(3, '0')}`);
    files[`athena-scripts/process_scripts/${family}_config.json`] = json(
      events.map((event_name) => ({ event_name, product_family: family, enabled: true })),
    );
    files[`athena-scripts/stage_tables/${family}.json`] = json({
      product_family: family,
      description: `Synthetic family ${f + 1}: one row per event of its ${perFamily} events`,
      columns: STAGE_COLUMNS,
      partition_columns: [{ name: 'event_name', type: 'string' }],
      deduplication: { key: ['event_id'], order_by: ['timestamp'] },
    });
    for (const [e, event] of events.entries()) {
      const fields = Array.from({ length: 3 + (e % 4) }, (_, i) => `field_${i + 1}:string`).join(',');
      rawTables[event] = { columns: [{ name: 'extensions', type: `struct<${fields}>` }] };
      files[`athena-scripts/dml/insert_into/${event}.sql`] = [
        `-- one row per raw ${event} record`,
        `insert into {{stage_database}}.${family} (event_id, client_id, component_id, user_govuk_signin_journey_id,`,
        '  user_user_id, "timestamp", timestamp_formatted, extension_field_1, processed_date, event_name)',
        'select event_id, client_id, component_id, "user".govuk_signin_journey_id, "user".user_id, "timestamp",',
        `  timestamp_formatted, extensions.field_1, "day", '${event}'`,
        `from {{raw_database}}.${event}`,
        'where "day" > :window_from and "day" <= :window_to',
        '',
      ].join('\n');
    }
  }
  files['athena-scripts/raw_tables/txma.json'] = json({
    source: 'txma',
    format: 'json',
    location: 'txma/{table}',
    columns: RAW_COLUMNS,
    partition_columns: [{ name: 'day', type: 'string' }],
    tables: rawTables,
  });
  return files;
}

/**
 * The events a run "with long errors" of this project fails (tests and `npm run bench`): every event of the first
 * family, whose events Map then gathers ten failures, and the first event of each even-numbered family.
 */
export function failsInLongErrorRun(event: string): boolean {
  const family = Number(/^family_(\d+)_event_/.exec(event)?.[1]);
  return family === 1 || (family % 2 === 0 && event.endsWith('_event_001'));
}
