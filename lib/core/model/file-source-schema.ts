import { z } from 'zod';
import { expected, identifier } from './schemas.ts';

/**
 * `config/sources/files/<source>.json`: a file source dropped into the landing bucket under `landing/<source>/`.
 * Everything a file may need (encoding, delimiter, sheet, header row, column mapping, casts) is declared here as
 * data; there is no SQL or code in a source file, so a sender's layout change is a config change that `dap check`
 * validates before it deploys.
 */

const nonEmpty = (what: string) => z.string({ error: expected(what) }).min(1, { error: `expected ${what}` });

export const textStepSchema = z
  .enum(['trim', 'upper', 'lower', 'title', 'collapse_spaces', 'digits_only'], {
    error: 'expected one of trim, upper, lower, title, collapse_spaces, digits_only',
  })
  .meta({ description: 'A step applied to a text value, in order, before the value is mapped, defaulted and cast.' });
export type TextStep = z.infer<typeof textStepSchema>;

/** Where a target column's value comes from: exactly one of `from`, `concat`, `split` and `constant`. */
const valueSourceFields = {
  from: nonEmpty('a source column name')
    .optional()
    .meta({
      description: 'One source column (by its header text, matched after normalising case and punctuation).',
      examples: ['Customer ID'],
    }),
  concat: z
    .array(nonEmpty('a source column name'))
    .min(2, { error: 'expected at least two columns' })
    .optional()
    .meta({
      description: 'Several source columns joined by `separator` (empty parts are left out).',
      examples: [['First Name', 'Last Name']],
    }),
  separator: z
    .string()
    .optional()
    .meta({ description: 'What `concat` joins its parts with.', examples: [' '] }),
  split: z
    .strictObject({
      from: nonEmpty('a source column name').meta({ description: 'The source column cut.' }),
      separator: nonEmpty('a separator').meta({ description: 'Where it is cut.' }),
      index: z
        .number()
        .int({ error: 'expected a whole number (0 = first part, -1 = last)' })
        .meta({ description: 'Which part: 0 = first, -1 = last.' }),
    })
    .optional()
    .meta({
      description: 'One part of a source column cut at `separator` (`index` 0 = first, -1 = last).',
      examples: [{ from: 'Full Name', separator: ' ', index: -1 }],
    }),
  constant: z
    .union([z.string(), z.number(), z.boolean()])
    .optional()
    .meta({ description: 'A fixed value.', examples: ['web_shop'] }),
};

export const columnMappingSchema = z
  .strictObject({
    ...valueSourceFields,
    transforms: z
      .array(textStepSchema)
      .default([])
      .meta({
        description: 'Text steps, in order: trim, upper, lower, title, collapse_spaces, digits_only.',
        examples: [['trim', 'upper']],
      }),
    value_map: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .optional()
      .meta({
        description: 'Replaces a whole value (after transforms) by another; keys are compared exactly.',
        examples: [{ UK: 'GB', IRELAND: 'IE' }],
      }),
    value_map_strict: z.boolean().default(false).meta({
      description: 'When true, a value that `value_map` does not list is a row error instead of passing through.',
    }),
    default: z
      .union([z.string(), z.number(), z.boolean()])
      .optional()
      .meta({ description: 'Used when the value is empty after transforms.', examples: ['GB'] }),
    required: z.boolean().default(false).meta({ description: 'An empty value (after default) rejects the row.' }),
    format: nonEmpty('a date format such as DD/MM/YYYY')
      .optional()
      .meta({
        description:
          'How text is read for a typed target: dates and timestamps (`DD/MM/YYYY`, `YYYY-MM-DD HH:mm`, tokens YYYY ' +
          'YY MM M DD D HH H mm ss, anything else literal); numbers (`decimal_separator`, `thousands_separator`); ' +
          'booleans (`true_values`/`false_values`, compared case-insensitively).',
        examples: ['DD/MM/YYYY'],
      }),
    decimal_separator: z.enum(['.', ',']).default('.').meta({ description: 'Decimal separator of numbers.' }),
    thousands_separator: z
      .enum([',', '.', ' ', "'", ''])
      .default('')
      .meta({ description: "Thousands separator of numbers ('' for none)." }),
    true_values: z
      .array(z.string())
      .default(['true', 'yes', 'y', '1'])
      .meta({ description: 'Texts read as true for a boolean target, compared case-insensitively.' }),
    false_values: z
      .array(z.string())
      .default(['false', 'no', 'n', '0'])
      .meta({ description: 'Texts read as false for a boolean target, compared case-insensitively.' }),
    pattern: nonEmpty('a regular expression')
      .optional()
      .meta({
        description: 'Row rule on the final text value: a regular expression it must match.',
        examples: ['^C\\d{5}$'],
      }),
    min: z
      .union([z.number(), z.string()])
      .optional()
      .meta({ description: 'Row rule on the final value: the lowest number or date allowed.', examples: [0] }),
    max: z
      .union([z.number(), z.string()])
      .optional()
      .meta({
        description: 'Row rule on the final value: the highest number or date allowed.',
        examples: ['2099-12-31'],
      }),
  })
  .superRefine((column, context) => {
    const sources = (['from', 'concat', 'split', 'constant'] as const).filter((k) => column[k] !== undefined);
    if (sources.length !== 1) {
      context.addIssue({
        code: 'custom',
        message:
          sources.length === 0
            ? 'expected exactly one of from, concat, split or constant'
            : `expected exactly one of from, concat, split or constant, found ${sources.join(' and ')}`,
      });
    }
    if (column.separator !== undefined && column.concat === undefined) {
      context.addIssue({ code: 'custom', path: ['separator'], message: 'separator only applies to concat' });
    }
    if (column.pattern !== undefined) {
      try {
        new RegExp(column.pattern, 'u');
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        context.addIssue({ code: 'custom', path: ['pattern'], message: `not a valid regular expression: ${detail}` });
      }
    }
  })
  .meta({
    description:
      "Where a target column's value comes from (exactly one of `from`, `concat`, `split`, `constant`) and how it is read.",
  });
export type ColumnMapping = z.infer<typeof columnMappingSchema>;

const headerRow = z
  .number({ error: expected('the 1-based row number of the header') })
  .int()
  .min(1, { error: 'expected the 1-based row number of the header' })
  .max(1000, { error: 'expected a header within the first 1000 rows' })
  .meta({ description: 'The 1-based row number of the header; rows above it are skipped.' });

export const csvFormatSchema = z
  .strictObject({
    type: z.literal('csv'),
    delimiter: z
      .enum(['auto', ',', ';', '\t', '|'])
      .default('auto')
      .meta({ description: '`auto` sniffs comma, semicolon, tab and pipe from the first rows.' }),
    encoding: z.enum(['auto', 'utf-8', 'utf-16le', 'utf-16be', 'windows-1252']).default('auto').meta({
      description: '`auto`: BOM, then UTF-16 without BOM, then UTF-8 if every byte is valid UTF-8, else Windows-1252.',
    }),
    header_row: headerRow.default(1),
    pad_short_rows: z.boolean().default(false).meta({
      description: 'Rows with fewer fields than the header get empty trailing fields instead of being rejected.',
    }),
  })
  .meta({ description: 'Delimited text.' });

const SHEET_EXPECTED = 'expected a worksheet name ("Data"), a 1-based position (2), {"name": "Data"} or {"index": 2}';

export const xlsxFormatSchema = z
  .strictObject({
    type: z.literal('xlsx'),
    sheet: z
      .union(
        [
          nonEmpty('a worksheet name').transform((name) => ({ name })),
          z
            .number()
            .int()
            .min(1, { error: 'expected a 1-based worksheet position' })
            .transform((index) => ({ index })),
          z.strictObject({ name: nonEmpty('a worksheet name') }),
          z.strictObject({ index: z.number().int().min(1, { error: 'expected a 1-based worksheet position' }) }),
        ],
        { error: SHEET_EXPECTED },
      )
      .optional()
      .meta({
        description:
          'Which worksheet holds the data: by name (`"Data"` or `{"name": "Data"}`), or by 1-based position (`2` or ' +
          '`{"index": 2}`). Default: the first worksheet.',
        examples: ['Data', 2],
      }),
    header_row: headerRow.default(1),
  })
  .meta({ description: 'An Excel workbook.' });

export const fileFormatSchema = z
  .discriminatedUnion('type', [csvFormatSchema, xlsxFormatSchema], {
    error: 'expected format.type "csv" or "xlsx"',
  })
  .meta({ description: 'How a file is read: `{"type": "csv", ...}` or `{"type": "xlsx", ...}`.' });
export type FileFormat = z.infer<typeof fileFormatSchema>;

export const mappingVersionSchema = z
  .strictObject({
    version: identifier.meta({ description: 'Named in lineage (`mapping_version`) and reports.', examples: ['v1'] }),
    description: z
      .string()
      .optional()
      .meta({ description: 'Who sends this layout, since when, for people reading the file.' }),
    header: z
      .array(nonEmpty('a column name'))
      .min(1, { error: 'expected at least one column' })
      .meta({
        description:
          'The header this layout has, as the sender writes it. A file matches when its header holds every column ' +
          'here that is not in `optional_columns`, and nothing else (unless `allow_extra_columns`). Names are ' +
          'compared normalised: case, spaces, punctuation and accents do not matter.',
        examples: [['Customer ID', 'First Name', 'Last Name', 'Email']],
      }),
    optional_columns: z
      .array(nonEmpty('a column name'))
      .default([])
      .meta({
        description: 'Columns of `header` a file may leave out (their targets are then empty).',
        examples: [['Phone']],
      }),
    allow_extra_columns: z
      .boolean()
      .default(false)
      .meta({ description: 'Accept, and ignore, columns the header does not list.' }),
    columns: z.record(identifier, columnMappingSchema).meta({
      description: 'Target column of the dataset → where its value comes from. Unlisted dataset columns are null.',
      examples: [{ customer_id: { from: 'Customer ID', transforms: ['trim', 'upper'], required: true } }],
    }),
    format: fileFormatSchema.optional().meta({
      description:
        "How files of this layout are read, when it differs from the source's `format` (a sender whose branches send " +
        "CSV, CSV with title rows and XLSX). Default: the source's format.",
    }),
  })
  .meta({ description: "One layout a sender uses: recognised by its header, mapped onto the dataset's columns." });
export type MappingVersion = z.infer<typeof mappingVersionSchema>;

/**
 * What in a key pattern reads as regular-expression syntax, in the order written: anchors, escapes, groups,
 * alternation, `+`, `.*` before more text, character classes and `{n}` counts. The glob has none of these (it would
 * take them literally and match no file), while `*`, `?`, `*.*` and a trailing `.*` are glob as written.
 */
const REGEX_SIGNS = /^\^|\$$|\\.?|[()|+]|\.\*(?=.)|\[[^\]]*\]|\{\d+(?:,\d*)?\}/g;

function regexSigns(pattern: string): string[] {
  return [...new Set([...pattern.matchAll(REGEX_SIGNS)].map(([sign]) => sign))];
}

const keyPattern = nonEmpty('a glob such as customers_*.csv').superRefine((pattern, context) => {
  const signs = regexSigns(pattern);
  if (signs.length === 0) return;
  context.addIssue({
    code: 'custom',
    message: `"${pattern}" looks like a regular expression (${signs.join(', ')}): expected a glob such as customers_*.csv, where * matches within a name and ? one character`,
  });
});

export const fileSourceSchema = z
  .strictObject({
    source: identifier.meta({
      description: 'Source name: files land under `landing/<source>/`; must equal the file name.',
      examples: ['shop_customers'],
    }),
    description: z.string().optional().meta({ description: 'What the source sends, for people reading the file.' }),
    key_pattern: keyPattern.default('*').meta({
      description:
        'Object names accepted under `landing/<source>/`: a glob where `*` matches within a name and `?` one ' +
        'character (not a regular expression: one is refused). A file that does not match is quarantined.',
      examples: ['customers_*.csv'],
    }),
    format: fileFormatSchema.optional().meta({
      description:
        'How files are read: the default of every mapping version that has no `format` of its own (then it may be ' +
        'left out).',
      examples: [{ type: 'csv' }, { type: 'xlsx', sheet: 'Data' }],
    }),
    dataset: identifier.meta({
      description: 'The raw table (declared in `athena-scripts/raw_tables/`) the normalised rows land in.',
      examples: ['shop_customers'],
    }),
    max_reject_ratio: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .meta({
        description:
          'The share of data rows that may be rejected while the valid rows still load (0 = any rejected row ' +
          'quarantines the whole file, 1 = load whatever is valid).',
        examples: [0.1],
      }),
    max_record_bytes: z
      .number()
      .int()
      .min(1024)
      .default(4 * 1024 * 1024)
      .meta({
        description:
          'A record longer than this (an unclosed quote, usually) stops the file instead of growing without bound.',
      }),
    formula_like: z
      .enum(['flag', 'reject'], { error: 'expected "flag" or "reject"' })
      .default('flag')
      .meta({
        description:
          'A text value that a spreadsheet would take for a formula (`=SUM(...)`, `@x`, `+x`, `-x` that is not a ' +
          "number): `flag` loads it as it is and counts it per column in the file's report; `reject` rejects its row " +
          '(within `max_reject_ratio`). Exports dap writes for people neutralise such values either way.',
      }),
    duplicate_rows: z
      .enum(['reject', 'keep_first', 'keep'], { error: 'expected "reject", "keep_first" or "keep"' })
      .default('reject')
      .meta({
        description:
          'A row that repeats an earlier row of the same file cell for cell: `reject` rejects each repeat with the ' +
          'reason (within `max_reject_ratio`); `keep_first` loads the first and skips the repeats, counted in the ' +
          'report (`rows.duplicate`); `keep` loads every copy (the sender means each as a row of its own).',
      }),
    max_cell_bytes: z
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024)
      .meta({
        description:
          'One cell, in characters (CSV and XLSX); a longer one stops the file: no warehouse column holds it whole.',
      }),
    max_uncompressed_bytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .default(1024 * 1024 * 1024)
      .meta({
        description:
          'XLSX: all entries of the workbook inflated together, read from its ZIP directory before anything is inflated.',
      }),
    max_compression_ratio: z.number().min(2).default(250).meta({
      description: 'XLSX: one entry (over a megabyte) may inflate at most this many times its compressed size.',
    }),
    max_shared_strings_bytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .default(128 * 1024 * 1024)
      .meta({
        description:
          'XLSX: the shared-string table, which the reader holds in memory whole, at most this many bytes uncompressed.',
      }),
    max_rows: z.number().int().min(1).default(1_000_000).meta({
      description:
        "Data rows in one file (CSV and XLSX); a file with more is quarantined whole (Excel's own cap is 1,048,576 rows).",
    }),
    max_columns: z
      .number()
      .int()
      .min(1)
      .default(1000)
      .meta({ description: 'Columns in one record (CSV and XLSX), header included; a wider record stops the file.' }),
    snapshot: z
      .strictObject({
        key: z
          .array(identifier)
          .min(1, { error: 'expected at least one key column' })
          .meta({
            description: 'The target columns that identify a row (unique within a file).',
            examples: [['contact_id']],
          }),
        date_from_key: z
          .strictObject({
            pattern: nonEmpty('a regular expression with one capture group').meta({
              description: 'A regular expression over the object name; its first capture group is the date.',
              examples: ['(\\d{4}-\\d{2}-\\d{2})'],
            }),
            format: nonEmpty('a date format such as YYYY-MM-DD').meta({
              description: 'How the captured date is written.',
              examples: ['YYYY-MM-DD'],
            }),
          })
          .optional()
          .meta({
            description: 'Reads the snapshot date from the object name (first capture group, parsed with `format`).',
          }),
      })
      .optional()
      .meta({
        description:
          'Each file is the whole current state of the source, so consecutive files can be compared into inserts, ' +
          'updates and deletes. `key` lists the target columns that identify a row (unique within a file); ' +
          '`date_from_key` reads the snapshot date from the object name (first capture group, parsed with `format`).',
      }),
    mappings: z
      .array(mappingVersionSchema)
      .min(1, { error: 'expected at least one mapping version' })
      .meta({ description: 'One mapping version per layout the sender uses.' }),
  })
  .superRefine((source, context) => {
    if (source.format !== undefined) return;
    source.mappings.forEach((version, index) => {
      if (version.format !== undefined) return;
      context.addIssue({
        code: 'custom',
        path: ['mappings', index, 'format'],
        message: 'expected a format ({"type": "csv"} or {"type": "xlsx"}) here or for the whole source',
      });
    });
  })
  .meta({
    description:
      '`config/sources/files/<source>.json`: a file source dropped into the landing bucket under `landing/<source>/`.',
  });
export type FileSource = z.infer<typeof fileSourceSchema>;
export type CsvFormat = z.infer<typeof csvFormatSchema>;
export type XlsxFormat = z.infer<typeof xlsxFormatSchema>;
