import { type ProjectFiles, parseProject, readProjectFiles } from '../config/loader.ts';
import { ColumnTypeError, icebergTypeProblem, parseColumnType, toIcebergType } from '../core/model/column-types.ts';
import { bucketNameProblems } from '../core/model/names.ts';
import { ConfigError, type Problem } from '../core/model/problems.ts';
import { PATHS, type Project } from '../core/model/project.ts';
import { procedureSignature } from '../core/procedure-call.ts';
import {
  isSqlPlaceholder,
  isWarehousePlaceholder,
  parametersIn,
  parseable,
  placeholdersIn,
  SQL_PARAMETERS,
  SQL_PLACEHOLDERS,
  WAREHOUSE_PLACEHOLDERS,
} from '../core/sql/template.ts';
import { analyzeSql } from '../core/sql/trino-analysis.ts';
import { deduplicationOf } from '../core/transform.ts';
import { checkApiSources } from './api-source-checks.ts';
import { checkDatabaseSources } from './database-source-checks.ts';
import { checkFileSources } from './file-source-checks.ts';
import { isolateProblems } from './isolation.ts';
import { checkQualityDeclarations } from './quality-checks.ts';
import { lintRedshiftSql } from './redshift-portability.ts';
import { checkReportingDependencies } from './reporting-checks.ts';
import { findPortabilityIssues } from './trino-portability.ts';

/**
 * Everything `dap check` and CDK synthesis verify: each file on its own (the loader) and the references between
 * files. Returns every problem found, sorted by file.
 */
export function checkProject(root: string): { project: Project; problems: Problem[] } {
  return checkProjectFiles(readProjectFiles(root), root);
}

/** `checkProject` over files already in memory (the deployed copy in the metadata bucket). */
export function checkProjectFiles(files: ProjectFiles, root = '.'): { project: Project; problems: Problem[] } {
  const { project, problems, unparsed } = parseProject(files, root);
  const all = [...problems, ...crossCheck(project).filter((p) => !followsFromUnparsed(p, unparsed))];
  all.sort((a, b) => a.file.localeCompare(b.file));
  return { project, problems: all };
}

/**
 * What `dap check` fails on (`failing`: every problem of a part that runs) and only notes (`notes`: problems of
 * disabled events and families and of files no run reads, which stop nothing).
 */
export function checkVerdict(checked: { project: Project; problems: readonly Problem[] }): {
  failing: Problem[];
  notes: Problem[];
} {
  const { disabled } = isolateProblems(checked.project, checked.problems);
  return { failing: checked.problems.filter((p) => !disabled.includes(p)), notes: [...disabled] };
}

/**
 * Whether a cross-reference problem only follows from a file that is not JSON (the names in it are unknown, not
 * missing): a reference to that file, a family or event it would have listed, a raw table it would have declared.
 */
function followsFromUnparsed(problem: Problem, unparsed: readonly string[]): boolean {
  if (unparsed.length === 0) return false;
  if (unparsed.some((file) => problem.message.includes(file))) return true;
  const listsEvents = unparsed.some((f) => f.startsWith(`${PATHS.processScripts}/`));
  if (listsEvents && /^orphan transform: /.test(problem.message)) return true;
  const declaresRaw = unparsed.some((f) => f.startsWith(`${PATHS.rawTables}/`));
  return declaresRaw && / has no raw table: /.test(problem.message);
}

/** Like `checkProject`, but throws a `ConfigError` listing every problem `dap check` fails on; what synthesis calls. */
export function loadCheckedProject(root: string | ProjectFiles): Project {
  const checked = typeof root === 'string' ? checkProject(root) : checkProjectFiles(root);
  const { failing } = checkVerdict(checked);
  if (failing.length > 0) throw new ConfigError(failing);
  return checked.project;
}

/**
 * The project as a run takes it, each problem isolated to what it stops (`isolateProblems`): a `ConfigError` lists
 * the problems that stop everything; events and reporting families other problems stop are in `project.blocked`,
 * for the run to report FAILED; problems of disabled parts stop nothing.
 */
export function runnable(checked: { project: Project; problems: readonly Problem[] }): Project {
  if (checked.problems.length === 0) return checked.project;
  const isolated = isolateProblems(checked.project, checked.problems);
  if (isolated.blocking.length > 0) throw new ConfigError(isolated.blocking);
  return { ...checked.project, blocked: { events: isolated.events, reporting: isolated.reporting } };
}

/** `runnable` over the project's files: what CDK synthesis and the deployed Lambdas load. */
export function loadRunnableProject(root: string | ProjectFiles): Project {
  return runnable(typeof root === 'string' ? checkProject(root) : checkProjectFiles(root));
}

export function crossCheck(project: Project): Problem[] {
  const problems: Problem[] = [];
  const listed = new Map(project.families.map((f) => [f.product_family, f]));

  // Families and their event files.
  for (const family of project.families) {
    if (!project.familyEvents.has(family.product_family) && family.enabled) {
      problems.push({
        file: PATHS.productFamilies,
        at: `product_family "${family.product_family}"`,
        message: `enabled family has no event list: expected ${PATHS.processScripts}/${family.product_family}_config.json`,
      });
    }
    if (!project.stageTables.has(family.product_family) && family.enabled) {
      problems.push({
        file: PATHS.productFamilies,
        at: `product_family "${family.product_family}"`,
        message: `enabled family has no stage table: expected ${PATHS.stageTables}/${family.product_family}.json`,
      });
    }
  }
  for (const [family, { file }] of project.familyEvents) {
    if (!listed.has(family)) {
      problems.push({ file, message: `unknown family "${family}": it is not listed in ${PATHS.productFamilies}` });
    }
  }

  // Every event belongs to exactly one family.
  const familyOfEvent = new Map<string, string>();
  for (const [family, { file, events }] of project.familyEvents) {
    events.forEach((event, index) => {
      const other = familyOfEvent.get(event.event_name);
      if (other !== undefined) {
        problems.push({
          file,
          at: `[${index}].event_name`,
          message:
            other === family
              ? `event "${event.event_name}" is listed twice in this family`
              : `event "${event.event_name}" is also in family "${other}": an event belongs to exactly one family`,
        });
      } else {
        familyOfEvent.set(event.event_name, family);
      }
    });
  }

  // Enabled events of enabled families must be runnable.
  for (const [family, { file, events }] of project.familyEvents) {
    if (!listed.get(family)?.enabled) continue;
    events.forEach((event, index) => {
      if (!event.enabled) return;
      if (!project.insertSql.has(event.event_name)) {
        problems.push({
          file,
          at: `[${index}]`,
          message: `enabled event "${event.event_name}" has no transform: expected ${PATHS.insertInto}/${event.event_name}.sql`,
        });
      }
      if (!project.rawTables.has(event.event_name)) {
        problems.push({
          file,
          at: `[${index}]`,
          message: `enabled event "${event.event_name}" has no raw table: declare it under "tables" in a ${PATHS.rawTables}/<source>.json file`,
        });
      }
    });
  }

  // Transforms.
  for (const [eventName, sql] of project.insertSql) {
    const family = familyOfEvent.get(eventName);
    if (family === undefined) {
      problems.push({ file: sql.file, message: `orphan transform: no family lists an event "${eventName}"` });
      continue;
    }
    problems.push(...checkTransform(project, sql.file, sql.text, family));
  }

  // Each enabled family's stage table can be deduplicated as declared (or by the default, when it has the columns).
  for (const family of project.families.filter((f) => f.enabled)) {
    const table = project.stageTables.get(family.product_family);
    if (!table) continue;
    const known = new Set([...table.columns, ...table.partition_columns].map((c) => c.name));
    const dedup = deduplicationOf(table);
    const missing = [...dedup.key, ...dedup.order_by].filter((c) => !known.has(c));
    if (missing.length > 0) {
      problems.push({
        file: table.file,
        at: 'deduplication',
        message: table.deduplication
          ? `deduplication names column(s) ${missing.join(', ')} that the table does not have`
          : `declare "deduplication": {"key": [...], "order_by": [...]} (the default, one row per event_id by earliest event_at then processed_date, needs column(s) ${missing.join(', ')})`,
      });
    }
  }

  // Stage columns CloudFormation cannot declare as Iceberg fields: found here, not at synthesis.
  for (const table of project.stageTables.values()) {
    for (const key of ['columns', 'partition_columns'] as const) {
      table[key].forEach((column, index) => {
        if (deployableStageType(column.type)) return;
        problems.push({ file: table.file, at: `${key}[${index}].type`, message: icebergTypeProblem(column) });
      });
    }
  }

  // Stage table files that belong to no family.
  for (const [family, table] of project.stageTables) {
    if (!listed.has(family)) {
      problems.push({
        file: table.file,
        message: `orphan stage table: family "${family}" is not listed in ${PATHS.productFamilies}`,
      });
    }
  }

  for (const env of project.environments.values()) problems.push(...bucketNameProblems(env));
  problems.push(
    ...checkFileSources(project),
    ...checkApiSources(project),
    ...checkDatabaseSources(project),
    ...checkQualityDeclarations(project),
    ...checkReportingDependencies(project),
  );

  // Reporting families listed twice.
  const reporting = new Set<string>();
  project.reportingFamilies.forEach((f, index) => {
    if (reporting.has(f.product_family)) {
      problems.push({
        file: PATHS.reportingFamilies,
        at: `[${index}].product_family`,
        message: `family "${f.product_family}" is listed twice`,
      });
    }
    reporting.add(f.product_family);
    f.depends_on.forEach((dependency, at) => {
      if (!listed.has(dependency)) {
        problems.push({
          file: PATHS.reportingFamilies,
          at: `[${index}].depends_on[${at}]`,
          message: `unknown product family "${dependency}": expected one listed in ${PATHS.productFamilies}`,
        });
      }
    });
    const expected = `${PATHS.warehouseProcedures}/sp_${f.product_family}.sql`;
    const script = project.warehouseScripts.find((s) => s.file === expected);
    if (f.enabled && !script) {
      problems.push({
        file: PATHS.reportingFamilies,
        at: `[${index}].product_family`,
        message: `enabled reporting family "${f.product_family}" has no procedure: expected ${expected}`,
      });
    }
    // The signature the call will use: with the run id, or with nothing.
    const signature = script ? procedureSignature(script.text, `sp_${f.product_family}`) : undefined;
    if (signature && !signature.ok) problems.push({ file: expected, message: signature.reason });
  });

  // Reporting model scripts: only known placeholders, and nothing Redshift would not run.
  for (const script of project.warehouseScripts) {
    for (const use of placeholdersIn(script.text)) {
      if (!isWarehousePlaceholder(use.name)) {
        problems.push({
          file: script.file,
          at: `line ${use.line}, column ${use.column}`,
          message: `unknown placeholder {{${use.name}}}: expected one of ${WAREHOUSE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
        });
      }
    }
    problems.push(...lintRedshiftSql(script.file, script.text));
  }

  return problems;
}

function checkTransform(project: Project, file: string, text: string, family: string): Problem[] {
  const problems: Problem[] = [];
  for (const use of placeholdersIn(text)) {
    if (!isSqlPlaceholder(use.name)) {
      problems.push({
        file,
        at: `line ${use.line}, column ${use.column}`,
        message: `unknown placeholder {{${use.name}}} (expected one of ${SQL_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')})`,
      });
    }
  }
  if (problems.length > 0) return problems;
  const parameters = parametersIn(text);
  for (const name of parameters) {
    if (!(SQL_PARAMETERS as readonly string[]).includes(name)) {
      problems.push({
        file,
        message: `unknown parameter :${name} (expected ${SQL_PARAMETERS.map((p) => `:${p}`).join(', ')})`,
      });
    }
  }
  for (const name of SQL_PARAMETERS) {
    if (!parameters.includes(name)) {
      problems.push({
        file,
        message: `must filter its raw reads by the run's window with :${name} (e.g. where concat(year, '-', month, '-', day) > :window_from and ... <= :window_to), so a run reads only the partitions it needs`,
      });
    }
  }

  const analysis = analyzeSql(parseable(text));
  if (analysis.syntaxErrors.length > 0) {
    return [
      ...problems,
      ...analysis.syntaxErrors.map(
        (e): Problem => ({
          file,
          at: `line ${e.line}, column ${e.column}`,
          message: `does not parse as Athena (Trino) SQL: ${e.message}`,
        }),
      ),
    ];
  }
  if (!analysis.insert) {
    return [
      ...problems,
      {
        file,
        message: `expected exactly one INSERT INTO statement, found ${analysis.statementCount} statement(s) of another kind`,
      },
    ];
  }

  const stage = project.stageTables.get(family);
  const expectedTable = stage?.table ?? family;
  const target = analysis.insert.target;
  if (target.length !== 2 || target[0] !== '__stage_database__' || target[1] !== expectedTable) {
    problems.push({
      file,
      message: `expected INSERT INTO {{stage_database}}.${expectedTable} (family "${family}"'s stage table) but it inserts into ${target.join('.').replace('__stage_database__', '{{stage_database}}').replace('__raw_database__', '{{raw_database}}')}`,
    });
  }
  const columns = analysis.insert.columns;
  if (columns === undefined) {
    problems.push({
      file,
      message: 'INSERT INTO must list its target columns explicitly, e.g. insert into t (a, b) select ...',
    });
  } else if (stage) {
    const known = new Set([...stage.columns, ...stage.partition_columns].map((c) => c.name));
    const seen = new Set<string>();
    for (const column of columns) {
      if (!known.has(column)) {
        problems.push({
          file,
          message: `inserts column "${column}" that stage table ${stage.table} (${stage.file}) does not have`,
        });
      }
      if (seen.has(column)) problems.push({ file, message: `inserts column "${column}" twice` });
      seen.add(column);
    }
  }

  for (const match of text.matchAll(/\{\{raw_database\}\}\s*\.\s*("?)([A-Za-z0-9_]+)\1/g)) {
    const table = match[2] ?? '';
    if (!project.rawTables.has(table.toLowerCase())) {
      problems.push({ file, message: `reads raw table "${table}" that no ${PATHS.rawTables}/<source>.json declares` });
    }
  }

  for (const issue of findPortabilityIssues(text)) {
    problems.push({
      file,
      at: `line ${issue.line}, column ${issue.column}`,
      message: `${issue.construct} cannot run with Athena's semantics on the local engine: ${issue.message}`,
    });
  }
  return problems;
}

/** Whether CloudFormation can declare a stage column of this type; an unparsable one is the loader's to report. */
function deployableStageType(text: string): boolean {
  try {
    return toIcebergType(parseColumnType(text)) !== undefined;
  } catch (error) {
    if (error instanceof ColumnTypeError) return true;
    throw error;
  }
}
