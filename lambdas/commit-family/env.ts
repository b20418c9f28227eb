/** The variables the commit step reads; the stack sets them by these names. */
export const COMMIT_FAMILY_ENV = { controlTable: 'CONTROL_TABLE' } as const;
