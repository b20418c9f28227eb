#!/usr/bin/env node
// The registry these machines reach does not serve every platform build of packages such as @biomejs/biome and
// @duckdb/node-bindings (a 404 for darwin or win32 builds). npm then leaves those optional dependencies out of
// package-lock.json, and `npm ci` refuses the lockfile as out of sync. This script records each missing optional
// platform package with its os/cpu constraints, so `npm ci` skips it on this platform as it would with a full lock.
// Run it after every `npm install` (npm run lockfile:platforms); `--check` only reports, for CI.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const check = process.argv.includes('--check');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;

const OSES = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix'];
const CPUS = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'];

function platformOf(name) {
  const os = OSES.find((o) => new RegExp(`[-/]${o}(-|$)`).test(name));
  const cpu = CPUS.find((c) => new RegExp(`[-/]${c}(-|$)`).test(name));
  const libc = /musl/.test(name) ? 'musl' : /gnu/.test(name) ? 'glibc' : undefined;
  return { os, cpu, libc };
}

const missing = [];
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = path === '' ? `node_modules/${name}` : `${path}/node_modules/${name}`;
    if (packages[nested] || packages[`node_modules/${name}`]) continue;
    const { os, cpu, libc } = platformOf(name);
    if (!os || !cpu) {
      console.error(
        `${name}@${version} (optional dependency of ${path || 'the project'}) is missing and its platform is unknown`,
      );
      process.exitCode = 1;
      continue;
    }
    missing.push(name);
    packages[`node_modules/${name}`] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [os],
      cpu: [cpu],
      ...(libc ? { libc: [libc] } : {}),
    };
  }
}

if (check) {
  if (missing.length > 0) {
    console.error(`package-lock.json lacks ${missing.length} optional platform package(s): ${missing.join(', ')}`);
    console.error('run: npm run lockfile:platforms');
    process.exitCode = 1;
  }
} else {
  lock.packages = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
  );
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(
    `recorded ${missing.length} optional platform package(s)${missing.length ? `: ${missing.join(', ')}` : ''}`,
  );
}
