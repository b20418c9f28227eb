import type { z } from 'zod';

/** One thing wrong with the project's config or scripts: which file, where inside it, and what was expected. */
export interface Problem {
  /** Path relative to the project root, with `/` separators. */
  readonly file: string;
  /** Where inside the file: a JSON path such as `[2].enabled`, or `line 3, column 7` for SQL. */
  readonly at?: string;
  readonly message: string;
}

export function formatProblem(problem: Problem): string {
  return problem.at ? `${problem.file}: ${problem.at}: ${problem.message}` : `${problem.file}: ${problem.message}`;
}

/** Thrown when config cannot be used; carries every problem found, not just the first. */
export class ConfigError extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    const lines = problems.map((p) => `  - ${formatProblem(p)}`);
    super(`${problems.length} config problem${problems.length === 1 ? '' : 's'}:\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export function zodProblems(file: string, error: z.ZodError): Problem[] {
  return error.issues.map((issue) => ({ file, at: jsonPath(issue.path), message: describeIssue(issue) }));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unexpected key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return `missing required field (expected ${issue.expected})`;
  }
  return issue.message.replace(/^Invalid input: /, '');
}
