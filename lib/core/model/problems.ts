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
  if (issue.code === 'unrecognized_keys') {
    if (issue.message.startsWith('unexpected key')) return issue.message;
    return `unexpected key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return `missing required field (expected ${issue.expected})`;
  }
  return issue.message.replace(/^Invalid (input|option): /, '');
}

type RawIssue = z.core.$ZodRawIssue;

const TYPE_NAMES: Readonly<Record<string, string>> = {
  array: 'a list ([...])',
  object: 'an object ({...})',
  record: 'an object ({...})',
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
};
type SchemaDef = { readonly type?: string; readonly [key: string]: unknown };

/**
 * The error map config files are parsed with, so a message says what the schema expects at that place: the keys
 * an object takes (and the nearest one to a misspelt key, or the object a stray key belongs in), the shape of a
 * list or a map, the bounds of a number. Schema-level messages (`expected a worksheet name ...`) win over these.
 */
export function configIssueMessage(issue: RawIssue): string | undefined {
  if (issue.code === 'unrecognized_keys') return unexpectedKeys(issue.keys, shapeOf(issue.inst));
  if (issue.code === 'invalid_type') {
    const wanted = TYPE_NAMES[issue.expected] ?? issue.expected;
    if (issue.input === undefined) return `missing required field (expected ${wanted})`;
    return `expected ${wanted}, found ${describeValue(issue.input)}`;
  }
  if (issue.code === 'too_big' && issue.origin === 'number') {
    return `expected a number ${issue.inclusive ? 'at most' : 'below'} ${issue.maximum}, found ${issue.input}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'number') {
    return `expected a number ${issue.inclusive ? 'at least' : 'above'} ${issue.minimum}, found ${issue.input}`;
  }
  if (issue.code === 'invalid_value' && issue.values.length > 1) {
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return undefined;
}

function unexpectedKeys(keys: readonly string[], shape: Readonly<Record<string, unknown>> | undefined): string {
  const listed = keys.map((k) => `"${k}"`).join(', ');
  if (shape === undefined) return `unexpected key(s) ${listed}`;
  const known = Object.keys(shape);
  const hints = keys.flatMap((key) => {
    const near = known.find((k) => isNear(key, k));
    if (near !== undefined) return [`"${key}": did you mean "${near}"?`];
    const parent = known.find((k) => nestedKeys(shape[k]).includes(key));
    if (parent !== undefined) return [`"${key}" belongs inside "${parent}"`];
    const listing = known.find((k) => enumValues(shape[k]).includes(key));
    return listing === undefined ? [] : [`"${key}" is a value of "${listing}"`];
  });
  const hint = hints.length === 0 ? '' : ` (${hints.join('; ')})`;
  return `unexpected key(s) ${listed}${hint}: expected only ${known.join(', ')}`;
}

/** The keys of the object a schema is (through optional, default, pipes), or of any option of a union. */
function nestedKeys(schema: unknown): string[] {
  const def = defOf(schema);
  if (def === undefined) return [];
  if (def.type === 'object') return Object.keys(def.shape as Record<string, unknown>);
  if (def.type === 'union') return (def.options as unknown[]).flatMap(nestedKeys);
  for (const inner of [def.innerType, def.in]) if (inner !== undefined) return nestedKeys(inner);
  return [];
}

/** The values an enum (or a list of one, through optional and default) allows. */
function enumValues(schema: unknown): unknown[] {
  const def = defOf(schema);
  if (def === undefined) return [];
  if (def.type === 'enum') return Object.values(def.entries as Record<string, unknown>);
  for (const inner of [def.element, def.innerType]) if (inner !== undefined) return enumValues(inner);
  return [];
}

function shapeOf(schema: unknown): Readonly<Record<string, unknown>> | undefined {
  const def = defOf(schema);
  return def?.type === 'object' ? (def.shape as Record<string, unknown>) : undefined;
}

function defOf(schema: unknown): SchemaDef | undefined {
  return (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
}

/** A misspelling: one edit apart, or the same once case, `_` and `-` are dropped, or a plural `s` either way. */
function isNear(written: string, known: string): boolean {
  const plain = (text: string) => text.toLowerCase().replace(/[-_\s]/g, '');
  const a = plain(written);
  const b = plain(known);
  return a === b || `${a}s` === b || a === `${b}s` || editDistance(a, b) <= (Math.min(a.length, b.length) > 5 ? 2 : 1);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}
