import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { connectorFromEnv, makeHandler, PULL_API_ENV, PullFailedError } from '../../lambdas/pull-api/handler.ts';
import { AuthenticationError } from '../../lib/core/connectors/errors.ts';
import { StaticSecretSource } from '../../lib/core/connectors/secrets.ts';
import { InvalidEnvironmentVariableError, MissingEnvironmentVariableError } from '../../lib/engines/aws/env.ts';
import { InvalidSecretError, SecretsManagerSecretSource } from '../../lib/engines/aws/secrets-manager-secret-source.ts';
import { fakeClock, items, localPorts, rawRecords, startServer, testSource } from '../core/connectors/harness.ts';

const connector = testSource({
  endpoints: [
    {
      name: 'things',
      path: '/things',
      raw_table: 'testapi_things',
      records: 'data',
      pagination: { style: 'page_number', param: 'page', size_param: 'page_size', size: 2 },
    },
  ],
});

function pagedServer() {
  return startServer((request) => {
    if (request.headers.authorization !== 'Bearer good') return { status: 401, body: { error: 'INVALID_AUTH' } };
    const page = Number(request.query.get('page'));
    return { body: { data: items(1, 5).slice((page - 1) * 2, page * 2) } };
  });
}

describe('pull-api Lambda', () => {
  test('stops before the Lambda time limit as partial success; the next invocation resumes and completes', async () => {
    // Prepare
    const server = await pagedServer();
    const ports = await localPorts();
    const handler = makeHandler({
      connector: { ...connector, source: { ...connector.source, base_url: `${server.url}/v1` } },
      ...ports,
      secrets: new StaticSecretSource({ TESTAPI_TOKEN: 'good' }),
      clock: fakeClock(),
    });
    // 900 s at first; after two requests only 5 s are left, less than a request's timeout plus the margin.
    const nearlyOut = { getRemainingTimeInMillis: () => (server.requests.length < 2 ? 900_000 : 5_000) };
    const fresh = { getRemainingTimeInMillis: () => 900_000 };

    // Act
    const first = await handler({ source: 'aws.events' }, nearlyOut);
    const second = await handler({ source: 'aws.events' }, fresh);

    // Assess
    assert.equal(first.status, 'partial');
    assert.equal(first.stopReason, 'time_limit');
    assert.equal(first.pages, 2);
    assert.equal(second.status, 'complete');
    assert.equal(second.pullId, first.pullId);
    assert.deepEqual(await rawRecords(ports), items(1, 5));
  });

  test('a failed pull fails the invocation (dead-letter queue), carrying the connector error', async () => {
    // Prepare
    const server = await pagedServer();
    const ports = await localPorts();
    const handler = makeHandler({
      connector: { ...connector, source: { ...connector.source, base_url: `${server.url}/v1` } },
      ...ports,
      secrets: new StaticSecretSource({ TESTAPI_TOKEN: 'expired' }),
    });

    // Act
    const outcome = handler({}, { getRemainingTimeInMillis: () => 900_000 });

    // Assess
    await assert.rejects(outcome, (error: unknown) => {
      assert.ok(error instanceof PullFailedError);
      assert.ok(error.cause instanceof AuthenticationError);
      assert.match(error.message, /pull of testapi failed: testapi endpoint "things" page 1 .*HTTP 401/);
      return true;
    });
  });

  test('the connector config comes from DAP_API_CONNECTOR, and a bad value names the variable', () => {
    // Prepare
    const good = { [PULL_API_ENV.connector]: JSON.stringify(connector) };

    // Act
    const parsed = connectorFromEnv(good);

    // Assess
    assert.deepEqual(parsed, connector);
    assert.throws(() => connectorFromEnv({}), MissingEnvironmentVariableError);
    assert.throws(() => connectorFromEnv({ [PULL_API_ENV.connector]: '{not json' }), InvalidEnvironmentVariableError);
    assert.throws(
      () => connectorFromEnv({ [PULL_API_ENV.connector]: JSON.stringify({ ...connector, locations: 3 }) }),
      /DAP_API_CONNECTOR is .*expected a connector config \(locations:/,
    );
  });
});

describe('SecretsManagerSecretSource', () => {
  test('reads the credential names as keys of the secret JSON, once per container', async () => {
    // Prepare
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ EVENTBRITE_TOKEN: 'tok' }) });
    const secrets = new SecretsManagerSecretSource('arn:secret:eventbrite', sm as unknown as SecretsManagerClient);

    // Act
    const token = await secrets.get('EVENTBRITE_TOKEN');
    const missing = await secrets.get('OTHER');

    // Assess
    assert.equal(token, 'tok');
    assert.equal(missing, undefined);
    assert.equal(sm.commandCalls(GetSecretValueCommand).length, 1);
    assert.deepEqual(sm.commandCalls(GetSecretValueCommand)[0]?.args[0].input, { SecretId: 'arn:secret:eventbrite' });
    sm.restore();
  });

  test('a secret that is not a JSON object of strings is an InvalidSecretError naming the secret', async () => {
    // Prepare
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'p4ssw0rd-generated-by-cloudformation' });
    const secrets = new SecretsManagerSecretSource('arn:secret:smartsurvey', sm as unknown as SecretsManagerClient);

    // Act
    const outcome = secrets.get('SMARTSURVEY_API_TOKEN');

    // Assess
    await assert.rejects(outcome, (error: unknown) => {
      assert.ok(error instanceof InvalidSecretError);
      assert.match(error.message, /secret arn:secret:smartsurvey is not a JSON object of strings/);
      return true;
    });
    sm.restore();
  });
});
