import { compareMigrationVersions, FLYWAY_REPEATABLE, FLYWAY_VERSIONED } from '../../migrations.ts';
import { PATHS } from '../../model/project.ts';
import { IDENTIFIER } from '../../model/schemas.ts';
import { type RedshiftToken, tokenizeRedshift } from '../../sql/redshift-tokens.ts';
import { migrationOrderProblems } from './migration-order.ts';
import { compare, type ImportLog, jsonFile } from './report.ts';

/**
 * DAP's Redshift scripts as dap's reporting-model scripts:
 * - the reporting procedures (`athena-scripts/redshift_scripts/sp_<family>.sql`) become `redshift-scripts/procedures/`;
 * - the hand-run setup scripts (`redshift-scripts/setup_process[_refactored]/<name>.sql`) become versioned migrations `V0.1.<n>__setup_*`,
 *   in the order DAP's runbook (`redshift_setup_process_scripts.sql`) runs them, each `CALL` it makes as a migration of
 *   its own after the script that creates the procedure, then the scripts the runbook does not name, by name; the
 *   schemas the runbooks and Flyway create come first (`V0.0.1__setup_schemas`);
 * - Flyway's migrations (`redshift-scripts/flyway/migrations/<database>/V*__*.sql`, `R__*.sql`) keep their names, so
 *   they apply after the setup scripts, in Flyway's order.
 * The scripts stay as they are, with two changes, each listed in the report: a family procedure's own name is
 * qualified by `{{reporting_schema}}` (what `dap check` requires of it), and the Spectrum schema over the Glue stage
 * database (`dap_txma_stage`, with or without its database) becomes `{{stage_schema}}`, so that dap points it at its
 * own stage database and the local warehouse copies the stage tables the scripts read.
 */

export const DAP_PATHS = {
  productFamilies: 'athena-scripts/process_scripts/product_family_config.json',
  processScripts: 'athena-scripts/process_scripts',
  insertInto: 'athena-scripts/dml/insert_into',
  redshiftScripts: 'athena-scripts/redshift_scripts',
  reportingFamilies: 'athena-scripts/redshift_scripts/reporting_model_product_family_config.json',
  setup: 'redshift-scripts',
  flywayConf: 'redshift-scripts/flyway/flyway.conf',
  flywayMigrations: 'redshift-scripts/flyway/migrations',
  stageYaml: 'iac/main/resources/stage.yml',
  rawYaml: 'iac/main/resources/raw.yml',
} as const;

/** What DAP's scripts say about the warehouse: the environment's `redshift` settings come from here. */
export interface WarehouseFacts {
  /** The database the scripts name in three-part names (`dap_txma_reporting_db.conformed.t`). */
  readonly database: string;
  /** The schema of the reporting procedures (`conformed.sp_<family>`). */
  readonly reportingSchema: string;
  /** The external schema over the Glue stage database (`CREATE EXTERNAL SCHEMA dap_txma_stage ... '{env}-txma-stage'`). */
  readonly stageSchema: string;
}

type Files = ReadonlyMap<string, string>;

export function warehouseFacts(files: Files): WarehouseFacts {
  const procedures = [...files].filter(([path]) => isIn(path, DAP_PATHS.redshiftScripts) && path.endsWith('.sql'));
  const schemas = new Map<string, number>();
  for (const [, text] of procedures) {
    for (const m of code(text).matchAll(/create\s+or\s+replace\s+procedure\s+"?([a-z_][a-z0-9_]*)"?\s*\.\s*"?sp_/gi)) {
      const schema = (m[1] ?? '').toLowerCase();
      schemas.set(schema, (schemas.get(schema) ?? 0) + 1);
    }
  }
  const reportingSchema = mostFrequent(schemas) ?? 'conformed';
  // Three-part names of the reporting schema's tables: `"dap_txma_reporting_db"."conformed"."ref_relying_parties"`.
  const databases = new Map<string, number>();
  for (const [, text] of procedures) {
    for (const m of code(text).matchAll(/"?([a-z_][a-z0-9_]*)"?\s*\.\s*"?([a-z_][a-z0-9_]*)"?\s*\.\s*"?[a-z_]/gi)) {
      if ((m[2] ?? '').toLowerCase() !== reportingSchema) continue;
      const database = (m[1] ?? '').toLowerCase();
      databases.set(database, (databases.get(database) ?? 0) + 1);
    }
  }
  let stageSchema: string | undefined;
  for (const [path, text] of files) {
    if (!isSetupScript(path)) continue;
    const m =
      /create\s+external\s+schema\s+(?:if\s+not\s+exists\s+)?"?([a-z_][a-z0-9_]*)"?\s+from\s+data\s+catalog\s+database\s+'[^']*stage[^']*'/i.exec(
        text,
      );
    if (m) {
      stageSchema = (m[1] ?? '').toLowerCase();
      break;
    }
  }
  return {
    database: mostFrequent(databases) ?? 'dap',
    reportingSchema,
    stageSchema: stageSchema ?? 'spectrum_stage',
  };
}

/** Every reporting-model file: procedures, the reporting family list, setup scripts and Flyway migrations. */
export function importWarehouse(
  files: Files,
  facts: WarehouseFacts,
  athenaFamilies: readonly string[],
  log: ImportLog,
) {
  const reportingFamilies = importReportingFamilies(files, athenaFamilies, log);
  importProcedures(files, facts, reportingFamilies, log);
  const flyway = flywaySchemas(files);
  importSetupScripts(files, facts, flyway, log);
  importFlywayMigrations(files, facts, log);
  flagOrderProblems(facts, reportingFamilies, log);
}

/** What a fresh warehouse cannot run in the order the scripts apply (DAP's own order), flagged on each script. */
function flagOrderProblems(facts: WarehouseFacts, reportingFamilies: readonly string[], log: ImportLog) {
  const scripts = log
    .files()
    .filter((f) => isIn(f.path, PATHS.warehouseMigrations) || isIn(f.path, PATHS.warehouseProcedures));
  const runCalls = reportingFamilies.map((family) => `${facts.reportingSchema}.sp_${family}`);
  const placeholders = { reporting_schema: facts.reportingSchema, stage_schema: facts.stageSchema };
  for (const [path, problems] of migrationOrderProblems(scripts, runCalls, placeholders)) {
    for (const problem of problems) log.flag(path, problem);
  }
}

// ------------------------------------------------------------------ reporting families and procedures

function importReportingFamilies(files: Files, athenaFamilies: readonly string[], log: ImportLog): string[] {
  const text = files.get(DAP_PATHS.reportingFamilies);
  if (text === undefined) {
    log.write({
      path: PATHS.reportingFamilies,
      text: jsonFile([]),
      from: 'generated',
      changes: ['no reporting family list in the checkout: none'],
    });
    return [];
  }
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    log.write({
      path: PATHS.reportingFamilies,
      text,
      from: DAP_PATHS.reportingFamilies,
      unconverted: [`not valid JSON (${detail}): copied as it is`],
    });
    return [];
  }
  if (!Array.isArray(list)) {
    log.write({
      path: PATHS.reportingFamilies,
      text,
      from: DAP_PATHS.reportingFamilies,
      unconverted: ['expected a list of {product_family, enabled}: copied as it is'],
    });
    return [];
  }
  const known = new Set(athenaFamilies);
  const added: string[] = [];
  const entries = list.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return entry;
    const family = (entry as { product_family?: unknown }).product_family;
    if ('depends_on' in entry || typeof family !== 'string' || !known.has(family)) return entry;
    added.push(family);
    return { ...entry, depends_on: [family] };
  });
  log.write({
    path: PATHS.reportingFamilies,
    text: jsonFile(entries),
    from: DAP_PATHS.reportingFamilies,
    changes:
      added.length === 0
        ? ['re-indented']
        : [
            `depends_on: [<its own family>] added to ${added.length} families (sp_<family> builds its model from that family's stage table)`,
          ],
  });
  return list.flatMap((entry: unknown) => {
    const family =
      typeof entry === 'object' && entry !== null ? (entry as { product_family?: unknown }).product_family : undefined;
    return typeof family === 'string' ? [family] : [];
  });
}

function importProcedures(files: Files, facts: WarehouseFacts, reportingFamilies: readonly string[], log: ImportLog) {
  const families = new Set(reportingFamilies);
  for (const [path, text] of sorted(files)) {
    if (!isIn(path, DAP_PATHS.redshiftScripts)) continue;
    if (path === DAP_PATHS.reportingFamilies) continue;
    const name = baseName(path);
    if (!name.endsWith('.sql')) {
      log.leaveOut(path, 'not a SQL script');
      continue;
    }
    const procedure = name.slice(0, -'.sql'.length).toLowerCase();
    if (!IDENTIFIER.test(procedure)) {
      log.leaveOut(path, `a procedure script is named <procedure>.sql with a name dap accepts (^[a-z][a-z0-9_]*$)`);
      continue;
    }
    const changes: string[] = [];
    const unconverted: string[] = [];
    let out = rewriteStageSchema(text, facts, changes);
    if (families.has(procedure.replace(/^sp_/, '')) && procedure.startsWith('sp_')) {
      const header = qualifyProcedure(out, procedure, facts.reportingSchema);
      if (header === undefined) {
        unconverted.push(
          `no CREATE OR REPLACE PROCEDURE ${facts.reportingSchema}.${procedure}(...) found to name by {{reporting_schema}}: dap calls {{reporting_schema}}.${procedure}`,
        );
      } else {
        out = header;
        changes.push(
          `its name ${facts.reportingSchema}.${procedure} → {{reporting_schema}}.${procedure} (dap check requires the placeholder in the definition of a family's procedure)`,
        );
      }
    }
    log.write({ path: `${PATHS.warehouseProcedures}/${procedure}.sql`, text: out, from: path, changes, unconverted });
  }
}

/** `CREATE OR REPLACE PROCEDURE conformed.sp_x (` → `... {{reporting_schema}}.sp_x (`; undefined when not found. */
function qualifyProcedure(text: string, procedure: string, schema: string): string | undefined {
  const header = new RegExp(
    `(create\\s+or\\s+replace\\s+procedure\\s+)"?${schema}"?\\s*\\.\\s*"?${procedure}"?(\\s*\\()`,
    'i',
  );
  const match = header.exec(text);
  if (!match) return undefined;
  return `${text.slice(0, match.index)}${match[1]}{{reporting_schema}}.${procedure}${match[2]}${text.slice(match.index + match[0].length)}`;
}

/**
 * `[<database>.]<stage schema>.<table>` (any of them quoted) → `{{stage_schema}}.<table>`, outside strings and comments;
 * `changes` gets one line when anything was replaced.
 */
export function rewriteStageSchema(text: string, facts: WarehouseFacts, changes: string[]): string {
  let tokens: RedshiftToken[];
  try {
    tokens = tokenizeRedshift(text);
  } catch {
    return text;
  }
  const significant = tokens.flatMap((t, i) => (t.kind === 'whitespace' || t.kind === 'comment' ? [] : [i]));
  const name = (i: number | undefined) => {
    const token = tokens[i ?? -1];
    if (!token) return undefined;
    if (token.kind === 'word') return token.text.toLowerCase();
    if (token.kind === 'quoted-identifier') return token.text.slice(1, -1).toLowerCase();
    return undefined;
  };
  const textOf = (i: number | undefined) => tokens[i ?? -1]?.text;
  let out = '';
  let at = 0;
  let count = 0;
  for (let s = 0; s < significant.length; s++) {
    const i = significant[s] as number;
    if (i < at || name(i) !== facts.stageSchema) continue;
    if (textOf(significant[s + 1]) !== '.' || name(significant[s + 2]) === undefined) continue;
    if (textOf(significant[s - 1]) === '.' && textOf(significant[s - 3]) === '.') continue; // a.b.dap_txma_stage: not it
    // With its database in front (`"db"."dap_txma_stage"."t"`), the database goes too.
    const start =
      textOf(significant[s - 1]) === '.' && name(significant[s - 2]) !== undefined ? (significant[s - 2] as number) : i;
    const tableIndex = significant[s + 2] as number;
    const table = tokens[tableIndex] as RedshiftToken;
    const inner = table.kind === 'quoted-identifier' ? table.text.slice(1, -1) : table.text;
    const tableText = table.kind === 'quoted-identifier' && !IDENTIFIER.test(inner) ? table.text : inner.toLowerCase();
    out += `${copy(tokens, at, start)}{{stage_schema}}.${tableText}`;
    at = tableIndex + 1;
    count++;
  }
  out += copy(tokens, at, tokens.length);
  if (count > 0) {
    changes.push(
      `${count} reference${count === 1 ? '' : 's'} to the Spectrum stage schema ${facts.stageSchema} → {{stage_schema}}`,
    );
  }
  return out;
}

// ------------------------------------------------------------------ setup scripts

interface RunbookStep {
  readonly offset: number;
  readonly kind: 'script' | 'call';
  /** The script's path, or the CALL statement. */
  readonly value: string;
  readonly runbook: string;
}

function isSetupScript(path: string): boolean {
  return path.startsWith(`${DAP_PATHS.setup}/setup_process`) && path.split('/').length === 3;
}

/** Why a setup file is a runbook for people rather than a script, or undefined for a script. */
export function runbookReason(text: string): string | undefined {
  const lines = code(text).split('\n');
  const prose = lines.findIndex((l) => /\b(the|click|paste|contents|button)\b/i.test(l));
  if (prose >= 0) return `prose, not SQL (line ${prose + 1}: "${(text.split('\n')[prose] ?? '').trim()}")`;
  const withStrings = code(text, { keepStrings: true }).split('\n');
  const value = withStrings.findIndex((l) => /\{(env|aws-account-id)\}/i.test(l));
  const database = lines.findIndex((l) => /\bcreate\s+database\b/i.test(l));
  if (value >= 0 || database >= 0) {
    const why = [
      ...(database >= 0 ? [`creates a database (line ${database + 1})`] : []),
      ...(value >= 0
        ? [`holds values to replace by hand (line ${value + 1}: "${(text.split('\n')[value] ?? '').trim()}")`]
        : []),
    ];
    return `a runbook to run by hand, not a script: ${why.join(', ')}`;
  }
  return undefined;
}

function importSetupScripts(files: Files, facts: WarehouseFacts, flywaySchemaList: readonly string[], log: ImportLog) {
  const setup = sorted(files).filter(([path]) => isSetupScript(path));
  const scripts = new Map<string, string>(); // path → text
  const runbooks: [string, string][] = [];
  for (const [path, text] of setup) {
    if (!path.toLowerCase().endsWith('.sql')) {
      log.leaveOut(path, 'not a SQL script (documentation)');
      continue;
    }
    const reason = runbookReason(text);
    if (reason === undefined) scripts.set(path, text);
    else runbooks.push([path, text]);
  }
  const byName = new Map<string, string>();
  for (const path of scripts.keys())
    if (!byName.has(baseName(path).toLowerCase())) byName.set(baseName(path).toLowerCase(), path);

  // What the runbooks say: schemas to create, scripts in order, procedures to call.
  const schemas: string[] = [];
  const steps: RunbookStep[] = [];
  for (const [path, text] of runbooks) {
    const runbook = readRunbook(path, text, byName);
    schemas.push(...runbook.schemas.filter((s) => !schemas.includes(s)));
    steps.push(...runbook.steps);
    for (const missing of runbook.missing) log.leaveOut(`${path} names ${missing}`, 'no such file in the checkout');
    log.leaveOut(path, `${runbookReason(text)}; ${runbook.summary}`);
  }
  for (const schema of flywaySchemaList) if (!schemas.includes(schema)) schemas.push(schema);

  if (schemas.length > 0) {
    log.write({
      path: `${PATHS.warehouseMigrations}/V0.0.1__setup_schemas.sql`,
      text: `${schemas.map((s) => `create schema if not exists ${s};`).join('\n')}\n`,
      from:
        [...runbooks.map(([p]) => p), ...(flywaySchemaList.length > 0 ? [DAP_PATHS.flywayConf] : [])].join(', ') ||
        'generated',
      changes: [`generated: the schemas the runbooks create and Flyway manages (${schemas.join(', ')})`],
    });
  }

  const order: RunbookStep[] = [];
  const named = new Set<string>();
  for (const step of steps.sort((a, b) => compare(a.runbook, b.runbook) || a.offset - b.offset)) {
    if (step.kind === 'script') {
      if (named.has(step.value)) continue;
      named.add(step.value);
    }
    order.push(step);
  }
  for (const path of scripts.keys())
    if (!named.has(path)) order.push({ offset: 0, kind: 'script', value: path, runbook: '' });

  order.forEach((step, index) => {
    const version = `0.1.${index + 1}`;
    if (step.kind === 'call') {
      const procedure = (
        /call\s+(?:[a-z_0-9"]+\.)*"?([a-z_][a-z0-9_]*)"?\s*\(/i.exec(step.value)?.[1] ?? 'procedure'
      ).toLowerCase();
      log.write({
        path: `${PATHS.warehouseMigrations}/V${version}__setup_call_${procedure}.sql`,
        text: `${step.value.trim().replace(/;?$/, ';')}\n`,
        from: step.runbook,
        changes: [`generated: the runbook's ${step.value.trim()}, after the script that creates the procedure`],
      });
      return;
    }
    const text = scripts.get(step.value) ?? '';
    const changes: string[] = [];
    const out = rewriteStageSchema(text, facts, changes);
    const description = safeDescription(baseName(step.value).replace(/\.sql$/i, ''));
    const where =
      step.runbook === ''
        ? 'not named by a runbook: after those it names, by name'
        : `step ${index + 1} of ${step.runbook}`;
    log.write({
      path: `${PATHS.warehouseMigrations}/V${version}__setup_${description}.sql`,
      text: out,
      from: step.value,
      changes: [`versioned migration ${version} (${where})`, ...changes],
    });
  });
}

interface RunbookFacts {
  readonly schemas: string[];
  readonly steps: RunbookStep[];
  readonly missing: string[];
  readonly summary: string;
}

/** The schemas a runbook creates, the scripts it names (in order) and the procedures it calls. */
function readRunbook(path: string, text: string, scripts: ReadonlyMap<string, string>): RunbookFacts {
  const schemas: string[] = [];
  const steps: RunbookStep[] = [];
  const missing: string[] = [];
  const handRun = new Map<string, number>();
  for (const match of text.matchAll(/[A-Za-z0-9_-]+\.sql\b/g)) {
    const name = match[0].toLowerCase();
    const script = scripts.get(name);
    if (script !== undefined) steps.push({ offset: match.index, kind: 'script', value: script, runbook: path });
    else if (name !== baseName(path).toLowerCase() && !missing.includes(match[0])) missing.push(match[0]);
  }
  // Comments and strings are blanked in `lines` (so prose in comments is not read as SQL); `written` has them.
  const lines = code(text).split('\n');
  const written = text.split('\n');
  let offset = 0;
  for (const [index, line] of lines.entries()) {
    const schema = /^\s*create\s+schema\s+(?:if\s+not\s+exists\s+)?"?([a-z_][a-z0-9_]*)"?\s*(;|$)/i.exec(line);
    const call = /^\s*call\s+[^;]*\)\s*;?\s*$/i.test(line)
      ? /^\s*(call\s+.*\))\s*;?\s*$/i.exec(written[index] ?? '')
      : null;
    const other =
      /^\s*(create\s+database|create\s+external\s+schema|create\s+group|create\s+user|grant|revoke|alter\s+group|alter\s+user|alter\s+table)\b/i.exec(
        line,
      );
    if (schema) {
      const name = (schema[1] ?? '').toLowerCase();
      if (!schemas.includes(name)) schemas.push(name);
    } else if (call) steps.push({ offset, kind: 'call', value: call[1] ?? '', runbook: path });
    else if (other) {
      const kind = (other[1] ?? '').toUpperCase().replace(/\s+/g, ' ');
      handRun.set(kind, (handRun.get(kind) ?? 0) + 1);
    }
    offset += line.length + 1;
  }
  const calls = steps.filter((s) => s.kind === 'call').length;
  const scriptsNamed = new Set(steps.filter((s) => s.kind === 'script').map((s) => s.value)).size;
  const left = [...handRun].map(([kind, n]) => `${n} ${kind}`).join(', ');
  const summary = [
    `what it says is followed: ${scriptsNamed} scripts in its order, ${calls} CALL statements as migrations, schemas ${schemas.join(', ') || 'none'} created first`,
    ...(left
      ? [
          `left to run by hand: ${left} (the database is redshift.database; dap creates the external schemas over its own Glue databases; users, groups, grants and owners of DAP's IAM roles are per environment, and dap grants its own runner role)`,
        ]
      : []),
  ].join('; ');
  return { schemas, steps, missing, summary };
}

// ------------------------------------------------------------------ Flyway

/** `flyway.schemas` of `flyway.conf`: the schemas Flyway creates before it migrates. */
function flywaySchemas(files: Files): string[] {
  const conf = files.get(DAP_PATHS.flywayConf);
  const line = conf?.split('\n').find((l) => /^\s*flyway\.schemas\s*=/.test(l));
  if (!line) return [];
  return line
    .slice(line.indexOf('=') + 1)
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => IDENTIFIER.test(s));
}

function importFlywayMigrations(files: Files, facts: WarehouseFacts, log: ImportLog) {
  const versions: { version: string; path: string }[] = [];
  const repeatables = new Map<string, string>();
  for (const [path, text] of sorted(files)) {
    if (!isIn(path, DAP_PATHS.flywayMigrations)) continue;
    const parts = path.slice(DAP_PATHS.flywayMigrations.length + 1).split('/');
    const name = parts.at(-1) ?? '';
    const folder = parts.length > 1 ? (parts[0] ?? '') : '';
    const versioned = FLYWAY_VERSIONED.exec(name);
    const repeatable = FLYWAY_REPEATABLE.exec(name);
    if (!versioned && !repeatable) {
      log.leaveOut(path, 'Flyway does not run it: not named V<version>__<description>.sql or R__<description>.sql');
      continue;
    }
    const changes: string[] = [];
    const description = safeDescription(((versioned ? versioned[2] : repeatable?.[1]) ?? '').trim());
    if (description !== (versioned ? versioned[2] : repeatable?.[1])) {
      changes.push(`renamed from "${name}": dap's migration names hold letters, digits, _, . and - only`);
    }
    let target: string;
    if (versioned) {
      const version = (versioned[1] ?? '').replaceAll('_', '.');
      const other = versions.find((v) => compareMigrationVersions(v.version, version) === 0);
      if (other) {
        log.leaveOut(path, `version ${version} is also ${other.path}, imported first: dap migrates one database`);
        continue;
      }
      versions.push({ version, path });
      target = `V${versioned[1]}__${description}.sql`;
    } else {
      const clash = repeatables.get(description);
      const unique = clash === undefined ? description : `${description}__${safeDescription(folder)}`;
      if (clash !== undefined)
        changes.push(`renamed: ${clash} is also R__${description}.sql, and dap migrates one database`);
      repeatables.set(unique, path);
      target = `R__${unique}.sql`;
    }
    if (folder !== '')
      changes.push(`Flyway database folder ${folder}: its scripts run in redshift.database (${facts.database})`);
    const out = rewriteStageSchema(text, facts, changes);
    log.write({ path: `${PATHS.warehouseMigrations}/${target}`, text: out, from: path, changes });
  }
}

// ------------------------------------------------------------------ helpers

/** The text with comments replaced by spaces, and string literals too unless `keepStrings` (lines stay where they are). */
function code(text: string, options: { keepStrings?: boolean } = {}): string {
  let tokens: RedshiftToken[];
  try {
    tokens = tokenizeRedshift(text);
  } catch {
    return text;
  }
  return tokens
    .map((t) =>
      t.kind === 'comment' || (t.kind === 'string' && !options.keepStrings) ? t.text.replace(/[^\n]/g, ' ') : t.text,
    )
    .join('');
}

function copy(tokens: readonly RedshiftToken[], from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) out += tokens[i]?.text ?? '';
  return out;
}

function safeDescription(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

function baseName(path: string): string {
  return path.split('/').at(-1) ?? path;
}

function isIn(path: string, folder: string): boolean {
  return path.startsWith(`${folder}/`);
}

function sorted(files: Files): [string, string][] {
  return [...files].sort(([a], [b]) => compare(a, b));
}

function mostFrequent(counts: ReadonlyMap<string, number>): string | undefined {
  let best: string | undefined;
  let most = 0;
  for (const [key, n] of [...counts].sort(([a], [b]) => compare(a, b))) {
    if (n > most) {
      best = key;
      most = n;
    }
  }
  return best;
}
