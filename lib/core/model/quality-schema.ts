import { z } from 'zod';

/**
 * Data-quality checks declared beside a stage table (`athena-scripts/stage_tables/<family>.json`, key `checks`), in
 * the spirit of dbt's tests. Each check becomes one query over the rows of a run's window; a failing `error` check
 * fails its family and keeps the watermark where it was, a failing `warn` check is only reported.
 *
 * This file must not import values from `schemas.ts`: that file imports this one for `stageTableSchema`, and an
 * import cycle would read `identifier` before it is defined. Hence the local identifier schema below.
 */

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

const expected = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `missing required field (expected ${what})` : `expected ${what}`;

const identifier = (what: string) =>
  z
    .string({ error: expected(what) })
    .regex(IDENTIFIER, { error: `expected ${what} matching ^[a-z][a-z0-9_]*$ (lower case, digits, underscores)` })
    .meta({ title: 'identifier' });

const column = identifier('a column name of this stage table').meta({
  description: 'The column checked.',
  examples: ['event_id'],
});
const columns = z
  .array(column, { error: expected('a list of column names') })
  .min(1, { error: 'expected at least one column' })
  .meta({ description: 'The columns checked.', examples: [['event_id']] });

/** `48 hours`, `2 days`, `30 minutes`: how old the newest row of a window may be, measured from the window's end. */
export const MAX_AGE = /^(\d+) (minute|hour|day)s?$/;

export const CHECK_TYPES = [
  'not_null',
  'unique',
  'accepted_values',
  'relationships',
  'row_count_reconciliation',
  'freshness',
  'expression',
] as const;
export type QualityCheckType = (typeof CHECK_TYPES)[number];

const common = {
  name: identifier('a check name').optional().meta({
    description: 'Names the check in run reports; unique within the table. Defaults to the type and its columns.',
  }),
  severity: z
    .enum(['error', 'warn'], { error: 'expected "error" or "warn"' })
    .default('error')
    .meta({ description: '`error` fails the family (the watermark stays), `warn` is only reported.' }),
  description: z.string().optional().meta({ description: 'What the check guards, for people reading reports.' }),
};

const sampleKey = columns.optional().meta({
  description:
    "Columns whose values identify an offending row in the sample. Default: ['event_id'] when the table has it.",
});

const notNullCheck = z
  .strictObject({
    type: z.literal('not_null'),
    ...common,
    columns,
    sample_key: sampleKey,
  })
  .meta({ description: 'The columns hold no null in the rows of the window.' });

const uniqueCheck = z
  .strictObject({
    type: z.literal('unique'),
    ...common,
    columns,
  })
  .meta({
    description: "The columns together are unique in the whole table; checked for the keys of the window's rows.",
  });

const acceptedValuesCheck = z
  .strictObject({
    type: z.literal('accepted_values'),
    ...common,
    column,
    values: z
      .array(z.union([z.string(), z.number(), z.boolean()]), {
        error: expected('a list of accepted values (strings, numbers or booleans)'),
      })
      .min(1, { error: 'expected at least one accepted value' })
      .optional()
      .meta({ description: 'The values accepted.', examples: [['GB', 'IE']] }),
    values_from: z
      .literal('family_events', { error: expected('"family_events"') })
      .optional()
      .meta({ description: "Accept the event names the family's event list declares." }),
    sample_key: sampleKey,
  })
  .refine((check) => (check.values === undefined) !== (check.values_from === undefined), {
    error: 'expected exactly one of "values" (a list) and "values_from": "family_events"',
  })
  .meta({
    description:
      'Non-null values of the column are among `values`; compared as text, so `1` and `"1"` are the same. Or, with ' +
      '`values_from: "family_events"`, among the event names the family\'s event list declares (so the list is never ' +
      'written twice). One of the two, not both.',
  });

const relationshipsCheck = z
  .strictObject({
    type: z.literal('relationships'),
    ...common,
    column,
    to: z
      .strictObject(
        {
          table: identifier('a stage table name').meta({ description: 'The stage table referred to.' }),
          column: identifier('a column name of that stage table').meta({ description: 'Its column referred to.' }),
        },
        { error: expected('{ "table": <stage table>, "column": <column> }') },
      )
      .meta({
        description: 'Where the values must exist.',
        examples: [{ table: 'shop_customers', column: 'customer_id' }],
      }),
    sample_key: sampleKey,
  })
  .meta({
    description:
      'Every non-null value of the column exists in `to.column` of stage table `to.table` (any row, any window).',
  });

const rowCountReconciliationCheck = z
  .strictObject({
    type: z.literal('row_count_reconciliation'),
    ...common,
    key: identifier('the stage column holding the dedup key, e.g. event_id').meta({
      description: 'The dedup key: a stage column.',
      examples: ['event_id'],
    }),
    raw_key: identifier('a raw table column')
      .optional()
      .meta({ description: 'The raw column holding the same key. Default: the value of `key`.' }),
    events: z
      .array(identifier('an event name'))
      .min(1, { error: 'expected at least one event' })
      .optional()
      .meta({ description: 'Events to reconcile. Default: every enabled event of the family.' }),
  })
  .meta({
    description:
      "For each event of the family (or those listed): the distinct `raw_key` values of the event's raw rows in the " +
      "window's raw partitions all have a stage row (duplicates removed, so one row per key), and the window's stage " +
      'rows of that event are exactly one per such key.',
  });

const freshnessCheck = z
  .strictObject({
    type: z.literal('freshness'),
    ...common,
    column,
    max_age: z
      .string({ error: expected('an age such as "48 hours"') })
      .regex(MAX_AGE, { error: 'expected an age such as "30 minutes", "48 hours" or "2 days"' })
      .meta({ description: 'How old the newest value may be.', examples: ['48 hours'] }),
  })
  .meta({
    description:
      "The newest value of the column among the window's rows is at most `max_age` older than the window's end.",
  });

const expressionCheck = z
  .strictObject({
    type: z.literal('expression'),
    ...common,
    name: identifier('a check name saying what the expression expects').meta({
      description:
        'Names the check in run reports; unique within the table. Required: say what the expression expects.',
      examples: ['event_not_in_future'],
    }),
    expression: z
      .string({ error: expected('a SQL boolean expression such as "event_at <= current_timestamp"') })
      .trim()
      .min(1, { error: 'expected a SQL boolean expression' })
      .meta({ description: 'The expression, in Trino SQL.', examples: ['event_at <= current_timestamp'] }),
    sample_key: sampleKey,
  })
  .meta({
    description:
      "A Trino boolean expression over the table's columns that holds for every row of the window (NULL counts as " +
      'holding).',
  });

export const qualityCheckSchema = z
  .discriminatedUnion(
    'type',
    [
      notNullCheck,
      uniqueCheck,
      acceptedValuesCheck,
      relationshipsCheck,
      rowCountReconciliationCheck,
      freshnessCheck,
      expressionCheck,
    ],
    { error: `expected a check with "type" one of ${CHECK_TYPES.join(', ')}` },
  )
  .meta({
    description:
      "An entry of `checks` in `athena-scripts/stage_tables/<family>.json`: one query over the rows of a run's window. A failing " +
      '`error` check fails its family and keeps the watermark where it was; a failing `warn` check is only reported.',
  });
export type QualityCheck = z.infer<typeof qualityCheckSchema>;
export type QualityCheckOf<T extends QualityCheckType> = Extract<QualityCheck, { type: T }>;
export type Severity = QualityCheck['severity'];

/** The check's name in reports: its own, or one made of its type and columns (`not_null_event_id_event_at`). */
export function qualityCheckName(check: QualityCheck): string {
  if (check.name !== undefined) return check.name;
  switch (check.type) {
    case 'not_null':
    case 'unique':
      return `${check.type}_${check.columns.join('_')}`;
    case 'accepted_values':
    case 'freshness':
      return `${check.type}_${check.column}`;
    case 'relationships':
      return `relationships_${check.column}_to_${check.to.table}_${check.to.column}`;
    case 'row_count_reconciliation':
      return `row_count_reconciliation_${check.key}`;
    case 'expression':
      return check.name;
  }
}

/** `max_age` in milliseconds. */
export function maxAgeMs(maxAge: string): number {
  const match = MAX_AGE.exec(maxAge);
  if (!match) throw new RangeError(`invalid max_age "${maxAge}"`);
  const unitMs = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[match[2] as 'minute' | 'hour' | 'day'];
  return Number(match[1]) * unitMs;
}
