import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** The Glue actions that read a table's definition and partitions, as query engines (Athena, Spectrum) need them. */
export const GLUE_READ_ACTIONS = [
  'glue:GetDatabase',
  'glue:GetTable',
  'glue:GetTables',
  'glue:GetPartition',
  'glue:GetPartitions',
  'glue:BatchGetPartition',
];

/** ARN of this stack's Glue catalog, a database, or `<database>/<table or *>`. */
export function glueArn(scope: Construct, resource: 'catalog' | 'database' | 'table', resourceName?: string): string {
  return Stack.of(scope).formatArn({
    service: 'glue',
    resource,
    ...(resourceName === undefined ? {} : { resourceName }),
  });
}

/** Read-only Glue access to these databases and every table in them (table names are data, unknown at deploy). */
export function glueReadStatement(scope: Construct, databases: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: GLUE_READ_ACTIONS,
    resources: [
      glueArn(scope, 'catalog'),
      ...databases.map((database) => glueArn(scope, 'database', database)),
      ...databases.map((database) => glueArn(scope, 'table', `${database}/*`)),
    ],
  });
}
