import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { GlueInputError } from '../../core/import/dap/glue.ts';
import { type DapCheckout, DapCheckoutError, importDap } from '../../core/import/dap/import-dap.ts';
import { REPORT_FILE } from '../../core/import/dap/report.ts';
import { DAP_PATHS } from '../../core/import/dap/warehouse.ts';
import { PROJECT_FOLDERS } from '../../core/model/project.ts';

export interface ImportDapOptions {
  readonly out?: string;
  readonly glueFrom?: string;
  readonly glueCatalog?: readonly string[];
}

/** Input the user named that cannot be used: one line naming the path and what was expected, exit 1. */
export class ImportCommandError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImportCommandError';
  }
}

/** The folders of a DAP checkout the import reads, and the file kinds in them (the rest are binaries and code). */
const READ = [DAP_PATHS.processScripts, DAP_PATHS.insertInto, DAP_PATHS.redshiftScripts, DAP_PATHS.setup] as const;
const TEXT_FILE = /\.(sql|json|conf|txt|md|ya?ml)$/i;
const GLUE_FILES = [DAP_PATHS.stageYaml, DAP_PATHS.rawYaml] as const;

/** `dap import dap <path>`: reads the checkout, converts it, writes the project and its report; returns the exit code. */
export async function importDapCheckout(root: string, path: string, options: ImportDapOptions): Promise<number> {
  const checkout = resolve(path);
  if (!existsSync(checkout) || !statSync(checkout).isDirectory()) {
    throw new ImportCommandError(`${path}: no such folder (expected a checkout of DAP)`);
  }
  const files = readCheckout(checkout);
  const input: DapCheckout = {
    label: path,
    files,
    ...(options.glueFrom
      ? { glue: { revision: options.glueFrom, files: glueAt(checkout, path, options.glueFrom) } }
      : {}),
    catalogs: (options.glueCatalog ?? []).map((file) => ({
      file,
      text: readInput(file, 'an exported Glue catalog (JSON)'),
    })),
  };
  let result: ReturnType<typeof importDap>;
  try {
    result = importDap(input);
  } catch (error) {
    if (error instanceof DapCheckoutError || error instanceof GlueInputError) {
      throw new ImportCommandError(error.message, { cause: error });
    }
    throw error;
  }

  const out = resolve(options.out ?? root);
  let changed = 0;
  for (const file of result.files) {
    const target = join(out, ...file.path.split('/'));
    if (existsSync(target) && readFileSync(target, 'utf8') === file.text) continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.text);
    changed++;
  }
  const written = new Set(result.files.map((f) => f.path));
  const others = projectFiles(out).filter((f) => !written.has(f));

  console.log(`dap import dap: ${path} → ${out}`);
  for (const line of result.summary) console.log(`  ${line}`);
  console.log(
    `  ${changed === 0 ? 'no file changed' : `${changed} file(s) written or changed`}; report: ${join(out, REPORT_FILE)}`,
  );
  if (others.length > 0) {
    console.log(
      `  ${others.length} file(s) in ${out} are not from this import and were left as they are: ${others.slice(0, 5).join(', ')}${others.length > 5 ? ', ...' : ''}`,
    );
  }
  return 0;
}

function readCheckout(checkout: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const folder of READ) {
    for (const file of listFiles(join(checkout, ...folder.split('/')))) {
      const path = relative(checkout, file).split(sep).join('/');
      if (TEXT_FILE.test(path)) files.set(path, readFileSync(file, 'utf8'));
    }
  }
  for (const path of GLUE_FILES) {
    const file = join(checkout, ...path.split('/'));
    if (existsSync(file)) files.set(path, readFileSync(file, 'utf8'));
  }
  return files;
}

/** DAP's Glue YAML as it was at `revision`, by `git show`; files not there at that revision are left out. */
function glueAt(checkout: string, label: string, revision: string): Map<string, string> {
  const git = (args: readonly string[]) =>
    execFileSync('git', ['-C', checkout, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
    });
  try {
    git(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]);
  } catch (error) {
    const detail = gitError(error);
    throw new ImportCommandError(
      `${label}: --glue-from ${revision}: git cannot find that revision${detail ? ` (${detail})` : ''}; expected a git work tree of DAP and a commit of it, such as e45e303f^`,
    );
  }
  const files = new Map<string, string>();
  for (const path of GLUE_FILES) {
    try {
      files.set(path, git(['show', `${revision}:${path}`]));
    } catch {
      // Not at that revision: the import reports the tables it could not declare.
    }
  }
  return files;
}

function gitError(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  const text = typeof stderr === 'string' ? stderr : Buffer.isBuffer(stderr) ? stderr.toString('utf8') : '';
  return text.trim().split('\n')[0] ?? '';
}

function readInput(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new ImportCommandError(`${file}: no such file (expected ${what})`);
  }
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[])
    .sort()
    .map((entry) => join(dir, entry))
    .filter((file) => statSync(file).isFile());
}

/** The files of the project folders under `out`, relative to it. */
function projectFiles(out: string): string[] {
  return PROJECT_FOLDERS.flatMap((folder) =>
    listFiles(join(out, folder)).map((f) => relative(out, f).split(sep).join('/')),
  );
}
