import type { ParseTree } from 'antlr4ng';
import {
  AliasedRelationContext,
  ColumnRefContext,
  ColumnReferenceContext,
  DereferenceContext,
  IdentifierContext,
  InsertIntoContext,
  QualifiedNameContext,
  QuerySpecificationContext,
  QueryStatementContext,
  SelectAllWithoutTableContext,
  type SelectItemContext,
  SubqueryRelationContext,
  TableAllColumnsContext,
  TableNameContext,
  WithContext,
} from 'dt-sql-parser/dist/lib/trino/TrinoSqlParser.js';
import { TrinoSQL } from 'dt-sql-parser/dist/parser/trino/index.js';
import { unquote } from '../core/sql/identifiers.ts';
import { find, parseProgram, walk } from './parse-tree.ts';
import type {
  ColumnPath,
  InsertShape,
  QueryShape,
  RelationSource,
  SelectItemShape,
  SelectShape,
} from './query-shape.ts';

/**
 * A transform (`athena-scripts/dml/insert_into/<event>.sql`, rendered and bound so it parses) read with the Trino
 * grammar `dap check` parses it with (dt-sql-parser), as a query shape for column lineage. Undefined when the text is
 * not one INSERT INTO.
 */
let parser: TrinoSQL | undefined;

/** One pass in SLL mode; undefined on a syntax error (`dap check` reports those). */
function parse(sql: string): ParseTree | undefined {
  parser ??= new TrinoSQL();
  return parseProgram(parser, sql);
}

export function trinoInsertShape(sql: string): InsertShape | undefined {
  const tree = parse(sql);
  const insert = tree ? find(tree, InsertIntoContext) : undefined;
  if (!insert) return undefined;
  const target = insert
    .tableRef()
    .identifier()
    .map((id) => unquote(id.getText()));
  const columns = insert
    .columnList()
    ?.columnRef()
    .map((ref) => unquote(ref.getText()));
  const statement = find(insert.rootQuery(), QueryStatementContext);
  if (!statement) return undefined;
  const query = queryShape(statement);
  return columns ? { target, columns, query } : { target, query };
}

function queryShape(statement: QueryStatementContext): QueryShape {
  const ctes = new Map<string, QueryShape>();
  const withClause = statement.with();
  for (const named of withClause?.namedQuery() ?? []) {
    const inner = find(named.query(), QueryStatementContext);
    if (inner) ctes.set(unquote(named.identifier().getText()), queryShape(inner));
  }
  const branches: SelectShape[] = [];
  walk(statement.queryNoWith(), (node) => {
    if (node instanceof QuerySpecificationContext) {
      branches.push(selectShape(node));
      return false;
    }
    return !(node instanceof QueryStatementContext || node instanceof WithContext);
  });
  return { ctes, branches };
}

function selectShape(spec: QuerySpecificationContext): SelectShape {
  const items = spec
    .selectList()
    .selectItem()
    .map((item) => itemShape(item));
  const relations = new Map<string, RelationSource>();
  for (const relation of spec.relation()) {
    walk(relation, (node) => {
      if (!(node instanceof AliasedRelationContext)) return !(node instanceof QueryStatementContext);
      const primary = node.relationPrimary();
      const alias = node.identifier();
      if (primary instanceof TableNameContext) {
        const name = identifiersOf(primary);
        relations.set(alias ? unquote(alias.getText()) : (name[name.length - 1] ?? ''), { kind: 'table', name });
      } else {
        const subquery = find(primary, SubqueryRelationContext);
        const inner = subquery ? find(subquery, QueryStatementContext) : undefined;
        if (inner && alias) relations.set(unquote(alias.getText()), { kind: 'query', query: queryShape(inner) });
      }
      return false;
    });
  }
  return { items, relations };
}

function itemShape(item: SelectItemContext): SelectItemShape {
  if (item.selectAllWithoutTable() instanceof SelectAllWithoutTableContext) return { refs: [], star: {} };
  const all = item.tableAllColumns();
  if (all instanceof TableAllColumnsContext)
    return { refs: [], star: { relation: unquote(all.primaryExpression().getText()) } };
  const refs = columnRefs(item);
  const alias = item.identifier();
  const literal = item.selectLiteralColumnName();
  const name = alias ? unquote(alias.getText()) : literal ? refs[0]?.[refs[0].length - 1] : undefined;
  return name === undefined ? { refs } : { name, refs };
}

/** The column references under a node (not inside a nested query): `a.b.c` once as a whole, not also as `a.b`. */
function columnRefs(node: ParseTree): ColumnPath[] {
  const refs: ColumnPath[] = [];
  walk(node, (child) => {
    if (child instanceof QueryStatementContext) return false;
    if (child instanceof DereferenceContext) {
      const path = dereferencePath(child);
      if (path) {
        refs.push(path);
        return false;
      }
      return true;
    }
    if (child instanceof ColumnReferenceContext || child instanceof ColumnRefContext) {
      refs.push(identifiersOf(child));
      return false;
    }
    return true;
  });
  return refs;
}

function dereferencePath(node: DereferenceContext): ColumnPath | undefined {
  const base = node.primaryExpression();
  const field = unquote(node.identifier().getText());
  if (base instanceof ColumnReferenceContext) return [...identifiersOf(base), field];
  if (base instanceof DereferenceContext) {
    const path = dereferencePath(base);
    return path ? [...path, field] : undefined;
  }
  return undefined;
}

function identifiersOf(node: ParseTree): string[] {
  const name = find(node, QualifiedNameContext);
  const holder: ParseTree = name ?? node;
  const ids: string[] = [];
  walk(holder, (child) => {
    if (child instanceof IdentifierContext) {
      ids.push(unquote(child.getText()));
      return false;
    }
    return true;
  });
  return ids;
}
