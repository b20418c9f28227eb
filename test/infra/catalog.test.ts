import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resourceNames } from '../../lib/config/names.ts';
import { devEnvironment, environmentConfig, logicalIdOf, prodEnvironment, templateOf } from './fixtures.ts';

test('the raw and stage Glue databases carry the names from resourceNames and point at their buckets', () => {
  // Prepare
  const env = devEnvironment();
  const { stack, template } = templateOf(env);

  // Assess
  for (const [name, bucket] of [
    [resourceNames(env).rawDatabase, stack.storage.raw],
    [resourceNames(env).stageDatabase, stack.storage.stage],
  ] as const) {
    template.hasResourceProperties('AWS::Glue::Database', {
      CatalogId: env.account,
      DatabaseInput: {
        Name: name,
        LocationUri: { 'Fn::Join': ['', ['s3://', { Ref: logicalIdOf(bucket) }, '/']] },
      },
    });
  }
  assert.equal(stack.catalog.rawDatabaseName, 'dev_dap_raw');
  assert.equal(stack.catalog.stageDatabaseName, 'dev_dap_stage');
});

test('a name_prefix renames the databases, with hyphens turned into underscores', () => {
  const { template } = templateOf(environmentConfig({ name_prefix: 'acme-data' }));

  template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'acme_data_raw' } });
  template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'acme_data_stage' } });
});

test('the databases are retained unless the environment allows destroy', () => {
  const deletionPolicies = (env: ReturnType<typeof devEnvironment>) =>
    Object.values(templateOf(env).template.findResources('AWS::Glue::Database')).map((db) => db.DeletionPolicy);

  assert.deepEqual(deletionPolicies(devEnvironment()), ['Delete', 'Delete']);
  assert.deepEqual(deletionPolicies(prodEnvironment()), ['Retain', 'Retain']);
});
