import { z } from 'zod';
import { expected, identifier, scheduleExpression } from './schemas.ts';

/**
 * `config/sources/apis/<source>.json`: a source API pulled on a schedule into raw. Everything the connector engine
 * (`lib/core/connectors/`) does for a source is read from here: where the API is, how to authenticate, which
 * endpoints to walk (parents before children), how each paginates, what a page must look like, and how hard the
 * source may be pushed.
 */

/** Name of an environment variable (locally) and of a key in the source's secret (in AWS). */
const secretName = z
  .string({ error: expected('an environment variable name such as EVENTBRITE_TOKEN') })
  .regex(/^[A-Z][A-Z0-9_]*$/, { error: 'expected an upper-case environment variable name such as EVENTBRITE_TOKEN' });

/** A dotted path into a JSON body, e.g. `pagination.has_more_items`. */
const jsonPath = z
  .string({ error: expected('a dotted JSON path such as pagination.continuation') })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, {
    error: 'expected a dotted JSON path such as pagination.continuation',
  });

/** A query parameter name as the API spells it. */
const paramName = z
  .string({ error: expected('a query parameter name') })
  .regex(/^[A-Za-z_][A-Za-z0-9_.[\]-]*$/, { error: 'expected a query parameter name' });

const authSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('none') }),
    z.strictObject({
      type: z.literal('bearer'),
      /** Sent as `Authorization: Bearer <token>`. */
      token: secretName,
    }),
    z.strictObject({
      type: z.literal('basic'),
      /** Sent as `Authorization: Basic base64(<username>:<password>)`. */
      username: secretName,
      password: secretName,
    }),
  ],
  { error: expected('auth type "none", "bearer" or "basic"') },
);
export type ApiAuth = z.infer<typeof authSchema>;

const paginationSchema = z.discriminatedUnion(
  'style',
  [
    /** One request per scope. */
    z.strictObject({ style: z.literal('none') }),
    /** Eventbrite: `pagination.has_more_items` and `pagination.continuation`, sent back as `continuation=`. */
    z.strictObject({
      style: z.literal('continuation'),
      has_more: jsonPath,
      token: jsonPath,
      param: paramName,
    }),
    /** SmartSurvey: `page=1,2,...` with a fixed `page_size`, until a page holds fewer records than the size. */
    z.strictObject({
      style: z.literal('page_number'),
      param: paramName,
      size_param: paramName,
      size: z.number().int().min(1).max(10_000),
      first_page: z.number().int().min(0).default(1),
    }),
    /** The body (or the `Link` header, rel="next") holds the URL of the next page; absent or null at the end. */
    z.strictObject({
      style: z.literal('next_link'),
      next: jsonPath.optional(),
      link_header: z.boolean().default(false),
    }),
    /** An opaque cursor in the body, sent back as a parameter; absent, null or empty at the end. */
    z.strictObject({
      style: z.literal('cursor'),
      cursor: jsonPath,
      param: paramName,
      /** When set, the pull also stops when this flag is false. */
      has_more: jsonPath.optional(),
    }),
  ],
  { error: expected('pagination style "none", "continuation", "page_number", "next_link" or "cursor"') },
);
export type ApiPagination = z.infer<typeof paginationSchema>;

const incrementalSchema = z.strictObject({
  /** The API's changed-since parameter, e.g. Eventbrite `changed_since`, SmartSurvey `since`. */
  param: paramName,
  /** How the parameter's value is written. */
  format: z.enum(['iso8601', 'unix_seconds']),
  /**
   * Each pull asks for changes since the start of the last complete pull minus this much, so a record changed
   * while that pull was running, or stamped by a server clock that runs behind ours, is not missed. Records in the
   * overlap arrive twice in raw; the transforms keep the latest copy.
   */
  overlap_seconds: z.number().int().min(0).default(3600),
});
export type ApiIncremental = z.infer<typeof incrementalSchema>;

const endpointSchema = z.strictObject({
  /** Endpoint name: used in object keys, checkpoints and logs. */
  name: identifier,
  description: z.string().optional(),
  /**
   * Path below `base_url`, starting with `/`. `{name}` placeholders are filled from the parent record (see
   * `parent.params`), URL-encoded.
   */
  path: z.string().regex(/^\/[A-Za-z0-9_\-./{}~]*$/, { error: 'expected a path starting with / such as /events/' }),
  /** Fixed query parameters sent with every request of this endpoint. */
  params: z.record(paramName, z.string()).default({}),
  /** The raw table (declared in `athena-scripts/raw_tables/<source>.json`) the pages land in. */
  raw_table: identifier,
  /** Walk this endpoint once for every record of the parent endpoint's pages. */
  parent: z
    .strictObject({
      endpoint: identifier,
      /** Placeholder in `path` ← dotted path of the field in the parent record, e.g. `{ "event_id": "id" }`. */
      params: z.record(identifier, jsonPath),
    })
    .optional(),
  /** Where the page's records are in the body: a dotted path, or `$` when the body is the array itself. */
  records: z.union([z.literal('$'), jsonPath], { error: 'expected $ or a dotted JSON path such as events' }),
  /** Fields each record must carry (not null); a page that breaks this is refused, naming the record. */
  required_fields: z.array(jsonPath).default([]),
  pagination: paginationSchema,
  /** Ask only for records changed since the last complete pull, where the API supports it. */
  incremental: incrementalSchema.optional(),
});
export type ApiEndpoint = z.infer<typeof endpointSchema>;

const rateLimitSchema = z
  .strictObject({
    /**
     * A JSON field that carries an HTTP status in the body: a response whose field holds 429 is rate-limited even
     * when the HTTP status says 200 (Eventbrite answers `{"status_code": 429, ...}`).
     */
    body_status: jsonPath.optional(),
    /** Header with the epoch second at which the quota resets; used when no `Retry-After` is sent. */
    reset_header: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .optional(),
    /** Longest wait for a rate limit inside one run; a longer one ends the run as partial, to resume later. */
    max_wait_seconds: z.number().int().min(0).default(120),
    /**
     * Longest wait when a 429 says nothing about when to come back: such waits back off from one second, doubling
     * for each such limit in a row, up to this.
     */
    default_wait_seconds: z.number().int().min(1).default(60),
  })
  .prefault({});

const retrySchema = z
  .strictObject({
    /** Attempts per page for 5xx, timeouts, connection errors and unparseable bodies (the first try included). */
    max_attempts: z.number().int().min(1).max(20).default(5),
    /** First backoff; doubled per attempt, with full jitter, capped at `max_delay_ms`. */
    base_delay_ms: z.number().int().min(1).default(1000),
    max_delay_ms: z.number().int().min(1).default(60_000),
  })
  .prefault({});

export const apiSourceSchema = z.strictObject({
  source: identifier,
  description: z.string().optional(),
  /** Root of every endpoint path, e.g. `https://www.eventbriteapi.com/v3`. */
  base_url: z
    .url({ error: 'expected an https URL such as https://api.example.com/v1' })
    .refine((url) => url.startsWith('https://'), { error: 'expected an https URL (credentials travel with requests)' })
    .transform((url) => url.replace(/\/+$/, '')),
  /** EventBridge schedule of the pull in AWS, e.g. `rate(1 hour)` or `cron(15 * * * ? *)`; null for manual pulls. */
  schedule: scheduleExpression.nullable().default('rate(1 hour)'),
  auth: authSchema,
  /** Requests one run may make, retries included; when spent the run stops as partial and the next one resumes. */
  max_requests_per_run: z.number().int().min(1).default(1000),
  /** Time allowed for one response, headers and body. */
  request_timeout_ms: z.number().int().min(1).default(30_000),
  /** The pull Lambda's time limit in AWS; runs stop cleanly before it. */
  lambda_timeout_seconds: z.number().int().min(30).max(900).default(900),
  rate_limit: rateLimitSchema,
  retry: retrySchema,
  endpoints: z.array(endpointSchema).min(1, { error: 'expected at least one endpoint' }),
});
export type ApiSource = z.infer<typeof apiSourceSchema>;
