import { IDENTIFIER } from '../../model/schemas.ts';
import { type SqlToken, tokenizeSql } from '../../sql/trino-tokens.ts';

/**
 * DAP's insert SQL (`athena-scripts/dml/insert_into/<event>.sql`) as dap runs it. Only two things change:
 * - the Glue databases, which DAP names `"environment-txma-stage"` and `"environment-txma-raw"` (its deployment
 *   replaces the word `environment`), become `{{stage_database}}` and `{{raw_database}}`;
 * - the window, which DAP's runner fills by replacing `filter_value` with the last processed day and bounds above by
 *   today (`CAST(concat(year, month, day) AS INT) > filter_value AND ... < CAST(date_format(now(), '%Y%m%d') as INT)`),
 *   becomes the run's window parameters: `concat(year, '-', month, '-', day) > :window_from` and `<= :window_to`
 *   (the last complete day, which is the day before today once its lateness has passed).
 * Everything else stays byte for byte. Token-aware: strings and comments are never touched.
 */

export interface InsertSqlConversion {
  readonly text: string;
  readonly changes: readonly string[];
  /** What could not be converted, each naming its line and the reason. */
  readonly unconverted: readonly string[];
}

/** DAP's Glue databases by the placeholder dap names them with. */
const DATABASES: Readonly<Record<string, string>> = {
  '"environment-txma-stage"': '{{stage_database}}',
  '"environment-txma-raw"': '{{raw_database}}',
};

/** DAP's delivery day of a raw row, as its predicate computes it: `CAST(concat(year, month, day) AS INT)`. */
const DAY_AS_INT = ['cast', '(', 'concat', '(', 'year', ',', 'month', ',', 'day', ')', 'as', 'int', ')'];
const LOWER_BOUND = [...DAY_AS_INT, '>', 'filter_value'];
const UPPER_BOUND = [
  ...DAY_AS_INT,
  '<',
  'cast',
  '(',
  'date_format',
  '(',
  'now',
  '(',
  ')',
  ',',
  "'%Y%m%d'",
  ')',
  'as',
  'int',
  ')',
];
const DAY = "concat(year, '-', month, '-', day)";
const WINDOW_FROM = `${DAY} > :window_from`;
const WINDOW_TO = `${DAY} <= :window_to`;

export function convertInsertSql(text: string): InsertSqlConversion {
  const tokens = tokenizeSql(text);
  const significant = tokens.flatMap((t, i) => (t.kind === 'whitespace' || t.kind === 'comment' ? [] : [i]));
  const changes = new Set<string>();
  const unconverted: string[] = [];
  let out = '';
  let at = 0; // next token index to copy
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;

  for (let s = 0; s < significant.length; s++) {
    const i = significant[s] as number;
    if (i < at) continue;
    const token = tokens[i] as SqlToken;
    const placeholder = token.kind === 'quoted-identifier' ? DATABASES[token.text.toLowerCase()] : undefined;
    const dot = tokens[significant[s + 1] ?? -1];
    const table = tokens[significant[s + 2] ?? -1];
    if (placeholder && dot?.text === '.' && table && (table.kind === 'quoted-identifier' || table.kind === 'word')) {
      out += `${copy(tokens, at, i)}${placeholder}.${tableName(table)}`;
      at = (significant[s + 2] as number) + 1;
      changes.add(`database ${token.text} → ${placeholder}`);
      continue;
    }
    for (const [pattern, replacement, was] of [
      [LOWER_BOUND, WINDOW_FROM, 'CAST(concat(year, month, day) AS INT) > filter_value'],
      [UPPER_BOUND, WINDOW_TO, "CAST(concat(year, month, day) AS INT) < CAST(date_format(now(), '%Y%m%d') as INT)"],
    ] as const) {
      if (!matches(tokens, significant, s, pattern)) continue;
      out += `${copy(tokens, at, i)}${replacement}`;
      at = (significant[s + pattern.length - 1] as number) + 1;
      changes.add(`${was} → ${replacement}`);
      break;
    }
  }
  out += copy(tokens, at, tokens.length);

  // What is left of DAP's runner conventions could not be converted.
  for (const token of tokenizeSql(out)) {
    const line = lineOf(token.offset);
    if (token.kind === 'word' && token.text.toLowerCase() === 'filter_value') {
      unconverted.push(
        `line ${line}: filter_value is not in DAP's lower bound (CAST(concat(year, month, day) AS INT) > filter_value); filter by the window with ${WINDOW_FROM} by hand`,
      );
    } else if (token.kind === 'quoted-identifier' && /environment/i.test(token.text)) {
      unconverted.push(
        `line ${line}: ${token.text} is not one of DAP's Glue databases ("environment-txma-stage", "environment-txma-raw") followed by a table; name it by placeholder ({{stage_database}}, {{raw_database}}) by hand`,
      );
    }
  }
  const converted = [...changes].join(' ');
  if (!converted.includes(':window_from') && !unconverted.some((u) => u.includes('filter_value'))) {
    unconverted.push(`no window lower bound found: expected ${LOWER_BOUND_TEXT}; add ${WINDOW_FROM} by hand`);
  }
  if (!converted.includes(':window_to')) {
    unconverted.push(`no window upper bound found: expected ${UPPER_BOUND_TEXT}; add ${WINDOW_TO} by hand`);
  }
  return { text: out, changes: [...changes], unconverted };
}

const LOWER_BOUND_TEXT = 'CAST(concat(year, month, day) AS INT) > filter_value';
const UPPER_BOUND_TEXT = "CAST(concat(year, month, day) AS INT) < CAST(date_format(now(), '%Y%m%d') as INT)";

function copy(tokens: readonly SqlToken[], from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) out += tokens[i]?.text ?? '';
  return out;
}

/** The significant tokens from `s` on spell `pattern` (words and keywords in any case; strings exactly). */
function matches(tokens: readonly SqlToken[], significant: readonly number[], s: number, pattern: readonly string[]) {
  return pattern.every((expected, k) => {
    const token = tokens[significant[s + k] ?? -1];
    if (!token) return false;
    return token.kind === 'string' ? token.text === expected : token.text.toLowerCase() === expected;
  });
}

/** A table name as the placeholder's table: unquoted when it is a plain identifier, as dap's SQL writes it. */
function tableName(token: SqlToken): string {
  if (token.kind !== 'quoted-identifier') return token.text;
  const inner = token.text.slice(1, -1).replaceAll('""', '"');
  return IDENTIFIER.test(inner) ? inner : token.text;
}

/** The stage and raw tables an insert names through DAP's databases: `"environment-txma-stage"."<table>"`. */
export function dapTablesNamed(text: string): { readonly stage: string[]; readonly raw: string[] } {
  const stage = new Set<string>();
  const raw = new Set<string>();
  for (const match of text.matchAll(/"environment-txma-(stage|raw)"\s*\.\s*"?([A-Za-z0-9_]+)"?/gi)) {
    const table = (match[2] ?? '').toLowerCase();
    if ((match[1] ?? '').toLowerCase() === 'stage') stage.add(table);
    else raw.add(table);
  }
  return { stage: [...stage], raw: [...raw] };
}
