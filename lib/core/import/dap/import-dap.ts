import { PATHS } from '../../model/project.ts';
import { IDENTIFIER } from '../../model/schemas.ts';
import { environmentFiles } from './environments.ts';
import { type GlueCrawler, type GlueTable, glueFromCatalogExport, glueFromCloudFormation } from './glue.ts';
import { convertInsertSql, dapTablesNamed } from './insert-sql.ts';
import { compare, formatReport, ImportLog, REPORT_FILE, summarizeImport, type WrittenFile } from './report.ts';
import { isRefusal, rawTableDeclaration, stageTableDeclaration } from './tables.ts';
import { DAP_PATHS, importWarehouse, warehouseFacts } from './warehouse.ts';

/**
 * `dap import dap`: a DAP checkout's texts in, a dap project's files and the report out. Pure: the caller reads the
 * checkout (and the Glue YAML at another revision, and exported catalogs) and writes what comes back.
 */

export interface DapCheckout {
  /** What the report calls the checkout (its path). */
  readonly label: string;
  /** The checkout's files by path relative to its root, `/` separators: at least the folders DAP_PATHS names. */
  readonly files: ReadonlyMap<string, string>;
  /** The Glue YAML (`iac/main/resources/stage.yml`, `raw.yml`) read at another revision (`--glue-from`). */
  readonly glue?: { readonly revision: string; readonly files: ReadonlyMap<string, string> };
  /** Exported Glue catalogs (`aws glue get-tables` output), for the tables crawlers made. */
  readonly catalogs?: readonly { readonly file: string; readonly text: string }[];
}

export interface DapImport {
  /** Every file of the new project, the report included, by path. */
  readonly files: readonly { readonly path: string; readonly text: string }[];
  readonly written: readonly WrittenFile[];
  /** A few lines for the terminal. */
  readonly summary: readonly string[];
}

/** The checkout is not one: one line naming the file that should be there. */
export class DapCheckoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DapCheckoutError';
  }
}

export function importDap(checkout: DapCheckout): DapImport {
  const { files } = checkout;
  const log = new ImportLog();
  const familyList = files.get(DAP_PATHS.productFamilies);
  if (familyList === undefined) {
    throw new DapCheckoutError(
      `${checkout.label}: no ${DAP_PATHS.productFamilies}: expected a checkout of DAP (govuk-one-login/data-analytics-platform)`,
    );
  }

  const families = importFamilies(familyList, log);
  const events = importEvents(files, families, log);
  const reads = importInsertSql(files, log);
  const glue = readGlue(checkout, log);
  importStageTables(families, glue.stage, log);
  importRawTables(events, reads, glue, log);

  const facts = warehouseFacts(files);
  importWarehouse(files, facts, families, log);
  for (const env of environmentFiles(facts)) {
    log.write({
      ...env,
      from: 'generated',
      changes: [
        `generated in the shape of dap's ${env.path}: redshift.database ${facts.database} (the database DAP's scripts name in three-part names), schema ${facts.reportingSchema}, stage_schema ${facts.stageSchema}; set account before deploying`,
      ],
    });
  }

  log.decide(
    `Insert SQL: DAP's databases "environment-txma-stage" / "environment-txma-raw" → {{stage_database}} / {{raw_database}}; its window predicate (CAST(concat(year, month, day) AS INT) > filter_value AND ... < CAST(date_format(now(), '%Y%m%d') as INT)) → concat(year, '-', month, '-', day) > :window_from AND ... <= :window_to; nothing else changed (processed_date stays date_format(now(), '%Y%m%d')).`,
  );
  log.decide(
    `Raw tables: one file per event, athena-scripts/raw_tables/<event>.json (source ${'txma'}), so each keeps the S3 prefix DAP gives it (txma/<EVENT_UPPER>); column names in lower case as Glue stores them, struct fields in their own case.`,
  );
  log.decide(
    "Stage tables: one per family from the Glue stage tables, with deduplication one row per event_id, earliest by timestamp then processed_date, for TxMA-shaped tables; dap creates them as Iceberg tables under <stage bucket>/<family>/, not at DAP's Parquet prefixes.",
  );
  log.decide(
    `Warehouse: reporting procedures → redshift-scripts/procedures/ (repeatable); setup_process scripts → versioned migrations V0.1.<n>__setup_<name>.sql in the order DAP's runbook runs them, each CALL the runbook makes as a migration of its own after the script that creates the procedure, then the scripts it does not name, by name; the schemas the runbooks create and flyway.conf lists first (V0.0.1__setup_schemas.sql); Flyway's V<version>__ and R__ migrations keep their versions, so they apply after the setup scripts, all in one database (redshift.database ${facts.database}). In every script the Spectrum stage schema (${facts.stageSchema}) becomes {{stage_schema}}, and a family procedure's own name {{reporting_schema}}.sp_<family>; nothing else changes.`,
  );

  const written = log.files();
  const report = formatReport(log, checkout.label);
  return {
    files: [...written.map((f) => ({ path: f.path, text: f.text })), { path: REPORT_FILE, text: report }],
    written,
    summary: summarizeImport(log),
  };
}

// ------------------------------------------------------------------ families and events

/** The family list as it is; returns the families it lists. */
function importFamilies(text: string, log: ImportLog): string[] {
  log.write({ path: PATHS.productFamilies, text, from: DAP_PATHS.productFamilies });
  const list = parseJson(text);
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => {
    const family = isRecord(entry) ? entry.product_family : undefined;
    return typeof family === 'string' ? [family] : [];
  });
}

/** Each family's event list as it is; returns every event name listed, by family. */
function importEvents(
  files: ReadonlyMap<string, string>,
  families: readonly string[],
  log: ImportLog,
): Map<string, string> {
  const events = new Map<string, string>();
  for (const [path, text] of sortedFiles(files)) {
    if (!path.startsWith(`${DAP_PATHS.processScripts}/`) || path === DAP_PATHS.productFamilies) continue;
    const name = path.slice(DAP_PATHS.processScripts.length + 1);
    if (name.includes('/') || !name.endsWith('_config.json')) {
      if (!name.includes('/')) log.leaveOut(path, 'not a family event list (<family>_config.json)');
      continue;
    }
    const family = name.slice(0, -'_config.json'.length);
    log.write({ path: `${PATHS.processScripts}/${name}`, text, from: path });
    if (!families.includes(family)) continue;
    const list = parseJson(text);
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      const event = isRecord(entry) ? entry.event_name : undefined;
      if (typeof event === 'string') events.set(event, family);
    }
  }
  return events;
}

/** Each insert, converted; returns the raw tables each event's SQL reads. */
function importInsertSql(files: ReadonlyMap<string, string>, log: ImportLog): Map<string, string[]> {
  const reads = new Map<string, string[]>();
  for (const [path, text] of sortedFiles(files)) {
    if (!path.startsWith(`${DAP_PATHS.insertInto}/`)) continue;
    const name = path.slice(DAP_PATHS.insertInto.length + 1);
    if (name.includes('/')) continue;
    const event = name.replace(/\.sql$/, '');
    if (!name.endsWith('.sql') || !IDENTIFIER.test(event)) {
      log.leaveOut(path, 'not an insert named <event>.sql with an event name dap accepts (^[a-z][a-z0-9_]*$)');
      continue;
    }
    const converted = convertInsertSql(text);
    log.write({
      path: `${PATHS.insertInto}/${name}`,
      text: converted.text,
      from: path,
      changes: converted.changes,
      unconverted: converted.unconverted,
    });
    reads.set(event, dapTablesNamed(text).raw);
  }
  return reads;
}

// ------------------------------------------------------------------ Glue tables

interface GlueSources {
  readonly stage: readonly GlueTable[];
  /** Declared in the CloudFormation, then exported catalogs: the first of a name wins. */
  readonly raw: readonly GlueTable[];
  readonly catalog: readonly GlueTable[];
  readonly crawlers: readonly GlueCrawler[];
}

function readGlue(checkout: DapCheckout, log: ImportLog): GlueSources {
  const source = checkout.glue?.files ?? checkout.files;
  const at = checkout.glue ? ` at ${checkout.glue.revision}` : '';
  const read = (path: string) => {
    const text = source.get(path);
    if (text === undefined) {
      const hint = checkout.glue
        ? `not in the checkout at ${checkout.glue.revision}`
        : 'not in the checkout (DAP removed it in commit e45e303f): import with --glue-from e45e303f^ to read it from before';
      log.leaveOut(`${path}`, `${hint}; its tables are not declared`);
      return { tables: [], crawlers: [] };
    }
    return glueFromCloudFormation(path, text, `${path}${at}`);
  };
  const stage = read(DAP_PATHS.stageYaml);
  const raw = read(DAP_PATHS.rawYaml);
  const catalog = (checkout.catalogs ?? []).flatMap((c) => glueFromCatalogExport(c.file, c.text));
  return {
    stage: [...stage.tables, ...catalog.filter((t) => t.serde?.toLowerCase().includes('parquet'))],
    raw: raw.tables,
    catalog,
    crawlers: [...raw.crawlers, ...stage.crawlers],
  };
}

function importStageTables(families: readonly string[], tables: readonly GlueTable[], log: ImportLog) {
  const wanted = new Set(families);
  for (const family of families) {
    const table = tables.find((t) => t.name.toLowerCase() === family);
    if (!table) {
      log.leaveOut(
        `stage table of family ${family}`,
        `no Glue table ${family} in ${DAP_PATHS.stageYaml} or an exported catalog`,
      );
      continue;
    }
    const result = stageTableDeclaration(family, table);
    if (isRefusal(result)) {
      log.leaveOut(`stage table of family ${family} (${table.declaredIn})`, result.reasons.join('; '));
      continue;
    }
    log.write({ path: result.path, text: result.text, from: table.declaredIn, changes: result.changes });
  }
  for (const table of tables) {
    if (!wanted.has(table.name.toLowerCase()))
      log.leaveOut(`Glue stage table ${table.name} (${table.declaredIn})`, 'no family of that name');
  }
}

function importRawTables(
  events: ReadonlyMap<string, string>,
  reads: ReadonlyMap<string, readonly string[]>,
  glue: GlueSources,
  log: ImportLog,
) {
  const needed = new Set<string>();
  for (const event of [...events.keys()].sort(compare)) {
    needed.add(event);
    for (const table of reads.get(event) ?? []) needed.add(table);
  }
  for (const name of [...needed].sort(compare)) {
    const table =
      glue.raw.find((t) => t.name.toLowerCase() === name) ??
      glue.catalog.find((t) => t.name.toLowerCase() === name && !t.serde?.toLowerCase().includes('parquet'));
    if (!table) {
      log.leaveOut(`raw table of event ${name}`, noRawTableReason(name, glue));
      continue;
    }
    if (!IDENTIFIER.test(name)) {
      log.leaveOut(`raw table ${name} (${table.declaredIn})`, 'not a table name dap accepts (^[a-z][a-z0-9_]*$)');
      continue;
    }
    const result = rawTableDeclaration(name, table);
    if (isRefusal(result)) {
      log.leaveOut(`raw table of event ${name} (${table.declaredIn})`, result.reasons.join('; '));
      continue;
    }
    log.write({ path: result.path, text: result.text, from: table.declaredIn, changes: result.changes });
  }
  for (const table of glue.raw) {
    if (!needed.has(table.name.toLowerCase()))
      log.leaveOut(`Glue raw table ${table.name} (${table.declaredIn})`, 'no event of a listed family reads it');
  }
}

/** Why an event has no raw table: the crawler that makes it, when one does, and what would declare it. */
function noRawTableReason(event: string, glue: GlueSources): string {
  const prefix = event.toUpperCase();
  const crawler = glue.crawlers.find((c) => c.prefixes.some((p) => p.split('/').at(-1)?.toUpperCase() === prefix));
  const catalog =
    'pass --glue-catalog <the output of aws glue get-tables --database-name <env>-txma-raw> to declare it';
  if (crawler) {
    const path = crawler.prefixes.find((p) => p.split('/').at(-1)?.toUpperCase() === prefix);
    return `no declaration: a Glue crawler (${crawler.name}, ${crawler.declaredIn}) makes it from ${path}/, so its columns are known only to the deployed catalog; ${catalog}`;
  }
  return `no Glue table ${event} is declared in ${DAP_PATHS.rawYaml} nor in an exported catalog; ${catalog}`;
}

// ------------------------------------------------------------------ helpers

function sortedFiles(files: ReadonlyMap<string, string>): [string, string][] {
  return [...files].sort(([a], [b]) => compare(a, b));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
