/**
 * Column types as Glue/Athena DDL writes them (`string`, `decimal(10,2)`, `struct<a:string,b:array<int>>`),
 * parsed once so that the CDK catalog, the local engine and `dap check` agree on what a type means.
 */
export type ColumnType =
  | { readonly kind: 'primitive'; readonly name: PrimitiveName }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'array'; readonly element: ColumnType }
  | { readonly kind: 'map'; readonly key: ColumnType; readonly value: ColumnType }
  | { readonly kind: 'struct'; readonly fields: readonly { readonly name: string; readonly type: ColumnType }[] };

const PRIMITIVES = [
  'string',
  'varchar',
  'char',
  'boolean',
  'tinyint',
  'smallint',
  'int',
  'integer',
  'bigint',
  'float',
  'real',
  'double',
  'date',
  'timestamp',
  'binary',
] as const;
export type PrimitiveName = (typeof PRIMITIVES)[number];

export class ColumnTypeError extends Error {
  constructor(
    readonly text: string,
    readonly detail: string,
  ) {
    super(`invalid column type "${text}": ${detail}`);
    this.name = 'ColumnTypeError';
  }
}

/** A struct field name as Glue stores it and JSON keys come: `hasMitigations`, `account-recovery`, `user_id`. */
const STRUCT_FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function parseColumnType(text: string): ColumnType {
  // Type names are case-insensitive; struct field names keep their case (JSON keys as the data spells them).
  const tokens = text.match(/[A-Za-z_][A-Za-z0-9_-]*|\d+|[<>(),:]|\S/g) ?? [];
  let pos = 0;
  const fail = (detail: string): never => {
    throw new ColumnTypeError(text, detail);
  };
  const peek = () => tokens[pos];
  const expect = (token: string) => {
    if (tokens[pos] !== token) fail(`expected "${token}" but found ${tokens[pos] ? `"${tokens[pos]}"` : 'the end'}`);
    pos++;
  };
  const int = (): number => {
    const t = tokens[pos++];
    if (t === undefined || !/^\d+$/.test(t)) fail('expected a number');
    return Number(t);
  };
  const parse = (): ColumnType => {
    const word = tokens[pos++]?.toLowerCase();
    if (word === undefined) return fail('expected a type but found the end');
    switch (word) {
      case 'decimal': {
        if (peek() !== '(') return { kind: 'decimal', precision: 10, scale: 0 };
        expect('(');
        const precision = int();
        let scale = 0;
        if (peek() === ',') {
          expect(',');
          scale = int();
        }
        expect(')');
        if (precision < 1 || precision > 38 || scale > precision)
          fail('decimal precision must be 1-38 and scale <= precision');
        return { kind: 'decimal', precision, scale };
      }
      case 'array': {
        expect('<');
        const element = parse();
        expect('>');
        return { kind: 'array', element };
      }
      case 'map': {
        expect('<');
        const key = parse();
        expect(',');
        const value = parse();
        expect('>');
        return { kind: 'map', key, value };
      }
      case 'struct': {
        expect('<');
        const fields: { name: string; type: ColumnType }[] = [];
        do {
          if (fields.length > 0) expect(',');
          const name = tokens[pos++];
          if (name === undefined || !STRUCT_FIELD_NAME.test(name))
            fail('expected a struct field name (letters, digits, "_" and "-", not starting with a digit or "-")');
          expect(':');
          fields.push({ name: name as string, type: parse() });
        } while (peek() === ',');
        expect('>');
        // Athena's JSON SerDe lower-cases keys, so two names that differ only in case are one key to it.
        if (new Set(fields.map((f) => f.name.toLowerCase())).size !== fields.length)
          fail('duplicate struct field name (names that differ only in case are one JSON key)');
        return { kind: 'struct', fields };
      }
      default:
        if ((PRIMITIVES as readonly string[]).includes(word)) {
          // varchar(n) / char(n): the length does not change how values behave here.
          if ((word === 'varchar' || word === 'char') && peek() === '(') {
            expect('(');
            int();
            expect(')');
          }
          return { kind: 'primitive', name: word as PrimitiveName };
        }
        return fail(`unknown type "${word}" (expected one of ${PRIMITIVES.join(', ')}, decimal, array, map, struct)`);
    }
  };
  const type = parse();
  if (pos !== tokens.length) fail(`unexpected "${tokens[pos]}"`);
  return type;
}

const DUCKDB_PRIMITIVES: Record<PrimitiveName, string> = {
  string: 'VARCHAR',
  varchar: 'VARCHAR',
  char: 'VARCHAR',
  boolean: 'BOOLEAN',
  tinyint: 'TINYINT',
  smallint: 'SMALLINT',
  int: 'INTEGER',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  float: 'FLOAT',
  real: 'FLOAT',
  double: 'DOUBLE',
  date: 'DATE',
  // Athena/Iceberg timestamps carry no zone; the local engine runs in UTC.
  timestamp: 'TIMESTAMP',
  binary: 'BLOB',
};

/** The DuckDB type that holds the same values. */
export function toDuckDbType(type: ColumnType): string {
  switch (type.kind) {
    case 'primitive':
      return DUCKDB_PRIMITIVES[type.name];
    case 'decimal':
      return `DECIMAL(${type.precision},${type.scale})`;
    case 'array':
      return `${toDuckDbType(type.element)}[]`;
    case 'map':
      return `MAP(${toDuckDbType(type.key)}, ${toDuckDbType(type.value)})`;
    case 'struct':
      return `STRUCT(${type.fields.map((f) => `"${f.name}" ${toDuckDbType(f.type)}`).join(', ')})`;
  }
}

const REDSHIFT_PRIMITIVES: Readonly<Record<string, string>> = {
  boolean: 'boolean',
  tinyint: 'smallint',
  smallint: 'smallint',
  int: 'integer',
  integer: 'integer',
  bigint: 'bigint',
  float: 'real',
  real: 'real',
  double: 'double precision',
  date: 'date',
  timestamp: 'timestamp',
};

/**
 * How Redshift (and Postgres, the twin's warehouse) types a column read through Spectrum, or undefined for text:
 * strings, and nested types, which Spectrum hands over as their JSON text.
 */
export function toRedshiftType(type: ColumnType): string | undefined {
  if (type.kind === 'decimal') return `numeric(${type.precision},${type.scale})`;
  return type.kind === 'primitive' ? REDSHIFT_PRIMITIVES[type.name] : undefined;
}

/** The type as Glue's catalog writes it (`string`, `struct<a:string>`). */
export function toGlueType(type: ColumnType): string {
  switch (type.kind) {
    case 'primitive':
      return type.name === 'varchar' || type.name === 'char' ? 'string' : type.name === 'integer' ? 'int' : type.name;
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'array':
      return `array<${toGlueType(type.element)}>`;
    case 'map':
      return `map<${toGlueType(type.key)},${toGlueType(type.value)}>`;
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}:${toGlueType(f.type)}`).join(',')}>`;
  }
}

/** Iceberg's names for the primitive types stage tables use (Glue's `bigint` is Iceberg's `long`). */
const ICEBERG_PRIMITIVES: Readonly<Record<string, string>> = {
  string: 'string',
  varchar: 'string',
  char: 'string',
  boolean: 'boolean',
  tinyint: 'int',
  smallint: 'int',
  int: 'int',
  integer: 'int',
  bigint: 'long',
  float: 'float',
  real: 'float',
  double: 'double',
  date: 'date',
  timestamp: 'timestamp',
  binary: 'binary',
};

/**
 * The Iceberg type of a stage table column as CloudFormation declares it, or undefined for nested types:
 * CloudFormation types an Iceberg field as a string, while nested types are JSON objects in Iceberg's schema.
 */
export function toIcebergType(type: ColumnType): string | undefined {
  if (type.kind === 'decimal') return `decimal(${type.precision},${type.scale})`;
  return type.kind === 'primitive' ? ICEBERG_PRIMITIVES[type.name] : undefined;
}

/** Why a stage table column cannot be deployed, in the words `dap check` and synthesis both use. */
export function icebergTypeProblem(column: { readonly name: string; readonly type: string }): string {
  return `column "${column.name}" has type ${column.type}: stage tables deployed by CloudFormation take primitive and decimal types only (flatten it, or keep it as a JSON string)`;
}
