import { tokenizeRedshift } from './redshift-tokens.ts';
import { tokenizeSql } from './trino-tokens.ts';

/**
 * Transform SQL names its databases by placeholder (`{{raw_database}}.auth_create_account`) so one file runs in
 * every environment. Only these placeholders exist, and they are filled from validated config, never from input.
 * Values such as window bounds are query parameters (`?`), not placeholders.
 */
export const SQL_PLACEHOLDERS = ['raw_database', 'stage_database'] as const;
export type SqlPlaceholder = (typeof SQL_PLACEHOLDERS)[number];
export type SqlBindings = Readonly<Record<SqlPlaceholder, string>>;

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;
const SAFE_IDENTIFIER = /^[a-z][a-z0-9_]*$/;

export class SqlTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlTemplateError';
  }
}

export interface PlaceholderUse {
  readonly name: string;
  readonly line: number;
  readonly column: number;
}

export function placeholdersIn(text: string): PlaceholderUse[] {
  const uses: PlaceholderUse[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const before = text.slice(0, match.index);
    const line = before.split('\n').length;
    const column = match.index - before.lastIndexOf('\n');
    uses.push({ name: match[1] ?? '', line, column });
  }
  return uses;
}

export function isSqlPlaceholder(name: string): name is SqlPlaceholder {
  return (SQL_PLACEHOLDERS as readonly string[]).includes(name);
}

export function renderSql(text: string, bindings: SqlBindings): string {
  return renderPlaceholders(text, bindings, SQL_PLACEHOLDERS);
}

/**
 * Reporting-model scripts (`redshift-scripts/`) name their schemas by placeholder too: the reporting schema, and
 * the external (Spectrum) schemas over the Glue stage and raw databases, which locally are plain schemas the stage
 * and raw tables are copied into; and the database role the procedure runner works under (`{{runner_role}}`).
 */
export const WAREHOUSE_PLACEHOLDERS = ['reporting_schema', 'stage_schema', 'raw_schema', 'runner_role'] as const;
export type WarehousePlaceholder = (typeof WAREHOUSE_PLACEHOLDERS)[number];
export type WarehouseBindings = Readonly<Record<WarehousePlaceholder, string>>;

export function isWarehousePlaceholder(name: string): name is WarehousePlaceholder {
  return (WAREHOUSE_PLACEHOLDERS as readonly string[]).includes(name);
}

export function renderWarehouseSql(text: string, bindings: WarehouseBindings): string {
  return renderPlaceholders(text, bindings, WAREHOUSE_PLACEHOLDERS);
}

function renderPlaceholders(
  text: string,
  bindings: Readonly<Record<string, string>>,
  known: readonly string[],
): string {
  for (const [name, value] of Object.entries(bindings)) {
    if (!SAFE_IDENTIFIER.test(value))
      throw new SqlTemplateError(`value of {{${name}}} is not an identifier: "${value}"`);
  }
  return text.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = known.includes(name) ? bindings[name] : undefined;
    if (value === undefined) {
      throw new SqlTemplateError(`unknown placeholder {{${name}}} (expected one of ${known.join(', ')})`);
    }
    return value;
  });
}

/**
 * Named query parameters a transform may use: the bounds of the run's window over raw delivery days. They become
 * positional `?` parameters (Athena `ExecutionParameters`, prepared statements locally), never text in the SQL.
 */
export const SQL_PARAMETERS = ['window_from', 'window_to'] as const;
export type SqlParameter = (typeof SQL_PARAMETERS)[number];

export interface BoundSql {
  readonly sql: string;
  /** Values for the `?` markers, in order. */
  readonly parameters: readonly string[];
}

/** Replaces each `:name` marker outside literals and comments with `?`, collecting its value in order. */
export function bindParameters(sql: string, values: Readonly<Record<SqlParameter, string>>): BoundSql {
  const parameters: string[] = [];
  let out = '';
  const tokens = tokenizeSql(sql);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const next = tokens[i + 1];
    if (token?.text === ':' && next?.kind === 'word' && (SQL_PARAMETERS as readonly string[]).includes(next.text)) {
      out += '?';
      parameters.push(values[next.text as SqlParameter]);
      i++;
      continue;
    }
    if (token?.text === '?') throw new SqlTemplateError('use the named parameters :window_from and :window_to, not ?');
    out += token?.text ?? '';
  }
  return { sql: out, parameters };
}

/**
 * The transform as the Trino grammar reads it, never throwing: a stand-in of the same length for each placeholder
 * (`__raw_database__`) and named parameter (`?` then spaces), so the parser sees valid SQL and its positions match
 * the file. Unknown placeholders and parameters get stand-ins too; saying they are unknown is the caller's part.
 */
export function parseable(text: string): string {
  const withNames = text.replace(/\{\{([a-z_]+)\}\}/g, (_whole, name: string) => `__${name}__`);
  let out = '';
  const tokens = tokenizeSql(withNames);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const next = tokens[i + 1];
    if (token?.text === ':' && next?.kind === 'word') {
      out += `?${' '.repeat(next.text.length)}`;
      i++;
    } else out += token?.text ?? '';
  }
  return out;
}

/** The named parameters a transform uses, as the tokenizer sees them. */
export function parametersIn(sql: string): string[] {
  const tokens = tokenizeSql(sql);
  const names: string[] = [];
  tokens.forEach((token, i) => {
    const next = tokens[i + 1];
    if (token.text === ':' && next?.kind === 'word') names.push(next.text);
  });
  return names;
}

/** `{{stage_schema}}.<table>` and `{{raw_schema}}.<table>` named anywhere in the scripts. */
export function referencedExternalTables(
  texts: readonly string[],
): { readonly placeholder: 'stage_schema' | 'raw_schema'; readonly table: string }[] {
  const seen = new Map<string, { placeholder: 'stage_schema' | 'raw_schema'; table: string }>();
  for (const text of texts) {
    for (const match of text.matchAll(/\{\{(stage_schema|raw_schema)\}\}\.("?)([a-z][a-z0-9_]*)\2/gi)) {
      const placeholder = match[1] as 'stage_schema' | 'raw_schema';
      const table = (match[3] ?? '').toLowerCase();
      seen.set(`${placeholder}.${table}`, { placeholder, table });
    }
  }
  return [...seen.values()];
}

/** What one script names: the external tables it reads, every name it holds, and whether it selects `*`. */
interface ScriptNames {
  readonly tables: ReadonlySet<string>;
  readonly names: ReadonlySet<string>;
  readonly selectsAll: boolean;
}

function scriptNames(text: string): ScriptNames {
  const tables = new Set(referencedExternalTables([text]).map((r) => `${r.placeholder}.${r.table}`));
  const names = new Set<string>();
  let selectsAll = false;
  const tokens = tokenizeRedshift(text).filter((t) => t.kind !== 'whitespace' && t.kind !== 'comment');
  for (const [index, token] of tokens.entries()) {
    if (token.kind === 'word') names.add(token.text.toLowerCase());
    else if (token.kind === 'quoted-identifier') names.add(token.text.slice(1, -1).replaceAll('""', '"').toLowerCase());
    // Dynamic SQL names columns in strings (`execute 'select ' || col`, a config row 'snapshot_date'): they count.
    else if (token.kind === 'string' || token.kind === 'dollar') {
      for (const word of token.text.matchAll(/[a-z_][a-z0-9_]*/gi)) names.add(word[0].toLowerCase());
    } else if (token.text === '*') {
      const before = tokens[index - 1]?.text.toLowerCase();
      if (before === 'select' || before === '.' || before === ',' || before === 'distinct') selectsAll = true;
    }
  }
  return { tables, names, selectsAll };
}

/**
 * Which of an external table's columns the scripts can read: the columns whose name appears as a word, quoted
 * identifier or word of a string (dynamic SQL) in a script naming the table, comments aside; or all of them when such
 * a script selects `*` (`select *`, `t.*`). A superset of what is read (a column name used for another table's
 * column counts too), never less, so a copy standing for Spectrum can leave the other columns out. Each script is
 * read once, however many tables are asked about.
 */
export function externalColumnReader(
  texts: readonly string[],
): (ref: ExternalTableRef, columns: readonly string[]) => string[] {
  const scripts = texts.map(scriptNames);
  return (ref, columns) => {
    const reading = scripts.filter((s) => s.tables.has(`${ref.placeholder}.${ref.table}`));
    if (reading.some((s) => s.selectsAll)) return [...columns];
    return columns.filter((c) => reading.some((s) => s.names.has(c.toLowerCase())));
  };
}

/** An external table a reporting script names: `{{stage_schema}}.<table>` or `{{raw_schema}}.<table>`. */
export interface ExternalTableRef {
  readonly placeholder: 'stage_schema' | 'raw_schema';
  readonly table: string;
}
