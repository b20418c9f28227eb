import { z } from 'zod';
import { columnSchema, expected, identifier, scheduleExpression } from './schemas.ts';

/**
 * `config/sources/databases/<source>.json`: tables extracted from relational databases into raw, read whole or by a
 * monotonic column, checked for integrity across the extracted tables and only then promoted. Everything the extract
 * engine (`lib/core/extract/`) does for a source is read from here. Identifiers are validated here and quoted where
 * they reach SQL; filter values travel as query parameters.
 */

/** Name of an environment variable (locally) and of a key in the source's secret (in AWS). */
const secretName = z
  .string({ error: expected('an environment variable name such as TIMETABLE_NORTH_DB') })
  .regex(/^[A-Z][A-Z0-9_]*$/, { error: 'expected an upper-case environment variable name such as TIMETABLE_NORTH_DB' })
  .meta({ title: 'secret name' });

const instanceSchema = z
  .strictObject({
    source_id: z
      .string({ error: expected('a stable source id such as north') })
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, {
        error: 'expected a source id of lower-case letters, digits, _ and - (at most 63), such as north or 01',
      })
      .meta({
        description:
          "Stable id of this database among the source's instances; every extracted row carries it, and history " +
          'and federated ids are kept per (source_id, native key). Never reuse one for another database.',
        examples: ['north', '01'],
      }),
    secret: secretName.meta({
      description:
        'Where the connection is: locally an environment variable holding a postgres:// URL or the JSON ' +
        '{host, port, username, password, dbname}; in AWS a key of the secret `<prefix>/database/<source>` holding ' +
        'that JSON (the shape RDS writes).',
      examples: ['TIMETABLE_NORTH_DB'],
    }),
  })
  .meta({ description: 'One database the tables are read from.' });

const filterValue = z.union([z.string(), z.number(), z.boolean()]);

const filterSchema = z
  .discriminatedUnion(
    'op',
    [
      z.strictObject({
        column: identifier,
        op: z.enum(['=', '<>', '<', '<=', '>', '>=']),
        value: filterValue.meta({ description: 'Sent as a query parameter, never as SQL text.' }),
      }),
      z.strictObject({
        column: identifier,
        op: z.literal('in'),
        values: z.array(filterValue).min(1).max(1000),
      }),
      z.strictObject({ column: identifier, op: z.enum(['is_null', 'is_not_null']) }),
    ],
    { error: expected('a filter op: = <> < <= > >= in is_null is_not_null') },
  )
  .meta({ description: 'A condition rows must meet to be extracted; all filters of a table must hold.' });
export type DatabaseFilter = z.infer<typeof filterSchema>;

const tableSchema = z
  .strictObject({
    name: identifier.meta({ description: 'The table in the source database.', examples: ['rooms'] }),
    schema: identifier.default('public').meta({ description: 'Its schema.' }),
    primary_key: z
      .array(identifier)
      .min(1)
      .meta({ description: 'Columns that identify a row; pages are read in this order (keyset pagination).' }),
    columns: z
      .array(columnSchema)
      .min(1)
      .meta({ description: 'The columns extracted, with their raw table types (the raw table dap catalogs).' }),
    mode: z
      .enum(['snapshot', 'incremental'])
      .default('snapshot')
      .meta({
        description:
          '`snapshot` reads the whole table; `incremental` reads the rows changed since the last extract and carries ' +
          'the others from it, so every promoted snapshot is whole (a row deleted at the source is not seen).',
      }),
    cursor: z
      .strictObject({
        column: identifier.meta({ description: 'A column that only grows when a row changes (updated_at).' }),
        overlap_seconds: z.number().int().min(0).default(300).meta({
          description:
            "Rows whose cursor is this many seconds below the last promoted extract's high point are read again (late commits).",
        }),
      })
      .optional()
      .meta({ description: 'Required for `incremental`.' }),
    filters: z.array(filterSchema).default([]),
    history: z
      .union([z.boolean(), z.strictObject({ columns: z.array(identifier).min(1) })])
      .optional()
      .meta({
        description:
          'Type 2 history in the reporting model (`conformed.dim_<source>_<table>_history`, I/U/D in ' +
          'scd2_change_history), registered by dap from this config: `true` tracks every column outside the key, ' +
          '`{"columns": [...]}` those named, `false` none. Default: `true`.',
      }),
  })
  .meta({ description: 'A table to extract.' });
export type DatabaseTable = z.infer<typeof tableSchema>;

const checkSchema = z
  .discriminatedUnion(
    'type',
    [
      z
        .strictObject({
          type: z.literal('reference'),
          table: identifier,
          columns: z.array(identifier).min(1),
          references: z.strictObject({ table: identifier, columns: z.array(identifier).min(1) }),
        })
        .meta({
          description:
            'Every extracted row of `table` whose `columns` are all set names a row of `references.table` in the same ' +
            'extract and source_id (e.g. rooms whose department was deleted fail).',
        }),
      z
        .strictObject({ type: z.literal('not_blank'), table: identifier, columns: z.array(identifier).min(1) })
        .meta({ description: 'The columns are set and not blank in every extracted row (consolidation keys).' }),
    ],
    { error: expected('check type "reference" or "not_blank"') },
  )
  .meta({
    description: "Integrity checks over the whole extract; every table's row count against count(*) is always checked.",
  });
export type DatabaseCheck = z.infer<typeof checkSchema>;

export const databaseSourceSchema = z
  .strictObject({
    $schema: z.string().optional(),
    source: identifier.meta({ description: 'Must match the file name.', examples: ['timetable'] }),
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    engine: z.literal('postgres', { error: expected('engine "postgres"') }).meta({
      description: 'PostgreSQL, RDS/Aurora PostgreSQL, or Redshift as a source (the Postgres wire protocol).',
    }),
    schedule: scheduleExpression.optional().meta({ description: 'When AWS runs the extract.' }),
    page_size: z.number().int().min(1).max(100_000).default(5000).meta({ description: 'Rows per page.' }),
    instances: z.array(instanceSchema).min(1),
    tables: z.array(tableSchema).min(1),
    checks: z.array(checkSchema).default([]),
  })
  .meta({ title: 'database source', description: 'Tables extracted from relational databases.' });
export type DatabaseSource = z.infer<typeof databaseSourceSchema>;

/** Columns every extracted row carries beside the table's own; a table may not use these names. */
export const EXTRACT_COLUMNS = ['source_id', 'extract_id', 'extracted_at', 'extract_row', 'row_key'] as const;
