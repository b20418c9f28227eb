import { REDSHIFT_DATA_API_ENV } from '../shared/env.ts';

/** The variables the procedure runner reads; the stack sets them by these names. */
export const PROCEDURE_RUNNER_ENV = { ...REDSHIFT_DATA_API_ENV, schema: 'REDSHIFT_SCHEMA' } as const;
