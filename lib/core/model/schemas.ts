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
  .regex(IDENTIFIER, { error: 'expected an identifier matching ^[a-z][a-z0-9_]*$ (lower case, digits, underscores)' })
  .meta({ title: 'identifier' });

/** Parsed and checked by `lib/core/model/column-types.ts`. */
export const columnType = z
  .string({ error: expected('a column type such as string, bigint or struct<a:string>') })
  .meta({
    title: 'column type',
    description:
      'A column type as written in Glue/Athena DDL: string, varchar, int, bigint, double, boolean, date, timestamp, ' +
      'decimal(p,s), struct<a:string,...>, array<t>, map<k,v>.',
    examples: ['string', 'decimal(10,2)', 'struct<user_id:string,email:string>'],
  });

export const columnSchema = z.strictObject({
  name: identifier.meta({ description: 'Column name.', examples: ['event_id'] }),
  type: columnType,
  description: z.string().optional().meta({ description: 'What the column holds, for people reading the table.' }),
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

/**
 * An EventBridge rule schedule: `rate(...)` or a six-field `cron(...)`, checked as EventBridge checks them. JSON Schema
 * cannot express that check; its `pattern` gives editors the outline.
 */
export const scheduleExpression = z
  .string({ error: expected('an EventBridge schedule expression such as cron(0 3 * * ? *) or rate(1 hour)') })
  .superRefine((expression, context) => {
    const problem = scheduleExpressionProblem(expression);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  })
  .meta({ title: 'schedule expression', pattern: '^(rate|cron)\\(.*\\)$' });

const removalPolicy = z.enum(['retain', 'destroy']);

/** The retention periods, in days, CloudWatch Logs accepts for a log group. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const days = (description: string) => z.number().int().positive().meta({ description });

const securityGroupId = z
  .string({ error: expected('a security group id such as sg-0123456789abcdef0') })
  .regex(/^sg-[0-9a-f]{8,17}$/, { error: 'expected a security group id such as sg-0123456789abcdef0' });

const databaseNetworkSchema = z
  .strictObject({
    vpc_id: z
      .string({ error: expected('a VPC id such as vpc-0123456789abcdef0') })
      .regex(/^vpc-[0-9a-f]{8,17}$/, { error: 'expected a VPC id such as vpc-0123456789abcdef0' })
      .meta({ description: 'The VPC the databases are reachable from.' }),
    subnets: z
      .array(
        z.strictObject({
          id: z
            .string({ error: expected('a subnet id such as subnet-0123456789abcdef0') })
            .regex(/^subnet-[0-9a-f]{8,17}$/, { error: 'expected a subnet id such as subnet-0123456789abcdef0' }),
          availability_zone: z
            .string({ error: expected('an availability zone such as eu-west-2a') })
            .regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, { error: 'expected an availability zone such as eu-west-2a' }),
        }),
      )
      .min(1)
      .meta({ description: 'Private subnets the Lambda runs in (with a route to the databases and to AWS APIs).' }),
    database: z
      .union(
        [
          z.strictObject({
            cidr: z
              .string()
              .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, { error: 'expected an IPv4 CIDR such as 10.20.0.0/16' }),
          }),
          z.strictObject({ security_group_id: securityGroupId }),
        ],
        { error: expected('{"cidr": "10.20.0.0/16"} or {"security_group_id": "sg-..."}') },
      )
      .meta({
        description: "Where the databases are: the only addresses the Lambda's security group reaches on `port`.",
      }),
    port: z.number().int().min(1).max(65535).default(5432).meta({ description: 'The database port.' }),
    https_security_group_id: securityGroupId.optional().meta({
      description:
        "The security group of the VPC's interface endpoints (S3, DynamoDB, Secrets Manager, Glue): HTTPS then " +
        'reaches only them. Without it the Lambda may open HTTPS to any address, for a NAT gateway.',
    }),
  })
  .meta({ description: 'The network of one database source in one environment.' });
export type DatabaseNetwork = z.infer<typeof databaseNetworkSchema>;

export const environmentSchema = z
  .strictObject({
    name: identifier.meta({
      description: 'Environment name; must equal the file name (`config/environments/<name>.json`).',
      examples: ['dev'],
    }),
    account: z
      .string()
      .regex(/^\d{12}$/, { error: 'expected a 12-digit AWS account id' })
      .meta({ description: 'AWS account id, 12 digits.', examples: ['111111111111'] }),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'expected an AWS region such as eu-west-2' })
      .meta({ description: 'AWS region the environment is deployed to.', examples: ['eu-west-2'] }),
    name_prefix: z
      .string()
      .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, { error: 'expected lower-case letters, digits and hyphens' })
      .optional()
      .meta({
        description:
          'Prefix of every resource name (buckets, databases, state machine). Defaults to `<name>-dap`. ' +
          'Glue databases use it with `-` replaced by `_`.',
        examples: ['dev-dap'],
      }),
    schedules: z
      .strictObject({
        raw_to_stage: scheduleExpression
          .nullable()
          .default('cron(0 3 * * ? *)')
          .meta({
            description: 'EventBridge schedule expression of the raw-to-stage run, or null for manual runs only.',
            examples: ['cron(0 3 * * ? *)', 'rate(1 hour)', null],
          }),
      })
      .prefault({})
      .meta({ description: 'When the pipeline runs by itself.' }),
    retention_days: z
      .strictObject({
        landing: days('Days the landing bucket keeps dropped files.').default(30),
        raw: z
          .number()
          .int()
          .positive()
          .nullable()
          .default(null)
          .meta({ description: 'Days the raw bucket keeps raw data; null keeps it.' }),
        archive: days('Days the archive bucket keeps ingested files and their reports.').default(365),
        quarantine: days('Days the quarantine bucket keeps refused files, their reports and rejects.').default(90),
        process_results: days('Days the process-results bucket keeps run reports.').default(365),
        athena_results: days('Days the Athena results bucket keeps query results.').default(30),
        access_logs: days('Days the access-logs bucket keeps S3 server access logs.').default(90),
        // The refine has no JSON Schema equivalent: the same list is given as the enum editors offer.
        logs: z
          .number()
          .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
            error: `expected a retention CloudWatch Logs accepts: one of ${LOG_RETENTION_DAYS.join(', ')} days`,
          })
          .default(90)
          .meta({
            description:
              'How long every log group of the stack (Lambdas, the state machine, VPC flow logs) keeps its events. ' +
              'One of the periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, ' +
              '731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653.',
            enum: [...LOG_RETENTION_DAYS],
          }),
      })
      .prefault({})
      .meta({
        description: 'How long the buckets keep their objects (by a lifecycle rule) and log groups their events.',
      }),
    alerts: z
      .strictObject({
        emails: z
          .array(z.email({ error: 'expected an e-mail address' }))
          .default([])
          .meta({
            description:
              'Addresses subscribed to the alerts topic (failed and partial runs, alarms); each gets an SNS ' +
              'confirmation e-mail.',
            examples: [['data-team@example.com']],
          }),
      })
      .prefault({})
      .meta({ description: 'Who hears about failed and partial runs.' }),
    athena: z
      .strictObject({
        bytes_scanned_cutoff: z
          .number()
          .int()
          .min(10_000_000)
          .default(10_000_000_000)
          .meta({ description: 'Per-query cutoff enforced by the workgroup, in bytes.' }),
      })
      .prefault({})
      .meta({ description: "The environment's Athena workgroup." }),
    orchestration: z
      .strictObject({
        family_concurrency: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .default(5)
          .meta({ description: 'Product families processed at once (MaxConcurrency of the families Map).' }),
        event_concurrency: z
          .number()
          .int()
          .min(1)
          .max(40)
          .default(5)
          .meta({ description: "Events of one family processed at once (MaxConcurrency of a family's events Map)." }),
        lease_seconds: z.number().int().min(60).default(900).meta({
          description: 'A run lease not renewed for this long is considered abandoned and may be taken over.',
        }),
      })
      .prefault({})
      .meta({ description: 'The raw-to-stage state machine.' }),
    redshift: z
      .strictObject({
        database: identifier.default('dap').meta({ description: 'Database of the reporting model.' }),
        schema: identifier
          .default('conformed')
          .meta({ description: 'Schema holding the reporting model and its procedures (`<schema>.sp_<family>`).' }),
        stage_schema: identifier.default('spectrum_stage').meta({
          description: 'External (Spectrum) schema over the Glue stage database; scripts write `{{stage_schema}}`.',
        }),
        raw_schema: identifier.default('spectrum_raw').meta({
          description: 'External (Spectrum) schema over the Glue raw database; scripts write `{{raw_schema}}`.',
        }),
        workgroup: z.string().optional().meta({
          description:
            'Redshift Serverless workgroup; defaults to the environment prefix. Ignored when a cluster is named.',
        }),
        cluster_identifier: z
          .string()
          .optional()
          .meta({ description: 'An existing provisioned cluster to use instead of Serverless.' }),
        secret_arn: z
          .string()
          .optional()
          .meta({ description: 'Secrets Manager secret with database credentials, for a cluster without IAM auth.' }),
        procedure_timeout_seconds: z
          .number()
          .int()
          .min(60)
          .max(840)
          .default(840)
          .meta({ description: 'Longest a procedure (or one migration script) may run before it is cancelled.' }),
        base_capacity_rpu: z
          .number({ error: expected('a number of RPUs') })
          .int()
          .min(8)
          .max(512)
          .multipleOf(8, { error: 'expected a multiple of 8 RPUs' })
          .default(8)
          .meta({
            description:
              'Redshift Serverless base capacity in RPUs (8 to 512, in steps of 8). Ignored when a cluster is named.',
          }),
        max_capacity_rpu: z
          .number({ error: expected('a number of RPUs') })
          .int()
          .min(8)
          .max(5632)
          .multipleOf(8, { error: 'expected a multiple of 8 RPUs' })
          .default(64)
          .meta({
            description:
              'Most RPUs the workgroup may scale to: the cost ceiling (Serverless bills RPU-hours). At least ' +
              '`base_capacity_rpu`, in steps of 8. Ignored when a cluster is named.',
          }),
        spectrum_role_arn: z
          .string()
          .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, { error: 'expected an IAM role ARN' })
          .optional()
          .meta({
            description:
              'The IAM role the existing cluster reads the Glue catalog and S3 with (Redshift Spectrum), for the ' +
              'external schemas; required with `cluster_identifier`. With Serverless the stack creates the role.',
            examples: ['arn:aws:iam::111111111111:role/dev-dap-spectrum'],
          }),
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
      .prefault({})
      .meta({
        description:
          "The reporting model's warehouse: Redshift Serverless, or the provisioned cluster `cluster_identifier` names.",
      }),
    removal_policy: removalPolicy.default('retain').meta({
      description:
        '`retain` keeps the KMS key, the buckets and their data, the Glue databases, the control table and the log ' +
        'groups when the stack is destroyed, and protects the stack from termination; `destroy` removes them with ' +
        'the stack (buckets emptied first).',
    }),
    catalog_stacks: z
      .enum(['single', 'nested'], { error: 'expected "single" or "nested"' })
      .default('single')
      .meta({
        description:
          '`single` declares every Glue table in the environment stack (as environments deployed before dap 0.2 ' +
          'have them); `nested` spreads them over 64 nested stacks by table name, so no stack nears ' +
          "CloudFormation's limits at any size and a table never moves between stacks. Choose `nested` when an " +
          'environment is first deployed: switching a deployed one moves its tables, which CloudFormation refuses ' +
          'while the old ones exist.',
      }),
    database_networks: z
      .record(identifier, databaseNetworkSchema.nullable())
      .default({})
      .meta({
        description:
          'Per database source (config/sources/databases/<source>.json): the network its extract Lambda runs in, ' +
          'or null to deploy no extract of that source in this environment. Every enabled database source needs ' +
          'an entry.',
      }),
  })
  .meta({ description: '`config/environments/<env>.json`: where and how one copy of the platform is deployed.' });
export type EnvironmentConfig = z.infer<typeof environmentSchema>;

// ---------------------------------------------------------------- athena-scripts

/** `{product_family, enabled}` entries: the Athena families and, in the same shape, the reporting families. */
const familySwitchListSchema = z.array(
  z.strictObject({
    product_family: identifier.meta({
      description:
        'Product family name: its stage table is `stage_tables/<family>.json`, its events `<family>_config.json`.',
      examples: ['auth_account_creation'],
    }),
    enabled: boolean().meta({ description: 'Whether runs process the family; a disabled family is left out.' }),
  }),
);

export const productFamilyListSchema = familySwitchListSchema.meta({
  description:
    '`athena-scripts/process_scripts/product_family_config.json`: the Athena product families, each listed once; ' +
    'each has its stage table and its branch of a run.',
});
export type ProductFamilyEntry = z.infer<typeof productFamilyListSchema>[number];

export const familyEventListSchema = z
  .array(
    z.strictObject({
      event_name: identifier.meta({
        description: 'Event name: its raw table and its transform `dml/insert_into/<event>.sql`.',
        examples: ['auth_create_account'],
      }),
      product_family: identifier.meta({
        description: 'The family the event belongs to: the one this file is named after.',
        examples: ['auth_account_creation'],
      }),
      enabled: boolean().meta({ description: 'Whether runs process the event; a disabled event is left out.' }),
      lateness_hours: z
        .number()
        .min(0)
        .max(24 * 14)
        .default(1)
        .meta({
          description:
            "How long after midnight a delivery day's partition may still receive files; a day is processed once " +
            "this has passed. The default covers a delivery stream's buffer (Firehose flushes within 15 minutes).",
        }),
    }),
  )
  .meta({ description: "`athena-scripts/process_scripts/<family>_config.json`: the family's events." });
export type FamilyEventEntry = z.infer<typeof familyEventListSchema>[number];

export const stageTableSchema = z
  .strictObject({
    product_family: identifier.meta({
      description: 'The family whose stage table this is; must equal the file name.',
      examples: ['auth_account_creation'],
    }),
    table: identifier
      .optional()
      .meta({ description: 'Table name in the stage database; defaults to the family name.' }),
    description: z.string().optional().meta({ description: 'What a row of the table is, for people reading it.' }),
    columns: z
      .array(columnSchema)
      .min(1, { error: 'expected at least one column' })
      .meta({ description: 'The columns, in order; the transforms insert into these.' }),
    partition_columns: z
      .array(columnSchema)
      .default([])
      .meta({
        description: 'Partition columns, after the columns.',
        examples: [[{ name: 'event_name', type: 'string' }]],
      }),
    checks: z
      .array(qualityCheckSchema)
      .default([])
      .meta({ description: 'Data-quality checks run over the rows each run writes.' }),
    deduplication: z
      .strictObject({
        key: z
          .array(identifier)
          .min(1)
          .meta({ description: 'Columns that identify a row: one row is kept per key.', examples: [['event_id']] }),
        order_by: z
          .array(identifier)
          .min(1)
          .meta({
            description: 'Columns that pick the row kept among rows with the same key.',
            examples: [['event_at', 'processed_date']],
          }),
        keep: z
          .enum(['earliest', 'latest'])
          .default('earliest')
          .meta({ description: 'Keep the first row by `order_by` ascending (`earliest`) or descending (`latest`).' }),
      })
      .optional()
      .meta({
        description:
          'How rows are made unique: one row per `key`; among rows with the same key the first by `order_by` ' +
          '(ascending for `earliest`, descending for `latest`) is kept, within a window and across windows. ' +
          'Default: one row per event_id, earliest event_at then earliest processed_date.',
      }),
  })
  .meta({
    description: "`athena-scripts/stage_tables/<family>.json`: the family's stage table in the stage database.",
  });
export type StageTable = z.infer<typeof stageTableSchema>;

export const rawSourceSchema = z
  .strictObject({
    source: identifier.meta({ description: 'The source the tables come from.', examples: ['txma'] }),
    description: z.string().optional().meta({ description: 'What the source is, for people reading the file.' }),
    format: z.enum(['json']).meta({ description: 'How the raw files are written: JSON, one record a line.' }),
    compression: z
      .enum(['gzip', 'none'])
      .default('gzip')
      .meta({
        description:
          'How dap writes the files of these tables (file ingestion and API pulls): `gzip` NDJSON (`.json.gz`, the ' +
          'default: Athena reads it and scans, and bills, the compressed bytes) or plain NDJSON (`.json`). Files of ' +
          'either kind, and those another producer writes, are read side by side.',
      }),
    location: z
      .string()
      .regex(/^[A-Za-z0-9_{}/-]+$/, { error: 'expected an S3 key prefix such as txma/{table}' })
      .meta({
        description:
          'Key prefix in the raw bucket of each table, `{table}` replaced by the table name; a file of one table ' +
          'may name its prefix outright.',
        examples: ['txma/{table}', 'txma/AUTH_CREATE_ACCOUNT'],
      }),
    columns: z
      .array(columnSchema)
      .default([])
      .meta({ description: 'Columns every table of the file shares, before its own.' }),
    partition_columns: z
      .array(columnSchema)
      .default([])
      .meta({
        description: 'Partition columns of every table.',
        examples: [
          [
            { name: 'year', type: 'string' },
            { name: 'month', type: 'string' },
            { name: 'day', type: 'string' },
          ],
        ],
      }),
    tables: z
      .record(
        identifier,
        z
          .strictObject({
            columns: z
              .array(columnSchema)
              .default([])
              .meta({ description: "The table's own columns, after the shared ones." }),
          })
          .meta({ description: 'A raw table of the source.' }),
      )
      .meta({ description: 'The tables, by name (the event name for event sources).' }),
  })
  .superRefine((source, context) => {
    if (source.location.includes('{table}') || Object.keys(source.tables).length === 1) return;
    context.addIssue({
      code: 'custom',
      path: ['location'],
      message: 'expected the prefix to contain {table} (a prefix without it serves a file of one table)',
    });
  })
  .meta({
    description:
      '`athena-scripts/raw_tables/<source>.json`: raw tables of one source that share a layout. Each table gets the ' +
      'shared columns followed by its own; its files live under `location` with `{table}` replaced by the table ' +
      'name. A file of one table may name its prefix outright (`txma/AUTH_CREATE_ACCOUNT`, upper case as DAP lays ' +
      'it out).',
  });
export type RawSource = z.infer<typeof rawSourceSchema>;

// ---------------------------------------------------------------- redshift-scripts

export const reportingFamilyListSchema = z
  .array(
    z.strictObject({
      product_family: identifier.meta({
        description: 'Reporting family name: its procedure is `<schema>.sp_<family>` (`procedures/sp_<family>.sql`).',
        examples: ['user_journey'],
      }),
      enabled: boolean().meta({ description: "Whether runs call the family's procedure." }),
      depends_on: z
        .array(identifier)
        .default([])
        .meta({
          description:
            'Athena product families whose stage tables the procedure reads. When one of them fails in a run (an ' +
            "event or a quality check), the procedure is not called in that run: a failed family's stage may hold " +
            'rows that did not pass their checks, and a reporting model keeps what it loads.',
          examples: [['auth_account_creation', 'ipv_identity_journey']],
        }),
    }),
  )
  .meta({
    description:
      '`redshift-scripts/reporting_model_product_family_config.json`: the reporting families, each built by its ' +
      'Redshift procedure after the Athena families of a run.',
  });
export type ReportingFamilyEntry = z.infer<typeof reportingFamilyListSchema>[number];
