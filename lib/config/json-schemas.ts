/**
 * The JSON Schema of every kind of config file, generated from the zod schemas the loader parses the files with
 * (`z.toJSONSchema`, input side: keys with a default are optional), so editors complete and validate the same keys
 * dap reads. `scripts/generate-schemas.ts` writes them to `schemas/`; `test/config/schemas.test.ts` fails when they
 * are stale.
 *
 * What JSON Schema cannot say is left to `dap check`, which stays the authority: refinements (a value's
 * cross-field rules, the EventBridge cron check, regular expressions that must compile, `{table}` in a raw prefix)
 * have no JSON Schema form, so a file the JSON Schema accepts may still fail `dap check`, never the reverse. Where an
 * editor gains from it, the zod schema carries a JSON Schema stand-in in its `meta` (the outline of a schedule
 * expression, the list of log retention periods). Transforms (a worksheet named by a string becoming `{name}`) are
 * described by what they accept. Any other schema with no JSON Schema form stops generation instead of being dropped.
 */
import { posix } from 'node:path';
import { z } from 'zod';
import { apiSourceSchema } from '../core/model/api-source-schema.ts';
import { databaseSourceSchema } from '../core/model/database-source-schema.ts';
import { fileSourceSchema } from '../core/model/file-source-schema.ts';
import { PATHS } from '../core/model/project.ts';
import { qualityCheckSchema } from '../core/model/quality-schema.ts';
import {
  environmentSchema,
  familyEventListSchema,
  productFamilyListSchema,
  rawSourceSchema,
  reportingFamilyListSchema,
  stageTableSchema,
} from '../core/model/schemas.ts';

/** Where the generated schemas live, relative to the project root. */
export const SCHEMAS_DIR = 'schemas';

export interface ConfigKind {
  /** Names the schema file (`schemas/<kind>.schema.json`) and the README block. */
  readonly kind: string;
  readonly title: string;
  readonly schema: z.ZodType;
  /** The folder the loader reads files of this kind from; absent for a kind that lives inside other files. */
  readonly dir?: string;
  /** Which file names in `dir` the loader parses with `schema`. */
  readonly fileName?: RegExp;
}

const productFamilies = posix.basename(PATHS.productFamilies);
const reportingFamilies = posix.basename(PATHS.reportingFamilies);

/** Every kind of config file, in the order the README lists them; `fileName` mirrors the loader's readers. */
export const CONFIG_KINDS: readonly ConfigKind[] = [
  {
    kind: 'environment',
    title: 'Environment',
    schema: environmentSchema,
    dir: PATHS.environments,
    fileName: /\.json$/,
  },
  {
    kind: 'product-families',
    title: 'Product family list',
    schema: productFamilyListSchema,
    dir: PATHS.processScripts,
    fileName: new RegExp(`^${escapeRegExp(productFamilies)}$`),
  },
  {
    kind: 'family-events',
    title: 'Event list',
    schema: familyEventListSchema,
    dir: PATHS.processScripts,
    fileName: new RegExp(`^(?!${escapeRegExp(productFamilies)}$).+_config\\.json$`),
  },
  { kind: 'raw-tables', title: 'Raw tables', schema: rawSourceSchema, dir: PATHS.rawTables, fileName: /\.json$/ },
  { kind: 'stage-table', title: 'Stage table', schema: stageTableSchema, dir: PATHS.stageTables, fileName: /\.json$/ },
  { kind: 'quality-check', title: 'Quality check', schema: qualityCheckSchema },
  {
    kind: 'reporting-families',
    title: 'Reporting family list',
    schema: reportingFamilyListSchema,
    dir: posix.dirname(PATHS.reportingFamilies),
    fileName: new RegExp(`^${escapeRegExp(reportingFamilies)}$`),
  },
  { kind: 'file-source', title: 'File source', schema: fileSourceSchema, dir: PATHS.fileSources, fileName: /\.json$/ },
  { kind: 'api-source', title: 'API source', schema: apiSourceSchema, dir: PATHS.apiSources, fileName: /\.json$/ },
  {
    kind: 'database-source',
    title: 'Database source',
    schema: databaseSourceSchema,
    dir: PATHS.databaseSources,
    fileName: /\.json$/,
  },
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The schema file of a kind, relative to the project root. */
export function schemaFile(kind: ConfigKind): string {
  return `${SCHEMAS_DIR}/${kind.kind}.schema.json`;
}

/** The kind of the config file at `file` (relative to the project root, `/` separators), if it is one. */
export function configKindOf(file: string): ConfigKind | undefined {
  const dir = posix.dirname(file);
  const name = posix.basename(file);
  return CONFIG_KINDS.find((kind) => kind.dir === dir && kind.fileName?.test(name) === true);
}

/** What a file of `kind` in `dir` names as its `$schema`: the schema file, relative to the file's folder. */
export function schemaReference(kind: ConfigKind, dir = kind.dir ?? '.'): string {
  return posix.relative(dir, schemaFile(kind));
}

/** A JSON Schema document, as `z.toJSONSchema` writes one. */
export type JsonSchema = z.core.JSONSchema.BaseSchema;

/** The JSON Schema of one value of the kind's schema, without the document's own keys (`$schema`, `$id`, `title`). */
export function valueJsonSchema(kind: ConfigKind): JsonSchema {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(kind.schema, {
    io: 'input',
    target: 'draft-07',
    unrepresentable: 'throw',
    override: ({ jsonSchema }) => {
      // `int()` bounds an integer to the safe range; a JSON Schema without the bound says the same more plainly.
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    },
  });
  return schema;
}

/**
 * The schema document of a kind: `$id`, title, and for a file whose top level is an object, a `$schema` key of its
 * own (the loader accepts and ignores one in every config file). A file whose top level is a list has no place for
 * it.
 */
export function jsonSchemaDocument(kind: ConfigKind): JsonSchema {
  const { description, ...schema } = valueJsonSchema(kind);
  const document: JsonSchema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `${kind.kind}.schema.json`,
    title: `dap ${kind.title.toLowerCase()}`,
    ...(description === undefined ? {} : { description }),
    ...schema,
  };
  if (kind.dir !== undefined && schema.type === 'object' && schema.properties !== undefined) {
    document.properties = {
      $schema: {
        type: 'string',
        description: "This file's JSON Schema, for editors; dap ignores it.",
        examples: [schemaReference(kind)],
      },
      ...schema.properties,
    };
  }
  return document;
}

/** Every schema file `scripts/generate-schemas.ts` writes: path relative to the project root, and its document. */
export function generatedSchemas(): { readonly path: string; readonly schema: JsonSchema }[] {
  return CONFIG_KINDS.map((kind) => ({ path: schemaFile(kind), schema: jsonSchemaDocument(kind) }));
}
