import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseProject } from '../../lib/config/loader.ts';
import {
  compareColumns,
  formatDrift,
  type ObservedColumn,
  withSharedFieldsAcrossSource,
} from '../../lib/core/drift.ts';
import { PATHS } from '../../lib/core/model/project.ts';
import type { Column } from '../../lib/core/model/schemas.ts';
import { localDrift } from '../../lib/local/drift.ts';

const declared: Column[] = [
  { name: 'event_id', type: 'string' },
  { name: 'timestamp', type: 'bigint' },
  { name: 'amount', type: 'double' },
  { name: 'user', type: 'struct<user_id:string,age:int>' },
  { name: 'tags', type: 'array<struct<name:string>>' },
];
const string = { kind: 'primitive', name: 'string' } as const;
const bigint = { kind: 'primitive', name: 'bigint' } as const;
const double = { kind: 'primitive', name: 'double' } as const;
/** What inference would report for files that match the declaration exactly. */
const matching = (): ObservedColumn[] => [
  { name: 'event_id', type: string },
  { name: 'timestamp', type: bigint },
  { name: 'amount', type: bigint },
  {
    name: 'user',
    type: {
      kind: 'struct',
      fields: [
        { name: 'user_id', type: string },
        { name: 'age', type: bigint },
      ],
    },
  },
  { name: 'tags', type: { kind: 'array', element: { kind: 'struct', fields: [{ name: 'name', type: string }] } } },
];

describe('compareColumns', () => {
  test('finds no drift when the files hold what is declared, integers in a double column included', () => {
    assert.deepEqual(compareColumns(declared, matching()), []);
  });

  test('matches names case-insensitively, as the JSON SerDe and the local engine read them: no drift', () => {
    const observed = matching().map((c) => (c.name === 'event_id' ? { ...c, name: 'Event_ID' } : c));

    assert.deepEqual(compareColumns(declared, observed), []);
  });

  test('a camelCase or hyphenated field declared as the files spell it is no drift', () => {
    const camel: Column[] = [{ name: 'extensions', type: 'struct<hasMitigations:boolean,account-recovery:string>' }];
    const fields = [
      { name: 'hasMitigations', type: { kind: 'primitive', name: 'boolean' } },
      { name: 'account-recovery', type: string },
    ] as const;
    const lowered = fields.map((f) => ({ ...f, name: f.name.toLowerCase() }));

    assert.deepEqual(compareColumns(camel, [{ name: 'extensions', type: { kind: 'struct', fields } }]), []);
    assert.deepEqual(compareColumns(camel, [{ name: 'extensions', type: { kind: 'struct', fields: lowered } }]), []);
  });

  test('lists added, removed and retyped columns, and fields inside structs and arrays by their path', () => {
    // Prepare
    const observed = matching()
      .filter((c) => c.name !== 'amount')
      .map((c) => {
        if (c.name === 'timestamp') return { ...c, type: string };
        if (c.name === 'user') {
          return {
            ...c,
            type: {
              kind: 'struct' as const,
              fields: [
                { name: 'user_id', type: string },
                { name: 'age', type: double },
                { name: 'email', type: string },
              ],
            },
          };
        }
        if (c.name === 'tags')
          return { ...c, type: { kind: 'array' as const, element: { kind: 'struct' as const, fields: [] } } };
        return c;
      });
    observed.push({ name: 'channel', type: string });

    // Act
    const changes = compareColumns(declared, observed);

    // Assess
    assert.deepEqual(changes, [
      { change: 'retyped', path: 'timestamp', declared: 'bigint', observed: 'string' },
      { change: 'removed', path: 'amount', declared: 'double' },
      { change: 'retyped', path: 'user.age', declared: 'int', observed: 'double' },
      { change: 'added', path: 'user.email', observed: 'string' },
      { change: 'removed', path: 'tags[].name', declared: 'string' },
      { change: 'added', path: 'channel', observed: 'string' },
    ]);
  });

  test('a field whose type inference could not tell is not drift; JSON kept as text in a string column is not either', () => {
    const observed = matching().map((c) => {
      if (c.name === 'timestamp') return { ...c, type: { kind: 'unknown' as const } };
      if (c.name === 'event_id') return { ...c, type: { kind: 'array' as const, element: string } };
      return c;
    });

    assert.deepEqual(compareColumns(declared, observed), []);
  });

  test('dates and timestamps may arrive as ISO strings; a struct where a scalar is declared is drift', () => {
    const columns: Column[] = [
      { name: 'at', type: 'timestamp' },
      { name: 'day', type: 'date' },
      { name: 'n', type: 'int' },
    ];

    assert.deepEqual(
      compareColumns(columns, [
        { name: 'at', type: string },
        { name: 'day', type: string },
        { name: 'n', type: { kind: 'struct', fields: [{ name: 'value', type: bigint }] } },
      ]),
      [{ change: 'retyped', path: 'n', declared: 'int', observed: 'struct<value:bigint>' }],
    );
  });
});

describe('withSharedFieldsAcrossSource', () => {
  const sources = [{ tables: ['code_sent', 'account_created', 'identity_issued'], sharedColumns: ['user'] }];

  test('a shared field another table of the source holds is not removed; one no table holds is', () => {
    // Prepare: only sign-in sees the e-mail; nobody has a user_id before the account exists; no table has `phone`
    const drifts = [
      {
        table: 'code_sent',
        changes: [
          { change: 'removed', path: 'user.user_id', declared: 'string' },
          { change: 'removed', path: 'user.phone', declared: 'string' },
        ],
      },
      { table: 'account_created', changes: [{ change: 'removed', path: 'user.phone', declared: 'string' }] },
      {
        table: 'identity_issued',
        changes: [
          { change: 'removed', path: 'user.email', declared: 'string' },
          { change: 'removed', path: 'user.phone', declared: 'string' },
          { change: 'removed', path: 'extensions.vot', declared: 'string' },
          { change: 'added', path: 'user.device_id', observed: 'string' },
        ],
      },
    ] as const;

    // Act
    const settled = withSharedFieldsAcrossSource(drifts, sources);

    // Assess: what the table declares for itself, fields the files add, and a field of no table stay drift
    assert.deepEqual(settled, [
      { table: 'code_sent', changes: [{ change: 'removed', path: 'user.phone', declared: 'string' }] },
      { table: 'account_created', changes: [{ change: 'removed', path: 'user.phone', declared: 'string' }] },
      {
        table: 'identity_issued',
        changes: [
          { change: 'removed', path: 'user.phone', declared: 'string' },
          { change: 'removed', path: 'extensions.vot', declared: 'string' },
          { change: 'added', path: 'user.device_id', observed: 'string' },
        ],
      },
    ]);
  });

  test('a sibling whose whole shared column is missing or retyped does not hold its fields', () => {
    const drifts = [
      { table: 'code_sent', changes: [{ change: 'removed', path: 'user.email', declared: 'string' }] },
      { table: 'account_created', changes: [{ change: 'removed', path: 'user', declared: 'struct<email:string>' }] },
      {
        table: 'identity_issued',
        changes: [{ change: 'retyped', path: 'user', declared: 'struct<email:string>', observed: 'string' }],
      },
    ] as const;

    // Assess: no table holds user.email (one lacks the whole column, one has it as text), so all of it stays drift
    assert.deepEqual(withSharedFieldsAcrossSource(drifts, sources), drifts);
  });
});

test('formatDrift prints one line per change under its table, and nothing for tables without drift', () => {
  const lines = formatDrift([
    { table: 'clean', changes: [] },
    {
      table: 'clicks',
      changes: [
        { change: 'added', path: 'channel', observed: 'string' },
        { change: 'retyped', path: 'n', declared: 'int', observed: 'string' },
      ],
    },
  ]);

  assert.deepEqual(lines, [
    'clicks: 2 changes',
    '  + channel string (in the files, not declared)',
    '  ~ n declared int, files hold string',
  ]);
});

describe('local drift over a data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dap-drift-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const { project, problems } = parseProject(
    new Map([
      [`${PATHS.environments}/dev.json`, JSON.stringify({ name: 'dev', account: '111111111111', region: 'eu-west-2' })],
      [PATHS.productFamilies, '[]'],
      [PATHS.reportingFamilies, '[]'],
      [
        `${PATHS.rawTables}/clicks.json`,
        JSON.stringify({
          source: 'clicks',
          format: 'json',
          location: 'clicks/{table}',
          columns: [
            { name: 'event_id', type: 'string' },
            { name: 'timestamp', type: 'bigint' },
            { name: 'user', type: 'struct<user_id:string>' },
            { name: 'retried', type: 'boolean' },
          ],
          partition_columns: [
            { name: 'year', type: 'string' },
            { name: 'month', type: 'string' },
            { name: 'day', type: 'string' },
          ],
          tables: { click_done: {}, click_started: {} },
        }),
      ],
    ]),
  );
  const write = (key: string, records: unknown[]) => {
    const file = join(dataDir, 'dev-dap-raw', key);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  };
  // Day 1 matches the declaration; on day 2 the source added a field at the top and one inside `user`.
  // `retried` is null in every record: inference cannot type it, so it is not drift.
  write('clicks/click_done/year=2024/month=05/day=01/a.json', [
    { event_id: 'e1', timestamp: 1714521600, user: { user_id: 'u1' }, retried: null },
  ]);
  write('clicks/click_done/year=2024/month=05/day=02/b.json', [
    { event_id: 'e2', timestamp: 1714608000, user: { user_id: 'u2', govuk_signin_journey_id: 'j2' }, channel: 'web' },
  ]);

  test('infers each table from its files with DuckDB and reports the fields the files gained', async () => {
    assert.deepEqual(problems, []);

    const { drifts, withoutFiles } = await localDrift(project, 'dev', dataDir);

    assert.deepEqual(drifts, [
      {
        table: 'click_done',
        changes: [
          { change: 'added', path: 'user.govuk_signin_journey_id', observed: 'string' },
          { change: 'added', path: 'channel', observed: 'string' },
        ],
      },
    ]);
    assert.deepEqual(withoutFiles, ['click_started']);
  });
});

describe('localDrift with camelCase and hyphenated keys', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dap-drift-case-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const projectDeclaring = (extensions: string) =>
    parseProject(
      new Map([
        [
          `${PATHS.environments}/dev.json`,
          JSON.stringify({ name: 'dev', account: '111111111111', region: 'eu-west-2' }),
        ],
        [PATHS.productFamilies, '[]'],
        [PATHS.reportingFamilies, '[]'],
        [
          `${PATHS.rawTables}/auth.json`,
          JSON.stringify({
            source: 'auth',
            format: 'json',
            location: 'auth/{table}',
            columns: [
              { name: 'event_id', type: 'string' },
              { name: 'extensions', type: extensions },
            ],
            partition_columns: [],
            tables: { auth_done: {} },
          }),
        ],
      ]),
    ).project;
  const file = join(dataDir, 'dev-dap-raw', 'auth', 'auth_done', 'a.json');
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ event_id: 'e1', extensions: { hasMitigations: true, 'account-recovery': 'y' } })}\n`,
  );

  test('declared as the files spell them: no drift', async () => {
    const project = projectDeclaring('struct<hasMitigations:boolean,account-recovery:string>');

    const { drifts } = await localDrift(project, 'dev', dataDir);

    assert.deepEqual(drifts, [{ table: 'auth_done', changes: [] }]);
  });

  test('declared in lower case, as Glue writes names: no drift, the keys land as Athena reads them', async () => {
    const project = projectDeclaring('struct<hasmitigations:boolean,account-recovery:string>');

    const { drifts } = await localDrift(project, 'dev', dataDir);

    assert.deepEqual(drifts, [{ table: 'auth_done', changes: [] }]);
  });
});

describe('localDrift: fields shared across a source, numbers kept as text', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dap-drift-shared-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const { project, problems } = parseProject(
    new Map([
      [`${PATHS.environments}/dev.json`, JSON.stringify({ name: 'dev', account: '111111111111', region: 'eu-west-2' })],
      [PATHS.productFamilies, '[]'],
      [PATHS.reportingFamilies, '[]'],
      [
        `${PATHS.rawTables}/audit.json`,
        JSON.stringify({
          source: 'audit',
          format: 'json',
          location: 'audit/{table}',
          columns: [
            { name: 'event_id', type: 'string' },
            { name: 'user', type: 'struct<user_id:string,email:string>' },
          ],
          partition_columns: [],
          tables: { signed_in: {}, identity_checked: { columns: [{ name: 'score', type: 'int' }] } },
        }),
      ],
      [
        `${PATHS.rawTables}/files.json`,
        JSON.stringify({
          source: 'files',
          format: 'json',
          location: 'files/{table}',
          columns: [{ name: 'order_id', type: 'string' }],
          partition_columns: [],
          tables: {
            sales: { columns: [{ name: 'unit_price', type: 'decimal(10,2)' }] },
            refunds: {
              columns: [
                { name: 'amount', type: 'decimal(10,2)' },
                { name: 'quantity', type: 'int' },
              ],
            },
          },
        }),
      ],
    ]),
  );
  const write = (key: string, records: unknown[]) => {
    const file = join(dataDir, 'dev-dap-raw', key);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  };
  // Only sign-in sees the e-mail; the identity check does not, and `score` is its own column, missing from its files.
  write('audit/signed_in/a.json', [{ event_id: 'e1', user: { user_id: 'u1', email: 'a@example.com' } }]);
  write('audit/identity_checked/a.json', [{ event_id: 'e2', user: { user_id: 'u1' } }]);
  // Ingestion writes decimals as exact text; one refund amount is not a number at all.
  write('files/sales/a.json', [
    { order_id: 'o1', unit_price: '8.50' },
    { order_id: 'o2', unit_price: '19.99' },
  ]);
  write('files/refunds/a.json', [
    { order_id: 'o1', amount: '8.50', quantity: '1' },
    { order_id: 'o2', amount: 'n/a', quantity: '2' },
  ]);

  test('a shared field one table holds is no drift in the others; numbers as text are numbers unless one is not', async () => {
    assert.deepEqual(problems, []);

    const { drifts } = await localDrift(project, 'dev', dataDir);

    assert.deepEqual(drifts, [
      { table: 'identity_checked', changes: [{ change: 'removed', path: 'score', declared: 'int' }] },
      {
        table: 'refunds',
        changes: [{ change: 'retyped', path: 'amount', declared: 'decimal(10,2)', observed: 'string' }],
      },
      { table: 'sales', changes: [] },
      { table: 'signed_in', changes: [] },
    ]);
  });
});
