import { RUNTIME_ENV } from '../shared/env.ts';

/** The variables the report step reads; the stack sets them by these names. */
export const WRITE_REPORT_ENV = {
  ...RUNTIME_ENV,
  processResultsBucket: 'PROCESS_RESULTS_BUCKET',
  athenaWorkgroup: 'ATHENA_WORKGROUP',
} as const;
