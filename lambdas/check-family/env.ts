import { RUNTIME_ENV } from '../shared/env.ts';

/** The variables the check step reads; the stack sets them by these names. */
export const CHECK_FAMILY_ENV = { ...RUNTIME_ENV, athenaWorkgroup: 'ATHENA_WORKGROUP' } as const;
