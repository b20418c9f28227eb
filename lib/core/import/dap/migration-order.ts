import { compareMigrationVersions, FLYWAY_VERSIONED } from '../../migrations.ts';
import { type RedshiftToken, tokenizeRedshift } from '../../sql/redshift-tokens.ts';

/**
 * Reads DAP's reporting-model scripts in the order the warehouse applies them (versioned migrations by Flyway's
 * version, then repeatable scripts) and finds what a fresh warehouse cannot run as they stand: a script, or a
 * procedure it calls, that reads a view or table which only a procedure's body creates, when no script before it
 * calls that procedure. DAP's own repository has this (V0.1.23 calls `sp_auth_orchestration_beyond_mvp`, which
 * reads views that only `sp_conformed_stage_view_data_objects_beyond_mvp` creates, and no script calls it), so a
 * fresh Flyway run of it fails there too. Only names the scripts themselves create are judged; a name created
 * nowhere (an external schema, a table made by hand) is not.
 */

export interface OrderedScript {
  /** Path in the new project (`redshift-scripts/migrations/V0.1.23__x.sql`). */
  readonly path: string;
  readonly text: string;
}

/** What one piece of SQL does, in order: each step a creation, a call or a read of a two-part name. */
type Step =
  | { readonly kind: 'create'; readonly name: string }
  | { readonly kind: 'call'; readonly name: string }
  | { readonly kind: 'read'; readonly name: string }
  | { readonly kind: 'procedure'; readonly name: string; readonly body: readonly Step[] };

/** The order the warehouse applies the scripts in: versioned (`V<version>__`) by version, then repeatable ones. */
export function applicationOrder<T extends OrderedScript>(scripts: readonly T[]): T[] {
  const version = (path: string) => FLYWAY_VERSIONED.exec(path.slice(path.lastIndexOf('/') + 1))?.[1];
  const versioned = scripts.filter((s) => version(s.path) !== undefined);
  const repeatable = scripts.filter((s) => version(s.path) === undefined);
  versioned.sort((a, b) => compareMigrationVersions(version(a.path) as string, version(b.path) as string));
  repeatable.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return [...versioned, ...repeatable];
}

/**
 * Each problem by the path of the script where a fresh warehouse would fail, in application order; then each of
 * `runCalls` (the procedures a run calls, after every script applied) judged as a call, under the path of the script
 * that defines it. `{{placeholder}}`s read as `placeholders` gives them (`{{reporting_schema}}` → `conformed`).
 */
export function migrationOrderProblems(
  scripts: readonly OrderedScript[],
  runCalls: readonly string[] = [],
  placeholders: Readonly<Record<string, string>> = {},
): Map<string, string[]> {
  const ordered = applicationOrder(scripts);
  const filled = (text: string) => text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => placeholders[key] ?? whole);
  const stepsOf = new Map(ordered.map((s) => [s.path, stepsIn(filled(s.text))]));
  const definedIn = new Map<string, string>();
  // Who creates what, across all scripts: a name any script creates outside a procedure is never judged.
  const createdAtTop = new Set<string>();
  const creators = new Map<string, { procedure: string; path: string }[]>();
  for (const script of ordered) {
    for (const step of stepsOf.get(script.path) ?? []) {
      if (step.kind === 'create') createdAtTop.add(step.name);
      if (step.kind !== 'procedure') continue;
      definedIn.set(step.name, script.path);
      for (const inner of flatten(step.body)) {
        if (inner.kind !== 'create') continue;
        const list = creators.get(inner.name) ?? [];
        list.push({ procedure: step.name, path: script.path });
        creators.set(inner.name, list);
      }
    }
  }

  const exists = new Set<string>();
  const procedures = new Map<string, readonly Step[]>();
  const problems = new Map<string, string[]>();
  const report = (path: string, problem: string) => {
    const list = problems.get(path) ?? [];
    if (!list.includes(problem)) list.push(problem);
    problems.set(path, list);
  };
  const judgeRead = (path: string, name: string, via: string | undefined, atRun: boolean) => {
    if (exists.has(name) || createdAtTop.has(name)) return;
    const makers = creators.get(name);
    if (makers === undefined) return;
    const makersText = makers.map((m) => `${m.procedure} (${m.path.split('/').pop()})`).join(' or ');
    const subject = via === undefined ? 'this script' : `${atRun ? "a run's " : ''}CALL ${via}()`;
    report(
      path,
      `${subject} reads ${name}, which only the procedure ${makersText} creates, and no script applied before ` +
        `calls it: on a fresh warehouse this fails, as a fresh Flyway run of DAP's scripts does (dap does not ` +
        `guess the order: add a migration that calls it first, if that is what was run by hand)`,
    );
  };
  const run = (path: string, steps: readonly Step[], via: string | undefined, depth: number, atRun = false): void => {
    for (const step of steps) {
      if (step.kind === 'create') exists.add(step.name);
      else if (step.kind === 'procedure') procedures.set(step.name, step.body);
      else if (step.kind === 'read') judgeRead(path, step.name, via, atRun);
      else if (step.kind === 'call') {
        const body = procedures.get(step.name);
        if (body === undefined || depth > 8) continue;
        run(path, body, via ?? step.name, depth + 1, atRun);
      }
    }
  };
  for (const script of ordered) run(script.path, stepsOf.get(script.path) ?? [], undefined, 0);
  for (const name of runCalls) {
    const path = definedIn.get(name);
    if (path !== undefined) run(path, [{ kind: 'call', name }], undefined, 0, true);
  }
  return problems;
}

function flatten(steps: readonly Step[]): Step[] {
  return steps.flatMap((s) => (s.kind === 'procedure' ? [s, ...flatten(s.body)] : [s]));
}

/**
 * The steps of a script, outside strings and comments: `CREATE [OR REPLACE] [TEMP] VIEW|TABLE <name>`,
 * `CREATE [OR REPLACE] PROCEDURE <name> ... AS $$<body>$$` (its body read the same way), `CALL <name>` and the names
 * after `FROM` and `JOIN`. Names are two-part (`schema.name`, lower case; a database in front is dropped); a name
 * without a schema (a CTE, a temporary table) is not followed.
 */
function stepsIn(text: string): Step[] {
  return stepsOf(tokenizeRedshift(text).filter((t) => t.kind !== 'whitespace' && t.kind !== 'comment'));
}

function stepsOf(tokens: readonly RedshiftToken[]): Step[] {
  const word = (i: number) => (tokens[i]?.kind === 'word' ? (tokens[i]?.text ?? '').toLowerCase() : '');
  const steps: Step[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const w = word(i);
    if (w === 'create') {
      let j = i + 1;
      if (word(j) === 'or' && word(j + 1) === 'replace') j += 2;
      if (word(j) === 'temp' || word(j) === 'temporary') j++;
      const what = word(j);
      if (what !== 'view' && what !== 'table' && what !== 'procedure') continue;
      j++;
      if (word(j) === 'if' && word(j + 1) === 'not' && word(j + 2) === 'exists') j += 3;
      const name = nameAt(tokens, j);
      if (name === undefined) continue;
      if (what !== 'procedure') {
        steps.push({ kind: 'create', name: name.name });
        i = name.end - 1;
        continue;
      }
      // The body: the tokens between the first dollar delimiter after the name and the next one like it.
      const open = tokens.findIndex((t, k) => k >= name.end && t.kind === 'dollar');
      const close =
        open < 0 ? -1 : tokens.findIndex((t, k) => k > open && t.kind === 'dollar' && t.text === tokens[open]?.text);
      const body = open < 0 ? [] : stepsOf(tokens.slice(open + 1, close < 0 ? tokens.length : close));
      steps.push({ kind: 'procedure', name: name.name, body });
      i = close < 0 ? (open < 0 ? name.end - 1 : tokens.length) : close;
    } else if (w === 'call' || w === 'from' || w === 'join') {
      const name = nameAt(tokens, i + 1);
      if (name === undefined) continue;
      steps.push({ kind: w === 'call' ? 'call' : 'read', name: name.name });
      i = name.end - 1;
    }
  }
  return steps;
}

/** `a.b` or `db.a.b` (parts quoted or not) at `start`, as `a.b` in lower case; undefined for a one-part name. */
function nameAt(tokens: readonly RedshiftToken[], start: number): { name: string; end: number } | undefined {
  const parts: string[] = [];
  let i = start;
  while (i < tokens.length) {
    const token = tokens[i] as RedshiftToken;
    if (token.kind === 'word') parts.push(token.text.toLowerCase());
    else if (token.kind === 'quoted-identifier')
      parts.push(token.text.slice(1, -1).replaceAll('""', '"').toLowerCase());
    else break;
    i++;
    if (tokens[i]?.text !== '.') break;
    i++;
  }
  if (parts.length < 2) return undefined;
  return { name: parts.slice(-2).join('.'), end: i };
}
