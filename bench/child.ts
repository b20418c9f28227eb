import { loadCase } from './cases/index.ts';

/**
 * One measured repetition (or one data preparation) of one case, in its own process so that its peak RSS is its
 * own: `node --import tsx bench/child.ts <case> <prepare|measure> <params as JSON> <repetition>`. The result is the
 * last stdout line, prefixed with `BENCH_RESULT `.
 */
async function main(): Promise<void> {
  const [name, mode, paramsJson, repetition] = process.argv.slice(2);
  const benchCase = await loadCase(name ?? '');
  if (!benchCase) throw new Error(`no benchmark case "${name}"`);
  const params = JSON.parse(paramsJson ?? '{}') as Record<string, unknown>;
  const started = performance.now();
  let output: unknown;
  if (mode === 'prepare') {
    output = { facts: (await benchCase.prepare?.(params)) ?? {}, ms: performance.now() - started };
  } else if (mode === 'measure') {
    const measurement = await benchCase.measure(params, Number(repetition ?? 0));
    // A measurement of another process (a command under /usr/bin/time) brings that process's peak.
    output = { ...measurement, peakRssMb: measurement.peakRssMb ?? process.resourceUsage().maxRSS / 1024 };
  } else {
    throw new Error(`mode must be prepare or measure, got "${mode}"`);
  }
  process.stdout.write(`\nBENCH_RESULT ${JSON.stringify(output)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
