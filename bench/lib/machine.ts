import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './workspace.ts';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly freeMemoryGb: number;
  readonly loadAverage: readonly number[];
  readonly os: string;
  readonly node: string;
  readonly versions: Readonly<Record<string, string>>;
  readonly commit: string;
  readonly dirty: boolean;
}

function installedVersion(pkg: string): string {
  try {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return manifest.version ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGb: totalmem() / 1024 ** 3,
    freeMemoryGb: freemem() / 1024 ** 3,
    loadAverage: loadavg(),
    os: `${process.platform} ${process.arch} ${readOsRelease()}`,
    node: process.version,
    versions: Object.fromEntries(
      [
        '@duckdb/node-api',
        '@duckdb/node-bindings',
        '@electric-sql/pglite',
        'aws-local-stepfunctions',
        'papaparse',
        'exceljs',
        'aws-cdk-lib',
        'tsx',
      ].map((pkg) => [pkg, installedVersion(pkg)]),
    ),
    commit: git('rev-parse', '--short', 'HEAD') || 'unknown',
    dirty: git('status', '--porcelain', '--', 'lib', 'config', 'athena-scripts', 'redshift-scripts', 'bench') !== '',
  };
}

function readOsRelease(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? '';
  } catch {
    return '';
  }
}
