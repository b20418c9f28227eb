/**
 * Per-run AWS cost from measured figures, at list prices (on-demand, no free tier). Athena bills bytes scanned per
 * query rounded up to the next megabyte with a 10 MB minimum; Step Functions Standard bills state transitions;
 * Lambda bills requests and GB-seconds (duration rounded up to the millisecond).
 */

export const PRICES = {
  /** USD per TB (2^40 bytes) scanned. */
  athenaPerTb: 5,
  athenaMinimumBytes: 10 * 1024 ** 2,
  /** USD per 1,000 state transitions (Standard workflows). */
  stepFunctionsPerThousandTransitions: 0.025,
  /** USD per GB-second, by architecture. */
  lambdaPerGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
  /** USD per million requests. */
  lambdaPerMillionRequests: 0.2,
} as const;

const MB = 1024 ** 2;
const TB = 1024 ** 4;

/** The bytes Athena bills for one query: rounded up to a whole MB, at least 10 MB. */
export function athenaBilledBytes(bytesScanned: number): number {
  const roundedUp = Math.ceil(Math.max(0, bytesScanned) / MB) * MB;
  return Math.max(PRICES.athenaMinimumBytes, roundedUp);
}

export function athenaCost(bytesScannedPerQuery: readonly number[]): number {
  const billed = bytesScannedPerQuery.reduce((sum, bytes) => sum + athenaBilledBytes(bytes), 0);
  return (billed / TB) * PRICES.athenaPerTb;
}

export function stepFunctionsCost(transitions: number): number {
  return (transitions / 1000) * PRICES.stepFunctionsPerThousandTransitions;
}

export interface LambdaInvocation {
  readonly memoryMb: number;
  readonly durationMs: number;
  readonly architecture: 'arm64' | 'x86_64';
}

export function lambdaGbSeconds(invocations: readonly LambdaInvocation[]): number {
  return invocations.reduce((sum, i) => sum + (i.memoryMb / 1024) * (Math.ceil(i.durationMs) / 1000), 0);
}

export function lambdaCost(invocations: readonly LambdaInvocation[]): number {
  const compute = invocations.reduce(
    (sum, i) => sum + lambdaGbSeconds([i]) * PRICES.lambdaPerGbSecond[i.architecture],
    0,
  );
  return compute + (invocations.length / 1_000_000) * PRICES.lambdaPerMillionRequests;
}
