/**
 * What an import of a DAP checkout did, file by file: each file written (from where, and what was changed), each
 * file written that still needs a hand (what could not be converted, and why), and each thing left out (and why).
 * Written beside the project as `dap-import-report.md`, so importing again gives the same bytes.
 */

/** A file of the new project, and where its text came from. */
export interface WrittenFile {
  /** Path in the new project, relative to its root. */
  readonly path: string;
  readonly text: string;
  /** What it was made from: a path of the checkout, several, or `generated`. */
  readonly from: string;
  /** Each change made on the way, in words; empty when it was copied as it is. */
  readonly changes: readonly string[];
  /** What could not be converted in it, with the reason; the file is written with everything else converted. */
  readonly unconverted: readonly string[];
}

/** Something of the checkout that is not in the new project. */
export interface LeftOut {
  /** A path of the checkout, or what it is (`raw table of event x`). */
  readonly what: string;
  readonly reason: string;
}

export class ImportLog {
  private readonly written = new Map<string, WrittenFile>();
  private readonly left: LeftOut[] = [];
  private readonly decisions: string[] = [];

  /** Records a file of the new project; a path written twice keeps its first text and is a defect of the import. */
  write(file: Omit<WrittenFile, 'changes' | 'unconverted'> & Partial<Pick<WrittenFile, 'changes' | 'unconverted'>>) {
    if (this.written.has(file.path)) throw new Error(`import writes ${file.path} twice`);
    this.written.set(file.path, { changes: [], unconverted: [], ...file });
  }

  /** Adds to a file already written something that will not work as it stands, with the reason. */
  flag(path: string, problem: string): void {
    const file = this.written.get(path);
    if (file === undefined) throw new Error(`import flags ${path}, which it did not write`);
    this.written.set(path, { ...file, unconverted: [...file.unconverted, problem] });
  }

  leaveOut(what: string, reason: string): void {
    this.left.push({ what, reason });
  }

  /** A choice the import made that a reader must know about (how setup scripts became migrations, ...). */
  decide(text: string): void {
    this.decisions.push(text);
  }

  files(): WrittenFile[] {
    return [...this.written.values()].sort((a, b) => compare(a.path, b.path));
  }

  leftOut(): LeftOut[] {
    return [...this.left];
  }

  decisionsMade(): string[] {
    return [...this.decisions];
  }
}

/** The report's file name, at the root of the new project (outside the folders the project is read from). */
export const REPORT_FILE = 'dap-import-report.md';

/** The report as Markdown: decisions, then files converted with something left to do, then every file, then what was left out. */
export function formatReport(log: ImportLog, source: string): string {
  const files = log.files();
  const unconverted = files.filter((f) => f.unconverted.length > 0);
  const changed = files.filter((f) => f.changes.length > 0);
  const left = log.leftOut();
  const lines = [
    '# dap import dap',
    '',
    `Imported from ${source}: ${files.length} files written (${changed.length} changed on the way, ${files.length - changed.length} as they are), ${unconverted.length} with something not converted, ${left.length} things left out.`,
    '',
    '## Decisions',
    '',
    ...log.decisionsMade().map((d) => `- ${d}`),
    '',
    `## Not converted (${unconverted.length} files)`,
    '',
    ...(unconverted.length === 0
      ? ['None.']
      : unconverted.flatMap((f) => f.unconverted.map((u) => `- ${f.path}: ${u}`))),
    '',
    `## Left out (${left.length})`,
    '',
    ...(left.length === 0 ? ['None.'] : left.map((l) => `- ${l.what}: ${l.reason}`)),
    '',
    `## Files written (${files.length})`,
    '',
    ...files.map((f) => {
      const what = f.changes.length === 0 ? 'as it is' : f.changes.join('; ');
      return `- ${f.path} ← ${f.from}: ${what}`;
    }),
    '',
  ];
  return lines.join('\n');
}

/** A summary of a few lines for the terminal. */
export function summarizeImport(log: ImportLog): string[] {
  const files = log.files();
  const unconverted = files.filter((f) => f.unconverted.length > 0);
  const left = log.leftOut();
  return [
    `${files.length} files written, ${unconverted.length} with something not converted, ${left.length} things left out`,
    ...unconverted.slice(0, 10).map((f) => `  not converted: ${f.path}: ${f.unconverted[0]}`),
    ...(unconverted.length > 10 ? [`  ... and ${unconverted.length - 10} more files`] : []),
    ...left.slice(0, 10).map((l) => `  left out: ${l.what}: ${l.reason}`),
    ...(left.length > 10 ? [`  ... and ${left.length - 10} more`] : []),
  ];
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON as the project's config files are written: two spaces, a final newline. */
export function jsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
