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
  .regex(/^[A-Z][A-Z0-9_]*$/, { error: 'expected an upper-case environment variable name such as EVENTBRITE_TOKEN' })
  .meta({ title: 'secret name' });

/** A dotted path into a JSON body, e.g. `pagination.has_more_items`. */
const jsonPath = z
  .string({ error: expected('a dotted JSON path such as pagination.continuation') })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, {
    error: 'expected a dotted JSON path such as pagination.continuation',
  })
  .meta({ title: 'JSON path' });

/** A query parameter name as the API spells it. */
const paramName = z
  .string({ error: expected('a query parameter name') })
  .regex(/^[A-Za-z_][A-Za-z0-9_.[\]-]*$/, { error: 'expected a query parameter name' })
  .meta({ title: 'parameter name' });

const authSchema = z
  .discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('none') }).meta({ description: 'No credentials.' }),
      z
        .strictObject({
          type: z.literal('bearer'),
          token: secretName.meta({
            description: 'Sent as `Authorization: Bearer <token>`.',
            examples: ['EVENTBRITE_TOKEN'],
          }),
        })
        .meta({ description: 'A bearer token.' }),
      z
        .strictObject({
          type: z.literal('basic'),
          username: secretName.meta({
            description: 'Sent as `Authorization: Basic base64(<username>:<password>)`.',
            examples: ['SMARTSURVEY_API_TOKEN'],
          }),
          password: secretName.meta({
            description: 'The password of basic auth.',
            examples: ['SMARTSURVEY_API_SECRET'],
          }),
        })
        .meta({ description: 'HTTP basic auth.' }),
    ],
    { error: expected('auth type "none", "bearer" or "basic"') },
  )
  .meta({
    description:
      'How requests authenticate. Each credential names an environment variable locally and a key of the secret ' +
      '`<prefix>/api/<source>` in AWS.',
  });
export type ApiAuth = z.infer<typeof authSchema>;

const paginationSchema = z
  .discriminatedUnion(
    'style',
    [
      z.strictObject({ style: z.literal('none') }).meta({ description: 'One request per scope.' }),
      z
        .strictObject({
          style: z.literal('continuation'),
          has_more: jsonPath.meta({
            description: 'The flag in the body that says more pages follow.',
            examples: ['pagination.has_more_items'],
          }),
          token: jsonPath.meta({
            description: 'The continuation token in the body.',
            examples: ['pagination.continuation'],
          }),
          param: paramName.meta({
            description: 'The parameter the token is sent back as.',
            examples: ['continuation'],
          }),
        })
        .meta({
          description:
            'Eventbrite: `pagination.has_more_items` and `pagination.continuation`, sent back as `continuation=`.',
        }),
      z
        .strictObject({
          style: z.literal('page_number'),
          param: paramName.meta({ description: 'The page number parameter.', examples: ['page'] }),
          size_param: paramName.meta({ description: 'The page size parameter.', examples: ['page_size'] }),
          size: z
            .number()
            .int()
            .min(1)
            .max(10_000)
            .meta({ description: 'Records asked for per page.', examples: [100] }),
          first_page: z.number().int().min(0).default(1).meta({ description: 'The number of the first page.' }),
        })
        .meta({
          description:
            'SmartSurvey: `page=1,2,...` with a fixed `page_size`, until a page holds fewer records than the size.',
        }),
      z
        .strictObject({
          style: z.literal('next_link'),
          next: jsonPath
            .optional()
            .meta({ description: 'Where the body holds the URL of the next page.', examples: ['links.next'] }),
          link_header: z
            .boolean()
            .default(false)
            .meta({ description: 'Read the URL of the next page from the `Link` header (rel="next").' }),
        })
        .meta({
          description:
            'The body (or the `Link` header, rel="next") holds the URL of the next page; absent or null at the end.',
        }),
      z
        .strictObject({
          style: z.literal('cursor'),
          cursor: jsonPath.meta({ description: 'Where the body holds the cursor.', examples: ['meta.next_cursor'] }),
          param: paramName.meta({ description: 'The parameter the cursor is sent back as.', examples: ['cursor'] }),
          has_more: jsonPath.optional().meta({
            description: 'When set, the pull also stops when this flag is false.',
            examples: ['meta.has_more'],
          }),
        })
        .meta({
          description: 'An opaque cursor in the body, sent back as a parameter; absent, null or empty at the end.',
        }),
    ],
    { error: expected('pagination style "none", "continuation", "page_number", "next_link" or "cursor"') },
  )
  .meta({ description: 'How the endpoint pages.' });
export type ApiPagination = z.infer<typeof paginationSchema>;

const incrementalSchema = z
  .strictObject({
    param: paramName.meta({
      description: "The API's changed-since parameter, e.g. Eventbrite `changed_since`, SmartSurvey `since`.",
      examples: ['changed_since'],
    }),
    format: z.enum(['iso8601', 'unix_seconds']).meta({ description: "How the parameter's value is written." }),
    overlap_seconds: z
      .number()
      .int()
      .min(0)
      .default(3600)
      .meta({
        description:
          'Each pull asks for changes since the start of the last complete pull minus this much, so a record ' +
          'changed while that pull was running, or stamped by a server clock that runs behind ours, is not missed. ' +
          'Records in the overlap arrive twice in raw; the transforms keep the latest copy.',
      }),
  })
  .meta({ description: 'Ask only for records changed since the last complete pull, where the API supports it.' });
export type ApiIncremental = z.infer<typeof incrementalSchema>;

const endpointSchema = z
  .strictObject({
    name: identifier.meta({
      description: 'Endpoint name: used in object keys, checkpoints and logs.',
      examples: ['events'],
    }),
    description: z.string().optional().meta({ description: 'What the endpoint returns, for people reading the file.' }),
    path: z
      .string()
      .regex(/^\/[A-Za-z0-9_\-./{}~]*$/, { error: 'expected a path starting with / such as /events/' })
      .meta({
        description:
          'Path below `base_url`, starting with `/`. `{name}` placeholders are filled from the parent record (see ' +
          '`parent.params`), URL-encoded.',
        examples: ['/events/{event_id}/orders/'],
      }),
    params: z
      .record(paramName, z.string())
      .default({})
      .meta({
        description: 'Fixed query parameters sent with every request of this endpoint.',
        examples: [{ expand: 'attendees,answers' }],
      }),
    raw_table: identifier.meta({
      description: 'The raw table (declared in `athena-scripts/raw_tables/<source>.json`) the pages land in.',
      examples: ['eventbrite_orders'],
    }),
    parent: z
      .strictObject({
        endpoint: identifier.meta({ description: 'The parent endpoint.', examples: ['events'] }),
        params: z.record(identifier, jsonPath).meta({
          description:
            'Placeholder in `path` ← dotted path of the field in the parent record, e.g. `{ "event_id": "id" }`.',
          examples: [{ event_id: 'id' }],
        }),
      })
      .optional()
      .meta({ description: "Walk this endpoint once for every record of the parent endpoint's pages." }),
    records: z.union([z.literal('$'), jsonPath], { error: 'expected $ or a dotted JSON path such as events' }).meta({
      description: "Where the page's records are in the body: a dotted path, or `$` when the body is the array itself.",
      examples: ['events', '$'],
    }),
    required_fields: z
      .array(jsonPath)
      .default([])
      .meta({
        description: 'Fields each record must carry (not null); a page that breaks this is refused, naming the record.',
        examples: [['id', 'changed']],
      }),
    pagination: paginationSchema,
    incremental: incrementalSchema.optional(),
  })
  .meta({ description: 'An endpoint walked by every pull.' });
export type ApiEndpoint = z.infer<typeof endpointSchema>;

const rateLimitSchema = z
  .strictObject({
    body_status: jsonPath.optional().meta({
      description:
        'A JSON field that carries an HTTP status in the body: a response whose field holds 429 is rate-limited ' +
        'even when the HTTP status says 200 (Eventbrite answers `{"status_code": 429, ...}`).',
      examples: ['status_code'],
    }),
    reset_header: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .optional()
      .meta({
        description: 'Header with the epoch second at which the quota resets; used when no `Retry-After` is sent.',
        examples: ['X-RateLimit-Reset'],
      }),
    max_wait_seconds: z.number().int().min(0).default(120).meta({
      description:
        'Longest wait for a rate limit inside one run; a longer one ends the run as partial, to resume later.',
    }),
    default_wait_seconds: z
      .number()
      .int()
      .min(1)
      .default(60)
      .meta({
        description:
          'Longest wait when a 429 says nothing about when to come back: such waits back off from one second, ' +
          'doubling for each such limit in a row, up to this.',
      }),
  })
  .prefault({})
  .meta({ description: 'How a rate-limited response (429) is recognised and waited out.' });

const retrySchema = z
  .strictObject({
    max_attempts: z.number().int().min(1).max(20).default(5).meta({
      description:
        'Attempts per page for 5xx, timeouts, connection errors and unparseable bodies (the first try included).',
    }),
    base_delay_ms: z
      .number()
      .int()
      .min(1)
      .default(1000)
      .meta({ description: 'First backoff; doubled per attempt, with full jitter, capped at `max_delay_ms`.' }),
    max_delay_ms: z.number().int().min(1).default(60_000).meta({ description: 'Longest backoff between attempts.' }),
  })
  .prefault({})
  .meta({ description: 'How failed requests are retried.' });

export const apiSourceSchema = z
  .strictObject({
    source: identifier.meta({ description: 'Source name; must equal the file name.', examples: ['eventbrite'] }),
    description: z.string().optional().meta({ description: 'What the API is, for people reading the file.' }),
    base_url: z
      .url({ error: 'expected an https URL such as https://api.example.com/v1' })
      .meta({ examples: ['https://www.eventbriteapi.com/v3'] })
      .refine((url) => url.startsWith('https://'), {
        error: 'expected an https URL (credentials travel with requests)',
      })
      .transform((url) => url.replace(/\/+$/, ''))
      .meta({ description: 'Root of every endpoint path, e.g. `https://www.eventbriteapi.com/v3`.' }),
    schedule: scheduleExpression.nullable().default('rate(1 hour)').meta({
      description:
        'EventBridge schedule of the pull in AWS, e.g. `rate(1 hour)` or `cron(15 * * * ? *)`; null for manual pulls.',
    }),
    auth: authSchema,
    max_requests_per_run: z.number().int().min(1).default(1000).meta({
      description:
        'Requests one run may make, retries included; when spent the run stops as partial and the next one resumes.',
    }),
    request_timeout_ms: z
      .number()
      .int()
      .min(1)
      .default(30_000)
      .meta({ description: 'Time allowed for one response, headers and body.' }),
    lambda_timeout_seconds: z
      .number()
      .int()
      .min(30)
      .max(900)
      .default(900)
      .meta({ description: "The pull Lambda's time limit in AWS; runs stop cleanly before it." }),
    rate_limit: rateLimitSchema,
    retry: retrySchema,
    endpoints: z
      .array(endpointSchema)
      .min(1, { error: 'expected at least one endpoint' })
      .meta({ description: 'The endpoints to walk, parents before children.' }),
  })
  .meta({ description: '`config/sources/apis/<source>.json`: a source API pulled on a schedule into raw.' });
export type ApiSource = z.infer<typeof apiSourceSchema>;
