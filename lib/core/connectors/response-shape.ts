import { z } from 'zod';
import type { ApiEndpoint, ApiPagination } from '../model/api-source-schema.ts';
import { jsonPath } from '../model/problems.ts';
import { valueAt } from './json-path.ts';

/**
 * The shape a page must have, as a zod schema built from the endpoint's config: the records array where `records`
 * says, each record carrying its required fields (and the fields child endpoints read), and the pagination fields
 * of its style with the right types. Anything else in the body is kept and not checked.
 */

type Tree = { [key: string]: Tree | z.ZodType };

const present = z.custom<unknown>((value) => value !== undefined && value !== null, { error: 'expected a value' });

function place(tree: Tree, path: string, leaf: z.ZodType): void {
  const keys = path.split('.');
  let node = tree;
  keys.forEach((key, index) => {
    if (index === keys.length - 1) {
      node[key] = leaf;
      return;
    }
    const child = node[key];
    if (child === undefined || child instanceof z.ZodType) node[key] = {};
    node = node[key] as Tree;
  });
}

function toSchema(tree: Tree): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, child] of Object.entries(tree)) shape[key] = child instanceof z.ZodType ? child : toSchema(child);
  return z.looseObject(shape);
}

function paginationFields(pagination: ApiPagination): [string, z.ZodType][] {
  switch (pagination.style) {
    case 'continuation':
      return [
        [pagination.has_more, z.boolean({ error: 'expected true or false' })],
        [pagination.token, z.string().nullable().optional()],
      ];
    case 'next_link':
      return pagination.link_header ? [] : [[pagination.next ?? 'next', z.string().nullable().optional()]];
    case 'cursor':
      return [
        [pagination.cursor, z.union([z.string(), z.number()]).nullable().optional()],
        ...(pagination.has_more === undefined
          ? []
          : [[pagination.has_more, z.boolean({ error: 'expected true or false' })] as [string, z.ZodType]]),
      ];
    default:
      return [];
  }
}

export function pageSchema(endpoint: ApiEndpoint, extraRecordFields: readonly string[] = []): z.ZodType {
  const record: Tree = {};
  for (const field of new Set([...endpoint.required_fields, ...extraRecordFields])) place(record, field, present);
  const records = z.array(toSchema(record), { error: 'expected an array of records' });
  if (endpoint.records === '$') return records;
  const page: Tree = {};
  place(page, endpoint.records, records);
  for (const [path, leaf] of paginationFields(endpoint.pagination)) place(page, path, leaf);
  return toSchema(page);
}

/** The page's records, or the issues that make the body unusable, each as `path: what was expected`. */
export function readPage(
  schema: z.ZodType,
  endpoint: ApiEndpoint,
  body: unknown,
): { ok: true; records: Record<string, unknown>[] } | { ok: false; issues: string[] } {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => `${jsonPath(issue.path)}: ${issueText(issue)}`);
    if (parsed.error.issues.length > 5) issues.push(`and ${parsed.error.issues.length - 5} more`);
    return { ok: false, issues };
  }
  return { ok: true, records: valueAt(body, endpoint.records) as Record<string, unknown>[] };
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return `missing (expected ${issue.expected})`;
  }
  return issue.message.replace(/^Invalid input: /, '');
}
