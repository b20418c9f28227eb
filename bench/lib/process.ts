import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Measurement } from './types.ts';
import { REPO_ROOT } from './workspace.ts';

/** The CLI as a user runs it: `node bin/dap.js`. */
export const DAP = join(REPO_ROOT, 'bin', 'dap.js');

/**
 * Runs `argv` under /usr/bin/time as a whole process: its CPU seconds (user + system), peak RSS (also as the
 * measurement's `peakRssMb`) and wall time, and its standard output.
 */
export function timed(executable: string, argv: readonly string[]): Measurement & { readonly stdout: string } {
  const result = spawnSync('/usr/bin/time', ['-f', 'DAP_TIME %U %S %M %e', executable, ...argv], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`cannot run /usr/bin/time (Debian package "time"): ${result.error.message}`);
  const line = result.stderr.split('\n').find((l) => l.startsWith('DAP_TIME '));
  if (result.status !== 0 || !line)
    throw new Error(`${executable} ${argv.join(' ')} exited ${result.status}: ${result.stderr.slice(-1000)}`);
  const [user, system, maxRssKb, wall] = line.slice('DAP_TIME '.length).split(' ').map(Number);
  const rssMb = (maxRssKb ?? Number.NaN) / 1024;
  return {
    metrics: {
      cpu_s: (user ?? Number.NaN) + (system ?? Number.NaN),
      rss_mb: rssMb,
      wall_ms: (wall ?? Number.NaN) * 1000,
    },
    peakRssMb: rssMb,
    stdout: result.stdout,
  };
}
