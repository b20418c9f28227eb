import { REDSHIFT_DATA_API_ENV, RUNTIME_ENV } from '../shared/env.ts';

/** The variables the warehouse migration reads; the stack sets them by these names. */
export const MIGRATE_WAREHOUSE_ENV = {
  ...RUNTIME_ENV,
  ...REDSHIFT_DATA_API_ENV,
  schema: 'REDSHIFT_SCHEMA',
  spectrumRoleArn: 'SPECTRUM_ROLE_ARN',
} as const;
