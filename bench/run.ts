import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCases } from './cases/index.ts';
import { machineInfo } from './lib/machine.ts';
import { renderReport } from './lib/report.ts';
import type { Measurement, StepResult } from './lib/types.ts';
import { REPO_ROOT } from './lib/workspace.ts';

/**
 * `npm run bench [-- --quick] [-- --case <name>]`: runs each case's steps, every repetition in its own child process,
 * and writes BENCHMARKS.md (a full run) or a report in the temp folder (a quick or partial run).
 */
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    case: { type: 'string', multiple: true },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    /** Re-render the report from a saved results file (bench/results/full.json) without measuring anything. */
    from: { type: 'string' },
  },
});

const BENCH_CASES = await loadCases();
const selected = values.case?.length ? BENCH_CASES.filter((c) => values.case?.includes(c.name)) : BENCH_CASES;
const unknown = (values.case ?? []).filter((name) => !BENCH_CASES.some((c) => c.name === name));
if (unknown.length > 0) {
  console.error(`unknown case(s): ${unknown.join(', ')}; known: ${BENCH_CASES.map((c) => c.name).join(', ')}`);
  process.exit(2);
}
const complete = !values.quick && selected.length === BENCH_CASES.length;
const out = values.out ?? (complete ? join(REPO_ROOT, 'BENCHMARKS.md') : join(tmpdir(), 'dap-BENCHMARKS.partial.md'));

const CHILD = join(REPO_ROOT, 'bench', 'child.ts');

function runChild(args: readonly string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('BENCH_RESULT '.length)));
      else reject(new Error(`child ${args.slice(0, 2).join(' ')} exited ${code}: ${stderr.trim().slice(-2000)}`));
    });
  });
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const workDir = mkdtempSync(join(tmpdir(), 'dap-bench-'));
  const started = Date.now();
  const results = new Map<string, StepResult[]>();
  const retries: string[] = [];
  console.log(`dap bench: ${values.quick ? 'quick' : 'full'} run of ${selected.map((c) => c.name).join(', ')}`);
  console.log(`work folder ${workDir}`);
  try {
    for (const benchCase of selected) {
      const stepResults: StepResult[] = [];
      results.set(benchCase.name, stepResults);
      for (const step of benchCase.plan({ quick: values.quick ?? false })) {
        const params = JSON.stringify({ ...step.params, workDir });
        const measurements: Measurement[] = [];
        let prepareMs: number | undefined;
        let prepareFacts: Record<string, string | number> = {};
        try {
          if (step.prepare) {
            const prepared = (await runChild([benchCase.name, 'prepare', params])) as {
              ms: number;
              facts: Record<string, string | number>;
            };
            prepareMs = prepared.ms;
            prepareFacts = prepared.facts;
            console.log(`  ${benchCase.name} / ${step.label}: data ready in ${(prepared.ms / 1000).toFixed(1)} s`);
          }
          for (let repetition = 0; repetition < step.repetitions; repetition++) {
            const measured = (await runChild([benchCase.name, 'measure', params, String(repetition)]).catch(
              (error: unknown) => {
                // The machine is shared and the tree is edited by others meanwhile: one retry, reported.
                console.error(
                  `  ${benchCase.name} / ${step.label} #${repetition + 1} failed, retrying once: ${String(error).slice(0, 300)}`,
                );
                retries.push(`${benchCase.name} / ${step.label} #${repetition + 1}: ${String(error).split('\n')[0]}`);
                return runChild([benchCase.name, 'measure', params, String(repetition)]);
              },
            )) as Measurement;
            measurements.push({ ...measured, facts: { ...prepareFacts, ...measured.facts } });
            const wall = measured.metrics.wall_ms;
            console.log(
              `  ${benchCase.name} / ${step.label} #${repetition + 1}: ${wall === undefined ? '' : `${(wall / 1000).toFixed(2)} s, `}peak RSS ${measured.peakRssMb?.toFixed(0)} MB`,
            );
          }
          stepResults.push({ step, measurements, ...(prepareMs === undefined ? {} : { prepareMs }) });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          console.error(`  ${benchCase.name} / ${step.label}: FAILED ${message}`);
          stepResults.push({ step, measurements, error: message });
        }
      }
    }
  } finally {
    if (values.keep) console.log(`kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
  const elapsedMs = Date.now() - started;
  const findingsFile = join(REPO_ROOT, 'bench', 'findings.md');
  const findings = complete && existsSync(findingsFile) ? readFileSync(findingsFile, 'utf8').trim() : undefined;
  const markdown = renderReport({
    ...(findings ? { findings } : {}),
    machine,
    results,
    retries,
    quick: values.quick ?? false,
    elapsedMs,
    cases: selected,
  });
  writeFileSync(out, markdown);
  // A complete run's figures are kept beside the report (re-render with --from); a partial run's go to the temp folder.
  const resultsDir = complete ? join(REPO_ROOT, 'bench', 'results') : tmpdir();
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, complete ? 'full.json' : 'dap-bench-partial.json'),
    `${JSON.stringify({ machine, elapsedMs, quick: values.quick, retries, results: Object.fromEntries(results) }, null, 2)}\n`,
  );
  console.log(`wrote ${out} in ${(elapsedMs / 60_000).toFixed(1)} min`);
  if ([...results.values()].flat().some((r) => r.error)) process.exitCode = 1;
}

interface SavedRun {
  readonly machine: ReturnType<typeof machineInfo>;
  readonly elapsedMs: number;
  readonly quick?: boolean;
  readonly retries?: string[];
  readonly results: Record<string, StepResult[]>;
}

/** Writes the report again from saved figures: the findings text can be edited after a long run. */
function renderSaved(file: string): void {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedRun;
  const results = new Map(Object.entries(saved.results));
  const cases = BENCH_CASES.filter((c) => results.has(c.name) || c.name === 'aws-cost' || c.name === 'scd2-merge');
  const findingsFile = join(REPO_ROOT, 'bench', 'findings.md');
  const findings = existsSync(findingsFile) ? readFileSync(findingsFile, 'utf8').trim() : undefined;
  const markdown = renderReport({
    machine: saved.machine,
    results,
    quick: saved.quick ?? false,
    elapsedMs: saved.elapsedMs,
    retries: saved.retries ?? [],
    cases,
    ...(findings ? { findings } : {}),
  });
  writeFileSync(out, markdown);
  console.log(`wrote ${out} from ${file}`);
}

if (values.from) renderSaved(values.from);
else await main();
