import { HISTORY_SLOTS, historyColumns } from '../core/extract/history-sql.ts';
import { type DatabaseSource, EXTRACT_COLUMNS } from '../core/model/database-source-schema.ts';
import type { Problem } from '../core/model/problems.ts';
import { PATHS, type Project, type SourceDef } from '../core/model/project.ts';

/**
 * Cross-references of database sources: source ids and tables declared once; keys, cursors, checks and history
 * name extracted columns; incremental tables have a cursor; a history fits sp_scd2_refresh's attribute slots.
 */
export function checkDatabaseSources(project: Project): Problem[] {
  return [...[...project.databaseSources.values()].flatMap(checkSource), ...checkNetworks(project)];
}

/** Every environment names the network of every enabled database source (or null), and only of sources there are. */
function checkNetworks(project: Project): Problem[] {
  const problems: Problem[] = [];
  for (const env of project.environments.values()) {
    const file = `${PATHS.environments}/${env.name}.json`;
    for (const source of project.databaseSources.values()) {
      if (source.enabled && !(source.source in env.database_networks)) {
        problems.push({
          file,
          at: `database_networks.${source.source}`,
          message: `database source "${source.source}" (${source.file}) has no network here: expected {vpc_id, subnets, database} for its extract Lambda, or null to deploy no extract of it in ${env.name}`,
        });
      }
    }
    for (const name of Object.keys(env.database_networks)) {
      if (!project.databaseSources.has(name)) {
        const known = [...project.databaseSources.keys()].join(', ') || 'none';
        problems.push({
          file,
          at: `database_networks.${name}`,
          message: `no database source "${name}" in ${PATHS.databaseSources}/ (known: ${known})`,
        });
      }
    }
  }
  return problems;
}

function checkSource(source: SourceDef<DatabaseSource>): Problem[] {
  const problems: Problem[] = [];
  const { file } = source;
  const report = (at: string, message: string) => problems.push({ file, at, message });

  const ids = new Set<string>();
  source.instances.forEach((instance, index) => {
    if (ids.has(instance.source_id))
      report(`instances[${index}].source_id`, `source id "${instance.source_id}" is used twice`);
    ids.add(instance.source_id);
  });

  const tables = new Map<string, { index: number; columns: Set<string> }>();
  source.tables.forEach((table, index) => {
    const at = `tables[${index}]`;
    if (tables.has(table.name)) report(`${at}.name`, `table "${table.name}" is declared twice`);
    const columns = new Set<string>();
    table.columns.forEach((column, c) => {
      if (columns.has(column.name)) report(`${at}.columns[${c}].name`, `column "${column.name}" is declared twice`);
      if ((EXTRACT_COLUMNS as readonly string[]).includes(column.name)) {
        report(
          `${at}.columns[${c}].name`,
          `"${column.name}" is a column dap adds to every extracted row (${EXTRACT_COLUMNS.join(', ')}): expected another name`,
        );
      }
      columns.add(column.name);
    });
    tables.set(table.name, { index, columns });
    table.primary_key.forEach((column, k) => {
      if (!columns.has(column)) report(`${at}.primary_key[${k}]`, `"${column}" is not one of the table's columns`);
    });
    if (table.mode === 'incremental' && !table.cursor) {
      report(
        `${at}.cursor`,
        'an incremental table needs a cursor (a column that grows when a row changes, such as updated_at)',
      );
    }
    if (table.mode === 'snapshot' && table.cursor) {
      report(
        `${at}.cursor`,
        'a snapshot table is read whole and ignores its cursor: expected mode "incremental" or no cursor',
      );
    }
    if (table.cursor && !columns.has(table.cursor.column)) {
      report(`${at}.cursor.column`, `"${table.cursor.column}" is not one of the table's columns`);
    }
    if (typeof table.history === 'object') {
      table.history.columns.forEach((column, c) => {
        if (!columns.has(column))
          report(`${at}.history.columns[${c}]`, `"${column}" is not one of the table's columns`);
      });
    }
    const kept = historyColumns(table);
    if (kept.length > HISTORY_SLOTS) {
      report(
        `${at}.history`,
        `the history would keep ${kept.length} attributes (source_id, the key, ${kept.length - 1 - table.primary_key.length} tracked columns), sp_scd2_refresh keeps ${HISTORY_SLOTS}: name at most ${HISTORY_SLOTS - 1 - table.primary_key.length} in history.columns, or set history to false`,
      );
    }
  });

  source.checks.forEach((check, index) => {
    const at = `checks[${index}]`;
    const table = tables.get(check.table);
    if (!table) {
      report(`${at}.table`, `table "${check.table}" is not one of the source's tables`);
      return;
    }
    check.columns.forEach((column, c) => {
      if (!table.columns.has(column)) report(`${at}.columns[${c}]`, `"${column}" is not a column of ${check.table}`);
    });
    if (check.type !== 'reference') return;
    const parent = tables.get(check.references.table);
    if (!parent) {
      report(`${at}.references.table`, `table "${check.references.table}" is not one of the source's tables`);
      return;
    }
    check.references.columns.forEach((column, c) => {
      if (!parent.columns.has(column)) {
        report(`${at}.references.columns[${c}]`, `"${column}" is not a column of ${check.references.table}`);
      }
    });
    if (check.references.columns.length !== check.columns.length) {
      report(
        `${at}.references.columns`,
        `${check.columns.length} column(s) refer to ${check.references.columns.length}: expected as many on both sides`,
      );
    }
  });
  return problems;
}
