import { z } from 'zod';
import { qualityCheckSchema } from './quality-schema.ts';

/** Names used as Glue/Athena/Redshift identifiers, file names and S3 prefixes. */
export const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

/** An error map that tells a missing field from a wrong one, both saying what was expected. */
export function expected(what: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined ? `missing required field (expected ${what})` : `expected ${what}`;
}

const boolean = () => z.boolean({ error: expected('true or false') });

export const identifier = z
  .string({ error: expected('an identifier') })
  .regex(IDENTIFIER, { error: 'expected an identifier matching ^[a-z][a-z0-9_]*$ (lower case, digits, underscores)' });

/**
 * A column type as written in Glue/Athena DDL: string, varchar, int, bigint, double, boolean, date, timestamp,
 * decimal(p,s), struct<a:string,...>, array<t>, map<k,v>. Parsed and checked by `lib/core/model/column-types.ts`.
 */
export const columnType = z.string({ error: expected('a column type such as string, bigint or struct<a:string>') });

export const columnSchema = z.strictObject({
  name: identifier,
  type: columnType,
  description: z.string().optional(),
});
export type Column = z.infer<typeof columnSchema>;

// ---------------------------------------------------------------- environments

const CRON_SHAPE = 'cron(minutes hours day-of-month month day-of-week year) such as cron(0 3 * * ? *)';

/** The characters each field of an EventBridge cron may hold, in field order. */
const CRON_FIELDS = [
  { name: 'minutes', pattern: /^[\d,*/-]+$/, allowed: 'digits and , - * /' },
  { name: 'hours', pattern: /^[\d,*/-]+$/, allowed: 'digits and , - * /' },
  { name: 'day-of-month', pattern: /^(\?|[\d,*/LW-]+)$/, allowed: 'digits and , - * ? / L W' },
  { name: 'month', pattern: /^[\dA-Za-z,*/-]+$/, allowed: 'digits, JAN-DEC and , - * /' },
  { name: 'day-of-week', pattern: /^(\?|[\dA-Za-z,*/L#-]+)$/, allowed: 'digits, SUN-SAT and , - * ? L #' },
  { name: 'year', pattern: /^[\d,*/-]+$/, allowed: 'digits and , - * /' },
] as const;

/**
 * Why EventBridge would refuse `expression` as a rule's schedule, or undefined when it is a well-formed `rate(...)` or
 * a six-field `cron(...)` with `?` in exactly one of day-of-month and day-of-week.
 */
export function scheduleExpressionProblem(expression: string): string | undefined {
  const quoted = `"${expression}"`;
  if (expression.startsWith('rate(')) {
    const rate = /^rate\(([1-9]\d*) (minute|hour|day)(s?)\)$/.exec(expression);
    if (rate !== null && (rate[1] === '1') === (rate[3] === '')) return undefined;
    return `${quoted}: expected rate(<n> <unit>), n a whole number from 1 and unit minute, hour or day (plural after 1), such as rate(1 hour) or rate(5 minutes)`;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron === null) return `${quoted}: expected an EventBridge schedule expression, ${CRON_SHAPE}, or rate(1 hour)`;
  const fields = (cron[1] ?? '').trim().split(/\s+/);
  if (fields.length !== CRON_FIELDS.length) {
    return `${quoted} has ${fields.length} field${fields.length === 1 ? '' : 's'}: expected ${CRON_FIELDS.length}, ${CRON_SHAPE}`;
  }
  for (const [index, field] of CRON_FIELDS.entries()) {
    const value = fields[index] ?? '';
    if (!field.pattern.test(value)) {
      const misplaced = value.includes('?') && !field.allowed.includes('?');
      return `${quoted}: ${field.name} "${value}": expected ${field.allowed}${misplaced ? ' (? belongs in day-of-month or day-of-week)' : ''}`;
    }
  }
  const [dayOfMonth, dayOfWeek] = [fields[2] === '?', fields[4] === '?'];
  if (dayOfMonth === dayOfWeek) {
    const found = dayOfMonth ? 'has ? in both day-of-month and day-of-week' : 'has no ? in day-of-month or day-of-week';
    return `${quoted} ${found}: expected ? in exactly one of them, such as cron(0 3 * * ? *)`;
  }
  return undefined;
}

/** An EventBridge rule schedule: `rate(...)` or a six-field `cron(...)`, checked as EventBridge checks them. */
export const scheduleExpression = z
  .string({ error: expected('an EventBridge schedule expression such as cron(0 3 * * ? *) or rate(1 hour)') })
  .superRefine((expression, context) => {
    const problem = scheduleExpressionProblem(expression);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  });

const removalPolicy = z.enum(['retain', 'destroy']);

/** The retention periods, in days, CloudWatch Logs accepts for a log group. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const environmentSchema = z.strictObject({
  /** Environment name; must equal the file name (`config/environments/<name>.json`). */
  name: identifier,
  /** AWS account id, 12 digits. */
  account: z.string().regex(/^\d{12}$/, { error: 'expected a 12-digit AWS account id' }),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'expected an AWS region such as eu-west-2' }),
  /**
   * Prefix of every resource name (buckets, databases, state machine). Defaults to `<name>-dap`.
   * Glue databases use it with `-` replaced by `_`.
   */
  name_prefix: z
    .string()
    .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, { error: 'expected lower-case letters, digits and hyphens' })
    .optional(),
  schedules: z
    .strictObject({
      /** EventBridge schedule expression of the raw-to-stage run, or null for manual runs only. */
      raw_to_stage: scheduleExpression.nullable().default('cron(0 3 * * ? *)'),
    })
    .prefault({}),
  retention_days: z
    .strictObject({
      landing: z.number().int().positive().default(30),
      raw: z.number().int().positive().nullable().default(null),
      archive: z.number().int().positive().default(365),
      quarantine: z.number().int().positive().default(90),
      process_results: z.number().int().positive().default(365),
      athena_results: z.number().int().positive().default(30),
      access_logs: z.number().int().positive().default(90),
      /**
       * How long every log group of the stack (Lambdas, the state machine, VPC flow logs) keeps its events. One of
       * the periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
       * 1827, 2192, 2557, 2922, 3288 or 3653.
       */
      logs: z
        .number()
        .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
          error: `expected a retention CloudWatch Logs accepts: one of ${LOG_RETENTION_DAYS.join(', ')} days`,
        })
        .default(90),
    })
    .prefault({}),
  alerts: z
    .strictObject({
      emails: z.array(z.email({ error: 'expected an e-mail address' })).default([]),
    })
    .prefault({}),
  athena: z
    .strictObject({
      /** Per-query cutoff enforced by the workgroup. */
      bytes_scanned_cutoff: z.number().int().min(10_000_000).default(10_000_000_000),
    })
    .prefault({}),
  orchestration: z
    .strictObject({
      family_concurrency: z.number().int().min(1).max(1000).default(5),
      event_concurrency: z.number().int().min(1).max(40).default(5),
      /** A run lease not renewed for this long is considered abandoned and may be taken over. */
      lease_seconds: z.number().int().min(60).default(900),
    })
    .prefault({}),
  redshift: z
    .strictObject({
      database: identifier.default('dap'),
      /** Schema holding the reporting model and its procedures (`<schema>.sp_<family>`). */
      schema: identifier.default('conformed'),
      /** External (Spectrum) schema over the Glue stage database; scripts write `{{stage_schema}}`. */
      stage_schema: identifier.default('spectrum_stage'),
      /** External (Spectrum) schema over the Glue raw database; scripts write `{{raw_schema}}`. */
      raw_schema: identifier.default('spectrum_raw'),
      /** Redshift Serverless workgroup; defaults to the environment prefix. Ignored when a cluster is named. */
      workgroup: z.string().optional(),
      /** An existing provisioned cluster to use instead of Serverless. */
      cluster_identifier: z.string().optional(),
      /** Secrets Manager secret with database credentials, for a cluster without IAM auth. */
      secret_arn: z.string().optional(),
      /** Longest a procedure (or one migration script) may run before it is cancelled. */
      procedure_timeout_seconds: z.number().int().min(60).max(840).default(840),
      /** Redshift Serverless base capacity in RPUs (8 to 512, in steps of 8). Ignored when a cluster is named. */
      base_capacity_rpu: z
        .number({ error: expected('a number of RPUs') })
        .int()
        .min(8)
        .max(512)
        .multipleOf(8, { error: 'expected a multiple of 8 RPUs' })
        .default(8),
      /**
       * Most RPUs the workgroup may scale to: the cost ceiling (Serverless bills RPU-hours). At least
       * `base_capacity_rpu`, in steps of 8. Ignored when a cluster is named.
       */
      max_capacity_rpu: z
        .number({ error: expected('a number of RPUs') })
        .int()
        .min(8)
        .max(5632)
        .multipleOf(8, { error: 'expected a multiple of 8 RPUs' })
        .default(64),
      /**
       * The IAM role the existing cluster reads the Glue catalog and S3 with (Redshift Spectrum), for the external
       * schemas; required with `cluster_identifier`. With Serverless the stack creates the role.
       */
      spectrum_role_arn: z
        .string()
        .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, { error: 'expected an IAM role ARN' })
        .optional(),
    })
    .superRefine((redshift, context) => {
      if (redshift.cluster_identifier !== undefined && redshift.spectrum_role_arn === undefined) {
        context.addIssue({
          code: 'custom',
          path: ['spectrum_role_arn'],
          message: 'missing required field with cluster_identifier (expected the IAM role ARN Spectrum uses)',
        });
      }
      if (redshift.max_capacity_rpu < redshift.base_capacity_rpu) {
        context.addIssue({
          code: 'custom',
          path: ['max_capacity_rpu'],
          message: `expected at least base_capacity_rpu (${redshift.base_capacity_rpu})`,
        });
      }
    })
    .prefault({}),
  removal_policy: removalPolicy.default('retain'),
});
export type EnvironmentConfig = z.infer<typeof environmentSchema>;

// ---------------------------------------------------------------- athena-scripts

/** `{product_family, enabled}` entries: the Athena families and, in the same shape, the reporting families. */
const familySwitchListSchema = z.array(
  z.strictObject({
    product_family: identifier,
    enabled: boolean(),
  }),
);

export const productFamilyListSchema = familySwitchListSchema;
export type ProductFamilyEntry = z.infer<typeof productFamilyListSchema>[number];

export const familyEventListSchema = z.array(
  z.strictObject({
    event_name: identifier,
    product_family: identifier,
    enabled: boolean(),
    /**
     * How long after midnight a delivery day's partition may still receive files; a day is processed once this has
     * passed. The default covers a delivery stream's buffer (Firehose flushes within 15 minutes).
     */
    lateness_hours: z
      .number()
      .min(0)
      .max(24 * 14)
      .default(1),
  }),
);
export type FamilyEventEntry = z.infer<typeof familyEventListSchema>[number];

/** `athena-scripts/stage_tables/<family>.json`: the family's stage table in the stage database. */
export const stageTableSchema = z.strictObject({
  product_family: identifier,
  /** Table name in the stage database; defaults to the family name. */
  table: identifier.optional(),
  description: z.string().optional(),
  columns: z.array(columnSchema).min(1, { error: 'expected at least one column' }),
  partition_columns: z.array(columnSchema).default([]),
  checks: z.array(qualityCheckSchema).default([]),
  /**
   * How rows are made unique: one row per `key`; among rows with the same key the first by `order_by` (ascending
   * for `earliest`, descending for `latest`) is kept, within a window and across windows.
   * @default one row per event_id, earliest event_at then earliest processed_date
   */
  deduplication: z
    .strictObject({
      key: z.array(identifier).min(1),
      order_by: z.array(identifier).min(1),
      keep: z.enum(['earliest', 'latest']).default('earliest'),
    })
    .optional(),
});
export type StageTable = z.infer<typeof stageTableSchema>;

/**
 * `athena-scripts/raw_tables/<source>.json`: raw tables of one source that share a layout. Each table gets the
 * shared columns followed by its own; its files live under `location` with `{table}` replaced by the table name. A
 * file of one table may name its prefix outright (`txma/AUTH_CREATE_ACCOUNT`, upper case as DAP lays it out).
 */
export const rawSourceSchema = z
  .strictObject({
    source: identifier,
    description: z.string().optional(),
    format: z.enum(['json']),
    location: z.string().regex(/^[A-Za-z0-9_{}/-]+$/, { error: 'expected an S3 key prefix such as txma/{table}' }),
    columns: z.array(columnSchema).default([]),
    partition_columns: z.array(columnSchema).default([]),
    tables: z.record(identifier, z.strictObject({ columns: z.array(columnSchema).default([]) })),
  })
  .superRefine((source, context) => {
    if (source.location.includes('{table}') || Object.keys(source.tables).length === 1) return;
    context.addIssue({
      code: 'custom',
      path: ['location'],
      message: 'expected the prefix to contain {table} (a prefix without it serves a file of one table)',
    });
  });
export type RawSource = z.infer<typeof rawSourceSchema>;

// ---------------------------------------------------------------- redshift-scripts

export const reportingFamilyListSchema = z.array(
  z.strictObject({
    product_family: identifier,
    enabled: boolean(),
    /**
     * Athena product families whose stage tables the procedure reads. When one of them fails in a run (an event or a
     * quality check), the procedure is not called in that run: a failed family's stage may hold rows that did not
     * pass their checks, and a reporting model keeps what it loads.
     */
    depends_on: z.array(identifier).default([]),
  }),
);
export type ReportingFamilyEntry = z.infer<typeof reportingFamilyListSchema>[number];
