import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stateKey } from '../../../lib/core/connectors/pull-state.ts';
import type { ControlStore } from '../../../lib/core/ports.ts';
import {
  fakeClock,
  localPorts,
  type Ports,
  pull,
  type Reply,
  rawObjects,
  type SeenRequest,
  startServer,
  testSource,
} from './harness.ts';

/**
 * Interrupted pulls resume at the next page: whatever stops a run (its time limit, the request budget, a rate
 * limit longer than a run may wait, a crash between writing a page and saving the checkpoint), the raw objects
 * after the resumed run are exactly those of an uninterrupted pull: no gap, no duplicate.
 */

/** Events in 3 pages of 2; each event has `n` orders in pages of 2 (page-number style). */
const ORDERS: Record<string, number> = { e1: 3, e2: 0, e3: 4, e4: 1, e5: 2, e6: 5 };

function api(request: SeenRequest): Reply {
  if (request.path === '/v1/events/') {
    const page = request.query.get('continuation') ?? 'c1';
    const index = Number(page.slice(1));
    const events = [`e${index * 2 - 1}`, `e${index * 2}`].map((id) => ({ id }));
    return {
      body: {
        events,
        pagination: { has_more_items: index < 3, ...(index < 3 ? { continuation: `c${index + 1}` } : {}) },
      },
    };
  }
  const match = /^\/v1\/events\/(e\d)\/orders$/.exec(request.path);
  if (match?.[1] !== undefined) {
    const event = match[1];
    const page = Number(request.query.get('page'));
    const all = Array.from({ length: ORDERS[event] ?? 0 }, (_, i) => ({ id: `${event}-o${i + 1}` }));
    return { body: { orders: all.slice((page - 1) * 2, page * 2) } };
  }
  return { status: 404, body: {} };
}

const connector = () =>
  testSource({
    max_requests_per_run: 1000,
    rate_limit: { max_wait_seconds: 60 },
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
      {
        name: 'orders',
        path: '/events/{event_id}/orders',
        parent: { endpoint: 'events', params: { event_id: 'id' } },
        raw_table: 'testapi_orders',
        records: 'orders',
        pagination: { style: 'page_number', param: 'page', size_param: 'page_size', size: 2 },
      },
    ],
  });

/** Raw objects with `pulled_at` (the only field that depends on when a page was fetched) left out. */
async function pages(ports: Ports): Promise<Map<string, unknown[]>> {
  const objects = await rawObjects(ports);
  return new Map(
    [...objects].map(([key, lines]) => [key, lines.map(({ pulled_at: _pulledAt, ...line }) => line)] as const),
  );
}

async function uninterrupted(): Promise<{ pages: Map<string, unknown[]>; requests: number }> {
  const server = await startServer(api);
  const ports = await localPorts();
  const result = await pull(connector(), server, ports);
  assert.equal(result.status, 'complete', result.error?.message);
  return { pages: await pages(ports), requests: server.requests.length };
}

describe('resume after an interrupted run', () => {
  test('time limit reached mid-pull: stops cleanly as partial; the next run yields exactly the uninterrupted pages', async () => {
    // Prepare
    const expected = await uninterrupted();
    const server = await startServer(api);
    const ports = await localPorts();
    // The Lambda reports plenty of time until 7 requests have been made, then almost none.
    const remainingMs = () => (server.requests.length < 7 ? 900_000 : 1000);

    // Act
    const first = await pull(connector(), server, ports, { remainingMs });
    const second = await pull(connector(), server, ports, { clock: fakeClock('2024-01-15T09:45:00.000Z') });

    // Assess
    assert.equal(first.status, 'partial');
    assert.equal(first.stopReason, 'time_limit');
    assert.equal(first.pages, 7);
    assert.ok(first.pendingTasks > 0);
    assert.equal(second.status, 'complete', second.error?.message);
    assert.equal(second.pullId, first.pullId);
    assert.deepEqual(await pages(ports), expected.pages);
    assert.equal(server.requests.length, expected.requests, 'no page was fetched twice');
  });

  test('request budget exhausted mid-pull: partial, then resumed over as many runs as it takes', async () => {
    // Prepare
    const expected = await uninterrupted();
    const server = await startServer(api);
    const ports = await localPorts();
    const small = testSource({ ...connector().source, max_requests_per_run: 4 });

    // Act
    const runs = [];
    for (let run = 0; run < 20; run++) {
      const result = await pull(small, server, ports);
      runs.push(result);
      if (result.status !== 'partial') break;
    }

    // Assess
    assert.ok(runs.length > 2);
    assert.ok(
      runs.slice(0, -1).every((r) => r.status === 'partial' && r.stopReason === 'request_budget' && r.requests === 4),
    );
    assert.equal(runs.at(-1)?.status, 'complete');
    assert.deepEqual(await pages(ports), expected.pages);
    assert.equal(server.requests.length, expected.requests);
  });

  test('quota exhausted mid-pull (429 asking for longer than a run may wait): partial with resume time, then resumed', async () => {
    // Prepare
    const expected = await uninterrupted();
    let quotaLeft = 5;
    const server = await startServer((request) => {
      if (quotaLeft === 0) return { status: 429, headers: { 'retry-after': '3600' }, body: { error: 'quota' } };
      quotaLeft--;
      return api(request);
    });
    const ports = await localPorts();
    const clock = fakeClock('2024-01-15T09:30:00.000Z');

    // Act
    const first = await pull(connector(), server, ports, { clock });
    quotaLeft = 1000;
    const second = await pull(connector(), server, ports, { clock: fakeClock('2024-01-15T10:31:00.000Z') });

    // Assess
    assert.equal(first.status, 'partial');
    assert.equal(first.stopReason, 'rate_limited');
    assert.equal(first.resumeAfter, '2024-01-15T10:30:00.000Z');
    assert.deepEqual(clock.sleeps, [], 'an hour is longer than max_wait_seconds: the run ends instead of sleeping');
    assert.equal(first.pages, 5);
    assert.equal(second.status, 'complete', second.error?.message);
    assert.deepEqual(await pages(ports), expected.pages);
    assert.equal(server.requests.length, expected.requests + 1, 'only the refused request was repeated');
  });

  test('a checkpoint naming an endpoint the config no longer has: refused naming --restart, which starts over', async () => {
    // Prepare: a pull stopped by its budget inside the orders pages, then the orders endpoint removed from config
    const server = await startServer(api);
    const ports = await localPorts();
    const stopped = await pull(testSource({ ...connector().source, max_requests_per_run: 4 }), server, ports);
    assert.equal(stopped.status, 'partial');
    const eventsOnly = testSource({
      ...connector().source,
      endpoints: connector().source.endpoints.filter((endpoint) => endpoint.name === 'events'),
    });

    // Act
    const refused = await pull(eventsOnly, server, ports);
    const restarted = await pull(eventsOnly, server, ports, {}, { restart: true });

    // Assess
    assert.equal(refused.status, 'failed');
    assert.match(refused.error?.message ?? '', /no longer has .*dap pull testapi --restart/);
    assert.equal(restarted.status, 'complete', restarted.error?.message);
    assert.notEqual(restarted.pullId, stopped.pullId);
  });

  test('a crash after a page is written but before its checkpoint: the page is fetched again and overwrites itself', async () => {
    // Prepare
    const expected = await uninterrupted();
    const server = await startServer(api);
    const ports = await localPorts();
    let puts = 0;
    const crashing: ControlStore = Object.assign(Object.create(ports.control) as ControlStore, {
      put: async <T>(key: string, value: T, expectedVersion: number) => {
        puts++;
        // Put 1 starts the pull; put 5 would checkpoint the 4th page.
        if (puts === 5) throw new Error('simulated crash: the process died before the checkpoint');
        return ports.control.put(key, value, expectedVersion);
      },
    });

    // Act
    const first = await pull(connector(), server, { ...ports, control: crashing });
    const second = await pull(connector(), server, ports);

    // Assess
    assert.equal(first.status, 'failed');
    assert.equal(second.status, 'complete', second.error?.message);
    assert.deepEqual(await pages(ports), expected.pages);
    assert.equal(server.requests.length, expected.requests + 1, 'the un-checkpointed page was fetched twice');
  });
});

describe('incremental pulls', () => {
  test('a second pull sends changed_since (watermark minus overlap) and fetches only changed records', async () => {
    // Prepare
    const orders = new Map<string, string>([
      ['o1', '2024-01-10T08:00:00Z'],
      ['o2', '2024-01-12T08:00:00Z'],
      ['o3', '2024-01-14T08:00:00Z'],
    ]);
    const server = await startServer((request) => {
      const since = request.query.get('changed_since');
      const changed = [...orders]
        .filter(([, at]) => since === null || at >= since)
        .map(([id, at]) => ({ id, changed: at }));
      return { body: { orders: changed, pagination: { has_more_items: false } } };
    });
    const ports = await localPorts();
    const source = testSource({
      endpoints: [
        {
          name: 'orders',
          path: '/orders/',
          raw_table: 'testapi_orders',
          records: 'orders',
          required_fields: ['id', 'changed'],
          pagination: {
            style: 'continuation',
            has_more: 'pagination.has_more_items',
            token: 'pagination.continuation',
            param: 'continuation',
          },
          incremental: { param: 'changed_since', format: 'iso8601', overlap_seconds: 3600 },
        },
      ],
    });

    // Act
    const first = await pull(source, server, ports, { clock: fakeClock('2024-01-15T09:30:00.000Z') });
    orders.set('o2', '2024-01-15T12:00:00Z');
    orders.set('o4', '2024-01-16T07:00:00Z');
    const second = await pull(source, server, ports, { clock: fakeClock('2024-01-16T09:30:00.000Z') });

    // Assess
    assert.equal(first.status, 'complete');
    assert.equal(second.status, 'complete');
    assert.deepEqual(
      server.requests.map((r) => r.query.get('changed_since')),
      [null, '2024-01-15T08:30:00Z'],
    );
    const secondPull = [...(await rawObjects(ports))].filter(([key]) => key.includes(second.pullId));
    assert.deepEqual(
      secondPull.flatMap(([, lines]) => lines.map((line) => (line.record as { id: string }).id)),
      ['o2', 'o4'],
    );
    assert.ok(secondPull.every(([key]) => key.includes('/year=2024/month=01/day=16/')));
    const state = await ports.control.get<{ watermarks: Record<string, string> }>(stateKey('testapi'));
    assert.deepEqual(state?.value.watermarks, { orders: '2024-01-16T09:30:00.000Z' });
  });

  test('the watermark moves only when a pull completes: a partial pull keeps asking from the old one', async () => {
    // Prepare
    const server = await startServer(() => ({
      body: { orders: [{ id: 'o1' }], pagination: { has_more_items: false } },
    }));
    const ports = await localPorts();
    const source = testSource({
      endpoints: [
        {
          name: 'orders',
          path: '/orders/',
          raw_table: 'testapi_orders',
          records: 'orders',
          pagination: { style: 'none' },
          incremental: { param: 'since', format: 'unix_seconds', overlap_seconds: 60 },
        },
      ],
    });
    await pull(source, server, ports, { clock: fakeClock('2024-01-15T00:00:00.000Z') });

    // Act
    const stopped = await pull(source, server, ports, {
      clock: fakeClock('2024-01-16T00:00:00.000Z'),
      remainingMs: () => 0,
    });
    const resumed = await pull(source, server, ports, { clock: fakeClock('2024-01-17T00:00:00.000Z') });

    // Assess
    assert.equal(stopped.status, 'partial');
    assert.equal(resumed.status, 'complete');
    assert.equal(resumed.pullId, stopped.pullId);
    const since = String(Date.parse('2024-01-15T00:00:00Z') / 1000 - 60);
    assert.deepEqual(
      server.requests.map((r) => r.query.get('since')),
      [null, since],
    );
    const state = await ports.control.get<{ watermarks: Record<string, string> }>(stateKey('testapi'));
    assert.deepEqual(state?.value.watermarks, { orders: '2024-01-16T00:00:00.000Z' });
  });
});
