import { castableTypeProblem, castCell, compileDateFormat, DEFAULT_CAST_OPTIONS } from '../core/ingest/cast.ts';
import { normaliseHeaderName } from '../core/ingest/mapping.ts';
import { INGEST_DATE_PARTITION, LINEAGE_COLUMNS } from '../core/ingest/report.ts';
import { type ColumnType, parseColumnType, toGlueType } from '../core/model/column-types.ts';
import type { ColumnMapping } from '../core/model/file-source-schema.ts';
import type { Problem } from '../core/model/problems.ts';
import { PATHS, type Project } from '../core/model/project.ts';

/**
 * Cross-references of file sources: each targets a declared raw table that carries the lineage columns and the
 * ingest_date partition; every mapping reads columns its header declares and writes columns the table has, with
 * casts that can work (date formats, constants); snapshot keys are mapped columns. Problems name the source file
 * and the JSON path inside it.
 */
export function checkFileSources(project: Project): Problem[] {
  const problems: Problem[] = [];
  for (const source of project.fileSources.values()) {
    const file = source.file;
    const report = (at: string, message: string) => problems.push({ file, at, message });

    const table = project.rawTables.get(source.dataset);
    if (table === undefined) {
      report(
        'dataset',
        `no raw table "${source.dataset}": expected it under "tables" in a ${PATHS.rawTables}/<source>.json file`,
      );
      continue;
    }
    const columns = new Map(table.columns.map((c) => [c.name, c]));
    for (const lineage of LINEAGE_COLUMNS) {
      const column = columns.get(lineage.name);
      if (column === undefined || toGlueType(parseColumnType(column.type)) !== lineage.type) {
        report(
          'dataset',
          `raw table "${table.table}" (${table.file}) must have the lineage column ${lineage.name} ${lineage.type}${column ? `, found ${column.type}` : ''}`,
        );
      }
    }
    const partitions = table.partition_columns.map((c) => c.name);
    if (partitions.length !== 1 || partitions[0] !== INGEST_DATE_PARTITION.name) {
      report(
        'dataset',
        `raw table "${table.table}" (${table.file}) must be partitioned by ${INGEST_DATE_PARTITION.name} alone, found [${partitions.join(', ')}]`,
      );
    }
    const lineageNames = new Set(LINEAGE_COLUMNS.map((c) => c.name));
    const targets = table.columns.filter((c) => !lineageNames.has(c.name));
    const targetTypes = new Map(targets.map((c) => [c.name, parseColumnType(c.type)]));

    const versions = new Set<string>();
    const headerSets = new Map<string, string>();
    source.mappings.forEach((version, v) => {
      const at = `mappings[${v}]`;
      if (versions.has(version.version)) report(`${at}.version`, `version "${version.version}" is declared twice`);
      versions.add(version.version);

      const declared = new Map<string, string>();
      for (const [h, name] of version.header.entries()) {
        const normal = normaliseHeaderName(name);
        const where = `${at}.header[${h}]`;
        if (normal === '') report(where, `column name "${name}" has no letters or digits`);
        else if (declared.has(normal))
          report(where, `column "${name}" is the same as "${declared.get(normal)}" once normalised`);
        else declared.set(normal, name);
      }
      for (const [o, name] of version.optional_columns.entries()) {
        if (!version.header.some((h) => normaliseHeaderName(h) === normaliseHeaderName(name))) {
          report(`${at}.optional_columns[${o}]`, `"${name}" is not in this version's header`);
        }
      }
      // Versions read differently (a workbook or text, another header row) tell the same header apart.
      const format = version.format ?? source.format;
      const reading = format === undefined ? '' : `${format.type}, header row ${format.header_row}`;
      const setKey = `${reading}\n${[...declared.keys()].sort().join('\n')}`;
      const same = headerSets.get(setKey);
      if (same !== undefined && !version.allow_extra_columns) {
        report(
          `${at}.header`,
          `same header as version "${same}", read the same way (${reading}): a file could not tell them apart`,
        );
      }
      headerSets.set(setKey, version.version);

      for (const [target, spec] of Object.entries(version.columns)) {
        const where = `${at}.columns.${target}`;
        const type = targetTypes.get(target);
        if (type === undefined) {
          report(
            where,
            lineageNames.has(target)
              ? `"${target}" is a lineage column, written by ingestion itself`
              : `raw table "${table.table}" has no column "${target}" (columns: ${targets.map((c) => c.name).join(', ')})`,
          );
          continue;
        }
        const unusable = castableTypeProblem(type);
        if (unusable !== undefined) {
          report(where, unusable);
          continue;
        }
        problems.push(...mappingProblems(file, where, spec, type, declared));
      }
    });

    source.snapshot?.key.forEach((key, k) => {
      if (!source.mappings.every((version) => version.columns[key] !== undefined)) {
        report(`snapshot.key[${k}]`, `key column "${key}" must be mapped by every mapping version`);
      }
    });
    const fromKey = source.snapshot?.date_from_key;
    if (fromKey) {
      try {
        if (!/\((?!\?)/.test(fromKey.pattern)) throw new SyntaxError('it has no capture group');
        new RegExp(fromKey.pattern, 'u');
      } catch (error) {
        report(
          'snapshot.date_from_key.pattern',
          `expected a regular expression with one capture group: ${message(error)}`,
        );
      }
      try {
        compileDateFormat(fromKey.format);
      } catch (error) {
        report('snapshot.date_from_key.format', message(error));
      }
    }
  }
  return problems;
}

function mappingProblems(
  file: string,
  at: string,
  spec: ColumnMapping,
  type: ColumnType,
  declared: ReadonlyMap<string, string>,
): Problem[] {
  const problems: Problem[] = [];
  const report = (path: string, text: string) => problems.push({ file, at: path, message: text });
  const read = [
    ...(spec.from === undefined ? [] : [[`${at}.from`, spec.from] as const]),
    ...(spec.concat ?? []).map((name, i) => [`${at}.concat[${i}]`, name] as const),
    ...(spec.split === undefined ? [] : [[`${at}.split.from`, spec.split.from] as const]),
  ];
  for (const [path, name] of read) {
    if (!declared.has(normaliseHeaderName(name))) {
      report(
        path,
        `source column "${name}" is not in this version's header (${[...declared.values()].map((n) => `"${n}"`).join(', ')})`,
      );
    }
  }
  const temporal = type.kind === 'primitive' && (type.name === 'date' || type.name === 'timestamp');
  if (spec.format !== undefined) {
    if (!temporal) report(`${at}.format`, 'format only applies to date and timestamp columns');
    else {
      try {
        compileDateFormat(spec.format);
      } catch (error) {
        report(`${at}.format`, message(error));
      }
    }
  }
  for (const [field, value] of [
    ['constant', spec.constant],
    ['default', spec.default],
  ] as const) {
    if (value === undefined) continue;
    const cast = castCell(value, type, { ...DEFAULT_CAST_OPTIONS, format: spec.format });
    if (!cast.ok) report(`${at}.${field}`, `cannot be cast to ${toGlueType(type)}: ${cast.reason}`);
  }
  return problems;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
