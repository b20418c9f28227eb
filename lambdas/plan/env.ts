import { RUNTIME_ENV } from '../shared/env.ts';

/** The variables the plan step reads (the runtime's only); the stack sets them by these names. */
export const PLAN_ENV = { ...RUNTIME_ENV } as const;
