/** The variables the run guard reads; the stack sets them by these names. */
export const RUN_GUARD_ENV = { controlTable: 'CONTROL_TABLE', leaseSeconds: 'LEASE_SECONDS' } as const;
