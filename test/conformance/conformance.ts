import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBInstance,
  DuckDBIntervalValue,
  DuckDBListType,
  DuckDBListValue,
  DuckDBMapType,
  DuckDBMapValue,
  DuckDBStructType,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeTZValue,
  DuckDBTimeValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
} from '@duckdb/node-api';
import { z } from 'zod';
import { lintRedshiftSql } from '../../lib/check/redshift-portability.ts';
import { findPortabilityIssues } from '../../lib/check/trino-portability.ts';
import { PgliteWarehouse } from '../../lib/engines/local/pglite-warehouse.ts';
import { installTrinoCompat, translateTrinoToDuckDb } from '../../lib/engines/local/trino-compat.ts';

/**
 * The conformance corpus: cases taken from the engines' own test suites and documentation (Trino's function and type
 * tests and `docs/src/main/sphinx/functions/*.md`; the Amazon Redshift Database Developer Guide's examples), each an
 * expression or constant query with the value the engine shows, run here on the real local engines.
 */
export const CONFORMANCE_DIR = dirname(fileURLToPath(import.meta.url));
/** `<engine>/known-differences.json`: `{ "<case id>": "reason" }`, the cases the local engine answers differently. */
export const knownDifferencesFile = (engine: EngineName): string =>
  join(CONFORMANCE_DIR, engine, 'known-differences.json');

export type EngineName = 'trino' | 'redshift';
export const ENGINES: readonly EngineName[] = ['trino', 'redshift'];

const caseSchema = z.strictObject({
  id: z.string().regex(/^(trino|redshift)-[a-z]+-\d{4}$/),
  /** Trino: an expression that goes after `select`. Redshift: a whole `select ...`. */
  sql: z.string().min(1),
  /** The text the engine shows (Trino's CLI, Redshift's query editor), or null for SQL NULL. */
  expected: z.string().nullable(),
  /** The engine refuses the statement: the local engine must refuse it too. */
  error: z.literal(true).optional(),
  /** Where the fact comes from: repository path and test method, or documentation page. */
  source: z.string().min(1),
});

export interface ConformanceCase extends z.infer<typeof caseSchema> {
  readonly engine: EngineName;
  readonly category: string;
}

/** Every case of one engine, category by category (file name order), in file order. */
export function loadCorpus(engine: EngineName): ConformanceCase[] {
  const folder = join(CONFORMANCE_DIR, engine);
  const files = readdirSync(folder)
    .filter((name) => name.endsWith('.jsonl'))
    .sort();
  return files.flatMap((file) => {
    const category = file.replace(/\.jsonl$/, '');
    return readFileSync(join(folder, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, index) => {
        const parsed = caseSchema.safeParse(JSON.parse(line));
        if (!parsed.success) {
          throw new Error(`${engine}/${file}:${index + 1}: ${parsed.error.message}`, { cause: parsed.error });
        }
        if (!parsed.data.id.startsWith(`${engine}-${category}-`)) {
          throw new Error(`${engine}/${file}:${index + 1}: id ${parsed.data.id} does not name this file`);
        }
        return { ...parsed.data, engine, category };
      });
  });
}

/** The known differences of one engine: each a case the local engine answers differently, with the reason. */
export function loadKnownDifferences(engine: EngineName): Record<string, string> {
  return z.record(z.string(), z.string().min(1)).parse(JSON.parse(readFileSync(knownDifferencesFile(engine), 'utf8')));
}

/**
 * What the local engine gave: its value as the engine would show it, or its error. `temporal` marks a value of a
 * time type, whose fractional seconds are compared to the precision the expected text shows (see `matches`).
 */
export type Outcome =
  | { readonly kind: 'value'; readonly text: string | null; readonly temporal: boolean }
  | { readonly kind: 'error'; readonly message: string };

export interface LocalEngine {
  run(sql: string): Promise<Outcome>;
  close(): Promise<void>;
}

function errorOutcome(error: unknown): Outcome {
  return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
}

/** DuckDB with the Trino compatibility layer, as transforms run locally; each case is `select <expression>`. */
export async function openTrinoEngine(): Promise<LocalEngine> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await installTrinoCompat(connection);
  return {
    async run(sql) {
      try {
        const reader = await connection.runAndReadAll(translateTrinoToDuckDb(`select ${sql}`));
        const value = reader.getRows()[0]?.[0] ?? null;
        const type = reader.columnType(0);
        return { kind: 'value', text: value === null ? null : trinoText(value, type), temporal: isTemporal(type) };
      } catch (error) {
        return errorOutcome(error);
      }
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** PGlite with the Redshift compatibility functions and rewriter, as procedures run locally. */
export async function openRedshiftEngine(): Promise<LocalEngine> {
  const warehouse = await PgliteWarehouse.open();
  return {
    async run(sql) {
      try {
        const result = await warehouse.queryText(sql);
        return { kind: 'value', text: result.rows[0]?.[0] ?? null, temporal: false };
      } catch (error) {
        return errorOutcome(error);
      }
    },
    close: () => warehouse.close(),
  };
}

export function openEngine(engine: EngineName): Promise<LocalEngine> {
  return engine === 'trino' ? openTrinoEngine() : openRedshiftEngine();
}

/**
 * Whether the local outcome is the engine's. Text is compared exactly, with one allowance: DuckDB has a single
 * microsecond TIMESTAMP type where Trino has timestamp(p), so a local time value is shown with as many fractional
 * digits as the expected text has, provided the digits dropped are zeros (`.321000` matches `.321`, `.000` matches
 * none, `.5` never matches none). The precision of Trino's timestamps is therefore not measured; their value is.
 */
export function matches(testCase: ConformanceCase, outcome: Outcome): boolean {
  if (testCase.error) return outcome.kind === 'error';
  if (outcome.kind === 'error') return false;
  if (outcome.text === testCase.expected) return true;
  if (outcome.text === null || testCase.expected === null || !outcome.temporal) return false;
  return alignFractionalSeconds(outcome.text, testCase.expected) === testCase.expected;
}

const TIME_OF_DAY = /(\d{2}:\d{2}:\d{2})(?:\.(\d+))?/g;

function alignFractionalSeconds(actual: string, expected: string): string {
  const wanted = [...expected.matchAll(TIME_OF_DAY)].map((match) => match[2]?.length ?? 0);
  let index = 0;
  return actual.replace(TIME_OF_DAY, (whole, clock: string, fraction: string | undefined) => {
    const digits = wanted[index++];
    if (digits === undefined) return whole;
    const given = fraction ?? '';
    if (given.length > digits && !/^0*$/.test(given.slice(digits))) return whole;
    const aligned = given.slice(0, digits).padEnd(digits, '0');
    return aligned === '' ? clock : `${clock}.${aligned}`;
  });
}

/** How an outcome reads in a report or a known-differences reason. */
export function describeOutcome(outcome: Outcome): string {
  if (outcome.kind === 'error') return `error: ${outcome.message.split('\n')[0]}`;
  return outcome.text === null ? 'NULL' : JSON.stringify(outcome.text);
}

export function describeExpected(testCase: ConformanceCase): string {
  if (testCase.error) return 'an error';
  return testCase.expected === null ? 'NULL' : JSON.stringify(testCase.expected);
}

/**
 * What a user would meet: the local engine's answer is the engine's (`match`); `dap check` (Athena SQL) or the
 * portability lint (Redshift) refuses the SQL with a reason (`refused`); the answer differs and the difference is
 * listed with its reason (`known`); or it differs in silence (`silent`), a defect.
 */
export type Verdict = 'match' | 'refused' | 'known' | 'silent';

export interface CaseResult {
  readonly testCase: ConformanceCase;
  readonly outcome: Outcome;
  readonly verdict: Verdict;
  /** The refusal's or the known difference's reason. */
  readonly reason?: string;
}

/** Why `dap check` or the portability lint refuses the case's SQL, or undefined when it is let through. */
export function refusal(testCase: ConformanceCase): string | undefined {
  if (testCase.engine === 'trino') return findPortabilityIssues(`select ${testCase.sql}`)[0]?.message;
  return lintRedshiftSql('case.sql', testCase.sql)[0]?.message;
}

/** Runs every case of one engine in sequence on one local engine instance, and judges each. */
export async function runCorpus(engine: EngineName): Promise<CaseResult[]> {
  const known = loadKnownDifferences(engine);
  const local = await openEngine(engine);
  try {
    const results: CaseResult[] = [];
    for (const testCase of loadCorpus(engine)) {
      const outcome = await local.run(testCase.sql);
      const refused = refusal(testCase);
      const reason = known[testCase.id];
      if (matches(testCase, outcome)) results.push({ testCase, outcome, verdict: 'match' });
      else if (refused !== undefined) results.push({ testCase, outcome, verdict: 'refused', reason: refused });
      else if (reason !== undefined) results.push({ testCase, outcome, verdict: 'known', reason });
      else results.push({ testCase, outcome, verdict: 'silent' });
    }
    return results;
  } finally {
    await local.close();
  }
}

const TEMPORAL_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.TIMESTAMP_TZ,
  DuckDBTypeId.TIME,
  DuckDBTypeId.TIME_TZ,
]);

function isTemporal(type: DuckDBType): boolean {
  if (TEMPORAL_TYPES.has(type.typeId)) return true;
  if (type instanceof DuckDBListType) return isTemporal(type.valueType);
  if (type instanceof DuckDBMapType) return isTemporal(type.keyType) || isTemporal(type.valueType);
  if (type instanceof DuckDBStructType) return type.entryTypes.some(isTemporal);
  return false;
}

/**
 * A DuckDB value as Trino's CLI shows the corresponding Trino value: doubles and reals as Java prints them
 * (`3.0`, `1.0E10`, `NaN`), decimals with their scale, timestamps `yyyy-MM-dd HH:mm:ss.fffffffff` (see `matches`),
 * zoned ones followed by their zone (`UTC`: DuckDB keeps no zone), intervals `d HH:mm:ss.SSS` or `y-m`, varbinary as
 * spaced hex, arrays `[a, b]`, maps and rows `{k=v}`, nested NULLs as `NULL`.
 */
export function trinoText(value: DuckDBValue, type: DuckDBType): string {
  if (value === null) return 'NULL';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return value;
    case 'bigint':
      return value.toString();
    case 'number':
      if (type.typeId === DuckDBTypeId.DOUBLE) return javaDouble(value);
      if (type.typeId === DuckDBTypeId.FLOAT) return javaFloat(value);
      return String(value);
  }
  if (value instanceof DuckDBDecimalValue) return decimalText(value.value, value.scale);
  if (value instanceof DuckDBDateValue) return dateText(BigInt(value.days));
  if (value instanceof DuckDBTimestampValue) return timestampText(value.micros * 1000n, 6);
  if (value instanceof DuckDBTimestampSecondsValue) return timestampText(value.seconds * 1_000_000_000n, 0);
  if (value instanceof DuckDBTimestampMillisecondsValue) return timestampText(value.millis * 1_000_000n, 3);
  if (value instanceof DuckDBTimestampNanosecondsValue) return timestampText(value.nanos, 9);
  if (value instanceof DuckDBTimestampTZValue) return `${timestampText(value.micros * 1000n, 6)} UTC`;
  if (value instanceof DuckDBTimeValue) return timeText(value.micros * 1000n, 6);
  if (value instanceof DuckDBTimeTZValue) return `${timeText(value.micros * 1000n, 6)}${offsetText(value.offset)}`;
  if (value instanceof DuckDBIntervalValue) return intervalText(value);
  if (value instanceof DuckDBBlobValue)
    return [...value.bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
  if (value instanceof DuckDBListValue) {
    const itemType = type instanceof DuckDBListType ? type.valueType : type;
    return `[${value.items.map((item) => trinoText(item, itemType)).join(', ')}]`;
  }
  if (value instanceof DuckDBMapValue) {
    const [keyType, valueType] = type instanceof DuckDBMapType ? [type.keyType, type.valueType] : [type, type];
    return `{${value.entries.map((entry) => `${trinoText(entry.key, keyType)}=${trinoText(entry.value, valueType)}`).join(', ')}}`;
  }
  if (value instanceof DuckDBStructValue) {
    const entries = Object.entries(value.entries).map(([name, field]) => {
      const fieldType = type instanceof DuckDBStructType ? type.typeForEntry(name) : type;
      return `${name}=${trinoText(field, fieldType)}`;
    });
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}

/** Java's `Double.toString`: shortest digits, at least one fractional digit, scientific outside [1e-3, 1e7). */
export function javaDouble(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa = '', exponent = ''] = value.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

/** Java's `Float.toString`: the shortest decimal that reads back as the same 32-bit float. */
export function javaFloat(value: number): string {
  if (!Number.isFinite(value) || value === 0) return javaDouble(value);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return javaDouble(candidate);
  }
  return javaDouble(value);
}

function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

const NANOS_PER_DAY = 86_400_000_000_000n;

/** Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days). */
function dateText(epochDays: bigint): string {
  const z = epochDays + 719_468n;
  const era = (z >= 0n ? z : z - 146_096n) / 146_097n;
  const dayOfEra = z - era * 146_097n;
  const yearOfEra = (dayOfEra - dayOfEra / 1460n + dayOfEra / 36_524n - dayOfEra / 146_096n) / 365n;
  const dayOfYear = dayOfEra - (365n * yearOfEra + yearOfEra / 4n - yearOfEra / 100n);
  const monthIndex = (5n * dayOfYear + 2n) / 153n;
  const day = dayOfYear - (153n * monthIndex + 2n) / 5n + 1n;
  const month = monthIndex < 10n ? monthIndex + 3n : monthIndex - 9n;
  const year = yearOfEra + era * 400n + (month <= 2n ? 1n : 0n);
  const yearText = year < 0n ? `-${(-year).toString().padStart(4, '0')}` : year.toString().padStart(4, '0');
  return `${yearText}-${month.toString().padStart(2, '0')}-${day.toString().padStart(2, '0')}`;
}

function timestampText(epochNanos: bigint, digits: number): string {
  let days = epochNanos / NANOS_PER_DAY;
  let nanosOfDay = epochNanos % NANOS_PER_DAY;
  if (nanosOfDay < 0n) {
    nanosOfDay += NANOS_PER_DAY;
    days -= 1n;
  }
  return `${dateText(days)} ${timeText(nanosOfDay, digits)}`;
}

function timeText(nanosOfDay: bigint, digits: number): string {
  const seconds = nanosOfDay / 1_000_000_000n;
  const pad = (n: bigint) => n.toString().padStart(2, '0');
  const clock = `${pad(seconds / 3600n)}:${pad((seconds / 60n) % 60n)}:${pad(seconds % 60n)}`;
  if (digits === 0) return clock;
  const fraction = (nanosOfDay % 1_000_000_000n).toString().padStart(9, '0').slice(0, digits);
  return `${clock}.${fraction}`;
}

function offsetText(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const minutes = Math.floor(Math.abs(offsetSeconds) / 60);
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Trino shows INTERVAL YEAR TO MONTH as `y-m` and INTERVAL DAY TO SECOND as `d HH:mm:ss.SSS`. */
function intervalText(interval: DuckDBIntervalValue): string {
  if (interval.months !== 0 && interval.days === 0 && interval.micros === 0n) {
    const sign = interval.months < 0 ? '-' : '';
    const months = Math.abs(interval.months);
    return `${sign}${Math.floor(months / 12)}-${months % 12}`;
  }
  const total =
    BigInt(interval.days) * 86_400_000_000n + interval.micros + BigInt(interval.months) * 30n * 86_400_000_000n;
  const sign = total < 0n ? '-' : '';
  const micros = total < 0n ? -total : total;
  const days = micros / 86_400_000_000n;
  const rest = micros % 86_400_000_000n;
  return `${sign}${days} ${timeText(rest * 1000n, 3)}`;
}

/** Cases, matches, refusals, known and silent differences of one engine's category (or all of it). */
export interface Tally {
  readonly cases: number;
  readonly match: number;
  readonly refused: number;
  readonly known: number;
  readonly silent: number;
}

export function tally(results: readonly CaseResult[]): Tally {
  const count = (verdict: Verdict) => results.filter((result) => result.verdict === verdict).length;
  return {
    cases: results.length,
    match: count('match'),
    refused: count('refused'),
    known: count('known'),
    silent: count('silent'),
  };
}

const percent = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`);

function tallyRows(results: readonly CaseResult[]): string[] {
  const categories = [...new Set(results.map((result) => result.testCase.category))];
  const row = (name: string, part: Tally) =>
    `| ${name} | ${part.cases} | ${part.match} (${percent(part.match, part.cases)}) | ${part.refused} | ${part.known} | ${part.silent} |`;
  return [
    ...categories.map((category) => row(category, tally(results.filter((r) => r.testCase.category === category)))),
    row('**all**', tally(results)),
  ];
}

const TABLE_HEAD = [
  '| category | cases | match | refused by check or lint | known differences | silent differences |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
];
const ENGINE_TITLES: Record<EngineName, string> = {
  trino: 'Athena SQL (Trino) on DuckDB',
  redshift: 'Redshift SQL on PGlite',
};

/** The README's fidelity block: figures per engine and category, generated from a corpus run. */
export function readmeBlock(results: Readonly<Record<EngineName, readonly CaseResult[]>>): string {
  return ENGINES.flatMap((engine) => [
    `**${ENGINE_TITLES[engine]}**`,
    '',
    ...TABLE_HEAD,
    ...tallyRows(results[engine]),
    '',
  ])
    .join('\n')
    .trimEnd();
}

/** `test/conformance/REPORT.md`: the figures, then every case that does not match, with the reason or the answer. */
export function reportMarkdown(results: Readonly<Record<EngineName, readonly CaseResult[]>>): string {
  const lines = [
    '# Conformance of the local engines',
    '',
    'Generated by `npx tsx scripts/conformance-report.ts` from the corpus in `test/conformance/<engine>/*.jsonl`;',
    '`npm test` fails when this file or the README block is out of date.',
    '',
  ];
  for (const engine of ENGINES) {
    lines.push(`## ${ENGINE_TITLES[engine]}`, '', ...TABLE_HEAD, ...tallyRows(results[engine]), '');
    const misses = results[engine].filter((result) => result.verdict !== 'match');
    if (misses.length === 0) continue;
    lines.push('| case | SQL | engine | local | why |', '| --- | --- | --- | --- | --- |');
    for (const { testCase, outcome, verdict, reason } of misses) {
      const why = verdict === 'silent' ? '**silent difference**' : `${verdict}: ${reason ?? ''}`;
      const cells = [testCase.id, `\`${testCase.sql}\``, describeExpected(testCase), describeOutcome(outcome), why];
      lines.push(`| ${cells.map((cell) => cell.replaceAll('|', '\\|').replaceAll('\n', ' ')).join(' | ')} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

export const REPORT_FILE = join(CONFORMANCE_DIR, 'REPORT.md');
export const README_BEGIN = '<!-- conformance:begin (generated by scripts/conformance-report.ts) -->';
export const README_END = '<!-- conformance:end -->';

/** The README text with its fidelity block replaced by `block`; throws when the README has no block. */
export function withReadmeBlock(readme: string, block: string): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin)
    throw new Error(`README.md: expected a block between ${README_BEGIN} and ${README_END}`);
  return `${readme.slice(0, begin + README_BEGIN.length)}\n${block}\n${readme.slice(end)}`;
}

/** Runs both corpora. */
export async function runAll(): Promise<Record<EngineName, CaseResult[]>> {
  return { trino: await runCorpus('trino'), redshift: await runCorpus('redshift') };
}
