/** The variables the record step reads; the stack sets them by these names. */
export const RECORD_OUTCOME_ENV = { processResultsBucket: 'PROCESS_RESULTS_BUCKET' } as const;
