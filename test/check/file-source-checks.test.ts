import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkProjectFiles } from '../../lib/check/check.ts';
import { fileSourceSchema } from '../../lib/core/model/file-source-schema.ts';
import { formatProblem } from '../../lib/core/model/problems.ts';
import { ingestProjectFiles } from '../core/ingest/harness.ts';

/** `dap check` (and CDK synthesis) on file sources: each problem names the file, the path inside it, and what was expected. */

function problemsWith(changes: Record<string, unknown>): string[] {
  const files = ingestProjectFiles();
  for (const [path, value] of Object.entries(changes)) files[path] = `${JSON.stringify(value, null, 2)}\n`;
  const { problems } = checkProjectFiles(new Map(Object.entries(files)));
  return problems.map(formatProblem).filter((p) => p.startsWith('config/sources/files/') || p.includes('raw_tables'));
}

const base = JSON.parse(ingestProjectFiles()['config/sources/files/people.json'] ?? '{}');
const FILE = 'config/sources/files/people.json';

describe('file source checks', () => {
  test('the test project itself is clean', () => {
    assert.deepEqual(problemsWith({}), []);
  });

  test('sheet: a plain name or a position is accepted; anything else says what is expected', () => {
    // Arrange
    const withSheet = (sheet: unknown) => ({ [FILE]: { ...base, format: { type: 'xlsx', sheet } } });

    // Act and assess
    assert.deepEqual(problemsWith(withSheet('People')), []);
    assert.deepEqual(problemsWith(withSheet(2)), []);
    assert.deepEqual(problemsWith(withSheet({ name: 'People' })), []);
    assert.deepEqual(problemsWith(withSheet(true)), [
      `${FILE}: format.sheet: expected a worksheet name ("Data"), a 1-based position (2), {"name": "Data"} or {"index": 2}`,
    ]);
    assert.equal(fileSourceSchema.parse({ ...base, format: { type: 'xlsx', sheet: 'People' } }).format?.type, 'xlsx');
    assert.deepEqual(
      (fileSourceSchema.parse({ ...base, format: { type: 'xlsx', sheet: 3 } }).format as { sheet?: unknown }).sheet,
      { index: 3 },
    );
  });

  test('a dataset without a raw table', () => {
    assert.deepEqual(problemsWith({ [FILE]: { ...base, dataset: 'nowhere' } }), [
      `${FILE}: dataset: no raw table "nowhere": expected it under "tables" in a athena-scripts/raw_tables/<source>.json file`,
    ]);
  });

  test('mappings: unknown target, lineage target, source column outside the header, bad format, uncastable constant', () => {
    const mapping = base.mappings[0];
    const broken = {
      ...base,
      mappings: [
        {
          ...mapping,
          columns: {
            ...mapping.columns,
            nickname: { from: 'Name' },
            file_hash: { constant: 'x' },
            email: { from: 'E-mail address' },
            born: { from: 'Born', format: 'DD/QQ/YYYY' },
            score: { constant: 'lots' },
          },
        },
        base.mappings[1],
      ],
    };
    assert.deepEqual(problemsWith({ [FILE]: broken }), [
      `${FILE}: mappings[0].columns.email.from: source column "E-mail address" is not in this version's header ("ID", "Name", "Email", "Born", "Score")`,
      `${FILE}: mappings[0].columns.born.format: date format "DD/QQ/YYYY" needs a year (YYYY or YY), a month (MM, M or MMM) and a day (DD or D)`,
      `${FILE}: mappings[0].columns.score.constant: cannot be cast to decimal(5,2): "lots" is not a number (decimal separator ".")`,
      `${FILE}: mappings[0].columns.nickname: raw table "people" has no column "nickname" (columns: person_id, name, email, born, score)`,
      `${FILE}: mappings[0].columns.file_hash: "file_hash" is a lineage column, written by ingestion itself`,
    ]);
  });

  test('schema errors name the path: an unknown transform; two value sources for one column', () => {
    const mapping = base.mappings[0];
    const withColumn = (name: unknown) => ({
      ...base,
      mappings: [{ ...mapping, columns: { ...mapping.columns, name } }],
    });
    assert.deepEqual(problemsWith({ [FILE]: withColumn({ from: 'Name', transforms: ['shout'] }) }), [
      `${FILE}: mappings[0].columns.name.transforms[0]: expected one of trim, upper, lower, title, collapse_spaces, digits_only`,
    ]);
    assert.deepEqual(problemsWith({ [FILE]: withColumn({ from: 'Name', constant: 'x' }) }), [
      `${FILE}: mappings[0].columns.name: expected exactly one of from, concat, split or constant, found from and constant`,
    ]);
  });

  test('snapshot keys must be mapped by every version; two versions with one header cannot be told apart', () => {
    const broken = {
      ...base,
      snapshot: { key: ['born'] },
      mappings: [base.mappings[0], { ...base.mappings[0], version: 'v9' }],
    };
    assert.deepEqual(problemsWith({ [FILE]: broken }), [
      `${FILE}: mappings[1].header: same header as version "v1", read the same way (csv, header row 1): a file could not tell them apart`,
    ]);
    const unmapped = { ...base, snapshot: { key: ['born'] } };
    assert.deepEqual(problemsWith({ [FILE]: unmapped }), [
      `${FILE}: snapshot.key[0]: key column "born" must be mapped by every mapping version`,
    ]);
  });

  test('the raw table must carry the lineage columns and the ingest_date partition', () => {
    const rawFile = 'athena-scripts/raw_tables/files_corpus.json';
    const raw = JSON.parse(ingestProjectFiles()[rawFile] ?? '{}');
    const broken = {
      ...raw,
      columns: raw.columns.filter((c: { name: string }) => c.name !== 'row_hash'),
      partition_columns: [],
    };
    const problems = problemsWith({ [rawFile]: broken });
    assert.ok(
      problems.includes(
        `${FILE}: dataset: raw table "people" (${rawFile}) must have the lineage column row_hash string`,
      ),
    );
    assert.ok(
      problems.includes(
        `${FILE}: dataset: raw table "people" (${rawFile}) must be partitioned by ingest_date alone, found []`,
      ),
    );
  });

  test('a misplaced, misspelt or unknown key is answered with the keys that object takes', () => {
    // Arrange
    const [mapping] = base.mappings;
    const withName = (name: unknown) => ({ ...mapping, columns: { ...mapping.columns, name } });

    // Act and assess
    assert.deepEqual(problemsWith({ [FILE]: { ...base, delimiter: ';' } }), [
      `${FILE}: (root): unexpected key(s) "delimiter" ("delimiter" belongs inside "format"): expected only source, description, key_pattern, format, dataset, max_reject_ratio, max_record_bytes, formula_like, duplicate_rows, max_cell_bytes, max_uncompressed_bytes, max_compression_ratio, max_shared_strings_bytes, max_rows, max_columns, snapshot, mappings`,
    ]);
    assert.deepEqual(problemsWith({ [FILE]: { ...base, mappings: [{ ...mapping, headers: mapping.header }] } }), [
      `${FILE}: mappings[0]: unexpected key(s) "headers" ("headers": did you mean "header"?): expected only version, description, header, optional_columns, allow_extra_columns, columns, format`,
    ]);
    assert.deepEqual(problemsWith({ [FILE]: { ...base, mappings: [withName({ from: 'Name', trim: true })] } }), [
      `${FILE}: mappings[0].columns.name: unexpected key(s) "trim" ("trim" is a value of "transforms"): expected only from, concat, separator, split, constant, transforms, value_map, value_map_strict, default, required, format, decimal_separator, thousands_separator, true_values, false_values, pattern, min, max`,
    ]);
  });

  test('a value of the wrong shape says the shape expected and what was found', () => {
    // Arrange
    const [mapping] = base.mappings;

    // Act and assess
    assert.deepEqual(problemsWith({ [FILE]: { ...base, mappings: { v1: mapping } } }), [
      `${FILE}: mappings: expected a list ([...]), found an object`,
    ]);
    assert.deepEqual(
      problemsWith({ [FILE]: { ...base, mappings: [{ ...mapping, columns: { ...mapping.columns, name: 'Name' } }] } }),
      [`${FILE}: mappings[0].columns.name: expected an object ({...}), found the text "Name"`],
    );
    assert.deepEqual(problemsWith({ [FILE]: { ...base, max_reject_ratio: 5 } }), [
      `${FILE}: max_reject_ratio: expected a number at most 1, found 5`,
    ]);
    assert.deepEqual(problemsWith({ [FILE]: { ...base, format: { type: 'csv', delimiter: ':' } } }), [
      `${FILE}: format.delimiter: expected one of "auto", ",", ";", "\\t", "|"`,
    ]);
  });
});
