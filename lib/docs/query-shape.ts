/**
 * The shape of a query as column lineage needs it, the same for both dialects: each SELECT's output columns with the
 * column references they are computed from, and the relations (tables, CTEs, subqueries) those references name.
 * The Trino grammar fills it (`trino-shape.ts`), for transforms and the procedures' INSERTs alike; `traceInsertColumn`
 * follows a column back through CTEs, subqueries and intermediate tables (temporary tables a procedure fills) to the
 * tables where lineage stops.
 */

/** A column reference as written, lower-cased and unquoted: `["s", "event_id"]`, `["user", "user_id"]`. */
export type ColumnPath = readonly string[];

export type RelationSource =
  | { readonly kind: 'table'; readonly name: readonly string[] }
  | { readonly kind: 'query'; readonly query: QueryShape };

export interface SelectItemShape {
  /** The output column's name: its alias, or the last part of a plain column reference; undefined for `1 + x`. */
  readonly name?: string;
  readonly refs: readonly ColumnPath[];
  /** `*` (every relation) or `t.*` (the relation `t`). */
  readonly star?: { readonly relation?: string };
}

export interface SelectShape {
  readonly items: readonly SelectItemShape[];
  /** By alias, or by the table's own name when it has none. */
  readonly relations: ReadonlyMap<string, RelationSource>;
}

export interface QueryShape {
  readonly ctes: ReadonlyMap<string, QueryShape>;
  /** One per SELECT of a UNION (ALL); one for a plain query. */
  readonly branches: readonly SelectShape[];
}

export interface InsertShape {
  /** Lower-cased name parts of the target: `[schema, table]` or `[table]`. */
  readonly target: readonly string[];
  readonly columns?: readonly string[];
  readonly query: QueryShape;
}

/** Where a traced column comes from: a column (or field inside one, `user.user_id`) of a table lineage stops at. */
export interface ColumnOrigin {
  readonly table: readonly string[];
  readonly column: string;
}

/** What the tracer knows of tables beyond the query: where lineage stops, and how intermediate tables were filled. */
export interface TableCatalog {
  /** Whether lineage stops at the table (raw, stage, reporting) rather than following what fills it. */
  stopsAt(name: readonly string[]): boolean;
  /** Columns of a table, when known: to tell which relation an unqualified column belongs to. */
  columnsOf(name: readonly string[]): readonly string[] | undefined;
  /** The inserts that fill an intermediate table (a procedure's temporary table). */
  insertsInto(name: readonly string[]): readonly InsertShape[];
}

const MAX_DEPTH = 40;

/** The origins of an insert's target column (by its place in the column list, or by name when there is none). */
export function traceInsertColumn(insert: InsertShape, column: string, catalog: TableCatalog): ColumnOrigin[] {
  return dedupe(traceInsert(insert, column, catalog, new Map(), 0, new Set()));
}

function traceInsert(
  insert: InsertShape,
  column: string,
  catalog: TableCatalog,
  ctes: ReadonlyMap<string, QueryShape>,
  depth: number,
  visiting: Set<string>,
): ColumnOrigin[] {
  const position = insert.columns?.indexOf(column);
  if (insert.columns && (position === undefined || position < 0)) return [];
  return traceQuery(
    insert.query,
    position === undefined ? { name: column } : { position },
    catalog,
    ctes,
    depth,
    visiting,
  );
}

type OutputColumn = { readonly position: number } | { readonly name: string };

function traceQuery(
  query: QueryShape,
  output: OutputColumn,
  catalog: TableCatalog,
  outer: ReadonlyMap<string, QueryShape>,
  depth: number,
  visiting: Set<string>,
): ColumnOrigin[] {
  if (depth > MAX_DEPTH) return [];
  const ctes = new Map([...outer, ...query.ctes]);
  return query.branches.flatMap((branch) => {
    if ('position' in output) {
      const item = branch.items[output.position];
      return item ? traceItem(item, branch, catalog, ctes, depth, visiting) : [];
    }
    const item = branch.items.find((i) => i.name === output.name);
    if (item) return traceItem(item, branch, catalog, ctes, depth, visiting);
    // Not named: it may come through a `*`.
    return branch.items
      .filter((i) => i.star)
      .flatMap((i) => {
        const relations = i.star?.relation
          ? [branch.relations.get(i.star.relation)].filter((r) => r !== undefined)
          : [...branch.relations.values()];
        return relations.flatMap((r) => traceRelation(r, [output.name], catalog, ctes, depth, visiting));
      });
  });
}

function traceItem(
  item: SelectItemShape,
  branch: SelectShape,
  catalog: TableCatalog,
  ctes: ReadonlyMap<string, QueryShape>,
  depth: number,
  visiting: Set<string>,
): ColumnOrigin[] {
  return item.refs.flatMap((ref) => traceRef(ref, branch, catalog, ctes, depth, visiting));
}

function traceRef(
  ref: ColumnPath,
  branch: SelectShape,
  catalog: TableCatalog,
  ctes: ReadonlyMap<string, QueryShape>,
  depth: number,
  visiting: Set<string>,
): ColumnOrigin[] {
  const [first, ...rest] = ref;
  if (first === undefined) return [];
  const qualified = rest.length > 0 ? branch.relations.get(first) : undefined;
  if (qualified) return traceRelation(qualified, rest, catalog, ctes, depth, visiting);
  const relations = [...branch.relations.values()];
  const only = relations.length === 1 ? relations[0] : undefined;
  if (only) return traceRelation(only, ref, catalog, ctes, depth, visiting);
  // Unqualified with several relations: the one(s) known to have the column. A name none has is a variable or literal.
  return relations
    .filter((relation) => outputNames(relation, catalog, ctes)?.includes(first))
    .flatMap((relation) => traceRelation(relation, ref, catalog, ctes, depth, visiting));
}

function traceRelation(
  relation: RelationSource,
  path: ColumnPath,
  catalog: TableCatalog,
  ctes: ReadonlyMap<string, QueryShape>,
  depth: number,
  visiting: Set<string>,
): ColumnOrigin[] {
  const [column, ...fields] = path;
  if (column === undefined) return [];
  const within = (origins: ColumnOrigin[]) =>
    fields.length === 0 ? origins : origins.map((o) => ({ ...o, column: [o.column, ...fields].join('.') }));
  if (relation.kind === 'query') {
    return within(traceQuery(relation.query, { name: column }, catalog, ctes, depth + 1, visiting));
  }
  const { name } = relation;
  const cte = name.length === 1 ? ctes.get(name[0] ?? '') : undefined;
  if (cte) return within(traceQuery(cte, { name: column }, catalog, ctes, depth + 1, visiting));
  if (catalog.stopsAt(name)) return [{ table: name, column: path.join('.') }];
  const key = `${name.join('.')}.${column}`;
  if (visiting.has(key)) return [];
  visiting.add(key);
  const origins = catalog
    .insertsInto(name)
    .flatMap((insert) => traceInsert(insert, column, catalog, new Map(), depth + 1, visiting));
  visiting.delete(key);
  return within(origins);
}

function outputNames(
  relation: RelationSource,
  catalog: TableCatalog,
  ctes: ReadonlyMap<string, QueryShape>,
): readonly string[] | undefined {
  const query =
    relation.kind === 'query'
      ? relation.query
      : relation.name.length === 1
        ? ctes.get(relation.name[0] ?? '')
        : undefined;
  if (query) return query.branches[0]?.items.flatMap((i) => (i.name ? [i.name] : []));
  if (relation.kind !== 'table') return undefined;
  return (
    catalog.columnsOf(relation.name) ?? catalog.insertsInto(relation.name).flatMap((insert) => insert.columns ?? [])
  );
}

function dedupe(origins: readonly ColumnOrigin[]): ColumnOrigin[] {
  const seen = new Map<string, ColumnOrigin>();
  for (const origin of origins) seen.set(`${origin.table.join('.')}\u0000${origin.column}`, origin);
  return [...seen.values()];
}
