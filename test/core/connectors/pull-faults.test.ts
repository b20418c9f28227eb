import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AuthenticationError,
  HttpStatusError,
  MalformedResponseError,
  SourceUnavailableError,
  UnexpectedResponseError,
} from '../../../lib/core/connectors/errors.ts';
import { stateKey } from '../../../lib/core/connectors/pull-state.ts';
import { fakeClock, items, localPorts, pull, type Reply, rawRecords, startServer, testSource } from './harness.ts';

/**
 * Rate limits and faults against a real server on 127.0.0.1. Sleeps go through a fake clock that records them,
 * so no test waits for a real backoff; only the timeout test waits, for a 100 ms request timeout.
 */

const continuationSource = (fields: Record<string, unknown> = {}) =>
  testSource({
    rate_limit: { body_status: 'status_code', max_wait_seconds: 600 },
    ...fields,
    endpoints: [
      {
        name: 'events',
        path: '/events/',
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

/** Two good pages; `fault` may answer a request instead (by its 0-based index among all requests). */
function twoPages(fault: (index: number) => Reply | undefined) {
  let index = 0;
  return (request: { query: URLSearchParams }): Reply => {
    const answer = fault(index++);
    if (answer !== undefined) return answer;
    return request.query.get('continuation') === null
      ? { body: { events: items(1, 2), pagination: { has_more_items: true, continuation: 'p2' } } }
      : { body: { events: items(3, 3), pagination: { has_more_items: false } } };
  };
}

describe('rate limits', () => {
  test('429 by status with Retry-After: waits the seconds it asks, then gets the page', async () => {
    // Prepare
    const server = await startServer(
      twoPages((i) =>
        i === 1 ? { status: 429, headers: { 'retry-after': '7' }, body: { error: 'slow down' } } : undefined,
      ),
    );
    const ports = await localPorts();
    const clock = fakeClock();

    // Act
    const result = await pull(continuationSource(), server, ports, { clock });

    // Assess
    assert.equal(result.status, 'complete', result.error?.message);
    assert.deepEqual(clock.sleeps, [7000]);
    assert.equal(result.rateLimitWaits, 1);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(await rawRecords(ports), items(1, 3));
  });

  test('429 in the body of an HTTP 200 (Eventbrite): detected by status_code, backs off 1 s, 2 s, 4 s ... up to the default wait, then gets the page', async () => {
    // Prepare: seven limits in a row that say nothing about when to come back
    const server = await startServer(
      twoPages((i) =>
        i < 7
          ? { status: 200, body: { status_code: 429, error: 'HIT_RATE_LIMIT', error_description: 'Hourly rate limit' } }
          : undefined,
      ),
    );
    const ports = await localPorts();
    const clock = fakeClock();

    // Act
    const result = await pull(
      continuationSource({ rate_limit: { body_status: 'status_code', default_wait_seconds: 30 } }),
      server,
      ports,
      { clock },
    );

    // Assess
    assert.equal(result.status, 'complete', result.error?.message);
    assert.deepEqual(clock.sleeps, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    assert.deepEqual(await rawRecords(ports), items(1, 3));
  });

  test('a rate-limit reset header (epoch seconds) sets the wait when there is no Retry-After', async () => {
    // Prepare
    const reset = String(Date.parse('2024-01-15T09:30:45Z') / 1000);
    const server = await startServer(
      twoPages((i) => (i === 0 ? { status: 429, headers: { 'x-ratelimit-reset': reset }, body: {} } : undefined)),
    );
    const ports = await localPorts();
    const clock = fakeClock('2024-01-15T09:30:00.000Z');

    // Act
    const result = await pull(
      continuationSource({ rate_limit: { reset_header: 'x-ratelimit-reset' } }),
      server,
      ports,
      { clock },
    );

    // Assess
    assert.equal(result.status, 'complete');
    assert.deepEqual(clock.sleeps, [45_000]);
  });
});

describe('transient faults are retried with backoff', () => {
  test('5xx then success: one backoff, then the page', async () => {
    // Prepare
    const server = await startServer(
      twoPages((i) => (i === 1 ? { status: 503, body: { error: 'unavailable' } } : undefined)),
    );
    const ports = await localPorts();
    const clock = fakeClock();

    // Act
    const result = await pull(continuationSource(), server, ports, { clock });

    // Assess
    assert.equal(result.status, 'complete', result.error?.message);
    // First retry: ceiling = base 100 ms; equal jitter with random 0.5 gives 75 ms.
    assert.deepEqual(clock.sleeps, [75]);
    assert.equal(result.retries, 1);
    assert.deepEqual(await rawRecords(ports), items(1, 3));
  });

  test('backoff doubles per failure and is capped at max_delay_ms', async () => {
    // Prepare
    const server = await startServer(twoPages((i) => (i >= 1 && i <= 5 ? { status: 500, body: {} } : undefined)));
    const ports = await localPorts();
    const clock = fakeClock();

    // Act
    const result = await pull(
      continuationSource({ retry: { max_attempts: 6, base_delay_ms: 100, max_delay_ms: 500 } }),
      server,
      ports,
      { clock },
    );

    // Assess
    assert.equal(result.status, 'complete', result.error?.message);
    assert.deepEqual(clock.sleeps, [75, 150, 300, 375, 375]);
  });

  test('connection reset then success', async () => {
    // Prepare
    const server = await startServer(twoPages((i) => (i === 0 ? 'reset' : undefined)));
    const ports = await localPorts();
    const clock = fakeClock();

    // Act
    const result = await pull(continuationSource(), server, ports, { clock });

    // Assess
    assert.equal(result.status, 'complete', result.error?.message);
    assert.equal(result.retries, 1);
    assert.deepEqual(await rawRecords(ports), items(1, 3));
  });

  test('a response slower than the request timeout is abandoned and retried', async () => {
    // Prepare
    const server = await startServer(twoPages((i) => (i === 0 ? 'hang' : undefined)));
    const ports = await localPorts();
    const clock = fakeClock();

    // Act
    const result = await pull(continuationSource({ request_timeout_ms: 100 }), server, ports, { clock });

    // Assess
    assert.equal(result.status, 'complete', result.error?.message);
    assert.equal(result.retries, 1);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(await rawRecords(ports), items(1, 3));
  });

  test('malformed JSON once (a truncated body) is retried', async () => {
    // Prepare
    const server = await startServer(twoPages((i) => (i === 1 ? { raw: '{"events": [{"id": "r3"' } : undefined)));
    const ports = await localPorts();

    // Act
    const result = await pull(continuationSource(), server, ports);

    // Assess
    assert.equal(result.status, 'complete', result.error?.message);
    assert.equal(result.retries, 1);
  });

  test('malformed JSON on every attempt fails the pull naming endpoint and page; earlier pages stay checkpointed', async () => {
    // Prepare
    const server = await startServer(twoPages((i) => (i >= 1 ? { raw: '<html>Bad gateway</html>' } : undefined)));
    const ports = await localPorts();

    // Act
    const result = await pull(continuationSource(), server, ports);

    // Assess
    assert.equal(result.status, 'failed');
    assert.ok(result.error instanceof SourceUnavailableError);
    assert.equal(result.error.attempts, 3);
    assert.ok(result.error.cause instanceof MalformedResponseError);
    assert.match(result.error.message, /testapi endpoint "events" page 2 \(\/events\/\?continuation=p2\)/);
    assert.equal(server.requests.length, 4);
    const state = await ports.control.get<{ active: { tasks: { page: number }[] } }>(stateKey('testapi'));
    assert.deepEqual(
      state?.value.active.tasks.map((t) => t.page),
      [2],
    );
    assert.deepEqual(await rawRecords(ports), items(1, 2));
  });
});

describe('errors that retrying cannot fix stop at once', () => {
  test('401: AuthenticationError after one request, no wait', async () => {
    // Prepare
    const server = await startServer(() => ({ status: 401, body: { error: 'INVALID_AUTH' } }));
    const ports = await localPorts();
    const clock = fakeClock();

    // Act
    const result = await pull(continuationSource(), server, ports, { clock });

    // Assess
    assert.equal(result.status, 'failed');
    assert.ok(result.error instanceof AuthenticationError);
    assert.equal(result.error.status, 401);
    assert.match(result.error.message, /endpoint "events" page 1 .*HTTP 401.*expected 2xx/);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  test('403 is an AuthenticationError too; 404 is an HttpStatusError', async () => {
    // Prepare
    const forbidden = await startServer(() => ({ status: 403, body: {} }));
    const missing = await startServer(() => ({ status: 404, body: {} }));

    // Act
    const denied = await pull(continuationSource(), forbidden, await localPorts());
    const notFound = await pull(continuationSource(), missing, await localPorts());

    // Assess
    assert.ok(denied.error instanceof AuthenticationError);
    assert.ok(notFound.error instanceof HttpStatusError);
    assert.equal(missing.requests.length, 1);
  });

  test('a page that does not match the expected shape fails at once, saying what was expected where', async () => {
    // Prepare
    const server = await startServer(() => ({
      body: { events: [{ id: 'r1' }, { name: 'no id' }], pagination: { has_more_items: 'yes' } },
    }));
    const ports = await localPorts();

    // Act
    const result = await pull(continuationSource(), server, ports);

    // Assess
    assert.equal(result.status, 'failed');
    assert.ok(result.error instanceof UnexpectedResponseError);
    assert.deepEqual(result.error.issues, [
      'events[1].id: expected a value',
      'pagination.has_more_items: expected true or false',
    ]);
    assert.match(result.error.message, /testapi endpoint "events" page 1/);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(await rawRecords(ports), []);
  });

  test('a missing credential fails before any request, naming the variable', async () => {
    // Prepare
    const server = await startServer(() => ({ body: {} }));
    const ports = await localPorts();
    const { StaticSecretSource } = await import('../../../lib/core/connectors/secrets.ts');

    // Act
    const result = await pull(continuationSource(), server, ports, { secrets: new StaticSecretSource({}) });

    // Assess
    assert.equal(result.status, 'failed');
    assert.match(result.error?.message ?? '', /credential TESTAPI_TOKEN is not set/);
    assert.equal(server.requests.length, 0);
  });
});
