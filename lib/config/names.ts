import type { EnvironmentConfig } from './schemas.ts';

/** Every physical name derived from an environment, in one place so CDK, Lambdas and the local twin agree. */
export interface ResourceNames {
  readonly prefix: string;
  readonly rawDatabase: string;
  readonly stageDatabase: string;
  readonly workgroup: string;
  readonly stateMachine: string;
  readonly controlTable: string;
  readonly buckets: {
    readonly landing: string;
    readonly raw: string;
    readonly stage: string;
    readonly archive: string;
    readonly quarantine: string;
    readonly processResults: string;
    readonly metadata: string;
    readonly athenaResults: string;
    readonly accessLogs: string;
  };
}

export function resourceNames(env: Pick<EnvironmentConfig, 'name' | 'name_prefix'>): ResourceNames {
  const prefix = env.name_prefix ?? `${env.name}-dap`;
  const glue = prefix.replaceAll('-', '_');
  return {
    prefix,
    rawDatabase: `${glue}_raw`,
    stageDatabase: `${glue}_stage`,
    workgroup: `${prefix}-workgroup`,
    stateMachine: `${prefix}-raw-to-stage`,
    controlTable: `${prefix}-control`,
    buckets: {
      landing: `${prefix}-landing`,
      raw: `${prefix}-raw`,
      stage: `${prefix}-stage`,
      archive: `${prefix}-archive`,
      quarantine: `${prefix}-quarantine`,
      processResults: `${prefix}-step-function-process-results`,
      metadata: `${prefix}-elt-metadata`,
      athenaResults: `${prefix}-athena-results`,
      accessLogs: `${prefix}-access-logs`,
    },
  };
}
