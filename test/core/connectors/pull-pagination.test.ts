import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UnexpectedResponseError } from '../../../lib/core/connectors/errors.ts';
import { items, localPorts, pull, rawObjects, rawRecords, startServer, testSource } from './harness.ts';

/** Each pagination style end to end: a real server on 127.0.0.1, real folders for raw and the checkpoint. */

describe('pagination styles', () => {
  test('continuation token: follows has_more_items/continuation until has_more_items is false', async () => {
    // Prepare
    const pages: Record<string, unknown> = {
      '': { events: items(1, 2), pagination: { has_more_items: true, continuation: 'tok-2' } },
      'tok-2': { events: items(3, 4), pagination: { has_more_items: true, continuation: 'tok-3' } },
      'tok-3': { events: items(5, 5), pagination: { has_more_items: false } },
    };
    const server = await startServer((request) => ({ body: pages[request.query.get('continuation') ?? ''] }));
    const ports = await localPorts();
    const connector = testSource({
      endpoints: [
        {
          name: 'events',
          path: '/events/',
          params: { order_by: 'start_desc' },
          raw_table: 'testapi_events',
          records: 'events',
          required_fields: ['id'],
          pagination: {
            style: 'continuation',
            has_more: 'pagination.has_more_items',
            token: 'pagination.continuation',
            param: 'continuation',
          },
        },
      ],
    });

    // Act
    const result = await pull(connector, server, ports);

    // Assess
    assert.equal(result.status, 'complete', result.error?.message);
    assert.deepEqual(await rawRecords(ports), items(1, 5));
    assert.deepEqual(
      server.requests.map((r) => `${r.path}?${r.query}`),
      [
        '/v1/events/?order_by=start_desc',
        '/v1/events/?order_by=start_desc&continuation=tok-2',
        '/v1/events/?order_by=start_desc&continuation=tok-3',
      ],
    );
    assert.equal(server.requests[0]?.headers.authorization, 'Bearer secret-token');
    const objects = await rawObjects(ports);
    assert.deepEqual(
      [...objects.keys()],
      [1, 2, 3].map(
        (page) =>
          `testapi/testapi_events/year=2024/month=01/day=15/20240115T093000Z-000001_events_all_p00000${page}.json`,
      ),
    );
    assert.deepEqual(objects.values().next().value?.[0], {
      source: 'testapi',
      endpoint: 'events',
      page: 1,
      pulled_at: '2024-01-15T09:30:00.000Z',
      pull_id: '20240115T093000Z-000001',
      parent: {},
      record: { id: 'r1', name: 'item 1' },
    });
    assert.equal(result.pages, 3);
    assert.equal(result.records, 5);
  });

  test('page number: asks page 1, 2, ... with the page size and stops at a short page', async () => {
    // Prepare
    const all = items(1, 5);
    const server = await startServer((request) => {
      const page = Number(request.query.get('page'));
      const size = Number(request.query.get('page_size'));
      return { body: { data: all.slice((page - 1) * size, page * size) } };
    });
    const ports = await localPorts();
    const connector = testSource({
      endpoints: [
        {
          name: 'surveys',
          path: '/surveys',
          raw_table: 'testapi_surveys',
          records: 'data',
          pagination: { style: 'page_number', param: 'page', size_param: 'page_size', size: 2 },
        },
      ],
    });

    // Act
    const result = await pull(connector, server, ports);

    // Assess
    assert.equal(result.status, 'complete', result.error?.message);
    assert.deepEqual(await rawRecords(ports), all);
    assert.deepEqual(
      server.requests.map((r) => r.query.toString()),
      ['page_size=2&page=1', 'page_size=2&page=2', 'page_size=2&page=3'],
    );
  });

  test('page number: a full last page is followed by one empty page, which writes no object', async () => {
    // Prepare
    const all = items(1, 4);
    const server = await startServer((request) => {
      const page = Number(request.query.get('page'));
      return { body: { data: all.slice((page - 1) * 2, page * 2) } };
    });
    const ports = await localPorts();
    const connector = testSource({
      endpoints: [
        {
          name: 'surveys',
          path: '/surveys',
          raw_table: 'testapi_surveys',
          records: 'data',
          pagination: { style: 'page_number', param: 'page', size_param: 'page_size', size: 2 },
        },
      ],
    });

    // Act
    const result = await pull(connector, server, ports);

    // Assess
    assert.equal(result.status, 'complete');
    assert.equal(server.requests.length, 3);
    assert.equal((await rawObjects(ports)).size, 2);
    assert.deepEqual(await rawRecords(ports), all);
  });

  test('next link in the body: follows absolute links on the same host until the link is null', async () => {
    // Prepare
    const server = await startServer((request, self) => {
      const after = request.query.get('after');
      if (after === null) return { body: { results: items(1, 2), links: { next: `${self.url}/v1/things?after=r2` } } };
      return { body: { results: items(3, 3), links: { next: null } } };
    });
    const ports = await localPorts();
    const connector = testSource({
      endpoints: [
        {
          name: 'things',
          path: '/things',
          raw_table: 'testapi_things',
          records: 'results',
          pagination: { style: 'next_link', next: 'links.next' },
        },
      ],
    });

    // Act
    const result = await pull(connector, server, ports);

    // Assess
    assert.equal(result.status, 'complete', result.error?.message);
    assert.deepEqual(await rawRecords(ports), items(1, 3));
    assert.deepEqual(
      server.requests.map((r) => `${r.path}?${r.query}`),
      ['/v1/things?', '/v1/things?after=r2'],
    );
  });

  test('next link in the Link header (rel="next"), relative to the current page', async () => {
    // Prepare
    const server = await startServer((request) => {
      const page = Number(request.query.get('p') ?? '1');
      const headers: Record<string, string> =
        page < 3 ? { link: `</v1/things?p=${page + 1}>; rel="next", </v1/things?p=1>; rel="first"` } : {};
      return { headers, body: { results: items(page, page) } };
    });
    const ports = await localPorts();
    const connector = testSource({
      endpoints: [
        {
          name: 'things',
          path: '/things',
          raw_table: 'testapi_things',
          records: 'results',
          pagination: { style: 'next_link', link_header: true },
        },
      ],
    });

    // Act
    const result = await pull(connector, server, ports);

    // Assess
    assert.equal(result.status, 'complete', result.error?.message);
    assert.deepEqual(await rawRecords(ports), items(1, 3));
  });

  test('next link to another host is refused: credentials never leave the configured base URL', async () => {
    // Prepare
    const server = await startServer(() => ({
      body: { results: items(1, 1), links: { next: 'http://127.0.0.2:9/v1/things?after=r1' } },
    }));
    const ports = await localPorts();
    const connector = testSource({
      endpoints: [
        {
          name: 'things',
          path: '/things',
          raw_table: 'testapi_things',
          records: 'results',
          pagination: { style: 'next_link', next: 'links.next' },
        },
      ],
    });

    // Act
    const result = await pull(connector, server, ports);

    // Assess
    assert.equal(result.status, 'failed');
    assert.ok(result.error instanceof UnexpectedResponseError);
    assert.match(result.error.message, /endpoint "things" page 1 .*expected a next link under http:\/\/127\.0\.0\.1/);
    assert.equal(server.requests.length, 1);
  });

  test('cursor: sends the cursor back until it is null', async () => {
    // Prepare
    const server = await startServer((request) => {
      const cursor = request.query.get('cursor');
      if (cursor === null) return { body: { data: items(1, 2), meta: { next_cursor: 'c2' } } };
      if (cursor === 'c2') return { body: { data: items(3, 4), meta: { next_cursor: 'c3' } } };
      return { body: { data: [], meta: { next_cursor: null } } };
    });
    const ports = await localPorts();
    const connector = testSource({
      endpoints: [
        {
          name: 'things',
          path: '/things',
          raw_table: 'testapi_things',
          records: 'data',
          pagination: { style: 'cursor', cursor: 'meta.next_cursor', param: 'cursor' },
        },
      ],
    });

    // Act
    const result = await pull(connector, server, ports);

    // Assess
    assert.equal(result.status, 'complete', result.error?.message);
    assert.deepEqual(await rawRecords(ports), items(1, 4));
    assert.deepEqual(
      server.requests.map((r) => r.query.get('cursor')),
      [null, 'c2', 'c3'],
    );
  });
});

describe('parent/child expansion', () => {
  test('organizations → events → orders: each child endpoint runs once per parent record, paginated on its own', async () => {
    // Prepare
    const server = await startServer((request) => {
      const continuation = request.query.get('continuation');
      const more = (has: boolean, token?: string) => ({
        has_more_items: has,
        ...(token ? { continuation: token } : {}),
      });
      if (request.path === '/v1/users/me/organizations/') {
        return { body: { organizations: [{ id: 'org1' }], pagination: more(false) } };
      }
      if (request.path === '/v1/organizations/org1/events/') {
        return continuation === null
          ? { body: { events: [{ id: 'e1' }], pagination: more(true, 'ev2') } }
          : { body: { events: [{ id: 'e 2' }], pagination: more(false) } };
      }
      if (request.path === '/v1/events/e1/orders/') {
        return continuation === null
          ? { body: { orders: items(1, 1, 'o'), pagination: more(true, 'o2') } }
          : { body: { orders: items(2, 2, 'o'), pagination: more(false) } };
      }
      if (request.path === '/v1/events/e%202/orders/') {
        return { body: { orders: items(3, 3, 'o'), pagination: more(false) } };
      }
      return { status: 404, body: { error: 'NOT_FOUND' } };
    });
    const ports = await localPorts();
    const continuation = {
      style: 'continuation',
      has_more: 'pagination.has_more_items',
      token: 'pagination.continuation',
      param: 'continuation',
    };
    const connector = testSource({
      endpoints: [
        {
          name: 'organizations',
          path: '/users/me/organizations/',
          raw_table: 'testapi_organizations',
          records: 'organizations',
          pagination: continuation,
        },
        {
          name: 'events',
          path: '/organizations/{organization_id}/events/',
          parent: { endpoint: 'organizations', params: { organization_id: 'id' } },
          raw_table: 'testapi_events',
          records: 'events',
          pagination: continuation,
        },
        {
          name: 'orders',
          path: '/events/{event_id}/orders/',
          params: { expand: 'attendees,answers' },
          parent: { endpoint: 'events', params: { event_id: 'id' } },
          raw_table: 'testapi_orders',
          records: 'orders',
          pagination: continuation,
        },
      ],
    });

    // Act
    const result = await pull(connector, server, ports);

    // Assess
    assert.equal(result.status, 'complete', result.error?.message);
    assert.deepEqual(result.pagesByEndpoint, { organizations: 1, events: 2, orders: 3 });
    const orders = [...(await rawObjects(ports)).entries()].filter(([key]) => key.includes('_orders_'));
    assert.deepEqual(
      orders.flatMap(([, lines]) => lines.map((line) => [line.parent, line.page, (line.record as { id: string }).id])),
      // Keys sort by parent scope: "e-2-<hash>" before "e1-<hash>".
      [
        [{ event_id: 'e 2' }, 1, 'o3'],
        [{ event_id: 'e1' }, 1, 'o1'],
        [{ event_id: 'e1' }, 2, 'o2'],
      ],
    );
    assert.ok(
      server.requests.every((r) => r.path !== '/v1/events/e1/orders/' || r.query.get('expand') === 'attendees,answers'),
    );
  });

  test('a parent record without the field a child needs is refused, naming the record', async () => {
    // Prepare
    const server = await startServer(() => ({ body: { events: [{ id: 'e1' }, { name: 'no id' }] } }));
    const ports = await localPorts();
    const connector = testSource({
      endpoints: [
        {
          name: 'events',
          path: '/events/',
          raw_table: 'testapi_events',
          records: 'events',
          pagination: { style: 'none' },
        },
        {
          name: 'orders',
          path: '/events/{event_id}/orders/',
          parent: { endpoint: 'events', params: { event_id: 'id' } },
          raw_table: 'testapi_orders',
          records: 'orders',
          pagination: { style: 'none' },
        },
      ],
    });

    // Act
    const result = await pull(connector, server, ports);

    // Assess
    assert.ok(result.error instanceof UnexpectedResponseError);
    assert.match(result.error.message, /endpoint "events" page 1 .*events\[1\]\.id: expected a value/);
  });

  test('pages of a raw table written gzip land as .json.gz, each a gzip stream of its NDJSON page', async () => {
    // Prepare
    const pages: Record<string, unknown> = {
      '': { events: items(1, 2), pagination: { has_more_items: true, continuation: 'tok-2' } },
      'tok-2': { events: items(3, 3), pagination: { has_more_items: false } },
    };
    const server = await startServer((request) => ({ body: pages[request.query.get('continuation') ?? ''] }));
    const ports = await localPorts();
    const plain = testSource({
      endpoints: [
        {
          name: 'events',
          path: '/events/',
          raw_table: 'testapi_events',
          records: 'events',
          pagination: {
            style: 'continuation',
            has_more: 'pagination.has_more_items',
            token: 'pagination.continuation',
            param: 'continuation',
          },
        },
      ],
    });
    const connector = { ...plain, compression: { testapi_events: 'gzip' as const } };

    // Act
    const result = await pull(connector, server, ports);

    // Assess: rawObjects gunzips what it reads; the bytes themselves are gzip
    assert.equal(result.status, 'complete', result.error?.message);
    const keys = [...(await rawObjects(ports)).keys()];
    assert.deepEqual(
      keys,
      [1, 2].map(
        (page) =>
          `testapi/testapi_events/year=2024/month=01/day=15/20240115T093000Z-000001_events_all_p00000${page}.json.gz`,
      ),
    );
    const bytes = await readFile(join(ports.dir, ports.rawBucket, keys[0] as string));
    assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b]);
    assert.deepEqual(await rawRecords(ports), items(1, 3));
  });
});
