import { z } from 'zod';
import { expected, identifier } from './schemas.ts';

/**
 * `config/sources/files/<source>.json`: a file source dropped into the landing bucket under `landing/<source>/`.
 * Everything a file may need (encoding, delimiter, sheet, header row, column mapping, casts) is declared here as
 * data; there is no SQL or code in a source file, so a sender's layout change is a config change that `dap check`
 * validates before it deploys.
 */

const nonEmpty = (what: string) => z.string({ error: expected(what) }).min(1, { error: `expected ${what}` });

/** A step applied to a text value, in order, before the value is mapped, defaulted and cast. */
export const textStepSchema = z.enum(['trim', 'upper', 'lower', 'title', 'collapse_spaces', 'digits_only'], {
  error: 'expected one of trim, upper, lower, title, collapse_spaces, digits_only',
});
export type TextStep = z.infer<typeof textStepSchema>;

/**
 * Where a target column's value comes from. Exactly one of:
 * - `from`: one source column (by its header text, matched after normalising case and punctuation);
 * - `concat`: several source columns joined by `separator` (empty parts are left out);
 * - `split`: one part of a source column cut at `separator` (`index` 0 = first, -1 = last);
 * - `constant`: a fixed value.
 */
const valueSourceFields = {
  from: nonEmpty('a source column name').optional(),
  concat: z.array(nonEmpty('a source column name')).min(2, { error: 'expected at least two columns' }).optional(),
  separator: z.string().optional(),
  split: z
    .strictObject({
      from: nonEmpty('a source column name'),
      separator: nonEmpty('a separator'),
      index: z.number().int({ error: 'expected a whole number (0 = first part, -1 = last)' }),
    })
    .optional(),
  constant: z.union([z.string(), z.number(), z.boolean()]).optional(),
};

export const columnMappingSchema = z
  .strictObject({
    ...valueSourceFields,
    /** Text steps, in order: trim, upper, lower, title, collapse_spaces, digits_only. */
    transforms: z.array(textStepSchema).default([]),
    /** Replaces a whole value (after transforms) by another; keys are compared exactly. */
    value_map: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    /** When true, a value that `value_map` does not list is a row error instead of passing through. */
    value_map_strict: z.boolean().default(false),
    /** Used when the value is empty after transforms. */
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    /** An empty value (after default) rejects the row. */
    required: z.boolean().default(false),
    /**
     * How text is read for a typed target: dates and timestamps (`DD/MM/YYYY`, `YYYY-MM-DD HH:mm`, tokens YYYY YY
     * MM M DD D HH H mm ss, anything else literal); numbers (`decimal_separator`, `thousands_separator`);
     * booleans (`true_values`/`false_values`, compared case-insensitively).
     */
    format: nonEmpty('a date format such as DD/MM/YYYY').optional(),
    decimal_separator: z.enum(['.', ',']).default('.'),
    thousands_separator: z.enum([',', '.', ' ', "'", '']).default(''),
    true_values: z.array(z.string()).default(['true', 'yes', 'y', '1']),
    false_values: z.array(z.string()).default(['false', 'no', 'n', '0']),
    /** Row rules on the final value: a regular expression for text, bounds for numbers and dates. */
    pattern: nonEmpty('a regular expression').optional(),
    min: z.union([z.number(), z.string()]).optional(),
    max: z.union([z.number(), z.string()]).optional(),
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
  });
export type ColumnMapping = z.infer<typeof columnMappingSchema>;

const headerRow = z
  .number({ error: expected('the 1-based row number of the header') })
  .int()
  .min(1, { error: 'expected the 1-based row number of the header' })
  .max(1000, { error: 'expected a header within the first 1000 rows' });

export const csvFormatSchema = z.strictObject({
  type: z.literal('csv'),
  /** `auto` sniffs comma, semicolon, tab and pipe from the first rows. */
  delimiter: z.enum(['auto', ',', ';', '\t', '|']).default('auto'),
  /** `auto`: BOM, then UTF-16 without BOM, then UTF-8 if every byte is valid UTF-8, else Windows-1252. */
  encoding: z.enum(['auto', 'utf-8', 'utf-16le', 'utf-16be', 'windows-1252']).default('auto'),
  header_row: headerRow.default(1),
  /** Rows with fewer fields than the header get empty trailing fields instead of being rejected. */
  pad_short_rows: z.boolean().default(false),
});

const SHEET_EXPECTED = 'expected a worksheet name ("Data"), a 1-based position (2), {"name": "Data"} or {"index": 2}';

export const xlsxFormatSchema = z.strictObject({
  type: z.literal('xlsx'),
  /**
   * Which worksheet holds the data: by name (`"Data"` or `{"name": "Data"}`), or by 1-based position (`2` or
   * `{"index": 2}`). @default the first worksheet
   */
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
    .optional(),
  header_row: headerRow.default(1),
});

/** How a file is read: `{"type": "csv", ...}` or `{"type": "xlsx", ...}`. */
export const fileFormatSchema = z.discriminatedUnion('type', [csvFormatSchema, xlsxFormatSchema], {
  error: 'expected format.type "csv" or "xlsx"',
});
export type FileFormat = z.infer<typeof fileFormatSchema>;

/** One layout a sender uses: recognised by its header, mapped onto the dataset's columns. */
export const mappingVersionSchema = z.strictObject({
  /** Named in lineage (`mapping_version`) and reports. */
  version: identifier,
  description: z.string().optional(),
  /**
   * The header this layout has, as the sender writes it. A file matches when its header holds every column here
   * that is not in `optional_columns`, and nothing else (unless `allow_extra_columns`). Names are compared
   * normalised: case, spaces, punctuation and accents do not matter.
   */
  header: z.array(nonEmpty('a column name')).min(1, { error: 'expected at least one column' }),
  /** Columns of `header` a file may leave out (their targets are then empty). */
  optional_columns: z.array(nonEmpty('a column name')).default([]),
  /** Accept, and ignore, columns the header does not list. */
  allow_extra_columns: z.boolean().default(false),
  /** Target column of the dataset → where its value comes from. Unlisted dataset columns are null. */
  columns: z.record(identifier, columnMappingSchema),
  /**
   * How files of this layout are read, when it differs from the source's `format` (a sender whose branches send
   * CSV, CSV with title rows and XLSX). @default the source's format
   */
  format: fileFormatSchema.optional(),
});
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
    source: identifier,
    description: z.string().optional(),
    /**
     * Object names accepted under `landing/<source>/`: a glob where `*` matches within a name and `?` one character
     * (not a regular expression: one is refused). A file that does not match is quarantined. @default '*'
     */
    key_pattern: keyPattern.default('*'),
    /**
     * How files are read: the default of every mapping version that has no `format` of its own (then it may be left
     * out).
     */
    format: fileFormatSchema.optional(),
    /** The raw table (declared in `athena-scripts/raw_tables/`) the normalised rows land in. */
    dataset: identifier,
    /**
     * The share of data rows that may be rejected while the valid rows still load (0 = any rejected row quarantines
     * the whole file, 1 = load whatever is valid).
     */
    max_reject_ratio: z.number().min(0).max(1).default(0),
    /** A record longer than this (an unclosed quote, usually) stops the file instead of growing without bound. */
    max_record_bytes: z
      .number()
      .int()
      .min(1024)
      .default(4 * 1024 * 1024),
    /**
     * A text value that a spreadsheet would take for a formula (`=SUM(...)`, `@x`, `+x`, `-x` that is not a number):
     * `flag` loads it as it is and counts it per column in the file's report; `reject` rejects its row (within
     * `max_reject_ratio`). Exports dap writes for people neutralise such values either way.
     */
    formula_like: z.enum(['flag', 'reject'], { error: 'expected "flag" or "reject"' }).default('flag'),
    /**
     * A row that repeats an earlier row of the same file cell for cell: `reject` rejects each repeat with the reason
     * (within `max_reject_ratio`); `keep_first` loads the first and skips the repeats, counted in the report
     * (`rows.duplicate`); `keep` loads every copy (the sender means each as a row of its own).
     */
    duplicate_rows: z
      .enum(['reject', 'keep_first', 'keep'], { error: 'expected "reject", "keep_first" or "keep"' })
      .default('reject'),
    /** One cell, in characters (CSV and XLSX); a longer one stops the file: no warehouse column holds it whole. */
    max_cell_bytes: z
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
    /** XLSX: all entries of the workbook inflated together, read from its ZIP directory before anything is inflated. */
    max_uncompressed_bytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .default(1024 * 1024 * 1024),
    /** XLSX: one entry (over a megabyte) may inflate at most this many times its compressed size. */
    max_compression_ratio: z.number().min(2).default(250),
    /** XLSX: the shared-string table, which the reader holds in memory whole, at most this many bytes uncompressed. */
    max_shared_strings_bytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .default(128 * 1024 * 1024),
    /** Data rows in one file (CSV and XLSX); a file with more is quarantined whole (Excel's own cap is 1,048,576 rows). */
    max_rows: z.number().int().min(1).default(1_000_000),
    /** Columns in one record (CSV and XLSX), header included; a wider record stops the file. */
    max_columns: z.number().int().min(1).default(1000),
    /**
     * Each file is the whole current state of the source, so consecutive files can be compared into inserts,
     * updates and deletes. `key` lists the target columns that identify a row (unique within a file); `date_from_key`
     * reads the snapshot date from the object name (first capture group, parsed with `format`).
     */
    snapshot: z
      .strictObject({
        key: z.array(identifier).min(1, { error: 'expected at least one key column' }),
        date_from_key: z
          .strictObject({
            pattern: nonEmpty('a regular expression with one capture group'),
            format: nonEmpty('a date format such as YYYY-MM-DD'),
          })
          .optional(),
      })
      .optional(),
    mappings: z.array(mappingVersionSchema).min(1, { error: 'expected at least one mapping version' }),
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
  });
export type FileSource = z.infer<typeof fileSourceSchema>;
export type CsvFormat = z.infer<typeof csvFormatSchema>;
export type XlsxFormat = z.infer<typeof xlsxFormatSchema>;
