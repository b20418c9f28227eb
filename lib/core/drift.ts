import { type ColumnType, type PrimitiveName, parseColumnType, toGlueType } from './model/column-types.ts';
import type { Column } from './model/schemas.ts';

/**
 * Schema drift of a raw table: how the columns its files actually hold (as a crawler or DuckDB infers them) differ
 * from the columns declared in `athena-scripts/raw_tables`. Pure: the caller brings the inferred schema.
 */

/** An inferred type, shaped like `ColumnType`, with `unknown` where inference cannot tell (a field always null). */
export type ObservedType =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'primitive'; readonly name: PrimitiveName }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'array'; readonly element: ObservedType }
  | { readonly kind: 'map'; readonly key: ObservedType; readonly value: ObservedType }
  | { readonly kind: 'struct'; readonly fields: readonly ObservedColumn[] };

export interface ObservedColumn {
  readonly name: string;
  readonly type: ObservedType;
}

/** One difference, at a column or at a field inside one (`record.venue.id`, `record.attendees[].status`). */
export type DriftChange =
  | { readonly change: 'added'; readonly path: string; readonly observed: string }
  | { readonly change: 'removed'; readonly path: string; readonly declared: string }
  | { readonly change: 'retyped'; readonly path: string; readonly declared: string; readonly observed: string };

export interface TableDrift {
  readonly table: string;
  readonly changes: readonly DriftChange[];
}

/**
 * What changed from the declared columns to the observed ones. Names match case-insensitively, as the raw tables'
 * JSON SerDe (and the local engine) reads them: `hasMitigations` in the files is `hasmitigations` declared. A type counts as
 * retyped only when Athena could not read the observed values as the declared type (integers as a double column are
 * fine; a string where a struct is declared is not).
 */
export function compareColumns(declared: readonly Column[], observed: readonly ObservedColumn[]): DriftChange[] {
  return compareFields(
    declared.map((c) => ({ name: c.name, type: parseColumnType(c.type) })),
    observed,
    '',
  );
}

function compareFields(
  declared: readonly { readonly name: string; readonly type: ColumnType }[],
  observed: readonly ObservedColumn[],
  prefix: string,
): DriftChange[] {
  const changes: DriftChange[] = [];
  const observedByName = new Map(observed.map((c) => [c.name.toLowerCase(), c]));
  const declaredNames = new Set(declared.map((c) => c.name.toLowerCase()));
  for (const column of declared) {
    const path = `${prefix}${column.name}`;
    const seen = observedByName.get(column.name.toLowerCase());
    if (seen === undefined) {
      changes.push({ change: 'removed', path, declared: toGlueType(column.type) });
      continue;
    }
    changes.push(...compareTypes(column.type, seen.type, path));
  }
  for (const column of observed) {
    if (declaredNames.has(column.name.toLowerCase())) continue;
    changes.push({ change: 'added', path: `${prefix}${column.name}`, observed: formatObservedType(column.type) });
  }
  return changes;
}

function compareTypes(declared: ColumnType, observed: ObservedType, path: string): DriftChange[] {
  if (observed.kind === 'unknown') return [];
  const retyped = (): DriftChange[] => [
    { change: 'retyped', path, declared: toGlueType(declared), observed: formatObservedType(observed) },
  ];
  switch (declared.kind) {
    case 'struct':
      return observed.kind === 'struct' ? compareFields(declared.fields, observed.fields, `${path}.`) : retyped();
    case 'array':
      return observed.kind === 'array' ? compareTypes(declared.element, observed.element, `${path}[]`) : retyped();
    case 'map':
      // JSON objects infer as structs; a map reads any of them whose values fit its value type.
      if (observed.kind === 'map') return compareTypes(declared.value, observed.value, `${path}{}`);
      if (observed.kind === 'struct') {
        // One finding for the map, not one per key.
        const [first] = observed.fields.flatMap((field) => compareTypes(declared.value, field.type, `${path}{}`));
        return first === undefined ? [] : [first];
      }
      return retyped();
    case 'decimal':
      return observed.kind === 'decimal' || isNumeric(observed) ? [] : retyped();
    case 'primitive':
      return readableAs(declared.name, observed) ? [] : retyped();
  }
}

const INTEGERS = new Set(['tinyint', 'smallint', 'int', 'integer', 'bigint']);
const FRACTIONS = new Set(['float', 'real', 'double']);
const TEXT = new Set(['string', 'varchar', 'char']);

function isNumeric(type: ObservedType): boolean {
  return (
    type.kind === 'decimal' || (type.kind === 'primitive' && (INTEGERS.has(type.name) || FRACTIONS.has(type.name)))
  );
}

/** Whether the JSON SerDe reads values of the observed type into a column of the declared primitive type. */
function readableAs(declared: string, observed: ObservedType): boolean {
  // The SerDe reads any value into a string column, objects and arrays as their JSON text (kept raw on purpose).
  if (TEXT.has(declared)) return true;
  if (observed.kind === 'decimal') return FRACTIONS.has(declared);
  if (observed.kind !== 'primitive') return false;
  const seen = observed.name;
  if (INTEGERS.has(declared)) return INTEGERS.has(seen);
  if (FRACTIONS.has(declared)) return INTEGERS.has(seen) || FRACTIONS.has(seen);
  // JSON has no date or time type: ISO strings are how they arrive.
  if (declared === 'date') return seen === 'date' || TEXT.has(seen);
  if (declared === 'timestamp') return seen === 'timestamp' || seen === 'date' || TEXT.has(seen);
  if (declared === 'binary') return seen === 'binary' || TEXT.has(seen);
  return declared === seen;
}

/** The tables one raw_tables file declares, and the columns it declares for all of them (its `columns`). */
export interface SourceTables {
  readonly tables: readonly string[];
  readonly sharedColumns: readonly string[];
}

/**
 * A source's shared columns are the envelope all its tables have in common (TxMA's `user`), declared once, and each
 * producer fills the fields it knows: only sign-in sees the e-mail address, nobody has a user_id before the account
 * exists. So a field inside a shared column that a table's files never hold is not drift while another table of
 * the source (with files) holds it; it is removed only when none does. A whole shared column missing from a table's
 * files, fields the files hold that are not declared, and types that differ are drift in every table as before.
 */
export function withSharedFieldsAcrossSource(
  drifts: readonly TableDrift[],
  sources: readonly SourceTables[],
): TableDrift[] {
  const byTable = new Map(drifts.map((drift) => [drift.table, drift]));
  return drifts.map((drift) => {
    const source = sources.find((s) => s.tables.includes(drift.table));
    if (source === undefined) return drift;
    const shared = new Set(source.sharedColumns.map((name) => name.toLowerCase()));
    const siblings = source.tables.flatMap((table) => {
      const sibling = table === drift.table ? undefined : byTable.get(table);
      return sibling === undefined ? [] : [sibling];
    });
    const changes = drift.changes.filter(
      (change) =>
        change.change !== 'removed' ||
        !isFieldOfShared(change.path, shared) ||
        !siblings.some((sibling) => holds(sibling, change.path)),
    );
    return changes.length === drift.changes.length ? drift : { table: drift.table, changes };
  });
}

/** `user.email` of a shared `user`; not `user` itself: a table whose files lack a whole shared column has drifted. */
function isFieldOfShared(path: string, shared: ReadonlySet<string>): boolean {
  const root = path.split(/[.[{]/, 1)[0] ?? path;
  return root !== path && shared.has(root.toLowerCase());
}

/** Whether a table with files holds the field: neither it nor a column or field it is inside is missing or retyped. */
function holds(drift: TableDrift, path: string): boolean {
  const lower = path.toLowerCase();
  return !drift.changes.some((change) => {
    if (change.change === 'added') return false;
    const at = change.path.toLowerCase();
    return at === lower || lower.startsWith(`${at}.`) || lower.startsWith(`${at}[]`) || lower.startsWith(`${at}{}`);
  });
}

/** The type as Glue writes it (`struct<id:string>`), `unknown` where inference could not tell. */
export function formatObservedType(type: ObservedType): string {
  switch (type.kind) {
    case 'unknown':
      return 'unknown';
    case 'array':
      return `array<${formatObservedType(type.element)}>`;
    case 'map':
      return `map<${formatObservedType(type.key)},${formatObservedType(type.value)}>`;
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}:${formatObservedType(f.type)}`).join(',')}>`;
    default:
      return toGlueType(type);
  }
}

/** One line per change, grouped by table: `  + record.venue_id string`, `  ~ page int -> string`. */
export function formatDrift(drifts: readonly TableDrift[]): string[] {
  const lines: string[] = [];
  for (const { table, changes } of drifts) {
    if (changes.length === 0) continue;
    lines.push(`${table}: ${changes.length} change${changes.length === 1 ? '' : 's'}`);
    for (const change of changes) {
      if (change.change === 'added') lines.push(`  + ${change.path} ${change.observed} (in the files, not declared)`);
      else if (change.change === 'removed') lines.push(`  - ${change.path} ${change.declared} (declared, in no file)`);
      else lines.push(`  ~ ${change.path} declared ${change.declared}, files hold ${change.observed}`);
    }
  }
  return lines;
}
