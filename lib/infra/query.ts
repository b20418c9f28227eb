import * as athena from 'aws-cdk-lib/aws-athena';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface DapQueryProps {
  readonly workgroupName: string;
  readonly resultsBucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
  /** Queries scanning more are cancelled by Athena. */
  readonly bytesScannedCutoffPerQuery: number;
}

/** The environment's Athena workgroup: enforced settings, KMS-encrypted results, a per-query scan cutoff. */
export class DapQuery extends Construct {
  public readonly workgroup: athena.CfnWorkGroup;
  public readonly workgroupName: string;
  /** Prefix of query results in the results bucket. */
  public readonly resultsPrefix = 'athena-results';

  constructor(scope: Construct, id: string, props: DapQueryProps) {
    super(scope, id);
    this.workgroupName = props.workgroupName;
    this.workgroup = new athena.CfnWorkGroup(this, 'Workgroup', {
      name: props.workgroupName,
      description: 'dap transforms and analyst queries',
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        // Clients cannot override the result location, encryption or cutoff.
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${props.resultsBucket.bucketName}/${this.resultsPrefix}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.encryptionKey.keyArn },
        },
      },
    });
  }
}
