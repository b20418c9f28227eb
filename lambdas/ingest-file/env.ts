import { RUNTIME_ENV } from '../shared/env.ts';

/** The variables the ingest Lambda reads; the stack sets them by these names. */
export const INGEST_FILE_ENV = {
  ...RUNTIME_ENV,
  landingBucket: 'LANDING_BUCKET',
  rawBucket: 'RAW_BUCKET',
  archiveBucket: 'ARCHIVE_BUCKET',
  quarantineBucket: 'QUARANTINE_BUCKET',
  controlTable: 'CONTROL_TABLE',
} as const;
