/**
 * The README's config reference: one table per kind of config file, made from the kind's JSON Schema
 * (`json-schemas.ts`), so the keys, types, defaults, descriptions and examples people read are the ones editors
 * and dap use. Each table sits between `<!-- config-reference:<kind>:start -->` and `:end -->` in README.md;
 * `scripts/generate-schemas.ts` rewrites what is between them.
 */
import {
  CONFIG_KINDS,
  type ConfigKind,
  type JsonSchema,
  jsonSchemaDocument,
  schemaFile,
  valueJsonSchema,
} from './json-schemas.ts';

interface Row {
  readonly key: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
  readonly example: string;
}

/** Why a README cannot take the reference: a block's markers are missing or out of order. */
export class ConfigReferenceMarkerError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigReferenceMarkerError';
  }
}

export function startMarker(kind: ConfigKind): string {
  return `<!-- config-reference:${kind.kind}:start -->`;
}

export function endMarker(kind: ConfigKind): string {
  return `<!-- config-reference:${kind.kind}:end -->`;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The heading each block starts with; links to a kind's reference point at it. */
export function referenceHeading(kind: ConfigKind): string {
  return `${kind.title} keys`;
}

/** `readme` with every kind's block replaced by the reference generated now. */
export function withConfigReference(readme: string): string {
  let out = readme;
  for (const kind of CONFIG_KINDS) {
    const start = out.indexOf(startMarker(kind));
    const end = out.indexOf(endMarker(kind));
    if (start < 0 || end < 0 || end < start) {
      throw new ConfigReferenceMarkerError(
        kind.kind,
        `README.md needs ${startMarker(kind)} followed by ${endMarker(kind)} where the ${kind.title.toLowerCase()} reference goes`,
      );
    }
    out = `${out.slice(0, start + startMarker(kind).length)}\n${configReference(kind)}\n${out.slice(end)}`;
  }
  return out;
}

/** The Markdown of one kind's block: heading, what the file is, the table, and the named types it uses. */
export function configReference(kind: ConfigKind): string {
  const schema = jsonSchemaDocument(kind);
  const walker = new Walker(kind);
  walker.walk(schema, '');
  const file = schemaFile(kind);
  const list =
    kind.dir !== undefined && schema.type === 'array'
      ? ` A list has no room for a \`$schema\` key: name the schema for this file in the editor's settings (VS Code: \`json.schemas\`).`
      : '';
  const lines = [
    `### ${referenceHeading(kind)}`,
    '',
    `${schema.description ?? kind.title} JSON Schema: [\`${file}\`](${file}).${list}`,
    '',
    '| Key | Type | Default | Description | Example |',
    '| --- | --- | --- | --- | --- |',
    ...walker.rows.map(
      (row) => `| ${[code(row.key), row.type, row.default, row.description, row.example].map(cell).join(' | ')} |`,
    ),
  ];
  const named = [...walker.namedTypes].map(([title, pattern]) => `*${title}*: text matching ${code(pattern)}`);
  if (named.length > 0) lines.push('', `${named.join('; ')}.`);
  return lines.join('\n');
}

/** Subtrees another kind documents, by their shape: the entries of `checks` are quality checks. */
function otherKinds(kind: ConfigKind): Map<string, ConfigKind> {
  const shapes = new Map<string, ConfigKind>();
  for (const other of CONFIG_KINDS) {
    if (other !== kind && other.dir === undefined) shapes.set(shapeOf(valueJsonSchema(other)), other);
  }
  return shapes;
}

class Walker {
  readonly rows: Row[] = [];
  /** Titled string types (identifier, JSON path, ...) and their patterns, for the note under the table. */
  readonly namedTypes = new Map<string, string>();
  /** The key each subtree with keys of its own was first documented at, by its shape. */
  private readonly documented = new Map<string, string>();
  private readonly others: Map<string, ConfigKind>;

  constructor(kind: ConfigKind) {
    this.others = otherKinds(kind);
  }

  /** Rows for `node` at `key` (none for the document itself, at '') and for everything inside it. */
  walk(node: JsonSchema, key: string, required = false, condition = ''): void {
    const seeAlso = this.seeAlso(node, key);
    if (key !== '') this.row(node, key, required, condition, seeAlso);
    if (seeAlso === undefined) this.children(node, key);
  }

  private children(node: JsonSchema, key: string): void {
    const prefix = key === '' ? '' : `${key}.`;
    if (node.properties !== undefined) {
      const required = new Set(node.required ?? []);
      for (const [name, child] of Object.entries(node.properties)) {
        if (typeof child === 'object') this.walk(child, `${prefix}${name}`, required.has(name));
      }
      return;
    }
    if (node.oneOf !== undefined) {
      this.variants(node.oneOf, prefix);
      return;
    }
    const items = node.items;
    if (node.type === 'array' && typeof items === 'object' && !Array.isArray(items) && hasKeys(items)) {
      this.children(items, `${key}[]`);
      return;
    }
    const values = node.additionalProperties;
    if (node.type === 'object' && typeof values === 'object' && hasKeys(values)) this.walk(values, `${prefix}*`);
  }

  /**
   * The objects of a discriminated union: the discriminator once, listing what each value means, then each key of
   * the variants, once where variants agree on it and otherwise once per meaning, each saying which variants have it.
   */
  private variants(variants: readonly JsonSchema[], prefix: string): void {
    const discriminator = discriminatorOf(variants);
    if (discriminator === undefined) return;
    const constantOf = (variant: JsonSchema) => propertyOf(variant, discriminator)?.const;
    this.rows.push({
      key: `${prefix}${discriminator}`,
      type: variants.map((v) => code(JSON.stringify(constantOf(v)))).join(', '),
      default: 'required',
      description: variants.map((v) => `${code(String(constantOf(v)))}: ${v.description ?? ''}`.trim()).join(' '),
      example: '',
    });
    const groups = new Map<string, { node: JsonSchema; name: string; required: boolean; values: unknown[] }>();
    for (const variant of variants) {
      const required = new Set(variant.required ?? []);
      for (const [name, child] of Object.entries(variant.properties ?? {})) {
        if (name === discriminator || typeof child !== 'object') continue;
        const id = `${name}\u0000${required.has(name)}\u0000${JSON.stringify(child)}`;
        const group = groups.get(id) ?? { node: child, name, required: required.has(name), values: [] };
        group.values.push(constantOf(variant));
        groups.set(id, group);
      }
    }
    for (const group of groups.values()) {
      const condition =
        group.values.length === variants.length
          ? ''
          : `With ${code(discriminator)} ${listOf(group.values.map((v) => code(String(v))))}: `;
      this.walk(group.node, `${prefix}${group.name}`, group.required, condition);
    }
  }

  /** Where the keys inside `node` are documented already: another kind, or a key above. Records it if nowhere. */
  private seeAlso(node: JsonSchema, key: string): string | undefined {
    const subject = node.type === 'array' && typeof node.items === 'object' ? (node.items as JsonSchema) : node;
    if (!hasKeys(subject)) return undefined;
    const shape = shapeOf(subject);
    const other = this.others.get(shape);
    if (other !== undefined) {
      const heading = referenceHeading(other);
      return `${subject === node ? 'A' : 'Each one a'} ${other.title.toLowerCase()}: see [${heading}](#${headingAnchor(heading)}).`;
    }
    const earlier = this.documented.get(shape);
    if (earlier !== undefined) return `${subject === node ? 'The' : 'Each with the'} keys of ${code(earlier)}.`;
    this.documented.set(shape, subject === node ? key : `${key}[]`);
    return undefined;
  }

  private row(node: JsonSchema, key: string, required: boolean, condition: string, seeAlso?: string): void {
    for (const [title, pattern] of namedTypesIn(node)) this.namedTypes.set(title, pattern);
    const description = [node.description ?? itemsOf(node)?.description, seeAlso].filter(Boolean).join(' ');
    this.rows.push({
      key,
      type: typeOf(node),
      default: required ? 'required' : 'default' in node ? code(inlineJson(node.default)) : '',
      description: `${condition}${description}`,
      example: (node.examples ?? []).map((e) => code(inlineJson(e))).join(', '),
    });
  }
}

function itemsOf(node: JsonSchema): JsonSchema | undefined {
  const items = node.items;
  return typeof items === 'object' && !Array.isArray(items) ? items : undefined;
}

/** Whether `node` holds keys of its own to document: an object with properties, a union of them, a map of them. */
function hasKeys(node: JsonSchema): boolean {
  if (node.properties !== undefined || node.oneOf !== undefined) return true;
  const values = node.additionalProperties;
  return node.type === 'object' && typeof values === 'object' && hasKeys(values);
}

/** What a subtree accepts, without the words about it: two keys of the same shape take the same values. */
function shapeOf(node: JsonSchema): string {
  return JSON.stringify(node, (name, value) =>
    name === 'description' || name === 'examples' || name === 'default' ? undefined : value,
  );
}

function propertyOf(node: JsonSchema, name: string): JsonSchema | undefined {
  const property = node.properties?.[name];
  return typeof property === 'object' ? property : undefined;
}

/** The key every variant holds a different constant in, as `type` in `{"type": "csv", ...}`. */
function discriminatorOf(variants: readonly JsonSchema[]): string | undefined {
  const first = variants[0];
  if (first === undefined) return undefined;
  return Object.keys(first.properties ?? {}).find((name) =>
    variants.every((v) => propertyOf(v, name)?.const !== undefined),
  );
}

function namedTypesIn(node: JsonSchema): [string, string][] {
  const found: [string, string][] = [];
  const visit = (n: unknown) => {
    if (typeof n !== 'object' || n === null) return;
    const schema = n as JsonSchema;
    if (schema.title !== undefined && schema.pattern !== undefined) found.push([schema.title, schema.pattern]);
    for (const inner of [schema.items, schema.propertyNames, schema.additionalProperties, ...(schema.anyOf ?? [])]) {
      if (!hasKeys((inner ?? {}) as JsonSchema)) visit(inner);
    }
  };
  visit(node);
  return found;
}

/** A short name of what `node` accepts: `identifier`, `integer 1 to 1000`, `list of string`, `"csv", "xlsx"`. */
function typeOf(node: JsonSchema): string {
  if (node.const !== undefined) return code(JSON.stringify(node.const));
  if (node.enum !== undefined) {
    return node.enum.length > 8
      ? `${baseType(node)} from a fixed list`
      : node.enum.map((v) => code(JSON.stringify(v))).join(', ');
  }
  if (node.anyOf !== undefined) return listOf(node.anyOf.map(alternativeOf), 'or');
  if (node.oneOf !== undefined) {
    const discriminator = discriminatorOf(node.oneOf);
    return discriminator === undefined ? listOf(node.oneOf.map(typeOf), 'or') : `object by ${code(discriminator)}`;
  }
  if (Array.isArray(node.type)) {
    return listOf(
      node.type.map((type) => (type === 'null' ? 'null' : typeOf({ ...node, type }))),
      'or',
    );
  }
  if (node.title !== undefined) return node.title;
  switch (node.type) {
    case 'array': {
      const items = itemsOf(node);
      const of = items === undefined ? 'values' : hasKeys(items) ? 'objects' : typeOf(items);
      return [`list of ${of}`, node.minItems === undefined ? '' : `(at least ${node.minItems})`]
        .filter(Boolean)
        .join(' ');
    }
    case 'object': {
      const values = node.additionalProperties;
      if (node.properties !== undefined || typeof values !== 'object') return 'object';
      const keys = typeof node.propertyNames === 'object' ? typeOf(node.propertyNames) : 'string';
      return `map of ${keys} to ${hasKeys(values) ? 'object' : typeOf(values)}`;
    }
    case 'string':
      if (node.format === 'uri') return 'URL';
      if (node.format === 'email') return 'e-mail address';
      if (node.pattern !== undefined) return `string matching ${code(node.pattern)}`;
      return node.minLength === 1 ? 'non-empty string' : 'string';
    case 'integer':
    case 'number':
      return [node.type, bounds(node), node.multipleOf === undefined ? '' : `, multiple of ${node.multipleOf}`]
        .join(' ')
        .replace(/ +,/, ',')
        .trim();
    default:
      return node.type ?? 'any value';
  }
}

/** One alternative of a union; an object says which keys it takes, as `{"name": "Data"}` takes `name`. */
function alternativeOf(node: JsonSchema): string {
  if (node.properties === undefined) return typeOf(node);
  return `object with ${listOf(Object.keys(node.properties).map(code), 'and')}`;
}

function baseType(node: JsonSchema): string {
  return typeof node.type === 'string' ? node.type : 'value';
}

function bounds(node: JsonSchema): string {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = node;
  if (minimum !== undefined && maximum !== undefined) return `${minimum} to ${maximum}`;
  const lower =
    minimum !== undefined ? `≥ ${minimum}` : typeof exclusiveMinimum === 'number' ? `> ${exclusiveMinimum}` : '';
  const upper =
    maximum !== undefined ? `≤ ${maximum}` : typeof exclusiveMaximum === 'number' ? `< ${exclusiveMaximum}` : '';
  return [lower, upper].filter(Boolean).join(', ');
}

function listOf(items: readonly string[], last = 'or'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)}`;
}

/** JSON on one line, spaced as people write it: `{"a": 1, "b": [2, 3]}`. */
function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${inlineJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** Inline code that survives a table: the backtick fence is longer than any run of backticks inside. */
function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A table cell: one line, and `|` escaped (also inside code, as GitHub's tables need). */
function cell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
}
