import { connectorConfig } from '../core/connectors/connector-config.ts';
import type { ApiSource } from '../core/model/api-source-schema.ts';
import type { Problem } from '../core/model/problems.ts';
import { PATHS, type Project } from '../core/model/project.ts';

/**
 * The Lambda receives its source's config in one environment variable, and Lambda allows 4 KB for all of them;
 * this leaves room for the others.
 */
export const MAX_CONNECTOR_CONFIG_BYTES = 3500;

/**
 * Cross-references of API sources: every endpoint lands in a raw table of the same source that can hold its records,
 * parents exist and form no cycle, every path placeholder is bound by the parent and every binding is used.
 */
export function checkApiSources(project: Project): Problem[] {
  const problems: Problem[] = [];
  for (const source of project.apiSources.values()) problems.push(...checkSource(project, source));
  return problems;
}

function checkSource(project: Project, source: ApiSource & { readonly file: string }): Problem[] {
  const problems: Problem[] = [];
  const { file } = source;
  const byName = new Map<string, number>();
  source.endpoints.forEach((endpoint, index) => {
    if (byName.has(endpoint.name)) {
      problems.push({ file, at: `endpoints[${index}].name`, message: `endpoint "${endpoint.name}" is declared twice` });
    }
    byName.set(endpoint.name, index);
  });

  source.endpoints.forEach((endpoint, index) => {
    const at = `endpoints[${index}]`;
    const raw = project.rawTables.get(endpoint.raw_table);
    if (!raw) {
      problems.push({
        file,
        at: `${at}.raw_table`,
        message: `raw table "${endpoint.raw_table}" is not declared: add it under "tables" in ${PATHS.rawTables}/${source.source}.json`,
      });
    } else {
      if (raw.source !== source.source) {
        problems.push({
          file,
          at: `${at}.raw_table`,
          message: `raw table "${endpoint.raw_table}" belongs to source "${raw.source}" (${raw.file}); expected a table of "${source.source}"`,
        });
      }
      if (!raw.columns.some((column) => column.name === 'record')) {
        problems.push({
          file,
          at: `${at}.raw_table`,
          message: `raw table "${endpoint.raw_table}" (${raw.file}) has no "record" column: pulled pages store each API record under "record"`,
        });
      }
    }

    const placeholders = [...endpoint.path.matchAll(/\{([^}]*)\}/g)].map((match) => match[1] ?? '');
    const bound = Object.keys(endpoint.parent?.params ?? {});
    for (const name of placeholders) {
      if (!bound.includes(name)) {
        problems.push({
          file,
          at: `${at}.path`,
          message: endpoint.parent
            ? `placeholder {${name}} is not bound: expected it in parent.params`
            : `placeholder {${name}} needs a parent endpoint whose records give its value (parent.params)`,
        });
      }
    }
    for (const name of bound) {
      if (!placeholders.includes(name)) {
        problems.push({
          file,
          at: `${at}.parent.params.${name}`,
          message: `"${name}" is not used: expected {${name}} in the path "${endpoint.path}"`,
        });
      }
    }

    if (endpoint.parent) {
      if (!byName.has(endpoint.parent.endpoint)) {
        problems.push({
          file,
          at: `${at}.parent.endpoint`,
          message: `no endpoint "${endpoint.parent.endpoint}" in this source (expected one of ${[...byName.keys()].join(', ')})`,
        });
      } else if (ancestorsLoop(source, endpoint.name)) {
        problems.push({
          file,
          at: `${at}.parent.endpoint`,
          message: `endpoint "${endpoint.name}" is its own ancestor: parents must form a tree`,
        });
      }
    }
  });

  if (!source.endpoints.some((endpoint) => !endpoint.parent)) {
    problems.push({ file, at: 'endpoints', message: 'expected at least one endpoint without a parent to start from' });
  }
  if (source.auth.type === 'basic' && source.auth.username === source.auth.password) {
    problems.push({ file, at: 'auth.password', message: 'expected a credential name other than the username' });
  }

  const bytes = Buffer.byteLength(JSON.stringify(connectorConfig(project, source.source)));
  if (bytes > MAX_CONNECTOR_CONFIG_BYTES) {
    problems.push({
      file,
      message: `the config is ${bytes} bytes as JSON; its Lambda receives it in an environment variable, which allows ${MAX_CONNECTOR_CONFIG_BYTES} (drop descriptions or split the source)`,
    });
  }
  return problems;
}

function ancestorsLoop(source: ApiSource, start: string): boolean {
  const parents = new Map(source.endpoints.map((e) => [e.name, e.parent?.endpoint]));
  const seen = new Set<string>([start]);
  let current = parents.get(start);
  while (current !== undefined) {
    if (seen.has(current)) return true;
    seen.add(current);
    current = parents.get(current);
  }
  return false;
}
