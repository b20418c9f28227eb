import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLocal } from '../../lib/local/context.ts';
import { LocalTwin } from '../../lib/local/twin/local-twin.ts';
import { DAP, timed } from '../lib/process.ts';
import { failures, metric, show, table } from '../lib/report.ts';
import type { BenchCase, Step, StepResult } from '../lib/types.ts';
import { copyProject, REPO_ROOT } from '../lib/workspace.ts';

/**
 * What a user waits for in the loop edit → check → run → query: each command as a whole process, measured by
 * `/usr/bin/time` (user + system CPU seconds and peak RSS, which machine load distorts far less than wall time),
 * beside the floor (`node -e 0`) and a bare DuckDB (node API) opening the same database file for `select 1`.
 * The project is a copy of the shipped one, with the demo's data (`dap demo`) and one run behind it, so the caches
 * a user's second command finds are there.
 */

interface Command {
  readonly label: string;
  /** The argv after the executable, with `{root}`, `{data}`, `{db}` filled in per run. */
  readonly argv: readonly string[];
  readonly executable?: 'node' | 'npx';
  /** The target of the inner-loop issue, for the table. */
  readonly target?: string;
}

const COMMANDS: readonly Command[] = [
  { label: 'node -e 0 (the floor)', argv: ['-e', '0'] },
  {
    label: 'bare DuckDB: open the database file, select 1',
    argv: [join(REPO_ROOT, 'bench', 'lib', 'bare-duckdb.mjs'), '{db}'],
  },
  { label: 'dap --help', argv: [DAP, '--help'], target: '≤ 0.4 CPU s' },
  { label: 'npx dap --help', argv: ['dap', '--help'], executable: 'npx' },
  {
    label: 'dap query "select 1"',
    argv: [DAP, '--root', '{root}', 'query', 'select 1', '--data-dir', '{data}'],
    target: '≤ 1.0 CPU s, ≤ 250 MB',
  },
  {
    label: 'dap query --warehouse "select 1"',
    argv: [DAP, '--root', '{root}', 'query', '--warehouse', 'select 1', '--data-dir', '{data}'],
    target: '≤ 2.0 CPU s',
  },
  { label: 'dap check (shipped project)', argv: [DAP, '--root', '{root}', 'check'], target: '≤ 2.0 CPU s' },
  { label: 'dap runs (run history)', argv: [DAP, '--root', '{root}', 'runs', '--data-dir', '{data}'] },
  { label: 'dap status (per event)', argv: [DAP, '--root', '{root}', 'status', '--data-dir', '{data}'] },
  { label: 'dap check --fill (shipped project)', argv: [DAP, '--root', '{root}', 'check', '--fill'] },
  {
    label: 'dap run with nothing new',
    argv: [DAP, '--root', '{root}', 'run', '--data-dir', '{data}'],
    target: '≤ 5 CPU s',
  },
];

const TWIN_OPEN = 'twin open, unchanged project (in process)';

function paths(params: Readonly<Record<string, unknown>>) {
  const base = join(String(params.workDir), 'cli');
  return { base, root: join(base, 'project'), data: join(base, 'data'), db: join(base, 'data', 'dev.duckdb') };
}

function dapOnce(args: readonly string[], root: string): void {
  const result = spawnSync(process.execPath, [DAP, '--root', root, ...args], { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`dap ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(-1000)}`);
}

export const cli: BenchCase = {
  name: 'cli',
  title: 'The inner loop: each command as a whole process',
  plan({ quick }) {
    const repetitions = quick ? 1 : 5;
    const steps: Step[] = COMMANDS.map((c) => ({
      label: c.label,
      params: { command: c.label },
      repetitions,
      prepare: true,
    }));
    steps.push({ label: TWIN_OPEN, params: { command: TWIN_OPEN }, repetitions, prepare: true });
    return steps;
  },
  async prepare(params) {
    const { base, root, data } = paths(params);
    const ready = join(base, 'ready');
    if (!existsSync(ready)) {
      mkdirSync(base, { recursive: true });
      copyProject(root);
      // The demo pulls the API samples from the project's samples/ folder.
      cpSync(join(REPO_ROOT, 'samples'), join(root, 'samples'), { recursive: true });
      dapOnce(['demo', '--data-dir', data], root);
      // A second run leaves what a user's next command finds: the template, the check verdict, the catalog.
      dapOnce(['run', '--data-dir', data], root);
      writeFileSync(ready, '');
    }
    return {};
  },
  async measure(params) {
    const { root, data, db } = paths(params);
    if (params.command === TWIN_OPEN) {
      const context = await openLocal({ root, env: 'dev', dataDir: data });
      try {
        const started = performance.now();
        const cpu = process.cpuUsage();
        await LocalTwin.open(context);
        const used = process.cpuUsage(cpu);
        return { metrics: { wall_ms: performance.now() - started, cpu_s: (used.user + used.system) / 1e6 } };
      } finally {
        await context.close();
      }
    }
    const command = COMMANDS.find((c) => c.label === params.command);
    if (!command) throw new Error(`no command "${String(params.command)}"`);
    const fill = (arg: string) => arg.replace('{root}', root).replace('{data}', data).replace('{db}', db);
    const { stdout: _stdout, ...measured } = timed(
      command.executable === 'npx' ? 'npx' : process.execPath,
      command.argv.map(fill),
    );
    return measured;
  },
  render(results) {
    const byLabel = new Map(results.map((r) => [r.step.label, r]));
    const row = (label: string, target = '') => {
      const r: StepResult | undefined = byLabel.get(label);
      return [
        label,
        show(metric(r, 'cpu_s'), 's'),
        show(metric(r, 'rss_mb'), 'MB'),
        show(metric(r, 'wall_ms'), 's', 1000),
        target,
      ];
    };
    return [
      "Each command as a user runs it, `/usr/bin/time` around the whole process (the figures are user + system CPU seconds: on a shared machine they move far less than wall time). The project is a copy of the shipped one after `dap demo` and one more `dap run`, so each command finds what a user's next command finds. `dap` is `node bin/dap.js` (what `npx dap` runs after npx itself).",
      '',
      table(
        ['command', 'CPU (user + sys)', 'peak RSS', 'wall', 'target'],
        [...COMMANDS.map((c) => row(c.label, c.target)), row(TWIN_OPEN, '≤ 0.5 s')],
      ),
      '',
      'Where the time went before (the same commands on main before the inner-loop work, from the issue): `dap --help` 5.2–5.5 CPU s and ~400 MB, `dap query "select 1"` 7.5 s, `dap check` 6.3–7.3 s, `dap query --warehouse` 9.9 s and 654 MB, `dap run` with nothing new 27 s and 868 MB: every command transpiled the whole CLI with tsx and loaded the CDK; every run synthesized the stack and ran cdk-nag; every query re-checked the project and re-migrated the warehouse.',
      failures(results),
    ].join('\n');
  },
};
