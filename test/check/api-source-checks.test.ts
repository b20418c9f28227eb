import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkApiSources } from '../../lib/check/api-source-checks.ts';
import { parseProject } from '../../lib/config/loader.ts';
import { connectorConfig } from '../../lib/core/connectors/connector-config.ts';

/** Projects held in memory: just the files the API source checks read. */
function project(source: Record<string, unknown>, rawTables: Record<string, unknown> = {}) {
  const files = new Map<string, string>([
    ['athena-scripts/process_scripts/product_family_config.json', '[]'],
    ['redshift-scripts/reporting_model_product_family_config.json', '[]'],
    [`config/sources/apis/${source.source}.json`, JSON.stringify(source)],
    [
      'athena-scripts/raw_tables/shop.json',
      JSON.stringify({
        source: 'shop',
        format: 'json',
        location: 'shop/{table}',
        tables: {
          shop_orders: { columns: [{ name: 'record', type: 'struct<id:string>' }] },
          shop_items: { columns: [{ name: 'record', type: 'struct<id:string>' }] },
          shop_bare: { columns: [{ name: 'payload', type: 'string' }] },
        },
        ...rawTables,
      }),
    ],
    [
      'athena-scripts/raw_tables/other.json',
      JSON.stringify({
        source: 'other',
        format: 'json',
        location: 'other/{table}',
        tables: { other_things: { columns: [{ name: 'record', type: 'struct<id:string>' }] } },
      }),
    ],
  ]);
  const { project, problems } = parseProject(files);
  assert.deepEqual(problems, []);
  return project;
}

const shop = (endpoints: unknown[]) => ({
  source: 'shop',
  base_url: 'https://api.shop.example/v2',
  auth: { type: 'bearer', token: 'SHOP_TOKEN' },
  endpoints,
});
const none = { style: 'none' };

describe('checkApiSources', () => {
  test('a source whose endpoints, parents and raw tables line up has no problems', () => {
    // Prepare
    const p = project(
      shop([
        { name: 'orders', path: '/orders', raw_table: 'shop_orders', records: 'orders', pagination: none },
        {
          name: 'items',
          path: '/orders/{order_id}/items',
          parent: { endpoint: 'orders', params: { order_id: 'id' } },
          raw_table: 'shop_items',
          records: 'items',
          pagination: none,
        },
      ]),
    );

    // Act
    const problems = checkApiSources(p);

    // Assess
    assert.deepEqual(problems, []);
    assert.deepEqual(connectorConfig(p, 'shop').locations, {
      shop_orders: 'shop/shop_orders',
      shop_items: 'shop/shop_items',
    });
  });

  test('raw tables: undeclared, of another source, or without a record column', () => {
    // Prepare
    const p = project(
      shop([
        { name: 'a', path: '/a', raw_table: 'shop_missing', records: 'a', pagination: none },
        { name: 'b', path: '/b', raw_table: 'other_things', records: 'b', pagination: none },
        { name: 'c', path: '/c', raw_table: 'shop_bare', records: 'c', pagination: none },
      ]),
    );

    // Act
    const problems = checkApiSources(p);

    // Assess
    assert.deepEqual(
      problems.map((problem) => `${problem.at}: ${problem.message}`),
      [
        'endpoints[0].raw_table: raw table "shop_missing" is not declared: add it under "tables" in athena-scripts/raw_tables/shop.json',
        'endpoints[1].raw_table: raw table "other_things" belongs to source "other" (athena-scripts/raw_tables/other.json); expected a table of "shop"',
        'endpoints[2].raw_table: raw table "shop_bare" (athena-scripts/raw_tables/shop.json) has no "record" column: pulled pages store each API record under "record"',
      ],
    );
    assert.ok(problems.every((problem) => problem.file === 'config/sources/apis/shop.json'));
  });

  test('parents and placeholders: unbound, unused, unknown parent, cycles, no root', () => {
    // Prepare
    const p = project(
      shop([
        { name: 'orders', path: '/orders/{shop_id}', raw_table: 'shop_orders', records: 'o', pagination: none },
        {
          name: 'items',
          path: '/items',
          parent: { endpoint: 'orders', params: { order_id: 'id' } },
          raw_table: 'shop_items',
          records: 'i',
          pagination: none,
        },
        {
          name: 'x',
          path: '/x',
          parent: { endpoint: 'y', params: {} },
          raw_table: 'shop_items',
          records: 'x',
          pagination: none,
        },
        {
          name: 'y',
          path: '/y',
          parent: { endpoint: 'x', params: {} },
          raw_table: 'shop_items',
          records: 'y',
          pagination: none,
        },
        {
          name: 'z',
          path: '/z',
          parent: { endpoint: 'nope', params: {} },
          raw_table: 'shop_items',
          records: 'z',
          pagination: none,
        },
      ]),
    );

    // Act
    const messages = checkApiSources(p).map((problem) => `${problem.at}: ${problem.message}`);

    // Assess
    assert.deepEqual(messages, [
      'endpoints[0].path: placeholder {shop_id} needs a parent endpoint whose records give its value (parent.params)',
      'endpoints[1].parent.params.order_id: "order_id" is not used: expected {order_id} in the path "/items"',
      'endpoints[2].parent.endpoint: endpoint "x" is its own ancestor: parents must form a tree',
      'endpoints[3].parent.endpoint: endpoint "y" is its own ancestor: parents must form a tree',
      'endpoints[4].parent.endpoint: no endpoint "nope" in this source (expected one of orders, items, x, y, z)',
    ]);
  });

  test('a schema problem names the file and the field', () => {
    // Prepare
    const files = new Map<string, string>([
      ['athena-scripts/process_scripts/product_family_config.json', '[]'],
      ['redshift-scripts/reporting_model_product_family_config.json', '[]'],
      [
        'config/sources/apis/shop.json',
        JSON.stringify({ ...shop([]), base_url: 'http://api.shop.example', schedule: 'every hour' }),
      ],
    ]);

    // Act
    const { problems } = parseProject(files);

    // Assess
    assert.deepEqual(
      problems.map((problem) => `${problem.file}: ${problem.at}: ${problem.message}`),
      [
        'config/sources/apis/shop.json: base_url: expected an https URL (credentials travel with requests)',
        // The same schedule rule as environments' (six-field cron, the "?" rule, rate forms).
        'config/sources/apis/shop.json: schedule: "every hour": expected an EventBridge schedule expression, cron(minutes hours day-of-month month day-of-week year) such as cron(0 3 * * ? *), or rate(1 hour)',
        'config/sources/apis/shop.json: endpoints: expected at least one endpoint',
      ],
    );
  });
});
