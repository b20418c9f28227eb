import { RUNTIME_ENV } from '../shared/env.ts';

/** The variables the prepare step reads; the stack sets them by these names. */
export const PREPARE_TRANSFORM_ENV = {
  ...RUNTIME_ENV,
  controlTable: 'CONTROL_TABLE',
  rawBucket: 'RAW_BUCKET',
} as const;
