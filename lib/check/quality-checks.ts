import { TrinoSqlLexer } from 'dt-sql-parser/dist/lib/trino/TrinoSqlLexer.js';
import { TrinoSQL } from 'dt-sql-parser/dist/parser/trino/index.js';
import { parseColumnType, toGlueType } from '../core/model/column-types.ts';
import type { Problem } from '../core/model/problems.ts';
import type { Project, StageTableDef } from '../core/model/project.ts';
import { type QualityCheck, type QualityCheckOf, qualityCheckName } from '../core/model/quality-schema.ts';
import { analyzeSql } from '../core/sql/trino-analysis.ts';
import { findPortabilityIssues } from './trino-portability.ts';

/**
 * `dap check` for the data-quality checks declared on stage tables: every column a check names exists, relationship
 * targets exist with the same type, reconciled events belong to the family and have raw tables partitioned by
 * year/month/day, check names are unique per table, and each custom expression is one Trino expression over the
 * table's own columns. Each problem names the stage table file and the path of the check inside it.
 */
export function checkQualityDeclarations(project: Project): Problem[] {
  const problems: Problem[] = [];
  for (const table of project.stageTables.values()) {
    const names = new Map<string, number>();
    table.checks.forEach((check, index) => {
      const report = (path: string, message: string) =>
        problems.push({ file: table.file, at: `checks[${index}]${path}`, message });
      const name = qualityCheckName(check);
      const first = names.get(name);
      if (first !== undefined) {
        report('.name', `check name "${name}" is also used by checks[${first}]; give one of them a "name"`);
      } else {
        names.set(name, index);
      }
      checkOne(project, table, check, report);
    });
  }
  return problems;
}

type Report = (path: string, message: string) => void;

function checkOne(project: Project, table: StageTableDef, check: QualityCheck, report: Report): void {
  const columns = columnTypes(allColumns(table));
  const requireColumn = (path: string, column: string) => {
    if (!columns.has(column)) report(path, `stage table ${table.table} has no column "${column}"`);
  };
  const requireColumns = (path: string, list: readonly string[] | undefined) => {
    list?.forEach((column, index) => {
      requireColumn(`${path}[${index}]`, column);
    });
  };
  switch (check.type) {
    case 'not_null':
      requireColumns('.columns', check.columns);
      requireColumns('.sample_key', check.sample_key);
      return;
    case 'unique':
      requireColumns('.columns', check.columns);
      return;
    case 'accepted_values':
      requireColumn('.column', check.column);
      requireColumns('.sample_key', check.sample_key);
      if (check.values_from === 'family_events' && !project.familyEvents.has(table.product_family))
        report('.values_from', `family "${table.product_family}" has no event list to take the values from`);
      return;
    case 'relationships':
      requireColumn('.column', check.column);
      requireColumns('.sample_key', check.sample_key);
      checkRelationshipTarget(project, table, check, report);
      return;
    case 'row_count_reconciliation':
      checkReconciliation(project, table, check, report);
      return;
    case 'freshness': {
      requireColumn('.column', check.column);
      const type = columns.get(check.column);
      if (type !== undefined && type !== 'date' && type !== 'timestamp') {
        report('.column', `freshness needs a date or timestamp column, but "${check.column}" is ${type}`);
      }
      return;
    }
    case 'expression':
      requireColumns('.sample_key', check.sample_key);
      for (const message of expressionProblems(check.expression, columns)) report('.expression', message);
      return;
  }
}

/** Column name to its Glue type text (`string`, `timestamp`, `struct<...>`); types `dap check` validates elsewhere. */
function columnTypes(table: { readonly columns: readonly { name: string; type: string }[] }): Map<string, string> {
  const types = new Map<string, string>();
  for (const column of table.columns) {
    try {
      types.set(column.name, toGlueType(parseColumnType(column.type)));
    } catch {
      // An unparseable type is reported by the loader; the column still exists for these checks.
      types.set(column.name, column.type);
    }
  }
  return types;
}

function allColumns(table: StageTableDef) {
  return { columns: [...table.columns, ...table.partition_columns] };
}

function checkRelationshipTarget(
  project: Project,
  table: StageTableDef,
  check: QualityCheckOf<'relationships'>,
  report: Report,
): void {
  const target = [...project.stageTables.values()].find((candidate) => candidate.table === check.to.table);
  if (!target) {
    const known = [...project.stageTables.values()].map((candidate) => candidate.table).join(', ');
    report('.to.table', `no stage table "${check.to.table}" (known: ${known})`);
    return;
  }
  const targetType = columnTypes(allColumns(target)).get(check.to.column);
  if (targetType === undefined) {
    report('.to.column', `stage table ${target.table} (${target.file}) has no column "${check.to.column}"`);
    return;
  }
  const ownType = columnTypes(allColumns(table)).get(check.column);
  if (ownType !== undefined && ownType !== targetType) {
    report(
      '.to.column',
      `"${check.column}" is ${ownType} but ${target.table}.${check.to.column} is ${targetType}: they cannot be compared`,
    );
  }
}

function checkReconciliation(
  project: Project,
  table: StageTableDef,
  check: QualityCheckOf<'row_count_reconciliation'>,
  report: Report,
): void {
  const columns = columnTypes(allColumns(table));
  if (!columns.has(check.key)) report('.key', `stage table ${table.table} has no column "${check.key}"`);
  if (!columns.has('event_name')) {
    report(
      '',
      `row_count_reconciliation needs an "event_name" column in stage table ${table.table} to tell events apart`,
    );
  }
  const familyEvents = project.familyEvents.get(table.product_family)?.events ?? [];
  const events = check.events ?? familyEvents.filter((event) => event.enabled).map((event) => event.event_name);
  const rawKey = check.raw_key ?? check.key;
  events.forEach((event, index) => {
    const path = check.events === undefined ? '' : `.events[${index}]`;
    if (check.events !== undefined && !familyEvents.some((listed) => listed.event_name === event)) {
      report(path, `event "${event}" is not an event of family "${table.product_family}"`);
      return;
    }
    const raw = project.rawTables.get(event);
    if (!raw) {
      report(path, `event "${event}" has no raw table to reconcile with`);
      return;
    }
    const rawColumns = columnTypes({ columns: [...raw.columns, ...raw.partition_columns] });
    if (!rawColumns.has(rawKey)) {
      report(
        check.raw_key === undefined ? '.key' : '.raw_key',
        `raw table ${event} (${raw.file}) has no column "${rawKey}"`,
      );
    }
    const partitions = raw.partition_columns.map((column) => column.name);
    if (!['year', 'month', 'day'].every((name) => partitions.includes(name))) {
      report(
        path,
        `raw table ${event} (${raw.file}) is not partitioned by year, month and day, so its window cannot be read`,
      );
    }
  });
}

// ---------------------------------------------------------------- custom expressions

let parser: TrinoSQL | undefined;

const COLUMN_TOKENS = new Set([
  TrinoSqlLexer.IDENTIFIER,
  TrinoSqlLexer.QUOTED_IDENTIFIER,
  TrinoSqlLexer.BACKQUOTED_IDENTIFIER,
  TrinoSqlLexer.DIGIT_IDENTIFIER,
]);
const COMMENT_TOKENS = new Set([TrinoSqlLexer.LINE_COMMENT, TrinoSqlLexer.BRACKETED_COMMENT]);
const HIDDEN_CHANNEL = 1;

/**
 * Why an expression cannot be spliced into `select ... where not (<expression>)`: it must be one expression (balanced
 * parentheses, no statement separator, no comment that could hide the closing parenthesis), read only this row (no
 * subquery, no parameter), name only the table's columns, parse as Trino, and run the same way on the local engine.
 */
export function expressionProblems(expression: string, columns: ReadonlyMap<string, string>): string[] {
  parser ??= new TrinoSQL();
  const problems: string[] = [];
  const tokens = parser
    .getAllTokens(expression)
    .map((token) => ({ type: token.type, channel: token.channel, text: token.text ?? '' }));
  const significant = tokens.filter((token) => token.channel !== HIDDEN_CHANNEL && !COMMENT_TOKENS.has(token.type));
  if (tokens.some((token) => COMMENT_TOKENS.has(token.type) || token.text.startsWith('--'))) {
    problems.push('expected no comments in the expression');
  }
  let depth = 0;
  for (const token of significant) {
    if (token.text === '(') depth++;
    if (token.text === ')') depth--;
    if (depth < 0) break;
  }
  if (depth !== 0) problems.push('expected balanced parentheses: the expression must be one expression');
  if (significant.some((token) => token.type === TrinoSqlLexer.SEMICOLON)) {
    problems.push('expected one expression, not statements separated by ";"');
  }
  if (significant.some((token) => token.type === TrinoSqlLexer.KW_SELECT)) {
    problems.push('expected an expression over the row, not a subquery');
  }
  if (significant.some((token) => token.type === TrinoSqlLexer.QUESTION_MARK)) {
    problems.push('expected no "?" parameter: nothing is bound to it');
  }
  if (problems.length > 0) return problems;

  const lambdaParameters = new Set(
    significant
      .filter((token, index) => COLUMN_TOKENS.has(token.type) && significant[index + 1]?.text === '->')
      .map((token) => identifierName(token.text)),
  );
  const unknown = new Set<string>();
  significant.forEach((token, index) => {
    if (!COLUMN_TOKENS.has(token.type)) return;
    const next = significant[index + 1];
    const previous = significant[index - 1];
    const isCall = next?.text === '(';
    const isField = previous?.text === '.';
    // The word after AS in cast(x as varchar) is a type, not a column.
    const isType = previous?.type === TrinoSqlLexer.KW_AS;
    const name = identifierName(token.text);
    if (isCall || isField || isType || lambdaParameters.has(name) || columns.has(name)) return;
    unknown.add(name);
  });
  for (const name of unknown)
    problems.push(`unknown column "${name}" (expected one of ${[...columns.keys()].join(', ')})`);

  const wrapped = `select 1 from checked_table where not (${expression})`;
  const analysis = analyzeSql(wrapped);
  if (analysis.syntaxErrors.length === 0) problems.push(...whitelistProblems(wrapped));
  const offset = 'select 1 from checked_table where not ('.length;
  // The parser's first error is the one that explains; those after it are recovery noise.
  for (const error of analysis.syntaxErrors.slice(0, 1)) {
    const column = error.line === 1 ? Math.max(1, error.column - offset) : error.column;
    problems.push(`does not parse as a Trino expression (line ${error.line}, column ${column}): ${error.message}`);
  }
  if (analysis.syntaxErrors.length === 0) {
    for (const issue of findPortabilityIssues(wrapped)) {
      problems.push(`${issue.construct} cannot run with Athena's semantics on the local engine: ${issue.message}`);
    }
  }
  return problems;
}

/** The parse-tree nodes an expression may be made of: columns, literals, operators, CASE, CAST, calls and lambdas. */
const ALLOWED_NODES = new Set(
  [
    'WhereClause',
    'LogicalNot',
    'ParenthesizedExpression',
    'And',
    'Or',
    'Predicated',
    'ValueExpressionDefault',
    'Comparison',
    'ComparisonOperator',
    'ArithmeticBinary',
    'ArithmeticUnary',
    'Concatenation',
    'ColumnReference',
    'ColumnName',
    'QualifiedName',
    'Dereference',
    'UnquotedIdentifier',
    'QuotedIdentifier',
    'BackQuotedIdentifier',
    'DigitIdentifier',
    'NonReserved',
    'NumericLiteral',
    'IntegerLiteral',
    'DecimalLiteral',
    'DoubleLiteral',
    'StringLiteral',
    'BasicStringLiteral',
    'UnicodeStringLiteral',
    'BooleanLiteral',
    'BooleanValue',
    'NullLiteral',
    'TypeConstructor',
    'IntervalLiteral',
    'Interval',
    'IntervalField',
    'FunctionCall',
    'FunctionName',
    'InList',
    'Between',
    'Like',
    'NullPredicate',
    'DistinctFrom',
    'SearchedCase',
    'SimpleCase',
    'WhenClause',
    'Cast',
    'GenericType',
    'TypeParameter',
    'RowType',
    'RowField',
    'ArrayType',
    'LegacyArrayType',
    'LegacyMapType',
    'Lambda',
    'Subscript',
    'ArrayConstructor',
    'Expression',
    'CurrentTimestamp',
    'CurrentDate',
    'CurrentTime',
    'Localtimestamp',
    'Localtime',
    'Extract',
    'Trim',
    'Substring',
    'Position',
    'DateTimeType',
    'DoublePrecisionType',
    'IfExpression',
  ].map((kind) => `${kind}Context`),
);

/** How a refused node reads in a message: its keyword, where it has one. */
const NODE_KEYWORDS: Readonly<Record<string, string>> = {
  ExistsContext: 'EXISTS',
  TableContext: 'TABLE',
  InlineTableContext: 'VALUES',
  CurrentUserContext: 'CURRENT_USER',
  CurrentRoleContext: 'CURRENT_ROLE',
  CurrentCatalogContext: 'CURRENT_CATALOG',
  CurrentSchemaContext: 'CURRENT_SCHEMA',
  SubqueryExpressionContext: 'a subquery',
  JsonQueryContext: 'JSON_QUERY',
};

/**
 * Functions a check may call: row-level, deterministic, Athena and the local engine agreeing on them. A function
 * outside the list (a table function, a session or system function, one not ported) is refused by name.
 */
const ALLOWED_FUNCTIONS = new Set([
  'abs',
  'all_match',
  'any_match',
  'array_join',
  'cardinality',
  'ceil',
  'ceiling',
  'coalesce',
  'concat',
  'contains',
  'date',
  'date_add',
  'date_diff',
  'date_format',
  'date_parse',
  'date_trunc',
  'day',
  'day_of_week',
  'element_at',
  'floor',
  'format_datetime',
  'from_iso8601_date',
  'from_iso8601_timestamp',
  'from_unixtime',
  'greatest',
  'hour',
  'if',
  'is_finite',
  'is_nan',
  'json_extract_scalar',
  'least',
  'length',
  'lower',
  'lpad',
  'ltrim',
  'minute',
  'mod',
  'month',
  'none_match',
  'nullif',
  'power',
  'regexp_extract',
  'regexp_like',
  'replace',
  'reverse',
  'round',
  'rpad',
  'rtrim',
  'second',
  'sign',
  'split_part',
  'sqrt',
  'starts_with',
  'strpos',
  'substr',
  'to_iso8601',
  'to_unixtime',
  'trim',
  'try',
  'upper',
  'year',
]);

/** What the parse tree of the spliced expression holds beyond the allowed nodes and functions. */
function whitelistProblems(wrapped: string): string[] {
  parser ??= new TrinoSQL();
  type Node = { constructor: { name: string }; children?: Node[]; getText(): string };
  const where = findNode(parser.parse(wrapped) as unknown as Node, 'WhereClauseContext');
  if (!where) return [];
  const refused = new Set<string>();
  const functions = new Set<string>();
  const walk = (node: Node) => {
    if (!node.children) return;
    const kind = node.constructor.name;
    if (!ALLOWED_NODES.has(kind)) refused.add(kind);
    if (kind === 'FunctionNameContext') {
      const name = node.getText().toLowerCase();
      if (!ALLOWED_FUNCTIONS.has(name)) functions.add(name);
    }
    for (const child of node.children) walk(child);
  };
  walk(where);
  const named = [...refused].map((kind) => NODE_KEYWORDS[kind]).filter((name) => name !== undefined);
  const shown = named.length > 0 ? named : [...refused].map((kind) => kind.replace(/Context$/, ''));
  return [
    ...shown.map((name) => `expected only columns, literals, operators and functions: ${name} is not allowed`),
    ...[...functions].map((name) => `function ${name} is not one a check may call (allowed: see the README)`),
  ];

  function findNode(node: Node, kind: string): Node | undefined {
    if (node.constructor.name === kind) return node;
    for (const child of node.children ?? []) {
      const found = findNode(child, kind);
      if (found) return found;
    }
    return undefined;
  }
}

function identifierName(text: string): string {
  if (text.startsWith('"') || text.startsWith('`'))
    return text.slice(1, -1).replaceAll(text.slice(0, 1).repeat(2), text.slice(0, 1));
  return text.toLowerCase();
}

/** Column name to type for `expressionProblems`, from a stage table. */
export function stageColumnTypes(table: StageTableDef): ReadonlyMap<string, string> {
  return columnTypes(allColumns(table));
}
